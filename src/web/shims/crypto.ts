// node:crypto for the web bundle: the synchronous digests, HMAC and PBKDF2 the core calls while it
// parses (digest.ts), in pure code. Private keys are not opened on the web (createPrivateKey throws):
// a private key's public half, which pairs it with its certificate, is not computed there, and the
// parser already treats a key it cannot open as one without a pair.
import { Buffer } from 'buffer';
import { digest, DIGESTS, digestName, type DigestName } from './digest';

type Data = Uint8Array | string;

function bytesOf(data: Data, encoding?: string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, (encoding ?? 'utf8') as BufferEncoding) : data;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function output(bytes: Uint8Array, encoding?: string): Buffer | string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding ? b.toString(encoding as BufferEncoding) : b;
}

export class Hash {
  private readonly chunks: Uint8Array[] = [];
  constructor(private readonly name: DigestName) {}
  update(data: Data, encoding?: string): this {
    this.chunks.push(bytesOf(data, encoding));
    return this;
  }
  digest(): Buffer;
  digest(encoding: string): string;
  digest(encoding?: string): Buffer | string {
    return output(digest(this.name, concat(this.chunks)), encoding);
  }
}

export function createHash(algorithm: string): Hash {
  return new Hash(digestName(algorithm));
}

/** crypto.hash: the one-shot digest. */
export function hash(algorithm: string, data: Data, encoding = 'hex'): string {
  return createHash(algorithm).update(data).digest(encoding);
}

function hmacBytes(name: DigestName, key: Uint8Array, message: Uint8Array): Uint8Array {
  const { block } = DIGESTS[name];
  const k = new Uint8Array(block);
  k.set(key.length > block ? digest(name, key) : key);
  const inner = new Uint8Array(block + message.length);
  const outer = new Uint8Array(block + DIGESTS[name].length);
  for (let i = 0; i < block; i++) {
    inner[i] = k[i] ^ 0x36;
    outer[i] = k[i] ^ 0x5c;
  }
  inner.set(message, block);
  outer.set(digest(name, inner), block);
  return digest(name, outer);
}

export class Hmac {
  private readonly chunks: Uint8Array[] = [];
  constructor(
    private readonly name: DigestName,
    private readonly key: Uint8Array,
  ) {}
  update(data: Data, encoding?: string): this {
    this.chunks.push(bytesOf(data, encoding));
    return this;
  }
  digest(): Buffer;
  digest(encoding: string): string;
  digest(encoding?: string): Buffer | string {
    return output(hmacBytes(this.name, this.key, concat(this.chunks)), encoding);
  }
}

export function createHmac(algorithm: string, key: Data): Hmac {
  return new Hmac(digestName(algorithm), bytesOf(key));
}

export function pbkdf2Sync(password: Data, salt: Data, iterations: number, keylen: number, algorithm: string): Buffer {
  const name = digestName(algorithm);
  const p = bytesOf(password);
  const s = bytesOf(salt);
  const hLen = DIGESTS[name].length;
  const out = new Uint8Array(Math.ceil(keylen / hLen) * hLen);
  const block = new Uint8Array(s.length + 4);
  block.set(s);
  for (let i = 1, at = 0; at < keylen; i++, at += hLen) {
    new DataView(block.buffer).setUint32(s.length, i);
    let u = hmacBytes(name, p, block);
    const t = u.slice();
    for (let r = 1; r < iterations; r++) {
      u = hmacBytes(name, p, u);
      for (let j = 0; j < hLen; j++) t[j] ^= u[j];
    }
    out.set(t, at);
  }
  return Buffer.from(out.buffer, 0, keylen);
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) throw new RangeError('Input buffers must have the same byte length');
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

export function createPrivateKey(): never {
  throw new Error('Private keys are not opened on the web');
}

export function createPublicKey(): never {
  throw new Error('Private keys are not opened on the web');
}

/** Renewal requests (CSRs) need keys and signatures: desktop only (their commands are hidden on the web). */
function noKeys(): never {
  throw Object.assign(new Error('Keys are not made or used on the web'), { code: 'ENOSYS' });
}
export const generateKeyPairSync = noKeys;
export const generateKeyPair = noKeys;
export const sign = noKeys;

export function randomBytes(size: number): Buffer {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(size)));
}

export default {
  createHash,
  hash,
  createHmac,
  pbkdf2Sync,
  timingSafeEqual,
  randomUUID,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  generateKeyPair,
  sign,
  randomBytes,
};
