import { pbkdf2Sync } from 'node:crypto';
import type forgeTypes from 'node-forge';
import { pkcs12Kdf } from './pkcs12-kdf';

let loaded: typeof forgeTypes | undefined;

/**
 * node-forge, loaded on first use (it is large and most files never need it). Its PBKDF2 falls back
 * to pure JavaScript whenever the digest is given as an object, as its PKCS#12 reader does: that made
 * opening one modern .p12 take ~45 ms. Route it to Node's native PBKDF2 instead.
 */
export function loadForge(): typeof forgeTypes {
  if (loaded) return loaded;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const forge = require('node-forge') as typeof forgeTypes;
  const jsPbkdf2 = forge.pkcs5.pbkdf2;
  const native = (p: string, s: string, c: number, dkLen: number, md?: unknown): string => {
    const name = typeof md === 'string' ? md : ((md as { algorithm?: string } | undefined)?.algorithm ?? 'sha1');
    // No password is the empty one for PBKDF2, as OpenSSL has it (forge would pass undefined on).
    const password = Buffer.from(p ?? '', 'binary');
    const salt = Buffer.from(s, 'binary');
    const digest = name.replace('-', '').toLowerCase();
    return derive(
      ['pbkdf2', digest, password.toString('hex'), salt.toString('hex'), c, dkLen].join(),
      c,
      dkLen,
      DIGEST_BYTES[digest] ?? 64,
      () => pbkdf2Sync(password, salt, c, dkLen, digest).toString('binary'),
    );
  };
  const patched = ((p: string, s: string, c: number, dkLen: number, md?: unknown, callback?: unknown) =>
    typeof md === 'function' || callback
      ? (jsPbkdf2 as (...a: unknown[]) => unknown)(p, s, c, dkLen, md, callback)
      : native(p, s, c, dkLen, md)) as typeof forge.pkcs5.pbkdf2;
  forge.pkcs5.pbkdf2 = patched;
  (forge as unknown as { pbkdf2: typeof patched }).pbkdf2 = patched;
  const kdf = (
    password: string | null | undefined,
    salt: forgeTypes.util.ByteStringBuffer | string,
    id: number,
    iter: number,
    n: number,
    md?: { algorithm?: string },
  ) => {
    const saltBytes = Buffer.from(typeof salt === 'string' ? salt : salt.bytes(), 'binary');
    const algorithm = md?.algorithm ?? 'sha1';
    const key = ['pkcs12', algorithm, password ?? '(none)', saltBytes.toString('hex'), id, iter, n].join();
    return forge.util.createBuffer(
      derive(key, iter, n, DIGEST_BYTES[algorithm.replace('-', '').toLowerCase()] ?? 64, () =>
        pkcs12Kdf(password, saltBytes, id, iter, n, algorithm).toString('binary'),
      ),
    );
  };
  // The PKCS#12 reader keeps its own reference (p12.generateKey) next to pki.pbe's.
  (forge.pki as unknown as { pbe: { generatePkcs12Key: typeof kdf } }).pbe.generatePkcs12Key = kdf;
  (forge.pkcs12 as unknown as { generateKey: typeof kdf }).generateKey = kdf;
  return (loaded = forge);
}

const DIGEST_BYTES: Record<string, number> = { md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** Thrown by a key derivation that would exceed the limits of the enclosing `KdfLimits.run`. */
export class KdfLimitError extends Error {}

/**
 * Bounds the key derivation node-forge does while opening one PKCS#12: the iteration count of each
 * derivation (MAC key, bag decryption keys and IVs), and their total over every derivation and
 * password tried. The counts come from the file, so without a bound a hostile file pins the CPU
 * for as long as it likes (2^31 PBKDF2 iterations are a quarter of an hour).
 */
export class KdfLimits {
  /** Iterations done so far, counting each output block of a derivation separately. */
  spent = 0;
  /** Why a derivation was refused, if one was. */
  exceeded: string | undefined;

  constructor(
    readonly perDerivation: number,
    readonly total: number,
  ) {}

  /** Runs `fn` (synchronous) with these limits applied to every key derivation it makes. */
  run<T>(fn: () => T): T {
    const outer = activeLimits;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- not an alias: the limits the patched derivation reads during the run
    activeLimits = this;
    try {
      return fn();
    } finally {
      activeLimits = outer;
    }
  }

  /**
   * Derivations done in this run, by all their inputs: opening a file tries passwords with and
   * without its MAC, and the bag keys those tries need are the same ones. Dropped with the run.
   */
  readonly derived = new Map<string, string>();

  charge(iterations: number, blocks: number): void {
    if (iterations > this.perDerivation) {
      this.exceeded = `a key derivation asks for ${iterations} iterations (more than ${this.perDerivation})`;
    } else if (this.spent + iterations * blocks > this.total) {
      this.exceeded = `its key derivations need more than ${this.total} iterations in all`;
    } else {
      this.spent += iterations * blocks;
      return;
    }
    throw new KdfLimitError(this.exceeded);
  }
}

let activeLimits: KdfLimits | undefined;
const kdfRun = { iterations: 0, ms: 0 };

/** Key-derivation work done in this process so far: iterations and milliseconds (diagnostics, and the fuzzer's time limit). */
export function kdfWorkRun(): { iterations: number; ms: number } {
  return { ...kdfRun };
}

/**
 * One key derivation of `bytes` output bytes from a `digestBytes` hash, identified by `key` (all its
 * inputs): charged to the active limits unless the run already made it, timed, remembered.
 */
function derive(key: string, iterations: number, bytes: number, digestBytes: number, fn: () => string): string {
  const known = activeLimits?.derived.get(key);
  if (known !== undefined) return known;
  const blocks = Math.max(1, Math.ceil(bytes / digestBytes));
  activeLimits?.charge(iterations, blocks);
  if (iterations > 0) kdfRun.iterations += iterations * blocks;
  const t0 = performance.now();
  try {
    const out = fn();
    activeLimits?.derived.set(key, out);
    return out;
  } finally {
    kdfRun.ms += performance.now() - t0;
  }
}

type FromDer = (bytes: forgeTypes.util.ByteStringBuffer, options: { strict: boolean; decodeBitStrings: boolean }) => forgeTypes.asn1.Asn1;

/** node-forge's lenient BER/DER reader (its typings omit the options object it accepts). */
export function forgeFromDer(der: Uint8Array): forgeTypes.asn1.Asn1 {
  const forge = loadForge();
  const bytes = forge.util.createBuffer(Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('binary'));
  return (forge.asn1.fromDer as unknown as FromDer)(bytes, { strict: false, decodeBitStrings: false });
}

export function forgeToDer(node: forgeTypes.asn1.Asn1): Uint8Array {
  const forge = loadForge();
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}
