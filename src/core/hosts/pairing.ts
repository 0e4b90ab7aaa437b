import { homedir } from 'node:os';
import type { FileLocation, Range } from '../model';
import { resolveNamedFile } from '../formats/extensions';
import { LineIndex } from '../formats/lines';
import { configFormat, maskComments } from '../formats/configFormats';
import { isPlaceholder, normalizeHost } from './names';
import { caddyLines, type Directive, HAPROXY_SECTION, haproxyLines, listenPort, nginxTokens, nginxTree } from './servers';
import { splitHostPort } from './urls';
import { extractPairs, type Pair, type PairSet } from './configValues';

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
 * (see drift.ts). Only configuration formats are read; comments never count. `pairSet`: host
 * discovery's pairs of the same text, so a YAML file is read into pairs once.
 */
export function pairingIn(file: string, text: string, pairSet?: () => PairSet | undefined): Pairing {
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
      return text.length <= MAX_YAML && (mayPairYaml(text) || (text.includes('Secret') && /kind:\s*["']?Secret/.test(text)))
        ? yamlPairing(file, text, pairSet)
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
  for (const { keyword, rest, words } of haproxyLines(text)) {
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
    if (!HAPROXY_NAME_FETCH.test(rest)) continue;
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
  for (const words of caddyLines(text)) {
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

// ---------------------------------------------------------------- YAML: Ingress, Helm values, Secrets, Traefik, compose

/**
 * Whether a YAML text holds the words of a pair (a Secret alone only declares). Plain substring
 * searches: a regex of alternatives over a large Helm values file cost several times more.
 */
function mayPairYaml(text: string): boolean {
  return (
    text.includes('secretName') ||
    text.includes('certFile') ||
    text.includes('traefik.http.routers') ||
    (text.includes('caddy') && /caddy(?:_\d+)?\.tls/.test(text))
  );
}

/**
 * Ingress `spec.tls[]` entries and Helm values in the same shape (`hosts` and `secretName` side by
 * side), Kubernetes Secrets (by name), Traefik's dynamic configuration and docker-compose labels.
 * Read with the line-based pair reader host discovery uses (configValues.ts): a YAML parse of a large
 * Helm values file costs ~0.1 ms per KB.
 */
function yamlPairing(file: string, text: string, pairSet?: () => PairSet | undefined): Pairing {
  const lines = new LineIndex(text);
  const out: Pairing = { pairs: [], secrets: [] };
  // Secrets are read by lines, document by document (a stream of large Secrets is common).
  const separator = /^---[ \t]*(?:#.*)?$/gm;
  let start = 0;
  for (;;) {
    const m = separator.exec(text);
    const end = m ? m.index : text.length;
    const doc = text.slice(start, end);
    if (doc.includes('Secret') && /^kind:[ \t]*["']?Secret["']?[ \t]*$/m.test(doc)) secretIn(file, doc, start, lines, out.secrets);
    if (!m) break;
    start = m.index + m[0].length;
  }
  if (!mayPairYaml(text)) return out;
  // Host discovery's reading of the same text when there is one (comments blanked, as here).
  const set = pairSet ? pairSet() : extractPairs('yaml', maskComments(text, 'yaml'));
  if (!set) return out;
  // The pairs that start a pairing; most files (a large Helm values file) have none, and stop here.
  const isRule = (path: readonly string[]) => path.length === 4 && path[0] === 'http' && path[1] === 'routers' && path[3] === 'rule';
  const isLabel = (path: readonly string[]) => path.length === 4 && path[0] === 'services' && path[2] === 'labels';
  const starts = set.pairs.filter((p) => p.path[p.path.length - 1] === 'secretName' || isRule(p.path) || isLabel(p.path));
  if (!starts.length) return out;
  // The pairs of the objects those read (a tls entry's hosts, a router's siblings, a service's labels, Traefik's tls), by path.
  const objects = new Map<string, Pair[]>();
  const keyOf = (doc: number | undefined, path: readonly string[]) => `${doc ?? 0}\0${path.join('\0')}`;
  for (const pair of set.pairs) {
    const path = pair.path;
    if (path[path.length - 2] !== 'hosts' && path[0] !== 'services' && path[0] !== 'http' && path[0] !== 'tls') continue;
    const k = keyOf(pair.doc, path.slice(0, -1));
    const list = objects.get(k);
    if (list) list.push(pair);
    else objects.set(k, [pair]);
  }
  // Traefik: routers with settings under `tls` (tls.options, tls.certResolver ...), and each document's certificate files.
  const traefik: Traefik = { routersWithTls: new Set(), certFiles: new Map() };
  for (const pair of set.pairs) {
    const path = pair.path;
    if (path.length > 4 && path[0] === 'http' && path[1] === 'routers' && path[3] === 'tls')
      traefik.routersWithTls.add(keyOf(pair.doc, path.slice(0, 3)));
    if (path[0] === 'tls' && path[1] === 'certificates' && path[path.length - 1] === 'certFile' && certificatePath(pair.value)) {
      const list = traefik.certFiles.get(pair.doc ?? 0);
      if (list) list.push(pair);
      else traefik.certFiles.set(pair.doc ?? 0, [pair]);
    }
  }
  const at = (start: number, end: number) => lines.range(start, end);
  for (const pair of starts.slice(0, MAX_STARTS)) {
    if (out.pairs.length >= MAX_PAIRS) break;
    const parent = pair.path.slice(0, -1);
    if (isRule(pair.path)) traefikRouter(file, text, pair, objects, keyOf, traefik, at, out.pairs);
    else if (isLabel(pair.path)) composeLabel(file, pair, objects.get(keyOf(pair.doc, parent)) ?? [], at, out.pairs);
    else tlsEntry(file, pair, parent, set.kinds[pair.doc ?? 0], objects, keyOf, at, out.pairs);
  }
  return out;
}

type KeyOf = (doc: number | undefined, path: readonly string[]) => string;
/** What Traefik's file provider says beside its routers, read once per file. */
interface Traefik {
  routersWithTls: Set<string>;
  certFiles: Map<number, Pair[]>;
}
/** Most pairs that may start a pairing read in one file. */
const MAX_STARTS = 5000;
type At = (start: number, end: number) => Range;

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

/** `secretName` beside a `hosts` list: an Ingress tls entry, or Helm values in its shape. */
function tlsEntry(
  file: string,
  secret: Pair,
  parent: readonly string[],
  kind: string | undefined,
  objects: ReadonlyMap<string, Pair[]>,
  keyOf: KeyOf,
  at: At,
  out: EndpointPair[],
): void {
  if (isPlaceholder(secret.value) || !secret.value) return;
  for (const h of objects.get(keyOf(secret.doc, [...parent, 'hosts'])) ?? []) {
    const host = h.item ? servedName(h.value) : undefined;
    if (!host || out.length >= MAX_PAIRS) continue;
    out.push({
      file,
      range: at(h.start, h.end),
      host,
      port: 443,
      via: kind === 'Ingress' ? 'ingress' : 'helm',
      secretName: secret.value,
      certificateRange: at(secret.start, secret.end),
    });
  }
}

/** The names of `Host(...)` matchers in a Traefik rule, with their offsets in the rule's text. */
function* ruleHosts(rule: string): Generator<{ host: string; start: number; length: number }> {
  for (const hm of rule.matchAll(/Host\(([^)]*)\)/g)) {
    for (const q of hm[1].matchAll(/[`"']([^`"']+)[`"']/g)) {
      const host = servedName(q[1]);
      if (host) yield { host, start: (hm.index ?? 0) + 5 + (q.index ?? 0) + 1, length: q[1].length };
    }
  }
}

/**
 * Traefik's file provider: a router with `tls` (any form, `tls: {}` included) and a `Host(...)`
 * rule, with the `tls.certificates[].certFile` of the same file (Traefik picks by SNI: paired by SAN).
 */
function traefikRouter(
  file: string,
  text: string,
  rule: Pair,
  objects: ReadonlyMap<string, Pair[]>,
  keyOf: KeyOf,
  traefik: Traefik,
  at: At,
  out: EndpointPair[],
): void {
  const router = rule.path.slice(0, -1);
  const files = traefik.certFiles.get(rule.doc ?? 0) ?? [];
  if (!files.length) return;
  const siblings = objects.get(keyOf(rule.doc, router)) ?? [];
  const hasTls =
    siblings.some((p) => p.path[p.path.length - 1] === 'tls' && p.value !== 'false') ||
    traefik.routersWithTls.has(keyOf(rule.doc, router)) ||
    siblingKeyLine(text, rule.start, 'tls');
  if (!hasTls) return;
  for (const h of ruleHosts(rule.value)) {
    for (const f of files) {
      if (out.length >= MAX_PAIRS) return;
      out.push({
        file,
        range: at(rule.start + h.start, rule.start + h.start + h.length),
        host: h.host,
        port: 443,
        via: 'traefik',
        certificateFile: resolveNamedFile(file, f.value, homedir()),
        certificateRange: at(f.start, f.end),
        bySan: true,
      });
    }
  }
}

/** Whether the mapping holding the value at `offset` has a key `name` (such as `tls: {}`, which holds no value to read). */
function siblingKeyLine(text: string, offset: number, name: string): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0].length ?? 0;
  const isKey = new RegExp(`^[ \\t]{${indent}}${name}[ \\t]*:`);
  const inBlock = (line: string) => !line.trim() || /^[ \t]*#/.test(line) || (/^[ \t]*/.exec(line)?.[0].length ?? 0) >= indent;
  const lineAt = (from: number) => {
    const to = text.indexOf('\n', from);
    return text.slice(from, to < 0 ? text.length : to);
  };
  // Down from the rule's line, then up, while the lines belong to the same mapping.
  for (let from = lineStart; from <= text.length;) {
    const line = lineAt(from);
    if (from !== lineStart && !inBlock(line)) break;
    if (isKey.test(line)) return true;
    from += line.length + 1;
  }
  for (let end = lineStart - 1; end > 0;) {
    const from = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(from, end);
    if (!inBlock(line)) break;
    if (isKey.test(line)) return true;
    end = from - 1;
  }
  return false;
}

/**
 * docker-compose service labels: a Traefik router with `tls=true` and a `Host(...)` rule (Traefik
 * serves the certificate of its file provider whose names cover the host: paired by SAN, with a
 * configuration's evidence; a router with a certresolver gets its certificate from ACME, not the
 * repository), and caddy-docker-proxy's `caddy: HOSTS` with `caddy.tls: CERT KEY`.
 */
function composeLabel(file: string, label: Pair, labels: readonly Pair[], at: At, out: EndpointPair[]): void {
  const key = label.path[label.path.length - 1];
  const value = (k: string) => labels.find((p) => p.path[p.path.length - 1] === k);
  const router = /^traefik\.http\.routers\.([^.]+)\.rule$/.exec(key);
  if (router) {
    const tls = `traefik.http.routers.${router[1]}.tls`;
    if (value(tls)?.value.trim() !== 'true' || value(`${tls}.certresolver`)) return;
    for (const h of ruleHosts(label.value)) {
      if (out.length >= MAX_PAIRS) return;
      const start = label.start + h.start;
      out.push({ file, range: at(start, start + h.length), host: h.host, port: 443, via: 'traefik', bySan: true });
    }
    return;
  }
  if (!/^caddy(_\d+)?$/.test(key)) return;
  const tls = value(`${key}.tls`);
  const certificate = tls && /^\s*(\S+)\s+\S+/.exec(tls.value);
  if (!tls || !certificate || !certificatePath(certificate[1])) return;
  const certStart = tls.start + tls.value.indexOf(certificate[1]);
  for (const w of label.value.matchAll(/[^\s,]+/g)) {
    if (/^http:\/\//i.test(w[0])) continue;
    const skip = /^https:\/\//i.test(w[0]) ? 8 : 0;
    const hp = splitHostPort(w[0].slice(skip).replace(/\/.*$/, ''));
    const host = hp && servedName(hp.host);
    const start = label.start + (w.index ?? 0) + skip;
    if (!host || hp.port === 80 || out.length >= MAX_PAIRS) continue;
    out.push({
      file,
      range: at(start, start + hp.host.length),
      host,
      port: hp.port ?? 443,
      via: 'caddy',
      certificateFile: resolveNamedFile(file, certificate[1], homedir()),
      certificateRange: at(certStart, certStart + certificate[1].length),
    });
  }
}
