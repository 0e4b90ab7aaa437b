/** A minimal, strict DER reader: enough of ASN.1 to walk X.509 fields without copying. */

export class DerError extends Error {}

export interface Tlv {
  /** Identifier octet (class, constructed bit and tag number for low tags). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  NUMERIC_STRING: 0x12,
} as const;

/** Reads one TLV at `offset`, which must end at or before `limit`. */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError(`truncated ASN.1 header at byte ${offset}`);
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError(`unsupported multi-byte ASN.1 tag at byte ${offset}`);
  let pos = offset + 1;
  const first = buf[pos++];
  let len: number;
  if (first < 0x80) {
    len = first;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw new DerError(`indefinite ASN.1 length at byte ${offset} (BER, not DER)`);
    if (n > 4) throw new DerError(`ASN.1 length of ${n} bytes at byte ${offset} is too large`);
    if (pos + n > limit) throw new DerError(`truncated ASN.1 length at byte ${offset}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
  }
  const end = pos + len;
  if (end > limit) throw new DerError(`ASN.1 value at byte ${offset} declares ${len} bytes but only ${limit - pos} remain`);
  return { tag, start: offset, contentStart: pos, end };
}

/** The TLVs directly inside a constructed value. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.end) {
    const t = readTlv(buf, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw new DerError(`${what} is missing`);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

export function decodeOid(buf: Uint8Array, t: Tlv): string {
  let oid = '';
  let value = 0;
  if (t.end === t.contentStart) throw new DerError('empty OID');
  for (let i = t.contentStart; i < t.end; i++) {
    const b = buf[i];
    value = value * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    if (oid === '') {
      const a = value < 40 ? 0 : value < 80 ? 1 : 2;
      oid = `${a}.${value - a * 40}`;
    } else {
      oid += `.${value}`;
    }
    value = 0;
  }
  return oid;
}

export function hex(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('hex');
}

export function bytes(buf: Uint8Array, t: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + t.contentStart, t.end - t.contentStart);
}

/** Decodes the common ASN.1 string types; anything else comes back as `#hex`, like RFC 4514. */
export function decodeString(buf: Uint8Array, t: Tlv): string {
  const b = bytes(buf, t);
  switch (t.tag) {
    case TAG.UTF8_STRING:
      return b.toString('utf8');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.VISIBLE_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.T61_STRING:
      return b.toString('latin1');
    case TAG.BMP_STRING: {
      const swapped = Buffer.from(b);
      if (swapped.length % 2 === 0) swapped.swap16();
      return swapped.toString('utf16le');
    }
    case TAG.UNIVERSAL_STRING: {
      let s = '';
      for (let i = 0; i + 3 < b.length; i += 4) s += String.fromCodePoint(b.readUInt32BE(i) & 0x1fffff);
      return s;
    }
    default:
      return '#' + b.toString('hex');
  }
}

function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** UTCTime / GeneralizedTime to epoch milliseconds; throws DerError on a malformed time. */
export function decodeTime(buf: Uint8Array, t: Tlv): number {
  const s = Buffer.from(buf.buffer, buf.byteOffset + t.contentStart, t.end - t.contentStart).toString('latin1');
  let year: number;
  let rest: number;
  if (t.tag === TAG.UTC_TIME) {
    const yy = digits(s, 0, 2);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = 2;
  } else if (t.tag === TAG.GENERALIZED_TIME) {
    year = digits(s, 0, 4);
    rest = 4;
  } else {
    throw new DerError(`time has tag 0x${t.tag.toString(16)}, not UTCTime or GeneralizedTime`);
  }
  const month = digits(s, rest, 2);
  const day = digits(s, rest + 2, 2);
  const hour = digits(s, rest + 4, 2);
  const minute = digits(s, rest + 6, 2);
  let pos = rest + 8;
  let second = 0;
  if (/[0-9]/.test(s[pos] ?? '')) {
    second = digits(s, pos, 2);
    pos += 2;
  }
  let millis = 0;
  if (t.tag === TAG.GENERALIZED_TIME && (s[pos] === '.' || s[pos] === ',')) {
    const m = /^[.,](\d+)/.exec(s.slice(pos));
    if (!m) throw new DerError(`bad fractional seconds in time "${s}"`);
    millis = Math.floor(Number('0.' + m[1]) * 1000);
    pos += m[0].length;
  }
  let offsetMinutes = 0;
  const tz = s.slice(pos);
  if (tz === 'Z') {
    // UTC
  } else if (/^[+-]\d{4}$/.test(tz)) {
    const sign = tz[0] === '-' ? -1 : 1;
    offsetMinutes = sign * (digits(tz, 1, 2) * 60 + digits(tz, 3, 2));
  } else {
    throw new DerError(`time "${s}" has no valid zone designator`);
  }
  if (
    ![year, month, day, hour, minute, second].every(Number.isFinite) ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > DAYS_IN_MONTH[month - 1] ||
    (month === 2 && day === 29 && !isLeap(year)) ||
    hour > 23 ||
    minute > 59 ||
    second > 60
  ) {
    throw new DerError(`bad time value "${s}"`);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millis);
  return d.getTime() - offsetMinutes * 60_000;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * An X.509 SIGNED structure (RFC 5280: a certificate, a CRL): the outer SEQUENCE of a to-be-signed
 * SEQUENCE, a signature AlgorithmIdentifier and a BIT STRING, checked; `what` names the outer one.
 */
export function readSigned(der: Uint8Array, what: string, tbsName: string): { outer: Tlv; tbs: Tlv; sigAlg: Tlv } {
  const outer = expectTag(readTlv(der, 0), TAG.SEQUENCE, what);
  const [tbs, sigAlg, sigValue] = children(der, outer);
  expectTag(tbs, TAG.SEQUENCE, tbsName);
  expectTag(sigAlg, TAG.SEQUENCE, 'signatureAlgorithm');
  expectTag(sigValue, TAG.BIT_STRING, 'signatureValue');
  return { outer, tbs, sigAlg };
}
