import { type FileLocation, type FileResult, type Finding, type Range } from '../model';
import { formatNamed } from './table';

/**
 * An edit that cannot change what a PEM file holds, only where it sits: typing a comment or blank
 * lines between the blocks of a bundle. Its result is the previous one with the places after the
 * edit moved, without parsing the file again (an editor's keystroke in a 500-certificate bundle).
 */

/** One edit, as an editor reports it: the replaced range (in the text before it) and the new text. */
export interface TextEdit {
  range: Range;
  text: string;
}

/**
 * Text that can start, end or change a block (PEM markers, base64 PEM, a byte of a C array of
 * DER) or make a file read as something else (a kubeconfig, a Kubernetes manifest, SAML, JWKS): an
 * edit whose lines hold any of them is parsed again.
 */
const STRUCTURE = /---|LS0t|0x|X509|x5c|validUntil|kind|clusters|users|crt|Bundle|cert-manager|[^\t\n\r\x20-\x7e]/;

/**
 * The result of `previous` (parsed from `before`) after `edit`, or undefined when it may differ in
 * more than positions: a file whose format (by its name) is not `shiftable` in the format table (only
 * PEM is), a result with cross-file parts (references, cert-manager, file expiries, related places),
 * an edit on the lines of anything found or inside a block, a '0' first (DER's first byte), or structure-bearing text on the lines edited.
 */
export function shiftResult(previous: FileResult, before: string, edit: TextEdit): FileResult | undefined {
  if (!formatNamed(previous.file)?.shiftable) return undefined;
  if (previous.references.length || previous.expiries?.length || previous.certManagerCertificates?.length) return undefined;
  if (previous.problems.some((p) => p.related?.length)) return undefined;
  const { start, end } = edit.range;
  const places: FileLocation[] = [...previous.certificates, ...previous.problems, ...previous.privateKeys, ...previous.crls];
  for (const c of previous.certificates) if (c.privateKey?.file === previous.file) places.push(c.privateKey);
  if (places.some((p) => p.range.start.line <= end.line && p.range.end.line >= start.line)) return undefined;
  // Messages that name a line (a broken block's) would need rewriting.
  if (previous.problems.some((p) => p.range.start.line > end.line && LINE_IN_MESSAGE.test(p.message))) return undefined;
  // The whole lines the edit touches, before and after it.
  const lineStart = lineOffset(before, start.line);
  const lineEnd = lineOffset(before, end.line + 1);
  if (lineStart < 0) return undefined;
  // Inside a block that gave nothing (an encrypted key, a CSR): its lines are not the edit's to move.
  if (before.lastIndexOf('-----BEGIN', lineStart) > before.lastIndexOf('-----END', lineStart)) return undefined;
  const oldLines = before.slice(lineStart, lineEnd < 0 ? before.length : lineEnd);
  const from = offsetIn(oldLines, start.character, 0);
  const to = offsetIn(oldLines, end.character, end.line - start.line);
  if (from < 0 || to < 0) return undefined;
  const newLines = oldLines.slice(0, from) + edit.text + oldLines.slice(to);
  // A lone CR is a line break to an editor, not to the parser's line count.
  if (STRUCTURE.test(oldLines) || STRUCTURE.test(newLines) || /\r(?!\n)/.test(newLines)) return undefined;
  // A .crt or .cer whose first byte is that of a DER sequence ('0') is read as DER.
  if (start.line === 0 && (before[0] === '0' || newLines[0] === '0')) return undefined;
  const move = mover(edit);
  if (!move) return previous;
  const certificates = previous.certificates.map((c) => {
    const moved = move(c);
    if (c.privateKey?.file === previous.file) moved.privateKey = move(c.privateKey);
    return moved;
  });
  return {
    ...previous,
    certificates,
    problems: previous.problems.map(move),
    privateKeys: previous.privateKeys.map(move),
    crls: previous.crls.map(move),
  };
}

const LINE_IN_MESSAGE = /\bline \d/;

/**
 * How an edit moves a place that does not overlap it: places after its last line move by the lines
 * it added or removed; undefined when it adds or removes none.
 */
export function mover(edit: TextEdit): (<T extends FileLocation>(p: T) => T) | undefined {
  const { start, end } = edit.range;
  const delta = countLines(edit.text) - (end.line - start.line);
  if (delta === 0) return undefined;
  return <T extends FileLocation>(p: T): T => (p.range.start.line > end.line ? { ...p, range: shifted(p.range, delta) } : p);
}

/** Whether findings can be moved with their places (their messages name no line). */
export function movable(findings: readonly Finding[]): boolean {
  return findings.every((f) => !f.related?.length && !LINE_IN_MESSAGE.test(f.message));
}

function shifted(r: Range, lines: number): Range {
  return {
    start: { line: r.start.line + lines, character: r.start.character },
    end: { line: r.end.line + lines, character: r.end.character },
  };
}

/** Where line `line` begins in `text`; -1 past the last line. */
function lineOffset(text: string, line: number): number {
  let at = 0;
  for (let i = 0; i < line; i++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return -1;
    at = nl + 1;
  }
  return at;
}

/** The offset of `character` on the `lineIndex`th line of `lines`; -1 past the line's end. */
function offsetIn(lines: string, character: number, lineIndex: number): number {
  let at = 0;
  for (let i = 0; i < lineIndex; i++) at = lines.indexOf('\n', at) + 1;
  const lineEnd = lines.indexOf('\n', at);
  const length = (lineEnd < 0 ? lines.length : lineEnd) - at;
  return character <= length ? at + character : -1;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
