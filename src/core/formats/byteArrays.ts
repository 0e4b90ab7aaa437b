/**
 * DER certificates written in source code as arrays of hex bytes: `xxd -i`'s output and its like
 * (`static const unsigned char root_ca_der[] = { 0x30, 0x82, 0x03, 0x75, ... };`), the other way
 * firmware compiles in a root CA besides PEM string literals. A certificate's DER starts with a
 * SEQUENCE of two length bytes (256 to 65535 bytes: every real certificate), so with the bytes
 * `0x30, 0x82` on one line; what follows is read for as many bytes as that header says.
 */

import { derKind } from './der-kinds';

export interface DerByteArray {
  /** Offsets of the first byte's `0x` and just past the last byte's digits. */
  start: number;
  end: number;
  der: Uint8Array;
}

/** `0x30, 0x82` as xxd -i writes it, and without the space. */
const MARKER = /0x30, ?0x82/g;
/**
 * The languages whose sources compile a certificate in as bytes: C and its kin (firmware, xxd -i),
 * Rust, Go, the JVM's and .NET's, Swift, Zig. Scripts and config hold certificates as PEM text.
 */
const BYTE_ARRAY_EXTENSIONS = new Set([
  '.c',
  '.h',
  '.cc',
  '.cpp',
  '.cxx',
  '.c++',
  '.hpp',
  '.hh',
  '.hxx',
  '.h++',
  '.ino',
  '.pde',
  '.inc',
  '.ipp',
  '.m',
  '.mm',
  '.rs',
  '.go',
  '.java',
  '.kt',
  '.cs',
  '.swift',
  '.zig',
]);
const PREFIX = Buffer.from('0x30,');
const SECOND = Buffer.from('0x82');

/**
 * Whether a file may hold a certificate as a byte array: a source file of those languages with
 * `0x30, 0x82` in it. One native search for `0x30,` (each marker searched on its own was a pass more
 * over every file of a tree), then a look at what follows it.
 */
export function mayHoldByteArray(bytes: Uint8Array, ext: string): boolean {
  if (!BYTE_ARRAY_EXTENSIONS.has(ext)) return false;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = b.indexOf(PREFIX); at !== -1; at = b.indexOf(PREFIX, at + PREFIX.length)) {
    const next = at + PREFIX.length + (b[at + PREFIX.length] === 0x20 ? 1 : 0);
    if (next + SECOND.length <= b.length && b.compare(SECOND, 0, SECOND.length, next, next + SECOND.length) === 0) return true;
  }
  return false;
}

/**
 * Every certificate written as a run of `0xNN` bytes separated by commas, whitespace and a macro's
 * `\` line continuations, in a source file of those languages (`ext`, as mayHoldByteArray). Other DER in such arrays (public keys, private keys) is not returned.
 * Linear in the text: each run of bytes is read once, and every certificate start inside it is
 * tested on a view of those bytes.
 */
export function findDerByteArrays(text: string, ext: string): DerByteArray[] {
  const found: DerByteArray[] = [];
  if (!BYTE_ARRAY_EXTENSIONS.has(ext)) return found;
  MARKER.lastIndex = 0;
  let run: ByteRun | undefined;
  let m: RegExpExecArray | null;
  while ((m = MARKER.exec(text))) {
    if (!run || m.index >= run.end) run = readRun(text, m.index);
    const first = indexOfOffset(run.offsets, m.index);
    if (first === -1) continue;
    const header = run.bytes.subarray(first, first + 4);
    if (header.length < 4) continue;
    const length = 4 + ((header[2] << 8) | header[3]);
    if (first + length > run.bytes.length) continue;
    const der = run.bytes.subarray(first, first + length);
    if (!startsLikeCertificate(der) || derKind(der) !== 'certificate') continue;
    const last = first + length - 1;
    found.push({ start: m.index, end: run.offsets[last] + run.widths[last], der: Uint8Array.from(der) });
    MARKER.lastIndex = run.offsets[last];
  }
  return found;
}

/**
 * A certificate's first field is the to-be-signed SEQUENCE, with one or two length bytes, and it
 * leaves room for the signature after it: a cheap test before the full shape's, which throws on
 * most other bytes (and throwing is slow: a crafted run of `0x30, 0x82` would take seconds).
 */
function startsLikeCertificate(der: Uint8Array): boolean {
  if (der[4] !== 0x30) return false;
  const tbsLength = der[5] === 0x82 ? 4 + ((der[6] << 8) | der[7]) : der[5] === 0x81 ? 3 + der[6] : 0;
  return tbsLength > 0 && tbsLength < der.length - 4;
}

interface ByteRun {
  bytes: Uint8Array;
  /** Where each byte's `0x` starts, and how many characters it takes. */
  offsets: number[];
  widths: number[];
  end: number;
}

const HEX_BYTE = /0x([0-9a-fA-F]{1,2})(?![0-9a-fA-F])/y;
const SEPARATOR = /[\s,]*(?:\\\r?\n[\s,]*)*/y;

function readRun(text: string, start: number): ByteRun {
  const values: number[] = [];
  const offsets: number[] = [];
  const widths: number[] = [];
  let at = start;
  for (;;) {
    HEX_BYTE.lastIndex = at;
    const hex = HEX_BYTE.exec(text);
    if (!hex) break;
    values.push(parseInt(hex[1], 16));
    offsets.push(at);
    widths.push(hex[0].length);
    SEPARATOR.lastIndex = HEX_BYTE.lastIndex;
    SEPARATOR.exec(text);
    at = SEPARATOR.lastIndex;
  }
  const end = offsets.length ? offsets[offsets.length - 1] + widths[widths.length - 1] : start + 1;
  return { bytes: Uint8Array.from(values), offsets, widths, end };
}

/** Index of `offset` in the ascending `offsets`, or -1. */
function indexOfOffset(offsets: readonly number[], offset: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] === offset) return mid;
    if (offsets[mid] < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
