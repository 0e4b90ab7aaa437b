/**
 * JSON Web Keys (JWKS documents, OIDC, inline key sets) in JSON and YAML: the certificates of each
 * key's `x5c` array, with exact offsets, and the key's kid, use, alg and x5t / x5t#S256. A tolerant
 * scanner over the text: a document cut short still yields what it holds.
 */

export interface JwkString {
  /** Offsets of the string's content (inside its quotes). */
  start: number;
  end: number;
  /** The content, JSON escapes and YAML line folding undone. */
  value: string;
}

export interface JwkFound {
  /** The `x5c` members in order: the key's certificate first, then its chain. */
  members: JwkString[];
  kid?: JwkString;
  use?: JwkString;
  alg?: JwkString;
  kty?: JwkString;
  x5t?: JwkString;
  x5tS256?: JwkString;
}

/** Members of one x5c read at most (real chains hold 1 to 4). */
const MAX_MEMBERS = 64;
/** Keys of a JWK that CertLens shows or checks. */
const KEY_FIELDS = { kid: 'kid', use: 'use', alg: 'alg', kty: 'kty', x5t: 'x5t', 'x5t#S256': 'x5tS256' } as const;
type KeyField = (typeof KEY_FIELDS)[keyof typeof KEY_FIELDS];
const X5C_KEY = /(["']?)x5c\1[ \t]*:/g;

/** Every key with an `x5c` in a JSON or YAML text. */
export function scanJwks(text: string): JwkFound[] {
  const found: JwkFound[] = [];
  let flow: FlowObjects | undefined;
  X5C_KEY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = X5C_KEY.exec(text))) {
    const keyStart = m.index;
    // A whole key: not part of a longer name ("my_x5c", "x5c_url").
    if (!m[1] && keyStart > 0 && /[\w$#-]/.test(text[keyStart - 1])) continue;
    let i = m.index + m[0].length;
    while (text[i] === ' ' || text[i] === '\t') i++;
    const jwk: JwkFound = { members: [] };
    if (text[i] === '[') {
      readFlowArray(text, i, jwk.members);
    } else if (i >= text.length || text[i] === '\n' || text[i] === '\r' || text[i] === '#') {
      readBlockSequence(text, keyStart, i, jwk.members);
    } else if (text[i] !== '{') {
      // A single string where an array belongs: read it all the same, if it is one (not `x5c: string` in a schema).
      const one = readScalar(text, i, ',}]\n\r');
      if (one && (text[i] === '"' || text[i] === "'" || one.value.length >= 64)) jwk.members.push(one);
    }
    flow ??= new FlowObjects(text);
    const object = flow.enclosing(keyStart);
    if (object) readFlowFields(text, object, flow, jwk);
    else readBlockFields(text, keyStart, jwk);
    found.push(jwk);
  }
  return found;
}

/** `[ "a", "b" ]` (JSON, YAML flow, JavaScript) from the `[` at `i`. */
function readFlowArray(text: string, i: number, out: JwkString[]): void {
  let j = i + 1;
  while (j < text.length && out.length < MAX_MEMBERS) {
    const c = text[j];
    if (c === ']') return;
    if (c === ',' || c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      j++;
      continue;
    }
    const s = readScalar(text, j, ',]\n\r');
    if (!s) return;
    out.push(s);
    j = Math.max(s.end + (text[s.end] === '"' || text[s.end] === "'" ? 1 : 0), j + 1);
  }
}

/**
 * A quoted string (its content range) or a plain value up to one of `stops` or a blank, from `i`.
 * A string cut short by the end of the text runs to the end.
 */
function readScalar(text: string, i: number, stops: string): JwkString | undefined {
  const q = text[i];
  if (q === '"' || q === "'") {
    let j = i + 1;
    while (j < text.length && text[j] !== q) j += q === '"' && text[j] === '\\' ? 2 : 1;
    const end = Math.min(j, text.length);
    const raw = text.slice(i + 1, end);
    return { start: i + 1, end, value: q === '"' ? unescapeJson(raw) : raw.replace(/''/g, "'") };
  }
  let j = i;
  while (j < text.length && !stops.includes(text[j]) && text[j] !== ' ' && text[j] !== '\t') j++;
  return j > i ? { start: i, end: j, value: text.slice(i, j) } : undefined;
}

const JSON_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '/': '/', '\\': '\\', '"': '"' };

function unescapeJson(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) =>
    e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (JSON_ESCAPES[e] ?? e),
  );
}

/** Indentation of the line holding `offset`, the start of that line, and the column of `offset`. */
function lineAt(text: string, offset: number): { lineStart: number; column: number } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return { lineStart, column: offset - lineStart };
}

interface Line {
  start: number;
  end: number;
  /** Column of the first character that is not a space. */
  indent: number;
  /** Whether blank or a comment only. */
  empty: boolean;
}

function lineFrom(text: string, start: number): Line {
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  let indent = 0;
  while (start + indent < end && (text[start + indent] === ' ' || text[start + indent] === '\t')) indent++;
  const first = text[start + indent];
  return {
    start,
    end: end > start && text[end - 1] === '\r' ? end - 1 : end,
    indent,
    empty: start + indent >= end || first === '#' || first === '\r',
  };
}

/**
 * A YAML block sequence under the key at `keyStart` (`x5c:` then `- MIIC…` lines, at the key's
 * indentation or deeper), each item a quoted or plain scalar (possibly folded over more-indented
 * lines) or a `|` / `>` block scalar.
 */
function readBlockSequence(text: string, keyStart: number, afterKey: number, out: JwkString[]): void {
  const keyColumn = lineAt(text, keyStart).column;
  let at = text.indexOf('\n', afterKey);
  let itemIndent = -1;
  while (at !== -1 && at < text.length && out.length < MAX_MEMBERS) {
    const line = lineFrom(text, at + 1);
    at = line.end < text.length ? text.indexOf('\n', line.end) : -1;
    if (line.empty) continue;
    const dash = line.start + line.indent;
    const isItem = text[dash] === '-' && (text[dash + 1] === ' ' || dash + 1 >= line.end);
    if (!isItem || line.indent < keyColumn || (itemIndent !== -1 && line.indent !== itemIndent)) return;
    itemIndent = line.indent;
    let v = dash + 1;
    while (v < line.end && text[v] === ' ') v++;
    if (text[v] === '"' || text[v] === "'") {
      const s = readScalar(text, v, '');
      if (!s) return;
      out.push(s);
      at = text.indexOf('\n', s.end);
      continue;
    }
    // A plain scalar, or a block scalar's content, runs on over lines indented past the item.
    const blockScalar = text[v] === '|' || text[v] === '>';
    let start = blockScalar ? -1 : v;
    let end = blockScalar ? -1 : line.end;
    while (at !== -1) {
      const more = lineFrom(text, at + 1);
      if (!more.empty && more.indent <= itemIndent) break;
      if (!more.empty) {
        if (start === -1) start = more.start + more.indent;
        end = more.end;
      }
      at = more.end < text.length ? text.indexOf('\n', more.end) : -1;
    }
    if (start === -1) continue;
    while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
    const raw = text.slice(start, end);
    out.push({ start, end, value: raw.replace(/\s+/g, '') });
    if (at === -1) return;
  }
}

/** `{ … }` objects of a JSON or flow text: for each `{` and `[` the offset of its closing bracket; strings skipped. */
class FlowObjects {
  private readonly opens: number[] = [];
  private readonly closes: number[] = [];
  private readonly closeOf = new Map<number, number>();

  constructor(private readonly text: string) {
    const stack: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34 /* " */) {
        i++;
        while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
      } else if (c === 123 /* { */ || c === 91 /* [ */) {
        stack.push(i);
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        const open = stack.pop();
        if (open !== undefined) this.closeOf.set(open, i);
      } else if (c === 35 /* # */ && (i === 0 || text.charCodeAt(i - 1) <= 32)) {
        // A YAML comment (an apostrophe or brace in it is no bracket).
        const eol = text.indexOf('\n', i);
        i = eol === -1 ? text.length : eol;
      }
    }
    for (const [open] of this.closeOf) if (text[open] === '{') this.opens.push(open);
    for (const open of stack) if (text[open] === '{') this.opens.push(open);
    this.opens.sort((a, b) => a - b);
    for (const o of this.opens) this.closes.push(this.closeOf.get(o) ?? text.length);
  }

  /** The innermost `{ … }` holding `offset` (the close may be the end of a text cut short). */
  enclosing(offset: number): { open: number; close: number } | undefined {
    // Objects starting before offset, last first, until one that ends after it: objects nest, so
    // the first that holds offset is the innermost.
    let lo = 0;
    let hi = this.opens.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.opens[mid] < offset) {
        last = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let k = last, tries = 0; k >= 0 && tries < 1000; k--, tries++) {
      if (this.closes[k] > offset) return { open: this.opens[k], close: this.closes[k] };
    }
    return undefined;
  }

  closeOfBracket(open: number): number {
    return this.closeOf.get(open) ?? this.text.length;
  }
}

/** The JWK's other fields, from the object `{ … }` holding its x5c: keys at that object's own level. */
function readFlowFields(text: string, object: { open: number; close: number }, flow: FlowObjects, jwk: JwkFound): void {
  let j = object.open + 1;
  while (j < object.close) {
    const c = text[j];
    if (c === '{' || c === '[') {
      j = flow.closeOfBracket(j) + 1;
      continue;
    }
    if (c !== '"' && c !== "'" && !/[\w$#]/.test(c)) {
      j++;
      continue;
    }
    const key = readScalar(text, j, ':,}]\n\r');
    if (!key) {
      j++;
      continue;
    }
    j = key.end + (text[key.end] === c && (c === '"' || c === "'") ? 1 : 0);
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] !== ':') continue;
    j++;
    while (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r') j++;
    const field = fieldOf(key.value);
    if (!field || text[j] === '{' || text[j] === '[') continue;
    const value = readScalar(text, j, ',}\n\r');
    if (!value) continue;
    jwk[field] ??= value;
    j = value.end + 1;
  }
}

function fieldOf(key: string): KeyField | undefined {
  return Object.hasOwn(KEY_FIELDS, key) ? KEY_FIELDS[key as keyof typeof KEY_FIELDS] : undefined;
}

const YAML_FIELD = /^([ \t]*(?:-[ \t]+)?)(["']?)([\w#$.-]+)\2[ \t]*:(?:[ \t]+|$)/;

/**
 * The JWK's other fields in YAML block style: the keys at the x5c key's column, in the lines above
 * it up to the mapping's first line (a `- ` item or less indentation) and below it while the
 * mapping goes on.
 */
function readBlockFields(text: string, keyStart: number, jwk: JwkFound): void {
  const { lineStart, column } = lineAt(text, keyStart);
  /**
   * Reads a field of the mapping from `line`; false at another `x5c` key of the same column: a
   * mapping holds one, so the walk ends there (each line is then walked from at most two keys, where
   * 10,000 repeated `x5c:` lines each walked all the others: seconds, quadratic).
   */
  const take = (line: Line): boolean => {
    const m = YAML_FIELD.exec(text.slice(line.start, line.end));
    if (!m || m[1].length !== column) return true;
    if (m[3] === 'x5c') return false;
    const field = fieldOf(m[3]);
    if (!field) return true;
    const value = readScalar(text, line.start + m[0].length, '#\n\r');
    if (value?.value) jwk[field] ??= value;
    return true;
  };
  // Upwards, unless the x5c key starts its mapping (`- x5c:`).
  const startsItem = /-[ \t]+$/.test(text.slice(lineStart, keyStart));
  for (let end = lineStart - 1, steps = 0; !startsItem && end > 0 && steps < 10_000; steps++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = lineFrom(text, start);
    end = start - 1;
    const item = text[line.start + line.indent] === '-';
    // Deeper lines, and items of a sibling's sequence at the key's indentation, are values.
    if (line.empty || line.indent > column || (item && line.indent === column)) continue;
    if (line.indent < column && !item) break;
    if (!take(line) || item) break; // another x5c, or the `- ` line that starts the mapping
  }
  // Downwards: past the x5c value, keys at the same column until the mapping ends.
  let at = text.indexOf('\n', keyStart);
  for (let steps = 0; at !== -1 && steps < 10_000; steps++) {
    const line = lineFrom(text, at + 1);
    at = line.end < text.length ? text.indexOf('\n', line.end) : -1;
    if (line.empty || line.indent > column) continue;
    if (line.indent < column) break;
    if (text[line.start + line.indent] === '-') continue; // x5c's own items at the key's indentation
    if (!take(line)) break;
  }
}
