import { createHmac, type Hmac } from 'node:crypto';
import type forgeTypes from 'node-forge';
import { forgeFromDer, forgeToDer, KdfLimits, loadForge } from './forge-asn1';
import { DerError, readTlv } from '../x509/der';

export type Pkcs12Result = Pkcs12Opened | { status: 'locked' | 'wrong-password'; message: string } | { status: 'invalid'; message: string };

export interface Pkcs12Opened {
  status: 'open';
  certificates: Uint8Array[];
  /** Each certificate's friendlyName (keytool's alias), where its bag has one. */
  aliases: (string | undefined)[];
  /** 'verified' when the MAC was checked (always with a user's password). */
  integrity: 'verified' | 'not-verified';
  /** The well-known password that decrypted its certificates, when no password was given ('' or Java's default "changeit"). */
  openedWith?: 'empty' | 'changeit';
}

/** Java's documented default keystore password (public knowledge: keytool's cacerts and many examples use it). */
export const JAVA_DEFAULT_PASSWORD = 'changeit';

/** Key-derivation iterations above this are refused: a hostile file must not pin the CPU. Applies to every derivation (MAC, bag encryption). */
export const MAX_PKCS12_ITERATIONS = 200_000;
/**
 * Key-derivation iterations spent on one file in all, over every derivation and password tried: a
 * file can hold any number of encrypted bags. Three derivations at the maximum (the MAC and two
 * PBES2 bags, as OpenSSL writes) fit; so does a locked Java 8 keystore (MAC 100,000 and legacy
 * bags at 50,000 tried with both empty passwords: 400,000). The slowest derivations (a digest other
 * than SHA-1 or SHA-256, on node:crypto one call per iteration) run ~1.5 µs per iteration, so the worst
 * case is about 0.9 s of CPU per file (.NET caps the declared total at 300,000).
 */
export const MAX_PKCS12_WORK = 3 * MAX_PKCS12_ITERATIONS;

/**
 * Opens a PKCS#12 with the given password, or with none and the empty one. Every certificate comes out
 * as DER, including those whose key node-forge cannot read (it leaves them as raw ASN.1 with `cert: null`).
 */
export function openPkcs12(der: Uint8Array, password?: string): Pkcs12Result {
  // A cut-off file is said to be one: forge's lenient reader would go on, and the bags it cannot
  // decrypt would make it look locked. (BER's indefinite lengths, used by some keystores, pass.)
  try {
    readTlv(der, 0);
  } catch (e) {
    if (e instanceof DerError && /declares|truncated/.test(e.message))
      return { status: 'invalid', message: `the PKCS#12 file is truncated (${e.message})` };
  }
  const forge = loadForge();
  let asn1: forgeTypes.asn1.Asn1;
  try {
    asn1 = forgeFromDer(der);
  } catch (e) {
    return { status: 'invalid', message: `not a PKCS#12 file: ${errorText(e)}` };
  }
  const iterations = macIterations(asn1);
  if (iterations !== undefined && iterations > MAX_PKCS12_ITERATIONS) {
    return {
      status: 'invalid',
      message: `PKCS#12 asks for ${iterations} key-derivation iterations (more than ${MAX_PKCS12_ITERATIONS}); not opened`,
    };
  }
  const limits = new KdfLimits(MAX_PKCS12_ITERATIONS, MAX_PKCS12_WORK);
  return limits.run(() => openWithin(forge, asn1, password, limits, containsOid(der, PBES2_OID_DER)));
}

/**
 * `pbes2`: the file holds PBES2-encrypted content (OpenSSL 3's default), whose keys come from native
 * PBKDF2, about a quarter of the cost of the MAC's RFC 7292 derivation in JavaScript.
 */
function openWithin(
  forge: typeof forgeTypes,
  asn1: forgeTypes.asn1.Asn1,
  password: string | undefined,
  limits: KdfLimits,
  pbes2: boolean,
): Pkcs12Result {
  const refused = (): Pkcs12Result => ({ status: 'invalid', message: `PKCS#12 not opened: ${limits.exceeded}` });
  // Without a password from the user, first read the container without its MAC: certificate bags
  // that are not encrypted open as they are (certificates are public), with no key derivation. With
  // a MAC forge can check, encrypted bags are then opened only with a password that verifies the MAC
  // (below): the MAC tells a wrong password for one key derivation, where a bag takes two or three (a
  // 3DES key and its IV), so a locked file costs three MAC derivations (empty, none, "changeit").
  // Without such a MAC, decrypting with the empty passwords is the only test there is.
  const withoutMac = { ...asn1, value: (asn1.value as forgeTypes.asn1.Asn1[]).slice(0, 2) };
  if (password === undefined) {
    const macFirst = macAlgorithmKnown(forge, asn1);
    // PBES2 bags under the empty password (a common way to ship a keystore) open for one native
    // PBKDF2 without the MAC; the MAC, checked first, would cost its own derivation on top.
    const attempts: [string | undefined, boolean][] = macFirst
      ? [[undefined, true], ...(pbes2 ? [['', false] as [string, boolean]] : [])]
      : [
          ['', false],
          [undefined, false],
        ];
    for (const [pw, plainOnly] of attempts) {
      const opened = tryOpen(forge, withoutMac, pw, plainOnly);
      if (opened.status === 'open')
        return {
          status: 'open',
          certificates: opened.certificates,
          aliases: opened.aliases,
          integrity: 'not-verified',
          ...(opened.encrypted ? { openedWith: 'empty' as const } : {}),
        };
      if (limits.exceeded) return refused();
    }
  }
  const candidates = password !== undefined ? [password] : ['', undefined];
  let lastError: unknown;
  for (const pw of candidates) {
    const opened = tryOpen(forge, asn1, pw);
    if (opened.status === 'open')
      return {
        status: 'open',
        certificates: opened.certificates,
        aliases: opened.aliases,
        integrity: 'verified',
        ...(password === undefined ? { openedWith: 'empty' } : {}),
      };
    if (limits.exceeded) return refused();
    lastError = opened.error;
    if (password === undefined && opened.macVerified) {
      // The MAC took this empty password but its bags did not: some writers key the MAC with the
      // empty BMPString and the bags with no bytes at all, or the other way round.
      const other = tryOpen(forge, withoutMac, pw === '' ? undefined : '');
      if (other.status === 'open')
        return { status: 'open', certificates: other.certificates, aliases: other.aliases, integrity: 'verified', openedWith: 'empty' };
      if (limits.exceeded) return refused();
    }
  }
  const text = errorText(lastError);
  if (DECRYPT_FAILURE.test(text)) {
    if (password !== undefined) return { status: 'wrong-password', message: 'the PKCS#12 password is wrong (its integrity check failed)' };
    // Last, Java's documented default (`keytool -storepass changeit`), with its MAC: what budget is
    // left after the empty passwords, and a file it does not open is locked as before.
    const opened = tryOpen(forge, asn1, JAVA_DEFAULT_PASSWORD);
    if (opened.status === 'open')
      return { status: 'open', certificates: opened.certificates, aliases: opened.aliases, integrity: 'verified', openedWith: 'changeit' };
    return { status: 'locked', message: 'PKCS#12 is password-protected; unlock it to see its certificates' };
  }
  return { status: 'invalid', message: `PKCS#12 could not be read: ${text}` };
}

/** Thrown in place of decrypting a bag when only certificates stored unencrypted are wanted. */
class NeedsPassword extends Error {}

/** Whether the PFX has a MAC whose digest forge verifies (PBMAC1 and unusual digests are not). */
function macAlgorithmKnown(forge: typeof forgeTypes, pfx: forgeTypes.asn1.Asn1): boolean {
  const macData = (pfx.value as forgeTypes.asn1.Asn1[])[2];
  const algorithm = (
    ((macData?.value as forgeTypes.asn1.Asn1[] | undefined)?.[0]?.value as forgeTypes.asn1.Asn1[] | undefined)?.[0]?.value as
      forgeTypes.asn1.Asn1[] | undefined
  )?.[0];
  if (!algorithm || algorithm.type !== forge.asn1.Type.OID || typeof algorithm.value !== 'string') return false;
  const oid = forge.asn1.derToOid(algorithm.value);
  const oids = forge.pki.oids as Record<string, string>;
  return ['sha1', 'sha256', 'sha384', 'sha512', 'md5'].some((name) => oids[name] === oid);
}

/**
 * `encrypted`: whether a certificate came out of an encrypted safe (so the password mattered).
 * `macVerified`: the MAC took the password (forge decrypts only after it), though opening failed.
 * `plainOnly`: decrypt nothing; a file with an encrypted safe fails with NeedsPassword.
 */
function tryOpen(
  forge: typeof forgeTypes,
  asn1: forgeTypes.asn1.Asn1,
  pw: string | undefined,
  plainOnly = false,
):
  | { status: 'open'; certificates: Uint8Array[]; aliases: (string | undefined)[]; encrypted: boolean }
  | { status: 'failed'; error: unknown; macVerified: boolean } {
  const watched = watchForge(forge, plainOnly);
  try {
    const p12 = pw === undefined ? forge.pkcs12.pkcs12FromAsn1(asn1, false) : forge.pkcs12.pkcs12FromAsn1(asn1, false, pw);
    const bags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
    const certificates: Uint8Array[] = [];
    const aliases: (string | undefined)[] = [];
    for (const bag of bags) {
      const node = (bag as { asn1?: forgeTypes.asn1.Asn1 }).asn1 ?? (bag.cert ? watched.nodeOf(bag.cert) : undefined);
      const original = node && watched.bytesOf(node);
      if (original !== undefined) certificates.push(Buffer.from(original, 'binary'));
      else if (node) certificates.push(forgeToDer(node));
      else if (bag.cert) certificates.push(forgeToDer(forge.pki.certificateToAsn1(bag.cert)));
      else continue;
      const name: unknown = (bag.attributes as Record<string, unknown[] | undefined> | undefined)?.friendlyName?.[0];
      aliases.push(typeof name === 'string' ? name : undefined);
    }
    const encrypted = p12.safeContents.some((safe) => safe.encrypted && safe.safeBags.some((b) => b.type === forge.pki.oids.certBag));
    return { status: 'open', certificates, aliases, encrypted };
  } catch (error) {
    // Without a MAC nothing checks the password before decryption, and a wrong key passes the
    // padding check about once in 256 tries: the garbage then fails as ASN.1. That is a wrong
    // password, as OpenSSL says too, not a broken file.
    const hasMac = (asn1.value as forgeTypes.asn1.Asn1[]).length > 2;
    if (!hasMac && watched.decrypted() && !DECRYPT_FAILURE.test(errorText(error))) {
      return { status: 'failed', error: new Error(`could not decrypt (${errorText(error)})`), macVerified: false };
    }
    return { status: 'failed', error, macVerified: hasMac && watched.decrypted() };
  } finally {
    watched.restore();
  }
}

/** forge's words for a wrong password (or an unsupported cipher). */
const DECRYPT_FAILURE = /MAC could not be verified|Invalid password|Unsupported|decrypt/i;

/**
 * node-forge decodes each certBag's OCTET STRING into a certificate object and drops the bytes;
 * re-encoding that object changes some certificates (an AlgorithmIdentifier without its NULL gets
 * one), and with them the SHA-256. While a PKCS#12 is opened, this remembers the bytes each ASN.1
 * node was decoded from and the node each certificate was made of, so every certificate keeps its
 * own bytes; it also notes whether a decryption key was made (or refuses to make one, with
 * `plainOnly`), and checks the MAC with node:crypto's HMAC where forge's own runs in JavaScript.
 * Synchronous use only: restore() puts forge back before anything else runs.
 */
function watchForge(
  forge: typeof forgeTypes,
  plainOnly = false,
): {
  nodeOf(cert: forgeTypes.pki.Certificate): forgeTypes.asn1.Asn1 | undefined;
  bytesOf(node: forgeTypes.asn1.Asn1): string | undefined;
  decrypted(): boolean;
  restore(): void;
} {
  const bytes = new WeakMap<object, string>();
  const nodes = new WeakMap<object, forgeTypes.asn1.Asn1>();
  const fromDer = forge.asn1.fromDer;
  const certificateFromAsn1 = forge.pki.certificateFromAsn1;
  const pbe = (forge.pki as unknown as { pbe: { getCipher: (...a: unknown[]) => unknown } }).pbe;
  const getCipher = pbe.getCipher;
  let decrypted = false;
  const hmacCreate = forge.hmac.create;
  forge.hmac.create = () => nativeHmac(forge, hmacCreate);
  pbe.getCipher = function (this: unknown, ...args: unknown[]) {
    if (plainOnly) throw new NeedsPassword('an encrypted safe needs the password');
    const cipher = getCipher.apply(this, args);
    decrypted = true;
    return cipher;
  };
  forge.asn1.fromDer = function (this: unknown, input: string | forgeTypes.util.ByteBuffer, ...rest: unknown[]) {
    const node = (fromDer as (...a: unknown[]) => forgeTypes.asn1.Asn1).call(this, input, ...rest);
    // certBag values arrive as byte strings; containers as buffers (not needed).
    if (typeof input === 'string') bytes.set(node, input);
    return node;
  };
  forge.pki.certificateFromAsn1 = function (this: unknown, node: forgeTypes.asn1.Asn1, ...rest: unknown[]) {
    const cert = (certificateFromAsn1 as (...a: unknown[]) => forgeTypes.pki.Certificate).call(this, node, ...rest);
    nodes.set(cert, node);
    return cert;
  };
  return {
    nodeOf: (cert) => nodes.get(cert),
    bytesOf: (node) => bytes.get(node),
    decrypted: () => decrypted,
    restore: () => {
      forge.hmac.create = hmacCreate;
      pbe.getCipher = getCipher;
      forge.asn1.fromDer = fromDer;
      forge.pki.certificateFromAsn1 = certificateFromAsn1;
    },
  };
}

const NODE_DIGESTS: Record<string, string> = { sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', md5: 'md5' };

/**
 * forge's HMAC interface over node:crypto, for a digest given as a forge message digest and a key
 * as bytes (how forge's PKCS#12 MAC check calls it); anything else goes to forge's own.
 */
function nativeHmac(forge: typeof forgeTypes, original: typeof forgeTypes.hmac.create): forgeTypes.hmac.HMAC {
  let native: Hmac | undefined;
  let fallback: forgeTypes.hmac.HMAC | undefined;
  const mac = (h: Hmac) => forge.util.createBuffer(h.digest().toString('binary'));
  return {
    start(md: unknown, key: unknown) {
      const name = md && typeof md === 'object' ? NODE_DIGESTS[(md as { algorithm?: string }).algorithm ?? ''] : undefined;
      const bytes = typeof key === 'string' ? key : (key as forgeTypes.util.ByteStringBuffer | null)?.bytes?.();
      if (name && typeof bytes === 'string') {
        native = createHmac(name, Buffer.from(bytes, 'binary'));
        fallback = undefined;
      } else {
        native = undefined;
        fallback = original();
        fallback.start(md as forgeTypes.md.MessageDigest, key as forgeTypes.util.ByteStringBuffer);
      }
    },
    update(bytes: string) {
      if (native) native.update(Buffer.from(bytes, 'binary'));
      else fallback!.update(bytes);
    },
    getMac: () => (native ? mac(native) : fallback!.getMac()),
    digest: () => (native ? mac(native) : fallback!.digest()),
  };
}

/** The MAC iteration count from PFX.macData, read without decrypting anything. */
function macIterations(pfx: forgeTypes.asn1.Asn1): number | undefined {
  const macData = (pfx.value as forgeTypes.asn1.Asn1[])[2];
  const iterNode = (macData?.value as forgeTypes.asn1.Asn1[] | undefined)?.[2];
  if (!iterNode || typeof iterNode.value !== 'string') return undefined;
  let n = 0;
  for (const ch of iterNode.value) n = n * 256 + ch.charCodeAt(0);
  return n;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** PBES2's OID (1.2.840.113549.1.5.13) as DER writes it. */
const PBES2_OID_DER = Buffer.from('06092a864886f70d01050d', 'hex');

function containsOid(der: Uint8Array, oid: Buffer): boolean {
  return Buffer.from(der.buffer, der.byteOffset, der.byteLength).indexOf(oid) >= 0;
}
