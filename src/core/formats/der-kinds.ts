import { children, DerError, readTlv, TAG, type Tlv } from '../x509/der';

/** What a DER file holds, told from its ASN.1 shape alone (nothing decoded past the first levels). */
export type DerKind =
  | 'certificate'
  | 'crl'
  | 'csr'
  | 'private-key-pkcs8'
  | 'private-key-encrypted'
  | 'private-key-rsa'
  | 'private-key-ec'
  | 'private-key-dsa'
  | 'public-key'
  | 'public-key-rsa'
  | 'ocsp-response';

const ENUMERATED = 0x0a;
const TIME_TAGS = new Set<number>([TAG.UTC_TIME, TAG.GENERALIZED_TIME]);

/**
 * Tells certificates from the other DER structures found in `.der`, `.cer` and `.crt` files: CRLs
 * (CertificateList), CSRs (CertificationRequest), private keys (PKCS#8, encrypted PKCS#8, PKCS#1
 * RSAPrivateKey, SEC 1 ECPrivateKey, OpenSSL's DSA), public keys (SubjectPublicKeyInfo, PKCS#1
 * RSAPublicKey) and OCSP responses. Strict: the outer SEQUENCE must span the input (trailing bytes
 * are allowed only after a certificate, as OpenSSL's TRUSTED CERTIFICATE carries) and every level
 * looked at must have the expected tags. undefined: none of these.
 */
export function derKind(der: Uint8Array): DerKind | undefined {
  try {
    const outer = readTlv(der, 0);
    if (outer.tag !== TAG.SEQUENCE) return undefined;
    const parts = children(der, outer);
    const tags = parts.map((p) => p.tag);
    const whole = outer.end === der.length;
    if (isSignedShape(tags)) {
      const inner = children(der, parts[0]).map((t) => t.tag);
      if (isTbsCertificate(inner)) return 'certificate';
      if (!whole) return undefined;
      if (isTbsCertList(inner)) return 'crl';
      if (isCertificationRequestInfo(inner)) return 'csr';
      return undefined;
    }
    if (!whole) return undefined;
    if (startsWith(tags, [TAG.SEQUENCE, TAG.BIT_STRING]) && tags.length === 2) return hasOid(der, parts[0]) ? 'public-key' : undefined;
    if (startsWith(tags, [TAG.SEQUENCE, TAG.OCTET_STRING]) && tags.length === 2)
      return hasOid(der, parts[0]) ? 'private-key-encrypted' : undefined;
    if (startsWith(tags, [TAG.INTEGER, TAG.SEQUENCE, TAG.OCTET_STRING]) && smallInteger(der, parts[0]) <= 1 && hasOid(der, parts[1]))
      return 'private-key-pkcs8';
    if (
      startsWith(tags, [TAG.INTEGER, TAG.OCTET_STRING]) &&
      smallInteger(der, parts[0]) === 1 &&
      tags.slice(2).every((t) => t === 0xa0 || t === 0xa1)
    )
      return 'private-key-ec';
    if (tags.every((t) => t === TAG.INTEGER)) {
      if (tags.length >= 9 && smallInteger(der, parts[0]) <= 1) return 'private-key-rsa';
      if (tags.length === 6 && smallInteger(der, parts[0]) === 0) return 'private-key-dsa';
      if (tags.length === 2) return 'public-key-rsa';
    }
    if (tags[0] === ENUMERATED && isOcspResponse(der, parts)) return 'ocsp-response';
    return undefined;
  } catch (e) {
    if (e instanceof DerError) return undefined;
    throw e;
  }
}

/** SEQUENCE { tbs SEQUENCE, algorithm SEQUENCE, signature BIT STRING }: certificates, CRLs, CSRs. */
function isSignedShape(tags: number[]): boolean {
  return tags.length === 3 && tags[0] === TAG.SEQUENCE && tags[1] === TAG.SEQUENCE && tags[2] === TAG.BIT_STRING;
}

/** TBSCertificate: [0] version?, serial INTEGER, signature SEQUENCE, issuer, validity SEQUENCE, subject, spki. */
function isTbsCertificate(t: number[]): boolean {
  const i = t[0] === 0xa0 ? 1 : 0;
  return (
    t[i] === TAG.INTEGER &&
    t[i + 1] === TAG.SEQUENCE &&
    t[i + 2] === TAG.SEQUENCE &&
    t[i + 3] === TAG.SEQUENCE &&
    t[i + 4] === TAG.SEQUENCE &&
    t[i + 5] === TAG.SEQUENCE
  );
}

/** TBSCertList: version INTEGER?, signature SEQUENCE, issuer SEQUENCE, thisUpdate Time, ... */
function isTbsCertList(t: number[]): boolean {
  const i = t[0] === TAG.INTEGER ? 1 : 0;
  return t[i] === TAG.SEQUENCE && t[i + 1] === TAG.SEQUENCE && TIME_TAGS.has(t[i + 2]);
}

/** CertificationRequestInfo: version INTEGER, subject SEQUENCE, subjectPKInfo SEQUENCE, attributes [0]. */
function isCertificationRequestInfo(t: number[]): boolean {
  return t.length === 4 && t[0] === TAG.INTEGER && t[1] === TAG.SEQUENCE && t[2] === TAG.SEQUENCE && t[3] === 0xa0;
}

/** OCSPResponse: responseStatus ENUMERATED (0-6), responseBytes [0] EXPLICIT SEQUENCE { OID, OCTET STRING }? */
function isOcspResponse(der: Uint8Array, parts: Tlv[]): boolean {
  const status = parts[0];
  if (status.end - status.contentStart !== 1 || der[status.contentStart] > 6) return false;
  if (parts.length === 1) return true;
  if (parts.length !== 2 || parts[1].tag !== 0xa0) return false;
  const [bytes] = children(der, parts[1]);
  if (bytes?.tag !== TAG.SEQUENCE) return false;
  const inner = children(der, bytes).map((t) => t.tag);
  return inner.length === 2 && inner[0] === TAG.OID && inner[1] === TAG.OCTET_STRING;
}

function startsWith(tags: number[], prefix: number[]): boolean {
  return prefix.every((t, i) => tags[i] === t);
}

/** An AlgorithmIdentifier: SEQUENCE starting with an OID. */
function hasOid(der: Uint8Array, seq: Tlv): boolean {
  return readTlv(der, seq.contentStart, seq.end).tag === TAG.OID;
}

/** The value of a one-byte INTEGER, or Infinity. */
function smallInteger(der: Uint8Array, t: Tlv): number {
  return t.end - t.contentStart === 1 ? der[t.contentStart] : Infinity;
}
