/**
 * Finds PEM blocks anywhere in a text: bundles, dumps, YAML block scalars, JSON strings with `\n`
 * escapes, and string literals of source code split over lines (C's adjacent literals, `+`).
 */

export type PemKind = 'certificate' | 'pkcs7' | 'private-key' | 'crl' | 'other';

export interface PemBlock {
  label: string;
  kind: PemKind;
  /** Offsets of the first `-` of BEGIN and just past the last `-` of END (or of BEGIN when unterminated). */
  start: number;
  end: number;
  /** Base64 body with whitespace and escape sequences removed. */
  body: string;
  /** Set when the block cannot be decoded; `body` is then unusable. */
  error?: { code: 'pem-unterminated' | 'invalid-base64'; message: string; offset: number };
  /** True when the block has RFC 1421 headers (legacy encrypted keys). */
  encrypted?: boolean;
  /** True when the whole body is a template placeholder (`<rsa private key>`, `${TLS_CRT}`): nothing to read. */
  placeholder?: boolean;
}

const BEGIN = /-----BEGIN ([A-Z0-9][A-Z0-9 #._-]{0,62})-----/g;

const KINDS: Record<string, PemKind> = {
  CERTIFICATE: 'certificate',
  'X509 CERTIFICATE': 'certificate',
  'TRUSTED CERTIFICATE': 'certificate',
  PKCS7: 'pkcs7',
  'PKCS #7 SIGNED DATA': 'pkcs7',
  CMS: 'pkcs7',
  'PRIVATE KEY': 'private-key',
  'RSA PRIVATE KEY': 'private-key',
  'EC PRIVATE KEY': 'private-key',
  'DSA PRIVATE KEY': 'private-key',
  'X509 CRL': 'crl',
};

/** Whitespace, plus `\n`-style escapes of JSON/YAML strings and the quotes and indentation around them. */
const NOISE = /\\+[rnt]|\s/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/**
 * A body that is one template placeholder and nothing else: `<rsa private key>` (lego's provider
 * docs), `${TLS_CRT}`, `{{ .Values.ca }}`, `$CA_CERT`. None of these characters is base64, so no
 * certificate or key reads like this; whatever fills it in is where the certificate is.
 */
const PLACEHOLDER_BODY = /^(?:<[^<>]+>|\$\{[^{}]+\}|\{\{(?:(?!\}\}).)+\}\}|\$[A-Za-z_][A-Za-z0-9_]*)$/s;
/**
 * A body that is one regular-expression wildcard, optionally in a group: `[^-]*`, `(.*?)`,
 * `([A-Za-z0-9+/=\s]+)`. Code and configs that cut PEM blocks out of text write the markers around
 * a pattern (an Ansible `regex_search`, a Python `re.compile`); no block reads like this.
 */
const WILDCARD = String.raw`(?:\.|\[[^\]]*\])(?:[*+]|\{\d*,\d*\})\??`;
const PATTERN_BODY = new RegExp(String.raw`^(?:${WILDCARD}|\((?:\?:|\?P?<\w+>)?${WILDCARD}\))$`);

export function findPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  // A block ends at its own END line before the next BEGIN. Both searches only move forward (each
  // remembers what it found), so a text of many BEGIN lines without END stays linear, not quadratic.
  const nextBegin = new ForwardSearch(text, '-----BEGIN ');
  const nextEnd = new ForwardSearch(text, '-----END ');
  BEGIN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BEGIN.exec(text))) {
    const label = m[1];
    const kind = KINDS[label] ?? 'other';
    const start = m.index;
    const bodyStart = start + m[0].length;
    const endMarker = `-----END ${label}-----`;
    const limit = nextBegin.from(bodyStart);
    let endAt = nextEnd.from(bodyStart);
    while (endAt < limit && !text.startsWith(endMarker, endAt)) endAt = nextEnd.from(endAt + 1);
    if (endAt >= limit) {
      blocks.push({
        label,
        kind,
        start,
        end: bodyStart,
        body: '',
        error: { code: 'pem-unterminated', message: `PEM block "${label}" has no matching "${endMarker}" line`, offset: start },
      });
      continue;
    }
    const end = endAt + endMarker.length;
    BEGIN.lastIndex = end;
    if (kind === 'other') {
      blocks.push({ label, kind, start, end, body: '' });
      continue;
    }
    const raw = text.slice(bodyStart, endAt);
    // [ \t]*, not \s*: \s* also spans line breaks, which made a long run of blank lines quadratic.
    if (raw.includes(':') && /^[ \t]*(Proc-Type|DEK-Info):/m.test(raw)) {
      blocks.push({ label, kind, start, end, body: '', encrypted: true });
      continue;
    }
    const body = kind === 'certificate' ? certificateBody(raw) : base64Body(raw);
    if (body === undefined || body.length % 4 === 1) {
      const bare = raw.replace(NOISE, '');
      if (PLACEHOLDER_BODY.test(bare) || PATTERN_BODY.test(bare)) {
        blocks.push({ label, kind, start, end, body: '', placeholder: true });
        continue;
      }
      blocks.push({ label, kind, start, end, body: '', error: brokenBodyError(text, label, start, bodyStart, raw) });
      continue;
    }
    blocks.push({ label, kind, start, end, body });
  }
  return blocks;
}

/** A body of base64 lines and nothing else: padding only at the end. */
const PLAIN_BODY = /^[A-Za-z0-9+/\r\n\t ]*(?:=[\r\n\t ]*){0,2}$/;
const LINE_BREAKS = /[\r\n\t ]+/g;

/**
 * The body of a PEM block without NOISE, or undefined when what is left is not base64. The usual
 * body (base64 lines) takes one native regular-expression test and one replace; anything else goes
 * the way of the NOISE expression, which defines the result.
 */
function base64Body(raw: string): string | undefined {
  return PLAIN_BODY.test(raw) ? raw.replace(LINE_BREAKS, '') : slowBase64Body(raw);
}

/**
 * Bodies of certificate blocks seen lately, by their text as written: copies of one CA across a tree
 * and a bundle's usual members skip both regular expressions, and each gets the very string it got
 * before, whose hash the block cache has already computed (hashing a fresh 1.3 KB body on every
 * lookup was a fifth of a bundle's parse). Keys are copies, so no file's text stays alive through
 * them; certificates only (no key material is kept).
 */
const knownBodies = new Map<string, { raw: string; body: string }>();
let knownChars = 0;
const KNOWN_CHARS_LIMIT = 8 << 20;
/**
 * Known bodies are found by their last characters (a certificate ends with its signature), then
 * compared whole: comparing 1.3 KB costs far less than hashing it.
 */
const TAIL = 64;

function certificateBody(raw: string): string | undefined {
  const known = knownBodies.get(raw.slice(-TAIL));
  if (known !== undefined && known.raw === raw) return known.body;
  // Only plain bodies (base64 lines: ASCII) are kept, so that the copy below is exact.
  if (!PLAIN_BODY.test(raw)) return slowBase64Body(raw);
  // A slice of the file's text (a body without line breaks is one, replace() returns it) would keep
  // all of the text alive: a copy, and the body from it.
  const copy = Buffer.from(raw, 'latin1').toString('latin1');
  const body = copy.replace(LINE_BREAKS, '');
  if (body.length % 4 === 1) return body;
  if (knownChars > KNOWN_CHARS_LIMIT) {
    knownBodies.clear();
    knownChars = 0;
  }
  knownBodies.set(copy.slice(-TAIL), { raw: copy, body });
  knownChars += raw.length + body.length;
  return body;
}

/**
 * What joins the lines of a string literal in source code: a closing and an opening quote with
 * nothing but whitespace, `+` (Java, JavaScript, Go), `.` (PHP), `,` (an array of lines) or a
 * macro's line-continuation `\` between them, as in C's adjacent literals (`"MIIB...\n"` then
 * `"MIIC...\n"`, the way firmware compiles in its root CAs); and a `\` at the end of a line, which
 * continues one literal (C, Rust, a YAML double-quoted scalar). No base64 line holds a quote or a
 * backslash, so these are never part of a body; the `\n` escapes inside the literals are NOISE.
 */
const LITERAL_JOIN = /["'][\s\\+.,]*["']|\\\r?\n/g;

function slowBase64Body(raw: string): string | undefined {
  const body = raw.replace(NOISE, '');
  if (BASE64.test(body)) return body;
  if (!/["'\\]/.test(body)) return undefined;
  const joined = raw.replace(LITERAL_JOIN, '').replace(NOISE, '');
  return BASE64.test(joined) ? joined : undefined;
}

/**
 * `indexOf` for one needle from non-decreasing positions. A search runs only when the position
 * passes the last hit, so the ranges scanned never overlap: linear in the text over all calls.
 */
class ForwardSearch {
  private hit = -1;
  private searchedFrom = Infinity;

  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}

  /** Offset of the first occurrence at or after `from`, or the text's length when there is none. */
  from(from: number): number {
    if (from < this.searchedFrom || from > this.hit) {
      const i = this.text.indexOf(this.needle, from);
      this.hit = i < 0 ? this.text.length : i;
      this.searchedFrom = from;
    }
    return this.hit;
  }
}

/**
 * Why a block's body does not decode. A BEGIN or END line with a sixth dash (`------BEGIN
 * CERTIFICATE-----`, a slip when editing a bundle) leaves a `-` in the body: said as such, on the
 * line with the extra dash, since OpenSSL and Go look for exactly five and do not read the block.
 */
function brokenBodyError(text: string, label: string, start: number, bodyStart: number, raw: string): NonNullable<PemBlock['error']> {
  const extraBeforeBegin = text[start - 1] === '-';
  if (extraBeforeBegin || raw.endsWith('-')) {
    const line = extraBeforeBegin ? 'BEGIN' : 'END';
    return {
      code: 'invalid-base64',
      message: `PEM block "${label}" has a ${line} line with more than five dashes: OpenSSL and Go look for exactly five and do not read the block`,
      offset: extraBeforeBegin ? start - 1 : bodyStart + raw.length - 1,
    };
  }
  const bad = firstBadCharacter(raw);
  return {
    code: 'invalid-base64',
    message: bad
      ? `PEM block "${label}" holds ${describeChar(bad.char)}, which is not base64`
      : `PEM block "${label}" has a base64 body of invalid length`,
    offset: bad ? bodyStart + bad.offset : start,
  };
}

function firstBadCharacter(raw: string): { char: string; offset: number } | undefined {
  const cleaned = raw.replace(NOISE, (s) => ' '.repeat(s.length));
  const m = /[^A-Za-z0-9+/= ]|=+[A-Za-z0-9+/]/.exec(cleaned);
  return m ? { char: m[0][0], offset: m.index } : undefined;
}

function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `a control character (0x${code.toString(16).padStart(2, '0')})`;
  return `the character "${c}"`;
}

/** Quick test used before decoding a file as text. */
export const PEM_MARKER = Buffer.from('-----BEGIN ');
/** base64("-----BEGIN") as it starts a base64-encoded PEM value (Kubernetes secrets, kubeconfig). */
export const BASE64_PEM_MARKER = 'LS0tLS1CRUdJTi';
