import { isIP } from 'node:net';
import { isCertificateFileName } from '../formats/extensions';
import { isPlaceholder, normalizeHost, TLS_PORTS, TLS_SCHEMES } from './names';
import type { Pair, PairSet } from './configValues';
import type { PathFound } from './servers';
import { findHostPorts, findUrls, type Found, splitHostPort } from './urls';

/** Last words of a key that name a host: DB_HOST, serverName, api.endpoint, bootstrap.servers. */
const HOST_WORDS = new Set([
  'host',
  'hostname',
  'endpoint',
  'server',
  'servername',
  'url',
  'uri',
  'address',
  'addr',
  'domain',
  'fqdn',
  'broker',
]);
const PLURAL_HOST_WORDS = new Set(['hosts', 'hostnames', 'endpoints', 'servers', 'urls', 'uris', 'addresses', 'domains', 'brokers']);
const PORT_WORDS = new Set(['port', 'sslport', 'tlsport', 'httpsport', 'secureport']);
const TLS_PORT_QUALIFIERS = new Set(['ssl', 'tls', 'https', 'secure']);
/** Key endings (after the shared stem) that switch TLS on: DB_SSLMODE, redis.ssl.enabled, smtp.starttls.enable. */
const TLS_KEYS = new Set([
  'tls',
  'ssl',
  'secure',
  'usetls',
  'usessl',
  'sslmode',
  'tlsmode',
  'sslenabled',
  'tlsenabled',
  'enabletls',
  'enablessl',
  'sslenable',
  'tlsenable',
  'scheme',
  'protocol',
  'https',
  'usehttps',
  'encrypt',
  'encryption',
  'securityprotocol',
  'starttls',
  'starttlsenable',
  'starttlsenabled',
  'starttlsrequired',
  'requiressl',
  'requiretls',
  'tlsverify',
  'ssltls',
]);
const TLS_VALUE =
  /^(?:true|yes|on|1|enabled?|required?|verify[-_]?(?:ca|full|identity|peer)|https|wss|grpcs|tls|ssl|ldaps|smtps|imaps|amqps|mqtts|rediss|sasl_ssl|ssl_tls|starttls|tlsv1(?:\.[0-3])?|strict|always)$/i;
/** Words in a key's stem that say the whole section is about TLS: tls.hosts, ssl.server. */
const TLS_STEM_WORDS = new Set(['tls', 'ssl', 'https', 'secure', 'ldaps', 'wss']);

/** TLS ports of protocols a key may name, for a TLS switch without a port: ldap.use_ssl=yes -> 636. */
const PROTOCOL_TLS_PORTS: Record<string, number> = {
  ldap: 636,
  smtp: 465,
  imap: 993,
  pop3: 995,
  pop: 995,
  amqp: 5671,
  rabbitmq: 5671,
  mqtt: 8883,
  ftp: 990,
  kube: 6443,
  kubernetes: 6443,
};

const CERT_DIR = /(?:^|[\\/])(?:certs?|ssl|tls|pki)[\\/]/i;
/** Last key words (after dropping file/path) that name a certificate file. */
const CERT_KEY_WORDS = new Set([
  'cert',
  'certificate',
  'ca',
  'cacert',
  'cacertificate',
  'cafile',
  'certfile',
  'rootcert',
  'rootca',
  'sslcert',
  'sslrootcert',
  'sslca',
  'tlscert',
  'tlsca',
  'cabundle',
  'chain',
  'certchain',
  'fullchain',
  'trustedca',
  'sslcertificate',
  'tlscertificate',
]);

/** Cheap pre-tests on a raw key, before it is split into words. */
const HOSTISH_KEY = /host|endpoint|server|url|uri|addr|domain|fqdn|broker/i;
const PORTISH_KEY = /port$/i;

/** Splits keys into lower-case words: DB_HOST -> db host, serverName -> server name, a.b-c -> a b c. */
export function keyWords(path: readonly string[], cache?: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const seg of path) {
    let words = cache?.get(seg);
    if (!words) {
      words = seg
        .split(/[._\-/\s:]+|(?<=[a-z0-9])(?=[A-Z])/)
        .filter((w) => w)
        .map((w) => w.toLowerCase());
      cache?.set(seg, words);
    }
    for (const w of words) out.push(w);
  }
  return out;
}

interface StemInfo {
  tls?: string;
  /** A TLS switch set off: `ldap.use_ssl: false`. */
  tlsOff?: boolean;
  ports: { port: number; tls: boolean }[];
}

/** Values that switch TLS off. */
const OFF_VALUE = /^(?:false|no|off|0|disabled?|none|plain|plaintext|http)$/i;

/**
 * Last words of keys under which a bare DNS name is read without a TLS hint: `base_domain: corp.io`,
 * `nextcloud_domain: cloud.corp.io`, `ldap_server = ldap.corp.io`, `api_endpoint`, `hosts: [a.corp.io]`.
 * Not `url`, `address` or `broker`: their bare values are as often plain services.
 */
const BARE_DOMAIN_WORDS = new Set([
  'host',
  'hosts',
  'hostname',
  'hostnames',
  'fqdn',
  'domain',
  'domains',
  'server',
  'servers',
  'servername',
  'endpoint',
  'endpoints',
]);
/**
 * Words of a key that name a service which speaks plain text unless told otherwise, or a name that
 * is no server at all (a DNS search domain, a mail domain, a listen address, an SSH target): a
 * bare name under `db_host`, `ntp_server`, `smtp_relay_host`… needs a TLS hint as before.
 */
const PLAIN_SERVICE_WORDS = new Set([
  'db',
  'database',
  'postgres',
  'postgresql',
  'pg',
  'mysql',
  'mariadb',
  'mssql',
  'sql',
  'redis',
  'memcache',
  'memcached',
  'mongo',
  'mongodb',
  'cassandra',
  'kafka',
  'zookeeper',
  'zk',
  'nats',
  'ntp',
  'dns',
  'name',
  'nameserver',
  'nameservers',
  'search',
  'syslog',
  'statsd',
  'graphite',
  'mail',
  'email',
  'relay',
  'proxy',
  'ssh',
  'sftp',
  'bastion',
  'jump',
  'ansible',
  'listen',
  'bind',
  'local',
  'localhost',
  'no',
  'kdc',
  'kerberos',
  'krb5',
  'realm',
  'ad',
  'workgroup',
  'dhcp',
  'tftp',
  'nfs',
  'smb',
  'cifs',
  'radius',
  'snmp',
  'vnc',
  'rdp',
  'logstash',
  'fluentd',
  'graylog',
  'log',
  'logs',
  'logging',
  'sender',
  // The machine's or server's own name, announced to others: advertised.host.name, node_hostname.
  'advertised',
  'advertise',
  'node',
  'machine',
  'self',
  // A session cookie's domain: where a cookie is sent, not a server (`session.cookies[].domain`).
  'cookie',
  'cookies',
  'session',
  // Lists of names that are not to be served or reached: notHosts, excluded_domains, ignore_hosts.
  'not',
  'exclude',
  'excluded',
  'excludes',
  'ignore',
  'ignored',
  'skip',
  'deny',
  'denied',
  'block',
  'blocked',
  'blacklist',
  'disallowed',
  'bypass',
]);
/** Key words that say the web: a bare name under them is HTTPS, 443, whatever service the key also names. */
const WEB_WORDS = new Set(['web', 'www', 'http', 'https', 'site', 'ui', 'portal']);
/** Well-known TLS ports of services a key may name, for a bare name under it: `ldap_server` -> 636. */
const SERVICE_TLS_PORTS: Record<string, number> = {
  ldaps: 636,
  smtps: 465,
  imaps: 993,
  k8s: 6443,
  apiserver: 6443,
  vault: 8200,
  etcd: 2379,
};

/**
 * A machine's own name rather than one it connects to or serves: cloud-init's top-level `hostname`
 * and `fqdn`, a compose service's `hostname`/`domainname`, a pod's `spec.hostname`.
 */
function isOwnName(path: readonly string[]): boolean {
  const last = path[path.length - 1];
  if (last !== 'hostname' && last !== 'fqdn' && last !== 'domainname') return false;
  return path.length === 1 || path[path.length - 2] === 'spec' || (path[0] === 'services' && path.length === 3);
}

/** The port of a bare name under a key with these stem words (see BARE_DOMAIN_WORDS), or undefined when it is not read. */
function bareDomainPort(stemWords: readonly string[], word: string): number | undefined {
  if (!BARE_DOMAIN_WORDS.has(word) || stemWords.some((w) => PLAIN_SERVICE_WORDS.has(w))) return undefined;
  if (stemWords.some((w) => WEB_WORDS.has(w))) return 443;
  for (const w of stemWords) {
    const port = PROTOCOL_TLS_PORTS[w] ?? SERVICE_TLS_PORTS[w];
    if (port !== undefined) return port;
  }
  return 443;
}

/** A predicate on a value's key path and YAML document: may it name an endpoint? (see endpointFilter) */
export type MayName = (path: readonly string[], doc?: number) => boolean;

/**
 * Hosts named by keys when the same stem has a TLS hint (only where `mayName` allows), and
 * certificate paths named by keys.
 */
export function keyFindings(set: PairSet, mayName: MayName = () => true): { hosts: Found[]; paths: PathFound[] } {
  const stems = new Map<string, StemInfo>();
  const info = (stem: string) => {
    let i = stems.get(stem);
    if (!i) stems.set(stem, (i = { ports: [] }));
    return i;
  };
  const paths: PathFound[] = [];
  const cache = new Map<string, string[]>();
  for (const p of set.pairs) {
    if (p.item) continue;
    const portish = PORTISH_KEY.test(p.path[p.path.length - 1]) && /^\d{1,5}$/.test(p.value);
    const tlsish = TLS_VALUE.test(p.value);
    const offish = !tlsish && OFF_VALUE.test(p.value);
    const certish = isCertificateFileName(p.value) || CERT_DIR.test(p.value);
    if (!portish && !tlsish && !offish && !certish) continue;
    const w = keyWords(p.path, cache);
    const last = w[w.length - 1];
    if (portish && PORT_WORDS.has(last)) {
      let stemWords = w.slice(0, -1);
      let tls = last !== 'port';
      if (TLS_PORT_QUALIFIERS.has(stemWords[stemWords.length - 1])) {
        stemWords = stemWords.slice(0, -1);
        tls = true;
      }
      info(stemWords.join('.')).ports.push({ port: Number(p.value), tls });
    }
    if (tlsish || offish) {
      for (let k = Math.max(0, w.length - 3); k < w.length; k++) {
        if (!TLS_KEYS.has(w.slice(k).join(''))) continue;
        if (tlsish) info(w.slice(0, k).join('.')).tls = p.value.toLowerCase();
        else if (w[w.length - 1] !== 'scheme' && w[w.length - 1] !== 'protocol') info(w.slice(0, k).join('.')).tlsOff = true;
      }
    }
    const certPath = certish ? certPathFrom(p, w) : undefined;
    if (certPath) paths.push(certPath);
  }

  const hosts: Found[] = [];
  for (const p of set.pairs) {
    const candidate = hostCandidate(p, set.kinds[p.doc ?? 0], cache);
    if (!candidate || !mayName(p.path, p.doc)) continue;
    const { stemWords, source, forced, word } = candidate;
    const stem = stems.get(stemWords.join('.'));
    // A TLS switch one level up counts too: spring.kafka.security.protocol=SSL for spring.kafka.bootstrap-servers.
    const parentTls = stemWords.length >= 2 ? stems.get(stemWords.slice(0, -1).join('.'))?.tls : undefined;
    const tlsValue = stem?.tls ?? parentTls;
    const stemSaysTls = stemWords.some((x) => TLS_STEM_WORDS.has(x));
    for (const part of valueParts(p)) {
      const hp = splitHostPort(part.text);
      const host = hp && normalizeHost(hp.host);
      if (!hp || !host) continue;
      const tlsPort = stem?.ports.find((x) => x.tls) ?? stem?.ports.find((x) => TLS_PORTS.has(x.port));
      const hinted = forced || stemSaysTls || !!tlsValue || !!tlsPort || (hp.port !== undefined && TLS_PORTS.has(hp.port));
      if (!hinted) {
        // A bare name under a domain, host, server or endpoint key (`base_domain: corp.io`): its
        // service's TLS port, unless the key names a plain service or the stem a plain port or TLS off.
        if (hp.port !== undefined || isIP(host) || stem?.tlsOff || stem?.ports.length || isOwnName(p.path)) continue;
        const port = bareDomainPort(stemWords, word);
        if (port !== undefined) hosts.push({ host, port, start: part.start, end: part.end, source });
        continue;
      }
      const schemePort = tlsValue ? TLS_SCHEMES.get(tlsValue) : undefined;
      const protocolPort = stemWords.map((x) => PROTOCOL_TLS_PORTS[x]).find((x) => x !== undefined);
      const port = hp.port ?? tlsPort?.port ?? stem?.ports[0]?.port ?? schemePort ?? protocolPort ?? 443;
      hosts.push({ host, port, start: part.start, end: part.end, source });
    }
  }
  return { hosts, paths };
}

interface Candidate {
  stemWords: string[];
  source: string;
  /** Context alone makes it TLS (an Ingress host). */
  forced: boolean;
  /** The key's host word: host, hostname, domain, server, url … */
  word: string;
}

function hostCandidate(p: Pair, kind: string | undefined, cache: Map<string, string[]>): Candidate | undefined {
  const rawKey = p.path[p.path.length - (p.item ? 2 : 1)];
  if (rawKey === undefined || (kind !== 'Ingress' && !HOSTISH_KEY.test(rawKey))) return undefined;
  if (!p.value || !/[a-z0-9]\.[a-z0-9]|:/i.test(p.value) || p.value.includes('://')) return undefined;
  if (isPlaceholder(p.value)) return undefined;
  const keyPath = p.item ? p.path.slice(0, -1) : p.path;
  if (kind === 'Ingress') {
    const s = p.path.join('.');
    if (/^spec\.rules\.\d+\.host$/.test(s) || /^spec\.tls\.\d+\.hosts\.\d+$/.test(s))
      return { stemWords: [], source: 'ingress', forced: true, word: 'host' };
  }
  const w = keyWords(keyPath, cache);
  const last = w[w.length - 1];
  const lastTwo = w.slice(-2).join('');
  let stemWords: string[];
  let word = last;
  if (p.item ? PLURAL_HOST_WORDS.has(last) : HOST_WORDS.has(last) || PLURAL_HOST_WORDS.has(last)) stemWords = w.slice(0, -1);
  else if (!p.item && (lastTwo === 'hostname' || lastTwo === 'servername')) {
    stemWords = w.slice(0, -2);
    word = lastTwo;
  } else return undefined;
  return { stemWords, source: `key:${rawKey}`, forced: false, word };
}

/** A value split at commas (bootstrap.servers=a:9093,b:9093), each part with its offsets. */
function valueParts(p: Pair): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let offset = 0;
  for (const piece of p.value.split(',')) {
    const lead = piece.length - piece.trimStart().length;
    const text = piece.trim();
    if (text) out.push({ text, start: p.start + offset + lead, end: p.start + offset + lead + text.length });
    offset += piece.length + 1;
    if (out.length >= 32) break;
  }
  return out;
}

function certPathFrom(p: Pair, words: string[]): PathFound | undefined {
  const v = p.value;
  if (!v || v.length > 1024 || v.includes('://') || isPlaceholder(v) || v.startsWith('-----') || /\s/.test(v)) return undefined;
  if (!isCertificateFileName(v) && !CERT_DIR.test(v)) return undefined;
  if (!/[\\/.]/.test(v)) return undefined;
  let w = words;
  if (['file', 'path', 'filename', 'location'].includes(w[w.length - 1])) w = w.slice(0, -1);
  const last = w[w.length - 1];
  const lastTwo = w.slice(-2).join('');
  if (!CERT_KEY_WORDS.has(last) && !CERT_KEY_WORDS.has(lastTwo)) return undefined;
  if (/\.(?:key)$/i.test(v)) return undefined;
  return { value: v, start: p.start, end: p.end, key: p.path[p.path.length - 1] };
}

// ---------------------------------------------------------------- which values may name an endpoint

/**
 * Words of keys whose values are for people, not programs: `description`, `docsUrl`, `homepage`,
 * `license`, `runbook_url`, `example` …
 */
const DOCUMENTATION_WORDS = new Set([
  'description',
  'desc',
  'summary',
  'help',
  'title',
  'doc',
  'docs',
  'documentation',
  'link',
  'links',
  'homepage',
  'website',
  'icon',
  'logo',
  'license',
  'licence',
  'maintainer',
  'maintainers',
  'author',
  'authors',
  'bugs',
  'funding',
  'changelog',
  'readme',
  'runbook',
  'runbooks',
  'example',
  'examples',
  'tutorial',
  'support',
  'terms',
  // OAuth scopes: `https://www.googleapis.com/auth/cloud-platform` names a permission, not a server.
  'scope',
  'scopes',
]);
/** The same, only as a key's first word: `sourceUrl`, `repository`, `home` (but `dataSource.url` is a connection). */
const DOCUMENTATION_FIRST_WORDS = new Set(['source', 'sources', 'repository', 'repo', 'home', 'message']);
/** Whole keys (lower case, separators dropped) that are schema or namespace metadata. */
const METADATA_KEYS = new Set([
  '$schema',
  '$id',
  '$ref',
  'schemalocation',
  'nonamespaceschemalocation',
  'namespace',
  'targetnamespace',
  'termsofservice',
]);
/** Keys whose whole subtree is documentation or schema: a CRD's schema, OpenAPI externalDocs, chart maintainers. */
const DOCUMENTATION_SUBTREES = new Set(['openapiv3schema', 'externaldocs', 'maintainers', 'authors', 'contributors', 'contact']);
/** Words that keep a key a connection setting despite a documentation word: messageBrokerUrl, repoServer, source.host. */
const CONNECTION_WORDS = new Set([
  'host',
  'hostname',
  'hosts',
  'endpoint',
  'endpoints',
  'server',
  'servers',
  'broker',
  'brokers',
  'address',
  'addr',
  'proxy',
  'upstream',
  'backend',
  'gateway',
]);

type KeyKind = 'subtree' | 'documentation' | 'connection' | 'other';

/** Kinds of keys seen so far (the same keys recur across files); cleared when it grows large. */
const keyKinds = new Map<string, KeyKind>();

function keyKind(seg: string): KeyKind {
  let kind = keyKinds.get(seg);
  if (kind) return kind;
  if (keyKinds.size >= 10_000) keyKinds.clear();
  const lower = seg.toLowerCase();
  // The name in a qualified key: xsi:schemaLocation, kubernetes.io/description, org.opencontainers.image.source.
  const name = seg
    .replace(/^[\w.-]+:(?=.)/, '')
    .replace(/^.*\/(?=.)/, '')
    .replace(/^.*\.(?=.)/, '');
  const flat = name.toLowerCase().replace(/[-_\s]/g, '');
  const words = keyWords([name]);
  if (lower.startsWith('xmlns') || DOCUMENTATION_SUBTREES.has(flat)) kind = 'subtree';
  else if (words.some((w) => CONNECTION_WORDS.has(w))) kind = 'connection';
  else if (METADATA_KEYS.has(flat) || DOCUMENTATION_FIRST_WORDS.has(words[0] ?? '') || words.some((w) => DOCUMENTATION_WORDS.has(w)))
    kind = 'documentation';
  else kind = 'other';
  keyKinds.set(seg, kind);
  return kind;
}

const INDEX = /^\d+$/;

/** Kustomize build inputs: remote bases and chart repositories kustomize downloads, not endpoints. */
const KUSTOMIZE_INPUTS = new Set(['resources', 'bases', 'components', 'crds']);

/**
 * Which values of a file may name an endpoint (a predicate on a value's key path and YAML document):
 * - not in a JSON Schema document (`$schema: …json-schema.org…`) nor in a schema or documentation
 *   subtree (`openAPIV3Schema`, `externalDocs`, `maintainers`, `xmlns:*`);
 * - in a CustomResourceDefinition only its conversion webhook: the rest defines a type (its
 *   `api-approved.kubernetes.io` annotation is a link to a pull request);
 * - in an OpenAPI document only where the API is served: `servers[].url` and OAuth flow URLs;
 * - not the value of a documentation key (`description`, `docsUrl`, `homepage`, `license` …), nor an
 *   item or field of one (`sources: [url]`, `repository: {url}`) unless the field itself is a
 *   connection key (`source: {host: …}`);
 * - in a kustomization, not its build inputs (`resources`, `bases`, `components`, `helmCharts[].repo`);
 * - in a helmfile, not its `repositories` (the chart repositories helm downloads from, like a
 *   Chart.yaml's dependencies); its releases' values are read.
 */
const EDITOR_SETTING = /^(?:json|yaml|xml|evenBetterToml)\.schemas$|^gitlens\.|^redhat\.telemetry|^(?:editor|files|workbench|search)\./;

export function endpointFilter(set: PairSet, fileName = ''): MayName {
  const schemaDocs = new Set<number>();
  const openApiDocs = new Set<number>();
  const crdDocs = new Set<number>();
  for (const p of set.pairs) {
    if (p.path.length !== 1) continue;
    const key = p.path[0];
    const doc = p.doc ?? 0;
    if (key === '$schema' && /json-schema\.org/i.test(p.value)) schemaDocs.add(doc);
    else if (key === 'openapi' || key === 'swagger') openApiDocs.add(doc);
    else if (key === 'kind' && p.value === 'CustomResourceDefinition') crdDocs.add(doc);
  }
  const kustomization = /^kustomization(?:\.ya?ml)?$/i.test(fileName);
  const helmfile = /^helmfile(?:\.ya?ml)?(?:\.gotmpl)?$/i.test(fileName);
  return (path, doc = 0) => {
    if (schemaDocs.has(doc)) return false;
    if (openApiDocs.has(doc)) return isOpenApiServer(path);
    if (crdDocs.has(doc))
      return path[0] === 'spec' && path[1] === 'conversion' && (path[3] === 'clientConfig' || path[2] === 'webhookClientConfig');
    if (kustomization && (KUSTOMIZE_INPUTS.has(path[0]) || (path[0] === 'helmCharts' && path[path.length - 1] === 'repo'))) return false;
    if (helmfile && path[0] === 'repositories') return false;
    // Editor settings (.vscode/settings.json, a .code-workspace): schema associations and GitLens
    // autolinks are no connections (REST Client's environments are, and are read).
    if (EDITOR_SETTING.test(path[0] ?? '')) return false;
    let own: KeyKind | undefined;
    let parent: KeyKind | undefined;
    for (let i = path.length - 1; i >= 0; i--) {
      const seg = path[i];
      if (INDEX.test(seg)) continue;
      const kind = keyKind(seg);
      if (kind === 'subtree') return false;
      if (own === undefined) own = kind;
      else parent ??= kind;
    }
    if (own === 'documentation') return false;
    return !(parent === 'documentation' && own !== 'connection');
  };
}

const OAUTH_URL_KEYS = new Set(['authorizationUrl', 'tokenUrl', 'refreshUrl', 'openIdConnectUrl']);

/** OpenAPI `servers[].url` (top level, per path, per operation) and security scheme URLs. */
function isOpenApiServer(path: readonly string[]): boolean {
  const n = path.length;
  const last = path[n - 1];
  if (last === 'url' && n >= 3 && path[n - 3] === 'servers' && INDEX.test(path[n - 2])) return n === 3 || path[0] === 'paths';
  return OAUTH_URL_KEYS.has(last) && path.includes('securitySchemes');
}

/**
 * Whether a value is a connection setting rather than prose: every word of it is a URL or a
 * host:port, maybe after a flag (`--server=`, `KEY=`) or an opening quote or bracket. "See
 * https://x.io/docs for details" is prose; `https://a:2379,https://b:2379` and
 * `ldaps://a ldaps://b` are settings.
 */
export function isConnectionValue(value: string): boolean {
  // A template expression is one opaque word: `https://get.helm.sh/helm-{{ helm_version }}-linux-amd64.tar.gz`
  // is one URL whose host is literal (a host that is itself an expression is dropped where it is read).
  const v = value.includes('{') || value.includes('<%') ? value.replace(TEMPLATE_EXPRESSION, 'T') : value;
  // An APT source line (`deb [signed-by=…] https://repo/ suite main`): apt fetches from it.
  if (APT_SOURCE.test(v)) return true;
  const words = v.split(/\s+/).filter((w) => w !== '');
  // Ansible's inline module arguments (`apt_key: url=https://… state=present`): key=value words only.
  if (words.length > 1 && words.every((w) => MODULE_ARGUMENT.test(w))) return true;
  for (const word of words) {
    if (!CONNECTION_WORD.test(word)) return false;
  }
  return true;
}

const APT_SOURCE = /^["']?deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?[a-z][a-z0-9+.-]*:\/\/\S+\s+\S+/;
const MODULE_ARGUMENT = /^["']?[a-z_][\w.-]*=\S/i;

/** Jinja2 and Go template `{{ }}` and `{% %}`, ERB `<%= %>`, shell and HCL `${ }` (one level of nesting). */
const TEMPLATE_EXPRESSION = /\{\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}\}|\{%[\s\S]*?%\}|<%[\s\S]*?%>|\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}/g;

const CONNECTION_WORD =
  /^[[("']*(?:-{0,2}[A-Za-z_][\w.-]*=)?["']?(?:(?:jdbc:)?[a-z][a-z0-9+.-]*:\/\/|\[[0-9a-f:.]+\]:\d|[a-z0-9][\w.-]*:\d)/i;

/**
 * TLS URLs (`https://`, `ldaps://`, `postgres://…?sslmode=require` …) and host:port on TLS ports in
 * values that are connection settings (see isConnectionValue) where `mayName` allows; offsets are the file's.
 */
export function valueFindings(text: string, pairs: readonly Pair[], mayName: MayName, limit: number): Found[] {
  const out: Found[] = [];
  for (const p of pairs) {
    if (out.length >= limit) break;
    const url = p.value.includes('://');
    if (p.named || (!url && !TLS_PORT_IN_VALUE.test(p.value)) || (url && OAUTH_SCOPE_URL.test(p.value))) continue;
    if (!isConnectionValue(p.value) || !mayName(p.path, p.doc)) continue;
    const found = url
      ? findUrls(text, 'url', p.start, p.end, limit - out.length)
      : findHostPorts(text, 'host:port', p.start, p.end, limit - out.length);
    for (const f of found) out.push(f);
  }
  return out;
}

/**
 * OAuth scopes written as URLs, under whatever key: Google's `https://www.googleapis.com/auth/…`,
 * Microsoft identity platform's `https://graph.microsoft.com/.default` and `…/user_impersonation`.
 */
const OAUTH_SCOPE_URL = /https:\/\/(?:www\.)?googleapis\.com\/auth\/|:\/\/[^\s/]+\/(?:\.default|user_impersonation)(?:\s|$)/i;

/** Cheap pre-test: a colon followed by a digit. */
const TLS_PORT_IN_VALUE = /:\d/;
