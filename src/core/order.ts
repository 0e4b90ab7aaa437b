/** The orders the inventory, the editor and every report share (by expiry, then file and position: a stable output). */
import type { CertificateRecord, CrlRecord, FileLocation } from './model';

/** Certificates by notAfter, then file in code-unit order and position. */
export function byExpiry(a: CertificateRecord, b: CertificateRecord): number {
  return a.notAfter - b.notAfter || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.index - b.index);
}

/** CRLs by nextUpdate (those without one last), then file in code-unit order and position. */
export function byNextUpdate(a: CrlRecord, b: CrlRecord): number {
  return (a.nextUpdate ?? Infinity) - (b.nextUpdate ?? Infinity) || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.index - b.index);
}

/** Whether a private key pairs before the one held: a key in several files pairs with the first by path and position. */
export function keyComesFirst(k: FileLocation, held: FileLocation | undefined): boolean {
  return !held || k.file < held.file || (k.file === held.file && k.range.start.line < held.range.start.line);
}
