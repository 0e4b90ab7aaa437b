import { homedir } from 'node:os';
import { isMap, isScalar, isSeq, type Node, parseAllDocuments, type YAMLMap } from 'yaml';
import type { FileLocation, Range } from '../model';
import { resolveNamedFile } from '../formats/extensions';
import { LineIndex } from '../formats/lines';
import { configFormat, maskComments } from '../formats/configFormats';
import { isPlaceholder, normalizeHost } from './names';
import { type Directive, listenPort, nginxTokens, nginxTree } from './servers';
import { splitHostPort } from './urls';

/**
 * How a configuration pairs a served name with a certificate: an nginx server block, an Apache
 * virtual host, an HAProxy frontend, a Caddyfile site, an Ingress `tls` entry, a Helm values `tls`
 * entry, a Traefik dynamic configuration.
 */
export type PairingKind = 'nginx' | 'apache' | 'haproxy' | 'caddy' | 'ingress' | 'helm' | 'traefik';

/** A host a configuration serves with a certificate it names (a file or a Kubernetes Secret). */
export interface EndpointPair extends FileLocation {
  /** Lower case, no trailing dot. The location (file, range) is where the host is named. */
  host: string;
  port: number;
  via: PairingKind;
  /** The certificate file named, resolved as the scan resolves referenced files. */
  certificateFile?: string;
  /** Where the certificate file or Secret is named. */
  certificateRange?: Range;
  /** The Kubernetes Secret (type kubernetes.io/tls) whose tls.crt is served. */
  secretName?: string;
  /**
   * The configuration lists certificates and the server picks by SNI (Traefik's `tls.certificates`):
   * only those whose names cover the host are paired.
   */
  bySan?: boolean;
}

/** A Kubernetes Secret in a file: its certificates are those of the file between these lines. */
export interface SecretDeclaration {
  file: string;
  name: string;
  namespace?: string;
  fromLine: number;
  toLine: number;
}

export interface Pairing {
  pairs: EndpointPair[];
  secrets: SecretDeclaration[];
}

/** At most this many pairs per file. */
const MAX_PAIRS = 500;
/** YAML files above this size are not parsed for pairs (generated bundles). */
const MAX_YAML = 1024 * 1024;

const NOTHING: Pairing = { pairs: [], secrets: [] };

/**
 * The endpoints a production configuration file serves with a certificate it names, and the
 * Kubernetes Secrets it declares. Pure: the caller joins pairs with the workspace's certificates
 * (see drift.ts). Only configuration formats are read; comments never count.
 */
export function pairingIn(file: string, text: string): Pairing {
  const format = configFormat(file, text);
  if (!format) return NOTHING;
  switch (format) {
    case 'nginx':
      return text.includes('server_name') ? { pairs: nginxPairs(file, maskComments(text, format)), secrets: [] } : NOTHING;
    case 'apache':
      return /sslcertificatefile/i.test(text) ? { pairs: apachePairs(file, maskComments(text, format)), secrets: [] } : NOTHING;
    case 'haproxy':
      return text.includes('crt') ? { pairs: haproxyPairs(file, maskComments(text, format)), secrets: [] } : NOTHING;
    case 'caddy':
      return /\btls\b/.test(text) ? { pairs: caddyPairs(file, maskComments(text, format)), secrets: [] } : NOTHING;
    case 'yaml':
      return text.length <= MAX_YAML && /secretName|kind:\s*Secret|certFile|traefik\.http\.routers|caddy(?:_\d+)?\.tls/.test(text)
        ? yamlPairing(file, text)
        : NOTHING;
    default:
      return NOTHING;
  }
}

/** A served name as written, or undefined for wildcards, regexes and templates. */
function servedName(word: string): string | undefined {
  if (!word || word.startsWith('~') || word.startsWith('.') || word.includes('*') || isPlaceholder(word)) return undefined;
  const host = normalizeHost(word);
  return host && host.includes('.') ? host : undefined;
}

function certificatePath(value: string): boolean {
  return !!value && !value.startsWith('data:') && !isPlaceholder(value) && !value.endsWith('/');
}

// ---------------------------------------------------------------- nginx

/** Every server block with a TLS listen: each server_name with its ssl_certificate (the block's, else the enclosing http block's). */
function nginxPairs(file: string, text: string): EndpointPair[] {
  const lines = new LineIndex(text);
  const out: EndpointPair[] = [];
  const visit = (list: Directive[], inherited: Directive | undefined, depth: number) => {
    const own = list.find((d) => d.name === 'ssl_certificate' && d.args[0]) ?? inherited;
    for (const d of list) {
      if (d.name === 'server' && d.children) serverBlock(d.children, own);
      else if (d.children && depth < 8) visit(d.children, own, depth + 1);
    }
  };
  const serverBlock = (body: Directive[], inherited: Directive | undefined) => {
    let port: number | undefined;
    for (const d of body) {
      if (d.name === 'ssl' && d.args[0]?.text === 'on') port ??= 443;
      if (d.name !== 'listen' || !d.args[0]) continue;
      const p = listenPort(d.args[0].text);
      if (p !== undefined && (p === 443 || d.args.some((a) => a.text === 'ssl' || a.text === 'quic'))) port ??= p;
    }
    const cert = body.find((d) => d.name === 'ssl_certificate' && d.args[0]) ?? inherited;
    if (port === undefined || !cert || !certificatePath(cert.args[0].text)) return;
    for (const d of body) {
      if (d.name !== 'server_name') continue;
      for (const a of d.args) {
        const host = servedName(a.text);
        if (host && out.length < MAX_PAIRS)
          out.push({
            file,
            range: lines.range(a.start, a.end),
            host,
            port,
            via: 'nginx',
            certificateFile: resolveNamedFile(file, cert.args[0].text, homedir()),
            certificateRange: lines.range(cert.args[0].start, cert.args[0].end),
          });
      }
    }
  };
  visit(nginxTree(nginxTokens(text)), undefined, 0);
  return out;
}

// ---------------------------------------------------------------- Apache httpd

/** `<VirtualHost *:443>` (or SSLEngine on) blocks: ServerName and ServerAlias with SSLCertificateFile. */
function apachePairs(file: string, text: string): EndpointPair[] {
  const lines = new LineIndex(text);
  const out: EndpointPair[] = [];
  type Name = { host: string; port?: number; start: number; end: number };
  type VHost = { port?: number; ssl: boolean; names: Name[]; cert?: { value: string; start: number; end: number } };
  let vhost: VHost | undefined;
  const re = /^[ \t]*(<\/?VirtualHost\b[^>]*>|[A-Za-z]+)[ \t]*(.*?)[ \t]*\r?$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const head = m[1];
    const argsStart = m.index + m[0].indexOf(m[2], m[0].indexOf(head) + head.length);
    if (/^<VirtualHost/i.test(head)) {
      const ports = [...head.matchAll(/:(\d+)/g)].map((p) => Number(p[1]));
      vhost = { port: ports.includes(443) ? 443 : ports[0], ssl: ports.includes(443), names: [] };
      continue;
    }
    if (/^<\/VirtualHost/i.test(head)) {
      const v = vhost;
      vhost = undefined;
      if (!v?.ssl || !v.cert) continue;
      for (const n of v.names) {
        if (out.length >= MAX_PAIRS) break;
        out.push({
          file,
          range: lines.range(n.start, n.end),
          host: n.host,
          port: n.port ?? (v.port && v.port !== 80 ? v.port : 443),
          via: 'apache',
          certificateFile: resolveNamedFile(file, v.cert.value, homedir()),
          certificateRange: lines.range(v.cert.start, v.cert.end),
        });
      }
      continue;
    }
    if (!vhost) continue;
    const name = head.toLowerCase();
    if (name === 'sslengine' && /^on$/i.test(m[2])) vhost.ssl = true;
    if (name === 'sslcertificatefile' && m[2]) {
      const value = m[2].replace(/^"(.*)"$/, '$1');
      const start = argsStart + (m[2].startsWith('"') ? 1 : 0);
      if (certificatePath(value)) vhost.cert = { value, start, end: start + value.length };
    }
    if (name === 'servername' || name === 'serveralias') {
      for (const w of m[2].matchAll(/\S+/g)) {
        const word = w[0].replace(/^https?:\/\//i, '');
        const hp = splitHostPort(word);
        const host = hp && servedName(hp.host);
        if (!host) continue;
        const start = argsStart + (w.index ?? 0) + (w[0].length - word.length);
        vhost.names.push({ host, port: hp.port, start, end: start + word.length });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- HAProxy

const HAPROXY_SECTION = /^(?:frontend|backend|listen|defaults|global|peers|resolvers|userlist|program|http-errors|ring|cache|mailers)$/;
/** Sample fetches that compare the requested name: the names after them are what the frontend serves. */
const HAPROXY_NAME_FETCH = /\b(?:hdr(?:_dom|_beg|_end)?\(host\)|req\.hdr\(host\)|req\.ssl_sni|ssl_fc_sni)/;

/** A frontend (or listen section) that binds with `ssl crt FILE`: the names its ACLs compare the SNI or Host with. */
function haproxyPairs(file: string, text: string): EndpointPair[] {
  const lines = new LineIndex(text);
  const out: EndpointPair[] = [];
  type Section = { port?: number; cert?: { value: string; start: number }; names: { host: string; start: number }[] };
  let section: Section | undefined;
  const flush = () => {
    const s = section;
    if (!s?.cert || s.port === undefined) return;
    for (const n of s.names) {
      if (out.length >= MAX_PAIRS) break;
      out.push({
        file,
        range: lines.range(n.start, n.start + n.host.length),
        host: n.host,
        port: s.port,
        via: 'haproxy',
        certificateFile: resolveNamedFile(file, s.cert.value, homedir()),
        certificateRange: lines.range(s.cert.start, s.cert.start + s.cert.value.length),
      });
    }
  };
  const re = /^[ \t]*(\S+)(.*?)\r?$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const keyword = m[1];
    const restStart = m.index + m[0].indexOf(keyword) + keyword.length;
    const words = [...m[2].matchAll(/\S+/g)].map((w) => ({ text: w[0], start: restStart + (w.index ?? 0) }));
    if (HAPROXY_SECTION.test(keyword)) {
      flush();
      section = keyword === 'frontend' || keyword === 'listen' ? { names: [] } : undefined;
      continue;
    }
    if (!section) continue;
    if (keyword === 'bind' && words.some((w) => w.text === 'ssl')) {
      const crt = words.findIndex((w) => w.text === 'crt');
      const p = crt >= 0 ? words[crt + 1] : undefined;
      const port = /:(\d+)$/.exec(words[0]?.text ?? '');
      if (p && certificatePath(p.text) && !section.cert) {
        section.cert = { value: p.text, start: p.start };
        section.port = port ? Number(port[1]) : 443;
      }
      continue;
    }
    if (!HAPROXY_NAME_FETCH.test(m[2])) continue;
    for (const w of words) {
      const host = /^[a-z0-9]/i.test(w.text) ? servedName(w.text) : undefined;
      if (host && !/[()]/.test(w.text)) section.names.push({ host, start: w.start });
    }
  }
  flush();
  return out;
}

// ---------------------------------------------------------------- Caddyfile

/** Site blocks with `tls CERT KEY`: each site address with the certificate file. */
function caddyPairs(file: string, text: string): EndpointPair[] {
  const lines = new LineIndex(text);
  const out: EndpointPair[] = [];
  let depth = 0;
  let site: { host: string; port: number; start: number; end: number }[] = [];
  const re = /^[^\S\n]*(.*?)[^\S\n]*$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[0] === '' && re.lastIndex === m.index) re.lastIndex++;
    const line = m[1];
    if (!line) continue;
    const offset = m.index + m[0].indexOf(line);
    const words = [...line.matchAll(/\S+/g)].map((w) => ({ text: w[0], start: offset + (w.index ?? 0) }));
    if (depth === 0 && words[words.length - 1]?.text === '{' && words.length > 1 && !words[0].text.startsWith('(')) {
      site = [];
      for (const w of words.slice(0, -1)) {
        for (const part of w.text.split(',')) {
          if (!part || /^http:\/\//i.test(part)) continue;
          const skip = /^https:\/\//i.test(part) ? 8 : 0;
          const address = part.slice(skip).replace(/\/.*$/, '');
          const hp = splitHostPort(address);
          const host = hp && servedName(hp.host);
          const start = w.start + w.text.indexOf(part) + skip;
          if (host && hp.port !== 80) site.push({ host, port: hp.port ?? 443, start, end: start + address.length });
        }
      }
    } else if (depth === 1 && words[0].text === 'tls' && words[1] && words[2] && certificatePath(words[1].text)) {
      for (const s of site) {
        if (out.length >= MAX_PAIRS) break;
        out.push({
          file,
          range: lines.range(s.start, s.end),
          host: s.host,
          port: s.port,
          via: 'caddy',
          certificateFile: resolveNamedFile(file, words[1].text, homedir()),
          certificateRange: lines.range(words[1].start, words[1].start + words[1].text.length),
        });
      }
    }
    depth = Math.max(0, depth + words.filter((w) => w.text === '{').length - words.filter((w) => w.text === '}').length);
  }
  return out;
}

// ---------------------------------------------------------------- YAML: Ingress, Helm values, Secrets, Traefik

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : undefined;
}

function child(map: unknown, key: string): unknown {
  return isMap(map) ? map.get(key, true) : undefined;
}

/**
 * Ingress `spec.tls[]` entries and Helm values in the same shape (`hosts` and `secretName` side by
 * side), Kubernetes Secrets (by name), and Traefik's dynamic configuration (routers with `tls` and a
 * `Host(...)` rule, with the files of `tls.certificates`, which Traefik picks by SNI).
 */
function yamlPairing(file: string, text: string): Pairing {
  const lines = new LineIndex(text);
  const out: Pairing = { pairs: [], secrets: [] };
  // Documents are split by their `---` lines; a Secret is read by lines (a stream of large Secrets is
  // common, and a YAML parse of their base64 costs ~0.1 ms per KB), only documents that can pair are parsed.
  const separator = /^---[ \t]*(?:#.*)?$/gm;
  let start = 0;
  for (;;) {
    const m = separator.exec(text);
    const end = m ? m.index : text.length;
    const doc = text.slice(start, end);
    if (/^kind:[ \t]*["']?Secret["']?[ \t]*$/m.test(doc)) secretIn(file, doc, start, lines, out.secrets);
    else if (
      (doc.includes('secretName') ||
        doc.includes('certFile') ||
        doc.includes('traefik.http.routers') ||
        /\bcaddy(?:_\d+)?\.tls\b/.test(doc)) &&
      out.pairs.length < MAX_PAIRS
    )
      pairsInDocument(file, doc, start, lines, out.pairs);
    if (!m) break;
    start = m.index + m[0].length;
  }
  return out;
}

/** A Secret's `metadata.name` (and namespace), read by indentation. */
function secretIn(file: string, doc: string, offset: number, lines: LineIndex, out: SecretDeclaration[]): void {
  const metadata = /^metadata:[ \t]*\r?\n((?:[ \t]+.*(?:\r?\n|$)|[ \t]*(?:#.*)?\r?\n)*)/m.exec(doc);
  if (!metadata) return;
  const field = (key: string) => new RegExp(`^[ \\t]+${key}:[ \\t]*["']?([\\w.-]+)["']?[ \\t]*(?:#.*)?$`, 'm').exec(metadata[1])?.[1];
  const name = field('name');
  if (!name) return;
  const secret: SecretDeclaration = {
    file,
    name,
    fromLine: lines.position(offset).line,
    toLine: lines.position(offset + doc.length).line,
  };
  const namespace = field('namespace');
  if (namespace) secret.namespace = namespace;
  out.push(secret);
}

/** Ingress and Helm `tls` entries and Traefik's dynamic configuration in one YAML document at `offset`. */
function pairsInDocument(file: string, doc: string, offset: number, lines: LineIndex, out: EndpointPair[]): void {
  let parsed;
  try {
    parsed = parseAllDocuments(doc, { uniqueKeys: false });
  } catch {
    return;
  }
  if (!Array.isArray(parsed)) return;
  // A quoted scalar's range holds its quotes: the range is the value's text.
  const range = (n: Node) => {
    const quoted = isScalar(n) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE') ? 1 : 0;
    return lines.range(offset + (n.range?.[0] ?? 0) + quoted, offset + (n.range?.[1] ?? 0) - quoted);
  };
  for (const d of parsed) {
    if (d.errors.length) continue;
    const root = d.contents;
    if (!isMap(root)) continue;
    const via: PairingKind = scalarText(child(root, 'kind')) === 'Ingress' ? 'ingress' : 'helm';
    const tlsEntry = (map: YAMLMap) => {
      const secretNode = child(map, 'secretName');
      const secretName = scalarText(secretNode);
      const hosts = child(map, 'hosts');
      if (!secretName || isPlaceholder(secretName) || !isSeq(hosts)) return;
      for (const h of hosts.items) {
        const host = servedName(scalarText(h) ?? '');
        if (!host || !isScalar(h) || out.length >= MAX_PAIRS) continue;
        out.push({ file, range: range(h), host, port: 443, via, secretName, certificateRange: range(secretNode as Node) });
      }
    };
    const visit = (node: unknown, depth: number) => {
      if (depth > 24 || out.length >= MAX_PAIRS) return;
      if (isSeq(node)) for (const item of node.items) visit(item, depth + 1);
      if (!isMap(node)) return;
      tlsEntry(node);
      for (const item of node.items) visit(item.value, depth + 1);
    };
    visit(root, 0);
    traefikPairs(file, root, range, out);
    composeLabelPairs(file, root, offset, lines, out);
  }
}

/**
 * docker-compose service labels: Traefik routers with `tls=true` and a `Host(...)` rule (Traefik
 * serves the certificate of its file provider whose names cover the host: paired by SAN, with a
 * configuration's evidence; a router with a certresolver gets its certificate from ACME, not the
 * repository), and caddy-docker-proxy's `caddy: HOSTS` with `caddy.tls: CERT KEY`.
 */
function composeLabelPairs(file: string, root: YAMLMap, offset: number, lines: LineIndex, out: EndpointPair[]): void {
  const services = child(root, 'services');
  if (!isMap(services)) return;
  for (const service of services.items) {
    const labels = child(service.value, 'labels');
    // Each label's value, and where that value's text starts in the file.
    const values = new Map<string, { value: string; at: number }>();
    const textStart = (n: Node) =>
      offset + (n.range?.[0] ?? 0) + (isScalar(n) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE') ? 1 : 0);
    if (isSeq(labels)) {
      for (const item of labels.items) {
        const text = scalarText(item);
        const eq = text?.indexOf('=') ?? -1;
        if (text && eq > 0) values.set(text.slice(0, eq).trim(), { value: text.slice(eq + 1), at: textStart(item as Node) + eq + 1 });
      }
    } else if (isMap(labels)) {
      for (const item of labels.items) {
        const key = scalarText(item.key);
        const value = scalarText(item.value);
        if (key && value !== undefined) values.set(key, { value, at: textStart(item.value as Node) });
      }
    }
    for (const [key, { value, at }] of values) {
      const router = /^traefik\.http\.routers\.([^.]+)\.rule$/.exec(key);
      if (router) {
        const prefix = `traefik.http.routers.${router[1]}.tls`;
        if (values.get(prefix)?.value.trim() !== 'true' || values.has(`${prefix}.certresolver`)) continue;
        for (const hm of value.matchAll(/Host\(([^)]*)\)/g)) {
          for (const q of hm[1].matchAll(/[`"']([^`"']+)[`"']/g)) {
            const host = servedName(q[1]);
            const start = at + (hm.index ?? 0) + 5 + (q.index ?? 0) + 1;
            if (host && out.length < MAX_PAIRS)
              out.push({ file, range: lines.range(start, start + q[1].length), host, port: 443, via: 'traefik', bySan: true });
          }
        }
        continue;
      }
      const caddy = /^caddy(_\d+)?$/.exec(key);
      const tls = caddy && values.get(`${key}.tls`);
      const certificate = tls && /^\s*(\S+)\s+\S+/.exec(tls.value);
      if (!tls || !certificate || !certificatePath(certificate[1])) continue;
      const certStart = tls.at + tls.value.indexOf(certificate[1]);
      for (const w of value.matchAll(/[^\s,]+/g)) {
        if (/^http:\/\//i.test(w[0])) continue;
        const skip = /^https:\/\//i.test(w[0]) ? 8 : 0;
        const hp = splitHostPort(w[0].slice(skip).replace(/\/.*$/, ''));
        const host = hp && servedName(hp.host);
        const start = at + (w.index ?? 0) + skip;
        if (!host || hp.port === 80 || out.length >= MAX_PAIRS) continue;
        out.push({
          file,
          range: lines.range(start, start + hp.host.length),
          host,
          port: hp.port ?? 443,
          via: 'caddy',
          certificateFile: resolveNamedFile(file, certificate[1], homedir()),
          certificateRange: lines.range(certStart, certStart + certificate[1].length),
        });
      }
    }
  }
}

/** Traefik's file provider: `http.routers.*` with `tls` and `rule: Host(...)`, and `tls.certificates[].certFile`. */
function traefikPairs(file: string, root: YAMLMap, range: (n: Node) => Range, out: EndpointPair[]): void {
  const certificates = child(child(root, 'tls'), 'certificates');
  const routers = child(child(root, 'http'), 'routers');
  if (!isSeq(certificates) || !isMap(routers)) return;
  const files: { value: string; node: Node }[] = [];
  for (const c of certificates.items) {
    const node = child(c, 'certFile');
    const value = scalarText(node);
    if (value && certificatePath(value)) files.push({ value, node: node as Node });
  }
  for (const r of routers.items) {
    const rule = child(r.value, 'rule');
    if (!isMap(r.value) || !r.value.has('tls') || !isScalar(rule) || typeof rule.value !== 'string') continue;
    for (const hm of rule.value.matchAll(/Host\(([^)]*)\)/g)) {
      for (const q of hm[1].matchAll(/[`"']([^`"']+)[`"']/g)) {
        const host = servedName(q[1]);
        if (!host) continue;
        for (const f of files) {
          if (out.length >= MAX_PAIRS) return;
          out.push({
            file,
            range: range(rule),
            host,
            port: 443,
            via: 'traefik',
            certificateFile: resolveNamedFile(file, f.value, homedir()),
            certificateRange: range(f.node),
            bySan: true,
          });
        }
      }
    }
  }
}
