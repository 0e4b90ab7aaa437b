import * as crypto from 'node:crypto';
import { children, decodeOid, expectTag, readSigned, readTlv, TAG, type Tlv } from '../x509/der';

/**
 * Renewal from an existing certificate: a PKCS#10 request (RFC 2986) with the certificate's subject,
 * SANs, key usage and extended key usage, and a fresh self-signed certificate with the same subject
 * and extensions. The ASN.1 is written here (a few lines of DER) and signed with node:crypto, so RSA,
 * EC and Ed25519 keys all work (node-forge signs RSA only). Keys are KeyObjects and never leave
 * this module as text unless the caller asks for a PEM to write where the user said.
 */

export class RenewalError extends Error {}

/** Algorithms offered for a new key. */
export const NEW_KEY_ALGORITHMS = ['rsa2048', 'rsa3072', 'p256', 'ed25519'] as const;
export type NewKeyAlgorithm = (typeof NEW_KEY_ALGORITHMS)[number];

export function isNewKeyAlgorithm(v: string): v is NewKeyAlgorithm {
  return (NEW_KEY_ALGORITHMS as readonly string[]).includes(v);
}

/** A new private key made on this machine. */
export function generateKey(algorithm: NewKeyAlgorithm): crypto.KeyObject {
  switch (algorithm) {
    case 'rsa2048':
    case 'rsa3072':
      return crypto.generateKeyPairSync('rsa', { modulusLength: algorithm === 'rsa2048' ? 2048 : 3072 }).privateKey;
    case 'p256':
      return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ed25519':
      return crypto.generateKeyPairSync('ed25519').privateKey;
  }
}

/**
 * The same, off the calling thread (libuv's pool): an RSA 3072 key takes about a second here (RSA 2048
 * ~0.3 s, P-256 and Ed25519 under 0.1 ms), which the editor's extension host must not block on.
 */
export async function generateKeyAsync(algorithm: NewKeyAlgorithm): Promise<crypto.KeyObject> {
  const pair = (type: 'rsa' | 'ec' | 'ed25519', options: object) =>
    new Promise<crypto.KeyObject>((resolve, reject) =>
      (
        crypto.generateKeyPair as (
          t: string,
          o: object,
          cb: (e: Error | null, pub: crypto.KeyObject, priv: crypto.KeyObject) => void,
        ) => void
      )(type, options, (err, _pub, priv) => (err ? reject(err) : resolve(priv))),
    );
  switch (algorithm) {
    case 'rsa2048':
    case 'rsa3072':
      return pair('rsa', { modulusLength: algorithm === 'rsa2048' ? 2048 : 3072 });
    case 'p256':
      return pair('ec', { namedCurve: 'P-256' });
    case 'ed25519':
      return pair('ed25519', {});
  }
}

/**
 * A private key from PEM (PKCS#8, PKCS#1 or SEC1; indented as in a YAML block scalar, too), from
 * base64 holding such a PEM (a Kubernetes Secret's `data`) or DER (PKCS#8, PKCS#1, SEC1). An
 * encrypted key is refused with a message that says so: CertLens asks for no key passwords.
 * Messages never quote the key.
 */
export function loadPrivateKey(data: string | Uint8Array): crypto.KeyObject {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new RenewalError('the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN.key)');
  }
  const pem = /-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/.exec(text);
  if (pem) {
    try {
      return crypto.createPrivateKey(pem[0].replace(/^[ \t]+/gm, ''));
    } catch (e) {
      throw new RenewalError(`not a readable private key (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  let der: Buffer | undefined = typeof data === 'string' ? undefined : Buffer.from(data);
  const b64 = text.replace(/\s+/g, '');
  if (b64.length >= 64 && /^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    const decoded = Buffer.from(b64, 'base64');
    if (decoded.includes('-----BEGIN')) return loadPrivateKey(decoded.toString('latin1'));
    der = decoded;
  }
  if (der) {
    for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
      try {
        return crypto.createPrivateKey({ key: der, format: 'der', type });
      } catch {
        // the next encoding
      }
    }
  }
  throw new RenewalError('no private key found (expected a PEM "PRIVATE KEY" block)');
}

/** The key as PKCS#8 PEM, to be written only where the user chose. */
export function privateKeyPem(key: crypto.KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** What a key signs with: its AlgorithmIdentifier and the digest crypto.sign takes. */
function signatureFor(key: crypto.KeyObject): { algorithm: Buffer; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { algorithm: seq(oid('1.2.840.113549.1.1.11'), tlv(TAG.NULL, Buffer.alloc(0))), digest: 'sha256' };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return { algorithm: seq(oid('1.2.840.10045.4.3.2')), digest: 'sha256' };
      if (curve === 'secp384r1' || curve === 'P-384') return { algorithm: seq(oid('1.2.840.10045.4.3.3')), digest: 'sha384' };
      if (curve === 'secp521r1' || curve === 'P-521') return { algorithm: seq(oid('1.2.840.10045.4.3.4')), digest: 'sha512' };
      throw new RenewalError(`EC keys on curve ${curve ?? 'unknown'} are not supported (P-256, P-384, P-521 are)`);
    }
    case 'ed25519':
      return { algorithm: seq(oid('1.3.101.112')), digest: null };
    default:
      throw new RenewalError(`${key.asymmetricKeyType ?? 'this'} keys are not supported (RSA, EC P-256/P-384/P-521 and Ed25519 are)`);
  }
}

/** The parts of a certificate a renewal copies. */
interface Source {
  der: Uint8Array;
  subject: Tlv;
  /** Extensions by OID, as the certificate holds them (criticality included). */
  extensions: { oid: string; tlv: Tlv }[];
}

function readSource(der: Uint8Array): Source {
  const { tbs } = readSigned(der, 'Certificate', 'TBSCertificate');
  const fields = children(der, tbs);
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  i += 4; // serial, signature, issuer, validity
  const subject = expectTag(fields[i++], TAG.SEQUENCE, 'subject');
  i++; // subjectPublicKeyInfo
  const extensions: Source['extensions'] = [];
  for (; i < fields.length; i++) {
    if (fields[i].tag !== 0xa3) continue;
    const list = expectTag(children(der, fields[i])[0], TAG.SEQUENCE, 'extensions');
    for (const ext of children(der, list)) {
      extensions.push({ oid: decodeOid(der, expectTag(children(der, ext)[0], TAG.OID, 'extension OID')), tlv: ext });
    }
  }
  return { der, subject, extensions };
}

const SAN = '2.5.29.17';
const KEY_USAGE = '2.5.29.15';
const EXT_KEY_USAGE = '2.5.29.37';
const SUBJECT_KEY_ID = '2.5.29.14';
const AUTHORITY_KEY_ID = '2.5.29.35';
/** What a request asks for again: the names and the usages. */
const REQUESTED = [SAN, KEY_USAGE, EXT_KEY_USAGE];

function raw(src: Source, t: Tlv): Buffer {
  return Buffer.from(src.der.subarray(t.start, t.end));
}

function spkiOf(key: crypto.KeyObject): Buffer {
  return crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
}

function signed(tbs: Buffer, key: crypto.KeyObject): Buffer {
  const { algorithm, digest } = signatureFor(key);
  const signature = crypto.sign(digest, tbs, key);
  return seq(tbs, algorithm, bitString(signature));
}

/**
 * A PKCS#10 request for the certificate `certDer` signed with `key`: its subject byte for byte, and
 * its subjectAltName, keyUsage and extendedKeyUsage extensions (with their criticality) in an
 * extensionRequest attribute. The key need not be the certificate's: a renewal often takes a new one.
 */
export function buildCsr(certDer: Uint8Array, key: crypto.KeyObject): Buffer {
  if (key.type !== 'private') throw new RenewalError('a request is signed with a private key');
  const src = readSource(certDer);
  const wanted = src.extensions.filter((e) => REQUESTED.includes(e.oid)).map((e) => raw(src, e.tlv));
  const attributes = wanted.length
    ? // extensionRequest (PKCS#9): SET OF one Extensions
      seq(oid('1.2.840.113549.1.9.14'), tlv(TAG.SET, seq(...wanted)))
    : undefined;
  const info = seq(
    tlv(TAG.INTEGER, Buffer.from([0])),
    raw(src, src.subject),
    spkiOf(key),
    tlv(0xa0, attributes ?? Buffer.alloc(0)), // [0] IMPLICIT SET OF Attribute
  );
  return signed(info, key);
}

export interface RegenerateOptions {
  notBefore: Date;
  notAfter: Date;
  /** Serial number bytes (positive); random 16 bytes when absent. */
  serial?: Buffer;
}

/**
 * A new self-signed certificate in place of `certDer`: the same subject (as issuer too) and the same
 * extensions (names, usages, basic constraints and the rest), a new serial and validity, signed with
 * `key` (the certificate's own key when the workspace holds it, or a new one). The key identifiers are
 * computed again from the key (RFC 5280 method 1), as the old ones may name another key.
 */
export function regenerateSelfSigned(certDer: Uint8Array, key: crypto.KeyObject, o: RegenerateOptions): Buffer {
  if (!(o.notAfter.getTime() > o.notBefore.getTime())) throw new RenewalError('the new validity must end after it begins');
  const src = readSource(certDer);
  const spki = spkiOf(key);
  const keyId = crypto.createHash('sha1').update(subjectPublicKeyBits(spki)).digest();
  const extensions: Buffer[] = [];
  let hadAki = false;
  for (const e of src.extensions) {
    if (e.oid === SUBJECT_KEY_ID) continue;
    if (e.oid === AUTHORITY_KEY_ID) {
      hadAki = true;
      continue;
    }
    extensions.push(raw(src, e.tlv));
  }
  extensions.push(seq(oid(SUBJECT_KEY_ID), tlv(TAG.OCTET_STRING, tlv(TAG.OCTET_STRING, keyId))));
  // keyIdentifier [0] IMPLICIT OCTET STRING
  if (hadAki) extensions.push(seq(oid(AUTHORITY_KEY_ID), tlv(TAG.OCTET_STRING, seq(tlv(0x80, keyId)))));
  let serial = o.serial ?? crypto.randomBytes(16);
  if (serial[0] & 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
  const name = raw(src, src.subject);
  const tbs = seq(
    tlv(0xa0, tlv(TAG.INTEGER, Buffer.from([2]))), // v3
    tlv(TAG.INTEGER, serial),
    signatureFor(key).algorithm,
    name,
    seq(time(o.notBefore), time(o.notAfter)),
    name,
    spki,
    tlv(0xa3, seq(...extensions)),
  );
  return signed(tbs, key);
}

/** The BIT STRING's bits of a SubjectPublicKeyInfo (what key identifiers hash). */
function subjectPublicKeyBits(spki: Buffer): Buffer {
  const outer = readTlv(spki, 0);
  const bits = children(spki, outer)[1];
  return spki.subarray(bits.contentStart + 1, bits.end);
}

/** PEM text of a DER value, 64 columns. */
export function toPem(label: 'CERTIFICATE' | 'CERTIFICATE REQUEST', der: Uint8Array, eol = '\n'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  lines.push(`-----END ${label}-----`);
  return lines.join(eol) + eol;
}

// --- DER writing: only what the two structures above need.

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(TAG.SEQUENCE, Buffer.concat(items));
}

function bitString(b: Buffer): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), b]));
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const group = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) group.unshift((v & 0x7f) | 0x80);
    out.push(...group);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5); whole seconds. */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-12-07T19:38:15.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = d.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(TAG.UTC_TIME, Buffer.from(digits.slice(2) + 'Z', 'latin1'));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(digits + 'Z', 'latin1'));
}
