import { isPlaceholder, isValidPort, normalizeHost } from './names';
import { findUrls, type Found, splitHostPort } from './urls';

/** A certificate file path named by a directive or key, at offsets [start, end). */
export interface PathFound {
  value: string;
  start: number;
  end: number;
  key: string;
}

export interface ServerFindings {
  hosts: Found[];
  paths: PathFound[];
  /** Ranges of the server's own listen/bind addresses: never endpoints. */
  local: [number, number][];
}

// ---------------------------------------------------------------- nginx

export interface Word {
  text: string;
  start: number;
  end: number;
}

export interface Directive {
  name: string;
  args: Word[];
  children?: Directive[];
}

const MAX_DEPTH = 32;

/** nginx tokens: words (bare or quoted), ';', '{', '}'. Comments are already blanked. */
export function nginxTokens(text: string): Word[] {
  const out: Word[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([;{}])|([^\s;{}"']+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[1] !== undefined || m[2] !== undefined) {
      const inner = m[1] ?? m[2];
      out.push({ text: inner, start: m.index + 1, end: m.index + 1 + inner.length });
    } else {
      out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
    }
  }
  return out;
}

export function nginxTree(tokens: Word[]): Directive[] {
  let i = 0;
  const block = (depth: number): Directive[] => {
    const list: Directive[] = [];
    let words: Word[] = [];
    while (i < tokens.length) {
      const t = tokens[i++];
      if (t.text === ';') {
        if (words.length) list.push({ name: words[0].text, args: words.slice(1) });
        words = [];
      } else if (t.text === '{') {
        const d: Directive = { name: words[0]?.text ?? '', args: words.slice(1) };
        d.children = depth < MAX_DEPTH ? block(depth + 1) : [];
        list.push(d);
        words = [];
      } else if (t.text === '}') {
        return list;
      } else {
        words.push(t);
      }
    }
    return list;
  };
  return block(0);
}

/** Port of an nginx `listen` address: 443, *:443, [::]:443, 10.0.0.1:8443; 80 when only an address. */
export function listenPort(arg: string): number | undefined {
  if (arg.startsWith('unix:')) return undefined;
  if (/^\d+$/.test(arg)) return Number(arg);
  const m = /:(\d+)$/.exec(arg);
  return m ? Number(m[1]) : 80;
}

const NGINX_CERT_DIRECTIVES = new Set([
  'ssl_certificate',
  'ssl_trusted_certificate',
  'ssl_client_certificate',
  'proxy_ssl_certificate',
  'proxy_ssl_trusted_certificate',
  'grpc_ssl_certificate',
  'grpc_ssl_trusted_certificate',
  'uwsgi_ssl_certificate',
]);

/** server_name of TLS server blocks, TLS proxy_pass targets and ssl_certificate paths. */
export function nginxFindings(text: string): ServerFindings {
  const out: ServerFindings = { hosts: [], paths: [], local: [] };
  const visit = (list: Directive[], depth: number) => {
    for (const d of list) {
      if (NGINX_CERT_DIRECTIVES.has(d.name) && d.args[0] && !d.args[0].text.startsWith('data:') && !d.args[0].text.includes('$')) {
        out.paths.push({ value: d.args[0].text, start: d.args[0].start, end: d.args[0].end, key: d.name });
      }
      if (/^(?:proxy|grpc|uwsgi)_pass$/.test(d.name) && d.args[0]) {
        out.hosts.push(...findUrls(text, 'nginx proxy_pass', d.args[0].start, d.args[0].end));
      }
      if (d.name === 'server' && d.children) serverBlock(d.children);
      if (d.children && depth < MAX_DEPTH) visit(d.children, depth + 1);
    }
  };
  const serverBlock = (body: Directive[]) => {
    let tlsPort: number | undefined;
    let sslOn = false;
    for (const d of body) {
      if (d.name === 'ssl' && d.args[0]?.text === 'on') sslOn = true;
      if (d.name !== 'listen' || !d.args[0]) continue;
      out.local.push([d.args[0].start, d.args[0].end]);
      const port = listenPort(d.args[0].text);
      const ssl = d.args.some((a) => a.text === 'ssl' || a.text === 'quic');
      if (port !== undefined && (ssl || port === 443) && tlsPort === undefined) tlsPort = port;
    }
    if (tlsPort === undefined && sslOn) tlsPort = 443;
    if (tlsPort === undefined) return;
    for (const d of body) {
      if (d.name !== 'server_name') continue;
      for (const a of d.args) {
        if (a.text.startsWith('~') || a.text.startsWith('.') || a.text.includes('*') || isPlaceholder(a.text)) continue;
        const host = normalizeHost(a.text);
        if (host) out.hosts.push({ host, port: tlsPort, start: a.start, end: a.end, source: 'nginx server_name' });
      }
    }
  };
  visit(nginxTree(nginxTokens(text)), 0);
  return out;
}

// ---------------------------------------------------------------- Apache httpd

const APACHE_CERT_DIRECTIVES = new Set([
  'sslcertificatefile',
  'sslcertificatechainfile',
  'sslcacertificatefile',
  'sslproxycacertificatefile',
  'sslproxymachinecertificatefile',
]);

/** ServerName/ServerAlias of TLS virtual hosts (port 443 or SSLEngine on), and SSL*File paths. */
export function apacheFindings(text: string): ServerFindings {
  const out: ServerFindings = { hosts: [], paths: [], local: [] };
  type VHost = { port?: number; ssl: boolean; names: Found[] };
  const stack: VHost[] = [];
  const re = /^[ \t]*(<\/?VirtualHost\b[^>]*>|[A-Za-z]+)[ \t]*(.*?)[ \t]*\r?$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const head = m[1];
    const argsStart = m.index + m[0].indexOf(m[2], m[0].indexOf(head) + head.length);
    if (/^<VirtualHost/i.test(head) || /^listen$/i.test(head)) out.local.push([m.index, m.index + m[0].length]);
    if (/^<VirtualHost/i.test(head)) {
      const ports = [...head.matchAll(/:(\d+)/g)].map((p) => Number(p[1]));
      stack.push({ port: ports.includes(443) ? 443 : ports[0], ssl: ports.includes(443), names: [] });
      continue;
    }
    if (/^<\/VirtualHost/i.test(head)) {
      const v = stack.pop();
      if (v?.ssl) for (const n of v.names) out.hosts.push({ ...n, port: n.port || (v.port && v.port !== 80 ? v.port : 443) });
      continue;
    }
    const name = head.toLowerCase();
    const vhost = stack[stack.length - 1];
    if (name === 'sslengine' && /^on$/i.test(m[2]) && vhost) vhost.ssl = true;
    if (APACHE_CERT_DIRECTIVES.has(name) && m[2]) {
      const value = m[2].replace(/^"(.*)"$/, '$1');
      const start = argsStart + (m[2].startsWith('"') ? 1 : 0);
      if (!isPlaceholder(value)) out.paths.push({ value, start, end: start + value.length, key: head });
    }
    if ((name === 'servername' || name === 'serveralias') && vhost) {
      for (const w of m[2].matchAll(/\S+/g)) {
        const word = w[0].replace(/^https?:\/\//i, '');
        const skipped = w[0].length - word.length;
        if (word.includes('*') || isPlaceholder(word)) continue;
        const hp = splitHostPort(word);
        const host = hp && normalizeHost(hp.host);
        if (!host || !hp) continue;
        const start = argsStart + (w.index ?? 0) + skipped;
        vhost.names.push({ host, port: hp.port ?? 0, start, end: start + word.length, source: `apache ${head}` });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- HAProxy

/** `server NAME ADDR[:PORT] ... ssl` lines, and crt / ca-file paths on bind and server lines. */
/** HAProxy's section keywords: a line starting with one opens a section. */
export const HAPROXY_SECTION =
  /^(?:frontend|backend|listen|defaults|global|peers|resolvers|userlist|program|http-errors|ring|cache|mailers)$/;

/** A non-blank line of an HAProxy config: its keyword, the rest, its words after the keyword, and where the line is. */
export interface HaproxyLine {
  keyword: string;
  rest: string;
  words: { text: string; start: number }[];
  start: number;
  end: number;
}

/** The lines of an HAProxy config, at offsets into the text. */
export function* haproxyLines(text: string): Generator<HaproxyLine> {
  const re = /^[ \t]*(\S+)(.*?)\r?$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const keyword = m[1];
    const restStart = m.index + m[0].indexOf(keyword) + keyword.length;
    const words = [...m[2].matchAll(/\S+/g)].map((w) => ({ text: w[0], start: restStart + (w.index ?? 0) }));
    yield { keyword, rest: m[2], words, start: m.index, end: m.index + m[0].length };
  }
}

export function haproxyFindings(text: string): ServerFindings {
  const out: ServerFindings = { hosts: [], paths: [], local: [] };
  let defaultsSsl = false;
  let sectionSsl = false;
  let inDefaults = false;
  for (const { keyword, words, start, end } of haproxyLines(text)) {
    if (HAPROXY_SECTION.test(keyword)) {
      inDefaults = keyword === 'defaults';
      if (inDefaults) defaultsSsl = false;
      sectionSsl = defaultsSsl;
      continue;
    }
    for (let i = 0; i < words.length - 1; i++) {
      if (words[i].text === 'crt' || words[i].text === 'ca-file') {
        const p = words[i + 1];
        if (!isPlaceholder(p.text) && !p.text.endsWith('/'))
          out.paths.push({ value: p.text, start: p.start, end: p.start + p.text.length, key: words[i].text });
      }
    }
    if (keyword === 'bind') out.local.push([start, end]);
    const hasSsl = words.some((w) => w.text === 'ssl');
    if (keyword === 'default-server') {
      if (inDefaults) defaultsSsl = hasSsl;
      sectionSsl = hasSsl || sectionSsl;
      continue;
    }
    if (keyword !== 'server' || words.length < 2 || !(hasSsl || sectionSsl)) continue;
    const addr = words[1];
    if (isPlaceholder(addr.text) || /^(?:unix|abns|ipv[46])@/.test(addr.text)) continue;
    const hp = splitHostPort(addr.text);
    const host = hp && normalizeHost(hp.host);
    if (!hp || !host) continue;
    out.hosts.push({ host, port: hp.port ?? 443, start: addr.start, end: addr.start + addr.text.length, source: 'haproxy server' });
  }
  return out;
}

// ---------------------------------------------------------------- Caddyfile

/** The words of each non-blank line of a Caddyfile, at offsets into the text. */
export function* caddyLines(text: string): Generator<Word[]> {
  const re = /^[^\S\n]*(.*?)[^\S\n]*$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[0] === '' && re.lastIndex === m.index) re.lastIndex++;
    const line = m[1];
    if (!line) continue;
    const offset = m.index + m[0].indexOf(line);
    yield [...line.matchAll(/\S+/g)].map((w) => ({
      text: w[0],
      start: offset + (w.index ?? 0),
      end: offset + (w.index ?? 0) + w[0].length,
    }));
  }
}

/** Site addresses of a Caddyfile: Caddy serves HTTPS for every named host unless told http://. */
export function caddyFindings(text: string): ServerFindings {
  const out: ServerFindings = { hosts: [], paths: [], local: [] };
  let depth = 0;
  let sawBlock = false;
  let firstLine: { words: Word[] } | undefined;
  for (const words of caddyLines(text)) {
    const opens = words.filter((w) => w.text === '{').length;
    const closes = words.filter((w) => w.text === '}').length;
    if (depth === 0 && words[words.length - 1]?.text === '{' && !words[0].text.startsWith('(') && words.length > 1) {
      sawBlock = true;
      siteAddresses(words.slice(0, -1), out);
    } else if (depth === 0 && !firstLine && opens === 0 && !words[0].text.startsWith('(')) {
      firstLine = { words };
    }
    if (opens) sawBlock = sawBlock || depth === 0;
    depth = Math.max(0, depth + opens - closes);
  }
  // A Caddyfile with one site may omit the braces: its first line is the address list.
  if (!sawBlock && firstLine) siteAddresses(firstLine.words, out);
  return out;
}

function siteAddresses(words: Word[], out: ServerFindings): void {
  for (const w of words) {
    for (const part of w.text.split(',')) {
      if (!part) continue;
      const partStart = w.start + w.text.indexOf(part);
      if (/^http:\/\//i.test(part) || isPlaceholder(part) || part.includes('*')) continue;
      const schemeLength = /^https:\/\//i.test(part) ? 8 : 0;
      const address = part.slice(schemeLength).replace(/\/.*$/, '');
      const hp = splitHostPort(address);
      const host = hp && normalizeHost(hp.host);
      if (!hp || !host || hp.port === 80) continue;
      const start = partStart + schemeLength;
      out.hosts.push({ host, port: hp.port ?? 443, start, end: start + address.length, source: 'caddy site' });
    }
  }
}

// ---------------------------------------------------------------- .http / .rest

const REQUEST_LINE = /^[ \t]*(?:(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|TRACE|CONNECT)[ \t]+)?((?:https|wss):\/\/\S+)/gim;
const HTTP_VARIABLE = /^[ \t]*@([\w.-]+)[ \t]*=[ \t]*(\S+?)[ \t]*\r?$/gm;

/** Request lines of REST Client / JetBrains HTTP files, and `@host = name` variables they use. */
export function httpFileFindings(text: string): ServerFindings {
  const out: ServerFindings = { hosts: [], paths: [], local: [] };
  const variables = new Map<string, { value: string; start: number }>();
  let m: RegExpExecArray | null;
  HTTP_VARIABLE.lastIndex = 0;
  while ((m = HTTP_VARIABLE.exec(text))) variables.set(m[1], { value: m[2], start: m.index + m[0].indexOf(m[2], m[0].indexOf('=') + 1) });
  REQUEST_LINE.lastIndex = 0;
  while ((m = REQUEST_LINE.exec(text))) {
    const urlStart = m.index + m[0].length - m[1].length;
    out.hosts.push(...findUrls(text, 'http request', urlStart, urlStart + m[1].length));
    const v = /^https:\/\/\{\{\s*([\w.-]+)\s*\}\}(?=[/:?]|$)/.exec(m[1]);
    const variable = v && variables.get(v[1]);
    if (!variable) continue;
    const hp = splitHostPort(variable.value);
    const host = hp && normalizeHost(hp.host);
    if (hp && host && (hp.port === undefined || isValidPort(hp.port))) {
      out.hosts.push({
        host,
        port: hp.port ?? 443,
        scheme: 'https',
        start: variable.start,
        end: variable.start + variable.value.length,
        source: 'http variable',
      });
    }
  }
  return out;
}
