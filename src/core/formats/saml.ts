/**
 * SAML metadata, WS-Federation metadata and other signed XML: the certificates of X509Certificate
 * elements (any namespace prefix) and the validUntil of EntityDescriptor/EntitiesDescriptor, with
 * exact offsets. A tolerant scanner over the text, not an XML parser: elements are matched by local
 * name, a document cut short or badly nested still yields what it holds, and every character is
 * looked at a bounded number of times (linear in the text).
 */
import type { SamlKeyInfo } from '../model';

export interface SamlCertificate {
  /** Offsets of the base64 text: its first and just past its last non-blank character. */
  start: number;
  end: number;
  /** The base64 with blanks, line-break entities and string escapes removed. */
  base64: string;
  /** PEM (or base64 of PEM) where DER belongs: the PEM reader reads it. */
  pem?: boolean;
  info: SamlKeyInfo;
}

export interface SamlValidity {
  /** Offsets of the validUntil attribute's value. */
  start: number;
  end: number;
  value: string;
  /** Epoch ms; NaN when the value is not an xs:dateTime. */
  notAfter: number;
  label: string;
}

export interface SamlScan {
  certificates: SamlCertificate[];
  validity: SamlValidity[];
}

interface Attribute {
  value: string;
  start: number;
  end: number;
}

interface OpenElement {
  local: string;
  /** Attributes, kept only for the elements whose attributes matter. */
  attributes?: Map<string, Attribute>;
  /** validUntil of an EntityDescriptor/EntitiesDescriptor, read once (NaN when absent or not a date). */
  validUntil?: number;
}

/** Elements whose attributes say something about the certificates inside them. */
const KEPT_ATTRIBUTES = new Set(['EntityDescriptor', 'EntitiesDescriptor', 'KeyDescriptor', 'RoleDescriptor']);
/** Open elements tracked at most: a deeper (crafted) nesting is read without the deeper context. */
const MAX_DEPTH = 256;
/** Whitespace, XML character references for line breaks (signed XML from .NET writes `&#13;`), and `\n` escapes of strings. */
const BLANKS = /\s+|&#(?:13|10|x0*[dDaA]);|\\+[rnt]/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Template values and placeholders, and samples cut short (`MIIC...`): nothing to read. */
const PLACEHOLDER = /^(?:\$\{|\$\(|\{\{|\{%|%|\$[A-Za-z_]|@|#\{)|\.\.\.|…/;
const SSO_ROLES: Record<string, string> = { IDPSSODescriptor: 'IdP', SPSSODescriptor: 'SP' };
const WSFED_ROLES: Record<string, string> = { SecurityTokenServiceType: 'STS', ApplicationServiceType: 'RP' };

/** Whether a name character (ASCII letters, digits, `_ - . :`; any non-ASCII). */
function isNameChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 58) ||
    code === 95 ||
    code === 45 ||
    code === 46 ||
    code > 127
  );
}

/** Space, tab, CR or LF (a character code or a byte). */
export function isBlank(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

function localName(name: string): string {
  return name.slice(name.lastIndexOf(':') + 1);
}

/** Reads every X509Certificate element and entity validUntil of an XML text. */
export function scanSaml(text: string): SamlScan {
  const certificates: SamlCertificate[] = [];
  const validity: SamlValidity[] = [];
  const stack: OpenElement[] = [];
  let skipped = 0; // elements opened past MAX_DEPTH and not tracked
  const n = text.length;
  // Quotes known not to occur again: an unmatched one is searched for once, not at every tag.
  const exhausted = new Set<string>();
  const findQuote = (quote: string, from: number): number => {
    if (exhausted.has(quote)) return -1;
    const at = text.indexOf(quote, from);
    if (at === -1) exhausted.add(quote);
    return at;
  };
  let i = 0;
  while ((i = text.indexOf('<', i)) !== -1) {
    const next = text.charCodeAt(i + 1);
    if (next === 33 /* ! */) {
      const close = text.startsWith('<!--', i) ? '-->' : text.startsWith('<![CDATA[', i) ? ']]>' : '>';
      const end = text.indexOf(close, i + 2);
      if (end === -1) break;
      i = end + close.length;
      continue;
    }
    if (next === 63 /* ? */) {
      const end = text.indexOf('?>', i + 2);
      if (end === -1) break;
      i = end + 2;
      continue;
    }
    if (next === 47 /* / */) {
      let j = i + 2;
      while (j < n && isNameChar(text.charCodeAt(j))) j++;
      const local = localName(text.slice(i + 2, j));
      if (skipped > 0) skipped--;
      else {
        // Tolerant: closes the nearest open element of that name, and whatever was left open inside it.
        for (let k = stack.length - 1; k >= 0; k--) {
          if (stack[k].local === local) {
            stack.length = k;
            break;
          }
        }
      }
      const end = text.indexOf('>', j);
      if (end === -1) break;
      i = end + 1;
      continue;
    }
    let j = i + 1;
    while (j < n && isNameChar(text.charCodeAt(j))) j++;
    if (j === i + 1) {
      i++;
      continue;
    }
    const local = localName(text.slice(i + 1, j));
    const keep = KEPT_ATTRIBUTES.has(local) || local.endsWith('Descriptor');
    const attributes = keep ? new Map<string, Attribute>() : undefined;
    // Attributes: name="value" or name='value', up to > or />.
    let selfClosing = false;
    let tagEnd = -1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 62 /* > */) {
        tagEnd = j + 1;
        break;
      }
      if (c === 47 /* / */ && text.charCodeAt(j + 1) === 62) {
        selfClosing = true;
        tagEnd = j + 2;
        break;
      }
      if (!isNameChar(c)) {
        j++;
        continue;
      }
      const nameStart = j;
      while (j < n && isNameChar(text.charCodeAt(j))) j++;
      const name = text.slice(nameStart, j);
      while (j < n && isBlank(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 61 /* = */) continue;
      j++;
      while (j < n && isBlank(text.charCodeAt(j))) j++;
      // A quote, or an escaped one: XML inside a string of source code (`entityID=\"…\"`).
      const quote = text[j] === '\\' ? text.slice(j, j + 2) : text[j];
      if (quote !== '"' && quote !== "'" && quote !== '\\"' && quote !== "\\'") {
        j++;
        continue;
      }
      const valueEnd = findQuote(quote, j + quote.length);
      if (valueEnd === -1) {
        j += quote.length;
        continue;
      }
      attributes?.set(localName(name), {
        value: decodeEntities(text.slice(j + quote.length, valueEnd)),
        start: j + quote.length,
        end: valueEnd,
      });
      j = valueEnd + quote.length;
    }
    if (tagEnd === -1) break; // the document ends inside a tag
    i = tagEnd;
    if (local === 'X509Certificate') {
      if (selfClosing) continue;
      const contentEnd = text.indexOf('<', tagEnd);
      const found = certificateText(text, tagEnd, contentEnd === -1 ? n : contentEnd);
      if (found) certificates.push({ ...found, info: keyInfo(stack) });
      continue;
    }
    let validUntil: number | undefined;
    if ((local === 'EntityDescriptor' || local === 'EntitiesDescriptor') && attributes) {
      const until = attributes.get('validUntil');
      if (until) {
        const label =
          local === 'EntityDescriptor'
            ? `SAML metadata of ${attributes.get('entityID')?.value || 'an entity'}`
            : `SAML metadata${attributes.get('Name') ? ` ${attributes.get('Name')!.value}` : ' (EntitiesDescriptor)'}`;
        validUntil = parseXmlDateTime(until.value);
        validity.push({ start: until.start, end: until.end, value: until.value, notAfter: validUntil, label });
      }
    }
    if (selfClosing) continue;
    if (stack.length >= MAX_DEPTH) skipped++;
    else stack.push({ local, attributes, validUntil });
  }
  return { certificates, validity };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** An attribute value as XML means it: `&amp;` is `&`, `&#47;` is `/`. */
function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e];
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

/** The base64 text between `from` and `to`, trimmed; undefined when empty or a placeholder. */
function certificateText(
  text: string,
  from: number,
  to: number,
): { start: number; end: number; base64: string; pem?: boolean } | undefined {
  let start = from;
  let end = to;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  if (start === end) return undefined;
  const raw = text.slice(start, end);
  if (PLACEHOLDER.test(raw)) return undefined;
  if (raw.includes('-----BEGIN') || raw.startsWith('LS0tLS1CRUdJTi')) return { start, end, base64: '', pem: true };
  return { start, end, base64: raw.replace(BLANKS, '') };
}

/** Whether a cleaned certificate text is base64 that can decode (the caller reports it otherwise). */
export function isBase64(s: string): boolean {
  return BASE64.test(s) && s.length % 4 !== 1;
}

/** What the open elements say about a certificate inside them. */
function keyInfo(stack: readonly OpenElement[]): SamlKeyInfo {
  const info: SamlKeyInfo = {};
  for (let k = stack.length - 1; k >= 0; k--) {
    const { local, attributes, validUntil } = stack[k];
    if (local === 'Signature') info.signature ??= true;
    if (!attributes) continue;
    if (local === 'KeyDescriptor') {
      if (info.use === undefined && !info.signature) {
        const use = attributes.get('use')?.value.trim();
        info.use = use === 'signing' || use === 'encryption' ? use : 'both';
      }
    } else if (local === 'EntityDescriptor' || local === 'EntitiesDescriptor') {
      if (local === 'EntityDescriptor') info.entityID ??= attributes.get('entityID')?.value;
      info.cacheDuration ??= attributes.get('cacheDuration')?.value;
      if (validUntil !== undefined && !Number.isNaN(validUntil) && (info.validUntil === undefined || validUntil < info.validUntil))
        info.validUntil = validUntil;
    } else if (info.role === undefined) {
      info.role = roleName(local, attributes);
    }
  }
  return info;
}

/** IDPSSODescriptor → IdP, SPSSODescriptor → SP, RoleDescriptor xsi:type="fed:SecurityTokenServiceType" → STS, others by name. */
function roleName(local: string, attributes: ReadonlyMap<string, Attribute>): string {
  if (SSO_ROLES[local]) return SSO_ROLES[local];
  if (local === 'RoleDescriptor') {
    const type = localName(attributes.get('type')?.value ?? '');
    return WSFED_ROLES[type] ?? (type.replace(/Type$/, '') || 'RoleDescriptor');
  }
  return local.replace(/Descriptor$/, '');
}

const XML_DATE_TIME = /^\s*(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?\s*$/;

/** An xs:dateTime (a value without a time zone is read as UTC); NaN when it is not one. */
export function parseXmlDateTime(value: string): number {
  const m = XML_DATE_TIME.exec(value);
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return NaN;
  const ms = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return NaN;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return t;
}
