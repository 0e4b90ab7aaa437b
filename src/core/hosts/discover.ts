import { homedir } from 'node:os';
import * as path from 'node:path';
import type { FileLocation, FileReference } from '../model';
import { LineIndex } from '../formats/lines';
import { resolveNamedFile } from '../formats/extensions';
import { endpointFilter, keyFindings, valueFindings } from './endpointSettings';
import { HostMatcher, hostPortKey, parseHostPort, skipReason, startTlsFor, type StartTlsProtocol } from './names';
import { extractPairs, mayHoldPairs, type PairSet } from './configValues';
import { type Pairing, pairingIn } from './pairing';
import {
  apacheFindings,
  caddyFindings,
  haproxyFindings,
  httpFileFindings,
  nginxFindings,
  type PathFound,
  type ServerFindings,
} from './servers';
import { configFormat, type ConfigFormat, isTemplateName, maskComments, maskTemplateComments } from '../formats/configFormats';
import type { ProbeTarget } from './tlsHandshake';
import { findHostPorts, findUrls, type Found, mayHoldTlsPort, mayHoldUrl } from './urls';

/** A TLS endpoint named in a workspace file. */
export interface HostReference extends FileLocation {
  /** Lower case, no trailing dot; IPv6 without brackets. */
  host: string;
  port: number;
  /** URL scheme when the reference is a URL (https, ldaps, postgres ...). */
  scheme?: string;
  /** How it was found: 'url', 'host:port', 'key:DB_HOST', 'nginx server_name', 'ingress' ... */
  source: string;
}

export interface DiscoverOptions {
  /** Hosts never to report: exact names, host:port, or globs such as `*.corp.example`. */
  ignore?: readonly string[] | HostMatcher;
}

/** One endpoint to probe, with every place that names it. */
export interface HostTarget {
  /** host:port, IPv6 in brackets. */
  key: string;
  host: string;
  port: number;
  scheme?: string;
  /** Plain-text upgrade the port or scheme calls for (SMTP, IMAP, POP3, PostgreSQL, MySQL). */
  starttls?: StartTlsProtocol;
  references: HostReference[];
  /** Named in settings (`extra`), not found in a file. */
  userDefined?: boolean;
}

/** A certificate file a config names: nginx ssl_certificate, Apache SSLCertificateFile, `ca_file: certs/ca.pem`. */
/** A certificate file a config names (nginx ssl_certificate, a `ca:` key): the model's one file reference. */
export type CertificateFileReference = FileReference & { key: string };

/** At most this many references per file: a generated file listing thousands of hosts is data, not config. */
const MAX_REFERENCES_PER_FILE = 500;
/** Raw matches one detector may return for a file, before filtering down to MAX_REFERENCES_PER_FILE. */
const MAX_MATCHES_PER_DETECTOR = 10 * MAX_REFERENCES_PER_FILE;
/** Structured files (YAML, JSON …) are read up to this size; larger ones are data (generated CRD bundles, dumps). */
const MAX_STRUCTURED_LENGTH = 4 * 1024 * 1024;

/**
 * Words that must appear (in any case) for a file to be worth reading for endpoints by key: a host
 * key and a TLS hint. Looked for in the lower-cased text with includes(): a case-insensitive regex
 * of alternatives scanned a text without any of them at ~8 ns a character.
 */
const HOST_KEY_WORDS = ['host', 'endpoint', 'server', 'url', 'uri', 'addr', 'domain', 'broker'];
const TLS_KEY_WORDS = ['tls', 'ssl', 'secure', 'https', 'ldaps'];

/** `port`, `dbPort`, `DB_PORT`, `db.port` — not import, export, report or support. */
function hasPortKey(text: string): boolean {
  if (text.includes('Port') || text.includes('PORT')) return true;
  for (let at = text.indexOf('port'); at !== -1; at = text.indexOf('port', at + 4)) {
    const before = at ? text.charCodeAt(at - 1) : 0;
    if (before < 0x61 || before > 0x7a) return true;
  }
  return false;
}
/**
 * A key ending in host, domain, server or endpoint whose value starts like a DNS name
 * (`base_domain: corp.io`, `ldap_server = ldap.corp.io`): worth reading for bare names (see
 * keyFindings) though no TLS word is near. Over the lower-cased text; linear (no nested repeats).
 */
const BARE_DOMAIN_KEY = /(?:host|domain|server|endpoint|fqdn)(?:name)?s?["']?[ \t]*[:=][ \t]*["'[]?[ \t]*[a-z0-9][a-z0-9-]*\.[a-z]/;

function hasBareDomainKey(lower: string): boolean {
  return BARE_DOMAIN_KEY.test(lower);
}

const SERVER_FORMATS = new Set<ConfigFormat>(['nginx', 'apache', 'haproxy', 'caddy', 'http']);

/**
 * TLS endpoints named in one file, sorted by position. An endpoint is something a program connects
 * to: in server configs (nginx, Apache, HAProxy, Caddy, .http) the served names, proxied upstreams
 * and TLS URLs; in structured configs (YAML, JSON, TOML, INI, .env, properties, XML, Terraform) the
 * values of settings — a TLS URL or host:port that is the whole value (see isConnectionValue), a
 * host key with a TLS hint nearby, an Ingress host — outside documentation keys and schemas (see
 * endpointFilter), and the same inside block scalars that hold a config file (a ConfigMap's
 * `nginx.conf: |`). Prose, comments, reserved, local, invalid, templated, wildcard and ignored hosts
 * are left out. Whether a file is production code at all (not a test, example, document or vendored
 * copy) is the caller's decision: it calls this only for files it wants read.
 */
export function discoverHosts(file: string, text: string, options: DiscoverOptions = {}): HostReference[] {
  const reading = readingOf(file, text);
  return reading ? hostsIn(file, reading, options) : [];
}

/** Endpoints and certificate files a config file names, from one reading of it. */
export function discoverAll(
  file: string,
  text: string,
  options: DiscoverOptions = {},
): { hosts: HostReference[]; fileRefs: CertificateFileReference[]; pairing?: Pairing } {
  const reading = readingOf(file, text);
  if (!reading) return { hosts: [], fileRefs: [] };
  const found = { hosts: hostsIn(file, reading, options), fileRefs: fileReferencesIn(file, reading) };
  // Drift: the hosts it serves with a certificate it names (pairing.ts), from the same reading.
  const pairing = pairingIn(file, text, () => reading.pairs);
  return pairing.pairs.length || pairing.secrets.length ? { ...found, pairing } : found;
}

/** A config file's reading; undefined when it is no config format or cannot name anything (JSON that opens no object). */
function readingOf(file: string, text: string): Reading | undefined {
  const format = configFormat(file, text);
  return format && mayHoldPairs(format, text) ? new Reading(format, text, isTemplateName(file)) : undefined;
}

function hostsIn(file: string, reading: Reading, options: DiscoverOptions): HostReference[] {
  const text = reading.text;
  const found = endpointsIn(reading, path.basename(file), true);
  if (!found.length) return [];
  const ignore = options.ignore instanceof HostMatcher ? options.ignore : new HostMatcher(options.ignore);
  const lines = new LineIndex(text);
  const seen = new Set<string>();
  const out: (HostReference & { offset: number })[] = [];
  for (const f of found) {
    const at = `${f.start}:${f.end}`;
    if (seen.has(at)) continue;
    seen.add(at);
    if (skipReason(f.host, f.scheme !== undefined) || (!ignore.empty && ignore.matches(f.host, f.port))) continue;
    const ref: HostReference & { offset: number } = {
      host: f.host,
      port: f.port,
      file,
      range: lines.range(f.start, f.end),
      source: f.source,
      offset: f.start,
    };
    if (f.scheme) ref.scheme = f.scheme;
    out.push(ref);
    if (out.length >= MAX_REFERENCES_PER_FILE) break;
  }
  out.sort((a, b) => a.offset - b.offset);
  return out.map(({ offset: _offset, ...ref }) => ref);
}

/**
 * One text read as one format: its comment-masked form and its key/value pairs, each made once
 * when first asked. Endpoints and certificate paths are looked for in the same reading of a file
 * (discoverAll), which halved discovery's time.
 */
class Reading {
  private maskedText: string | undefined;
  private pairSet: PairSet | undefined | null = null;
  private serverSet: ReturnType<typeof serverFindings> | null = null;
  private lowerText: string | undefined;

  constructor(
    readonly format: ConfigFormat,
    readonly text: string,
    /** A Jinja2/ERB/Go template or a default (`nginx.conf.j2`): its template comments are blanked too, its file paths not read. */
    readonly template = false,
  ) {}

  /** The text in lower case, for hint words. */
  get lower(): string {
    return (this.lowerText ??= this.text.toLowerCase());
  }

  /** Comments blanked; jsonc-parser skips JSON's comments itself. */
  get masked(): string {
    if (this.maskedText === undefined) {
      const text = this.template ? maskTemplateComments(this.text) : this.text;
      this.maskedText = this.format === 'json' ? text : maskComments(text, this.format);
    }
    return this.maskedText;
  }

  /** What a server config (nginx, Apache, HAProxy, Caddy, .http) names; undefined for other formats. */
  get server(): ReturnType<typeof serverFindings> {
    if (this.serverSet === null) this.serverSet = serverFindings(this.format, this.masked);
    return this.serverSet;
  }

  /** The pairs (undefined for formats read by their own detector, and for texts too large to be config). */
  get pairs(): PairSet | undefined {
    if (this.pairSet === null)
      this.pairSet = this.text.length <= MAX_STRUCTURED_LENGTH ? extractPairs(this.format, this.masked) : undefined;
    return this.pairSet;
  }
}

/** Endpoints in the reading's text, at offsets into it; a range found twice keeps its first (most specific) source. */
function endpointsIn(reading: Reading, fileName: string, readBlocks: boolean): Found[] {
  const { format, text } = reading;
  const hasUrl = mayHoldUrl(text);
  const hasPort = mayHoldTlsPort(text);
  const lower = reading.lower;
  const hasKeys =
    HOST_KEY_WORDS.some((w) => lower.includes(w)) &&
    (TLS_KEY_WORDS.some((w) => lower.includes(w)) || hasPortKey(text) || hasBareDomainKey(lower));
  if (!SERVER_FORMATS.has(format) && !hasUrl && !hasPort && !hasKeys) return [];
  const masked = reading.masked;
  const server = reading.server;
  if (server) {
    // A server config is read whole: its URLs and host:port are where it proxies or redirects to.
    const outside = (f: Found) => !server.local.some(([s, e]) => f.start >= s && f.end <= e);
    return [
      ...server.hosts,
      ...(hasUrl ? findUrls(masked, 'url', 0, masked.length, MAX_MATCHES_PER_DETECTOR).filter(outside) : []),
      ...(hasPort ? findHostPorts(masked, 'host:port', 0, masked.length, MAX_MATCHES_PER_DETECTOR).filter(outside) : []),
    ];
  }
  const set = reading.pairs;
  if (!set) return [];
  const mayName = endpointFilter(set, fileName);
  const found = keyFindings(set, mayName).hosts;
  if (hasUrl || hasPort) for (const f of valueFindings(masked, set.pairs, mayName, MAX_MATCHES_PER_DETECTOR)) found.push(f);
  if (readBlocks) {
    for (const block of set.blocks) {
      if (found.length >= MAX_MATCHES_PER_DETECTOR) break;
      if (!mayName(block.path, block.doc)) continue;
      const content = text.slice(block.start, block.end);
      const key = block.path[block.path.length - 1] ?? '';
      const inner = embeddedFormat(key, content);
      if (!inner) continue;
      for (const f of endpointsIn(new Reading(inner, content), key, false))
        found.push({ ...f, start: f.start + block.start, end: f.end + block.start });
    }
  }
  return found;
}

/** A YAML key-value line, as the first line of a block scalar that holds YAML. */
const YAML_LINE = /^[ \t]*(?:- )?[\w.-]+:(?:[ \t]|$)/;

/**
 * The format of a block scalar's content: the one its key names as a file (`nginx.conf: |`,
 * `application.properties: |`), else JSON or YAML when it starts like them (a service account key,
 * an embedded values file); prose and scripts are not read.
 */
function embeddedFormat(key: string, content: string): ConfigFormat | undefined {
  const byName = /\.[a-z]{2,10}$/i.test(key) ? configFormat(key, content) : undefined;
  if (byName) return byName;
  const first = /\S[^\n]*/.exec(content);
  if (!first) return undefined;
  if (first[0].startsWith('{')) return 'json';
  return YAML_LINE.test(first[0]) ? 'yaml' : undefined;
}

function serverFindings(format: ConfigFormat, masked: string): ServerFindings | undefined {
  switch (format) {
    case 'nginx':
      return nginxFindings(masked);
    case 'apache':
      return apacheFindings(masked);
    case 'haproxy':
      return haproxyFindings(masked);
    case 'caddy':
      return caddyFindings(masked);
    case 'http':
      return httpFileFindings(masked);
    default:
      return undefined;
  }
}

export interface GroupOptions {
  /** Hosts the user added in settings: "host", "host:port" or "https://host:port"; probed even when local. */
  extra?: readonly string[];
}

/** One target per host:port with all its references, plus the user's extra hosts; sorted by host, then port. */
export function groupTargets(refs: Iterable<HostReference>, options: GroupOptions = {}): HostTarget[] {
  const targets = new Map<string, HostTarget>();
  const add = (host: string, port: number, scheme: string | undefined) => {
    const key = hostPortKey(host, port);
    let t = targets.get(key);
    if (!t) {
      t = { key, host, port, references: [] };
      targets.set(key, t);
    }
    if (!t.scheme && scheme) t.scheme = scheme;
    return t;
  };
  for (const r of refs) add(r.host, r.port, r.scheme).references.push(r);
  for (const spec of options.extra ?? []) {
    const parsed = parseExtra(spec);
    if (parsed) add(parsed.host, parsed.port, parsed.scheme).userDefined = true;
  }
  const list = [...targets.values()];
  for (const t of list) {
    const starttls = startTlsFor(t.port, t.scheme);
    if (starttls) t.starttls = starttls;
    t.references.sort(
      (a, b) =>
        a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
  }
  return list.sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
}

/** Where to connect instead of resolving host:port (`--resolve`, `certlens.hosts.resolve`), if anywhere. */
export type ConnectTo = (host: string, port: number) => { host: string; port: number } | undefined;

/** The probe for an endpoint: its host, port and STARTTLS upgrade, sent to `connectTo`'s address when it names one. */
export function probeTargetFor(t: { host: string; port: number; starttls?: ProbeTarget['starttls'] }, connectTo?: ConnectTo): ProbeTarget {
  const target: ProbeTarget = { host: t.host, port: t.port };
  const to = connectTo?.(t.host, t.port);
  if (to) target.connectTo = to;
  if (t.starttls) target.starttls = t.starttls;
  return target;
}

function parseExtra(spec: string): { host: string; port: number; scheme?: string } | undefined {
  const s = spec.trim();
  if (s.includes('://')) {
    const [url] = findUrls(s, 'settings');
    return url ? { host: url.host, port: url.port, scheme: url.scheme } : undefined;
  }
  return parseHostPort(s);
}

/** Words near a certificate path (in the lower-cased text): `ca:`, `ca_file`, `caFile`, `ca-bundle`, `cacert`, `.pem` (not cache, case or catch). */
const CERT_WORDS = ['cert', 'crt', 'pem', 'ssl', 'tls'];
const CA_KEY = /\bca(?:[^a-z]|$|file|path|bundle|info)/;

function mayNameCertificate(lower: string): boolean {
  return CERT_WORDS.some((w) => lower.includes(w)) || CA_KEY.test(lower);
}

/** Certificate files named by a config, resolved against its folder. */
export function certificateFileReferences(file: string, text: string): CertificateFileReference[] {
  const reading = readingOf(file, text);
  return reading ? fileReferencesIn(file, reading) : [];
}

function fileReferencesIn(file: string, reading: Reading): CertificateFileReference[] {
  const text = reading.text;
  // A template or default renders elsewhere (on the target host, in the container): the paths it
  // names are that machine's (`/etc/ssl/certs/pgbouncer.crt`), not files of this workspace.
  if (reading.template) return [];
  if (!mayNameCertificate(reading.lower)) return [];
  const found = certificatePathsIn(reading, true);
  const lines = new LineIndex(text);
  const seen = new Set<number>();
  const out: CertificateFileReference[] = [];
  for (const f of found.sort((a, b) => a.start - b.start)) {
    if (seen.has(f.start)) continue;
    seen.add(f.start);
    out.push({
      file,
      target: resolveNamedFile(file, f.value, homedir()),
      written: f.value,
      range: lines.range(f.start, f.end),
      key: f.key,
    });
    if (out.length >= MAX_REFERENCES_PER_FILE) break;
  }
  return out;
}

/** Certificate paths in `text` read as `format`, at offsets into it, also in block scalars that hold a config file. */
function certificatePathsIn(reading: Reading, readBlocks: boolean): PathFound[] {
  const found = [...(reading.server?.paths ?? [])];
  const set = reading.pairs;
  if (!set) return found;
  for (const f of keyFindings(set).paths) found.push(f);
  if (readBlocks) {
    for (const block of set.blocks) {
      const content = reading.text.slice(block.start, block.end);
      const inner = mayNameCertificate(content.toLowerCase())
        ? embeddedFormat(block.path[block.path.length - 1] ?? '', content)
        : undefined;
      if (inner)
        for (const f of certificatePathsIn(new Reading(inner, content), false))
          found.push({ ...f, start: f.start + block.start, end: f.end + block.start });
    }
  }
  return found;
}
