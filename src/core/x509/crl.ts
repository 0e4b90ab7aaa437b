import type { CrlFields } from '../model';
import { bytes, children, decodeOid, decodeTime, DerError, expectTag, readSigned, readTlv, TAG, type Tlv } from './der';
import { hexDigest, readName } from './certificate';
import { SIGNATURE_ALGORITHMS } from './oids';

const CRL_NUMBER_OID = '2.5.29.20';

/**
 * Reads one DER CertificateList (RFC 5280 5.1) as strictly as parseCertificateDer reads a
 * certificate: issuer, thisUpdate, nextUpdate, the cRLNumber extension and the count of revoked
 * entries (counted without decoding them: CRLs of large CAs hold hundreds of thousands).
 */
export function parseCrlDer(der: Uint8Array): CrlFields {
  const { outer: list, tbs, sigAlg } = readSigned(der, 'CertificateList', 'TBSCertList');
  const fields = children(der, tbs);
  let i = 0;
  if (fields[i]?.tag === TAG.INTEGER) i++; // version (v2)
  expectTag(fields[i++], TAG.SEQUENCE, 'signature');
  const issuer = expectTag(fields[i++], TAG.SEQUENCE, 'issuer');
  const thisUpdate = fields[i++];
  if (!isTime(thisUpdate)) throw new DerError('thisUpdate is missing or not a time');
  let nextUpdate: Tlv | undefined;
  if (isTime(fields[i])) nextUpdate = fields[i++];
  let revokedCount = 0;
  if (fields[i]?.tag === TAG.SEQUENCE) revokedCount = countChildren(der, fields[i++]);
  let crlNumber: string | undefined;
  if (fields[i]?.tag === 0xa0) crlNumber = readCrlNumber(der, fields[i++]);
  if (i < fields.length) throw new DerError(`unexpected field with tag 0x${fields[i].tag.toString(16)} in TBSCertList`);

  const sigOid = decodeOid(der, expectTag(children(der, sigAlg)[0], TAG.OID, 'signature algorithm OID'));
  const name = readName(der, issuer);
  return {
    issuer: name.text,
    issuerCN: name.cn,
    thisUpdate: decodeTime(der, thisUpdate),
    nextUpdate: nextUpdate ? decodeTime(der, nextUpdate) : undefined,
    crlNumber,
    revokedCount,
    signatureAlgorithm: SIGNATURE_ALGORITHMS[sigOid] ?? sigOid,
    sha256: hexDigest('sha256', Buffer.from(der.buffer, der.byteOffset + list.start, list.end - list.start)),
  };
}

function isTime(t: Tlv | undefined): t is Tlv {
  return t?.tag === TAG.UTC_TIME || t?.tag === TAG.GENERALIZED_TIME;
}

function countChildren(der: Uint8Array, parent: Tlv): number {
  let n = 0;
  for (let pos = parent.contentStart; pos < parent.end; n++)
    pos = expectTag(readTlv(der, pos, parent.end), TAG.SEQUENCE, 'revoked certificate entry').end;
  return n;
}

/**
 * crlExtensions [0] EXPLICIT Extensions: the cRLNumber INTEGER as openssl prints it after `0x`
 * (upper-case hex bytes, a negative one as `-` and its magnitude). A number given twice is no
 * number, as for openssl (RFC 5280 forbids repeating an extension).
 */
function readCrlNumber(der: Uint8Array, wrapper: Tlv): string | undefined {
  const list = expectTag(children(der, wrapper)[0], TAG.SEQUENCE, 'crlExtensions');
  const numbers: string[] = [];
  for (const ext of children(der, list)) {
    const parts = children(der, ext);
    const oid = decodeOid(der, expectTag(parts[0], TAG.OID, 'extension OID'));
    const value = expectTag(parts[parts.length - 1], TAG.OCTET_STRING, 'extension value');
    if (oid === CRL_NUMBER_OID)
      numbers.push(integerText(bytes(der, expectTag(readTlv(der, value.contentStart, value.end), TAG.INTEGER, 'cRLNumber'))));
  }
  return numbers.length === 1 ? numbers[0] : undefined;
}

/** A DER INTEGER (two's complement) as sign and whole bytes of upper-case hex: 0x1F -> "1F", -1 -> "-01". */
function integerText(b: Buffer): string {
  if (b.length === 0) throw new DerError('empty INTEGER');
  const negative = (b[0] & 0x80) !== 0;
  let value = BigInt('0x' + b.toString('hex'));
  if (negative) value = (1n << BigInt(8 * b.length)) - value;
  let text = value.toString(16).toUpperCase();
  if (text.length % 2) text = '0' + text;
  return negative ? '-' + text : text;
}
