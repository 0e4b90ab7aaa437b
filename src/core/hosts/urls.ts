import { isIP } from 'node:net';
import { isPlaceholder, isValidPort, normalizeHost, PARAM_TLS_SCHEMES, TLS_PORTS, TLS_SCHEMES } from './names';

/** A host found at offsets [start, end) of a file, before filtering. */
export interface Found {
  host: string;
  port: number;
  scheme?: string;
  start: number;
  end: number;
  source: string;
}

/** scheme://authority rest, matched at a known start (found by scanning back from "://"). */
const URL_AT = /((?:jdbc:)?[a-zA-Z][a-zA-Z0-9+.-]{1,24}):\/\/([^\s/?#"'<>`\\|;,()]*)([^\s"'<>`\\|,]{0,2048})/y;
const TLS_PARAM =
  /[?&;](?:sslmode|ssl-mode|ssl_mode|ssl|tls|usessl|use_ssl|requiressl)=(?:require|required|verify[-_](?:ca|full|identity)|true|1|yes|skip-verify)(?=[&;#]|$)/i;

const SQLSERVER_STRICT = /[;?&]encrypt=strict(?=[;&#]|$)/i;

/** Cheap test: could this text hold a TLS URL at all? */
export function mayHoldUrl(text: string): boolean {
  return text.includes('://');
}

/** The TLS port a URL's scheme and query imply, or undefined when the URL is not TLS. */
function urlDefaultPort(scheme: string, rest: string): { port: number | undefined } | undefined {
  if (TLS_SCHEMES.has(scheme)) return { port: TLS_SCHEMES.get(scheme) };
  const port = PARAM_TLS_SCHEMES.get(scheme);
  if (port !== undefined && TLS_PARAM.test(rest)) return { port };
  // SQL Server: encrypt=strict (TDS 8) opens with a TLS handshake; encrypt=true negotiates TLS inside
  // TDS packets, which a plain handshake cannot check, so it is not taken for an endpoint.
  if (scheme === 'sqlserver' && SQLSERVER_STRICT.test(rest)) return { port: 1433 };
  return undefined;
}

/**
 * TLS URLs in text[from, to): https://host[:port], ldaps://..., postgres://...?sslmode=require,
 * jdbc:mysql://...?useSSL=true. The range covers host[:port] without userinfo.
 */
export function findUrls(text: string, source: string, from = 0, to = text.length, limit = Infinity): Found[] {
  const out: Found[] = [];
  const slice = from === 0 && to === text.length ? text : text.slice(from, to);
  for (const m of urlMatches(slice)) {
    if (out.length >= limit) break;
    const scheme = m[1].toLowerCase().replace(/^jdbc:/, '');
    const tls = urlDefaultPort(scheme, m[3]);
    if (!tls) continue;
    const authority = m[2];
    if (!authority || isPlaceholder(authority)) continue;
    const at = authority.lastIndexOf('@');
    const hostPort = authority.slice(at + 1);
    const parsed = splitHostPort(hostPort);
    if (!parsed) continue;
    const port = parsed.port ?? tls.port;
    if (port === undefined) continue;
    const host = normalizeHost(parsed.host, true);
    if (!host) continue;
    const start = from + m.index + m[1].length + 3 + at + 1;
    out.push({ host, port, scheme, start, end: start + hostPort.length, source });
  }
  return out;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isSchemeChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

/** URL matches, found from each "://" backwards: far cheaper than trying a regex at every letter. */
function* urlMatches(text: string): Generator<RegExpExecArray> {
  let at = text.indexOf('://');
  let resumeAt = 0;
  while (at >= 0) {
    let start = at;
    while (start > 0 && at - start < 30 && isSchemeChar(text.charCodeAt(start - 1))) start--;
    // The scheme starts at a letter, not inside a word: "x_https://" and "1https://" are not URLs.
    while (start < at && !isLetter(text.charCodeAt(start))) start++;
    if (start >= 5 && text.startsWith('jdbc:', start - 5)) start -= 5;
    const before = start > 0 ? text.charCodeAt(start - 1) : 0;
    if (start >= resumeAt && start < at && !isSchemeChar(before) && before !== 95) {
      URL_AT.lastIndex = start;
      const m = URL_AT.exec(text);
      if (m) {
        yield m;
        resumeAt = start + m[0].length;
      }
    }
    at = text.indexOf('://', at + 3);
  }
}

/** "host", "host:port", "[v6]" or "[v6]:port"; undefined when malformed. */
export function splitHostPort(s: string): { host: string; port?: number } | undefined {
  let host = s;
  let portText: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    host = s.slice(1, close);
    const tail = s.slice(close + 1);
    if (tail && !tail.startsWith(':')) return undefined;
    portText = tail ? tail.slice(1) : undefined;
    if (isIP(host) !== 6) return undefined;
  } else {
    const colon = s.indexOf(':');
    if (colon >= 0) {
      if (s.indexOf(':', colon + 1) >= 0) return undefined;
      host = s.slice(0, colon);
      portText = s.slice(colon + 1);
    }
  }
  if (!host) return undefined;
  if (portText === undefined) return { host };
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  return isValidPort(port) ? { host, port } : undefined;
}

const PORT_ALTERNATION = [...TLS_PORTS].sort((a, b) => b - a).join('|');
const TLS_PORT_HINT = new RegExp(`:(?:${PORT_ALTERNATION})(?!\\d)`);
const HOST_PORT_RE = new RegExp(
  String.raw`(?<![\w.@-])((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z][a-zA-Z0-9-]{0,62}|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):(${PORT_ALTERNATION})(?![\w-]|\.\d)`,
  'g',
);

/** Cheap test: does the text name a well-known TLS port after a colon? */
export function mayHoldTlsPort(text: string): boolean {
  return TLS_PORT_HINT.test(text);
}

/** host:port pairs on well-known TLS ports anywhere in text[from, to). */
export function findHostPorts(text: string, source: string, from = 0, to = text.length, limit = Infinity): Found[] {
  const out: Found[] = [];
  const slice = from === 0 && to === text.length ? text : text.slice(from, to);
  HOST_PORT_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (out.length < limit && (m = HOST_PORT_RE.exec(slice))) {
    const host = normalizeHost(m[1]);
    if (!host) continue;
    if (!isIP(host) && /^[\d.]+$/.test(host)) continue;
    const start = from + m.index;
    out.push({ host, port: Number(m[2]), start, end: start + m[0].length, source });
  }
  return out;
}
