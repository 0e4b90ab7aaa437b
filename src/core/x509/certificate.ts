import * as crypto from 'node:crypto';
import type { CertificateFields, SubjectAltNames } from '../model';
import { bytes, children, decodeOid, decodeString, decodeTime, DerError, expectTag, readSigned, readTlv, TAG, type Tlv } from './der';
import { CURVES, DN_ATTRIBUTES, EXTENDED_KEY_USAGES, KEY_TYPES, KEY_USAGES, SIGNATURE_ALGORITHMS } from './oids';

export { DerError } from './der';

/**
 * Reads the fields CertLens needs from one DER certificate. Strict about structure (like OpenSSL),
 * tolerant of key and signature algorithms it does not know (reported by OID).
 * The first certificate TLV is read; trailing bytes (OpenSSL "TRUSTED CERTIFICATE" aux data) are ignored.
 */
export function parseCertificateDer(der: Uint8Array): CertificateFields {
  const { outer: cert, tbs, sigAlg } = readSigned(der, 'Certificate', 'TBSCertificate');
  const fields = children(der, tbs);
  let i = 0;
  if (fields[i]?.tag === 0xa0) i++; // [0] version
  const serial = expectTag(fields[i++], TAG.INTEGER, 'serialNumber');
  expectTag(fields[i++], TAG.SEQUENCE, 'signature');
  const issuer = expectTag(fields[i++], TAG.SEQUENCE, 'issuer');
  const validity = expectTag(fields[i++], TAG.SEQUENCE, 'validity');
  const subject = expectTag(fields[i++], TAG.SEQUENCE, 'subject');
  const spki = expectTag(fields[i++], TAG.SEQUENCE, 'subjectPublicKeyInfo');
  let extensions: Tlv | undefined;
  for (; i < fields.length; i++) {
    if (fields[i].tag === 0xa3) extensions = fields[i];
  }

  const [notBeforeTlv, notAfterTlv] = children(der, validity);
  if (!notBeforeTlv || !notAfterTlv) throw new DerError('validity needs notBefore and notAfter');
  const sigOid = decodeOid(der, expectTag(children(der, sigAlg)[0], TAG.OID, 'signature algorithm OID'));
  const subjectName = readName(der, subject);
  const issuerName = readName(der, issuer);
  const key = readPublicKey(der, spki);
  const ext = extensions ? readExtensions(der, extensions) : undefined;
  // Names are compared byte for byte; latin1 strings are half the size of hex (less garbage).
  const subjectRaw = latin1(der, subject.start, subject.end);
  const issuerRaw = latin1(der, issuer.start, issuer.end);
  const derBytes = Buffer.from(der.buffer, der.byteOffset + cert.start, cert.end - cert.start);

  return {
    subject: subjectName.text,
    subjectCN: subjectName.cn,
    issuer: issuerName.text,
    issuerCN: issuerName.cn,
    sans: ext?.sans ?? { dns: [], ip: [], email: [], uri: [] },
    serial: serialHex(bytes(der, serial)),
    notBefore: decodeTime(der, notBeforeTlv),
    notAfter: decodeTime(der, notAfterTlv),
    sha256: hexDigest('sha256', derBytes),
    sha1: hexDigest('sha1', derBytes),
    spkiSha256: hexDigest('sha256', Buffer.from(der.buffer, der.byteOffset + spki.start, spki.end - spki.start)),
    keyType: key.type,
    keyBits: key.bits,
    curve: key.curve,
    signatureAlgorithm: SIGNATURE_ALGORITHMS[sigOid] ?? sigOid,
    signatureAlgorithmOid: sigOid,
    isCA: ext?.isCA ?? false,
    selfSigned: subjectRaw === issuerRaw && (!ext?.authorityKeyId || !ext.subjectKeyId || ext.authorityKeyId === ext.subjectKeyId),
    keyUsage: ext?.keyUsage ?? [],
    extendedKeyUsage: ext?.extendedKeyUsage ?? [],
    subjectKeyId: ext?.subjectKeyId,
    authorityKeyId: ext?.authorityKeyId,
    subjectRaw,
    issuerRaw,
  };
}

/** Length in bytes of the certificate at the start of `der` (to split concatenated DER). */
export function certificateLength(der: Uint8Array): number {
  return readTlv(der, 0).end;
}

function latin1(der: Uint8Array, start: number, end: number): string {
  return Buffer.from(der.buffer, der.byteOffset + start, end - start).toString('latin1');
}

function serialHex(b: Buffer): string {
  let start = 0;
  while (start < b.length - 1 && b[start] === 0) start++;
  return b.subarray(start).toString('hex').toUpperCase();
}

export function readName(der: Uint8Array, name: Tlv): { text: string; cn?: string } {
  const parts: string[] = [];
  let cn: string | undefined;
  for (const rdn of children(der, name)) {
    const atoms: string[] = [];
    for (const atv of children(der, rdn)) {
      const [type, value] = children(der, atv);
      const oid = decodeOid(der, expectTag(type, TAG.OID, 'attribute type'));
      if (!value) throw new DerError('attribute value is missing');
      const text = decodeString(der, value);
      const key = DN_ATTRIBUTES[oid] ?? oid;
      if (key === 'CN') cn = text;
      atoms.push(`${key}=${escapeDnValue(text)}`);
    }
    if (atoms.length) parts.push(atoms.join(' + '));
  }
  return { text: parts.join(', '), cn };
}

/** crypto.hash (Node 20.12+) is a one-shot digest without a Hash object; older Node takes createHash. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;
export function hexDigest(algorithm: 'sha1' | 'sha256', data: Uint8Array): string {
  return oneShotHash ? oneShotHash(algorithm, data, 'hex') : crypto.createHash(algorithm).update(data).digest('hex');
}

// eslint-disable-next-line no-control-regex -- control characters are what gets escaped
const DN_SPECIAL = /[\\,+"<>;=\u0000-\u001f\u007f]/;

function escapeDnValue(v: string): string {
  if (!DN_SPECIAL.test(v)) return v;
  return (
    v
      .replace(/[\\,+"<>;=]/g, (c) => '\\' + c)
      // eslint-disable-next-line no-control-regex -- control characters become \XX
      .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  );
}

function readPublicKey(der: Uint8Array, spki: Tlv): { type: string; bits?: number; curve?: string } {
  const [alg, keyBits] = children(der, spki);
  expectTag(alg, TAG.SEQUENCE, 'public key algorithm');
  expectTag(keyBits, TAG.BIT_STRING, 'subjectPublicKey');
  const [oidTlv, params] = children(der, alg);
  const oid = decodeOid(der, expectTag(oidTlv, TAG.OID, 'public key algorithm OID'));
  const type = KEY_TYPES[oid] ?? oid;
  const key = { start: keyBits.start, contentStart: keyBits.contentStart + 1, end: keyBits.end, tag: keyBits.tag };
  try {
    switch (type) {
      case 'RSA':
      case 'RSA-PSS': {
        const rsa = readTlv(der, key.contentStart, key.end);
        const modulus = bytes(der, children(der, rsa)[0]);
        return { type, bits: integerBits(modulus) };
      }
      case 'EC': {
        if (params?.tag === TAG.OID) {
          const curveOid = decodeOid(der, params);
          const curve = CURVES[curveOid];
          return { type, bits: curve?.bits ?? ecPointBits(key), curve: curve?.name ?? curveOid };
        }
        return { type, bits: ecPointBits(key), curve: 'explicit parameters' };
      }
      case 'Ed25519':
        return { type, bits: 256 };
      case 'Ed448':
        return { type, bits: 456 };
      case 'DSA': {
        if (params?.tag !== TAG.SEQUENCE) return { type };
        return { type, bits: integerBits(bytes(der, children(der, params)[0])) };
      }
      default:
        return { type };
    }
  } catch {
    // A malformed key body is the key's problem, not the certificate's: report what is known.
    return { type };
  }
}

function ecPointBits(key: Tlv): number | undefined {
  const len = key.end - key.contentStart;
  return len > 1 ? ((len - 1) / 2) * 8 : undefined;
}

function integerBits(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i) * 8 - (Math.clz32(b[i]) - 24);
}

interface Extensions {
  sans: SubjectAltNames;
  isCA: boolean;
  keyUsage?: string[];
  extendedKeyUsage?: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
}

function readExtensions(der: Uint8Array, wrapper: Tlv): Extensions {
  const out: Extensions = { sans: { dns: [], ip: [], email: [], uri: [] }, isCA: false };
  const list = expectTag(children(der, wrapper)[0], TAG.SEQUENCE, 'extensions');
  for (const ext of children(der, list)) {
    const parts = children(der, ext);
    const oid = decodeOid(der, expectTag(parts[0], TAG.OID, 'extension OID'));
    const value = expectTag(parts[parts.length - 1], TAG.OCTET_STRING, 'extension value');
    const inner = () => readTlv(der, value.contentStart, value.end);
    switch (oid) {
      case '2.5.29.17':
        out.sans = readGeneralNames(der, inner());
        break;
      case '2.5.29.19': {
        const first = children(der, inner())[0];
        out.isCA = first?.tag === TAG.BOOLEAN && der[first.contentStart] !== 0;
        break;
      }
      case '2.5.29.15': {
        const bits = inner();
        const usages: string[] = [];
        for (let b = 0; b < KEY_USAGES.length; b++) {
          const byte = bits.contentStart + 1 + (b >> 3);
          if (byte < bits.end && der[byte] & (0x80 >> (b & 7))) usages.push(KEY_USAGES[b]);
        }
        out.keyUsage = usages;
        break;
      }
      case '2.5.29.37':
        out.extendedKeyUsage = children(der, inner()).map((t) => {
          const o = decodeOid(der, t);
          return EXTENDED_KEY_USAGES[o] ?? o;
        });
        break;
      case '2.5.29.14':
        out.subjectKeyId = bytes(der, inner()).toString('hex');
        break;
      case '2.5.29.35': {
        const keyId = children(der, inner()).find((t) => t.tag === 0x80);
        if (keyId) out.authorityKeyId = bytes(der, keyId).toString('hex');
        break;
      }
    }
  }
  return out;
}

function readGeneralNames(der: Uint8Array, seq: Tlv): SubjectAltNames {
  const sans: SubjectAltNames = { dns: [], ip: [], email: [], uri: [] };
  for (const gn of children(der, seq)) {
    const b = bytes(der, gn);
    switch (gn.tag) {
      case 0x81:
        sans.email.push(b.toString('latin1'));
        break;
      case 0x82:
        sans.dns.push(b.toString('latin1'));
        break;
      case 0x86:
        sans.uri.push(b.toString('latin1'));
        break;
      case 0x87:
        sans.ip.push(formatIp(b));
        break;
    }
  }
  return sans;
}

function formatIp(b: Buffer): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
    return compressIpv6(groups);
  }
  return b.toString('hex');
}

/** RFC 5952 text form: the longest run of two or more zero groups becomes "::". */
function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length;) {
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return groups.slice(0, best).join(':') + '::' + groups.slice(best + bestLen).join(':');
}
