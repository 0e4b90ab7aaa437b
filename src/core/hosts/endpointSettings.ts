import { isPlaceholder, normalizeHost, TLS_PORTS, TLS_SCHEMES } from './names';
import type { Pair, PairSet } from './configValues';
import type { PathFound } from './servers';
import { type Found, splitHostPort } from './urls';

/** Last words of a key that name a host: DB_HOST, serverName, api.endpoint, bootstrap.servers. */
const HOST_WORDS = new Set(['host', 'hostname', 'endpoint', 'server', 'servername', 'url', 'uri', 'address', 'addr', 'domain', 'fqdn', 'broker']);
const PLURAL_HOST_WORDS = new Set(['hosts', 'hostnames', 'endpoints', 'servers', 'urls', 'uris', 'addresses', 'domains', 'brokers']);
const PORT_WORDS = new Set(['port', 'sslport', 'tlsport', 'httpsport', 'secureport']);
const TLS_PORT_QUALIFIERS = new Set(['ssl', 'tls', 'https', 'secure']);
/** Key endings (after the shared stem) that switch TLS on: DB_SSLMODE, redis.ssl.enabled, smtp.starttls.enable. */
const TLS_KEYS = new Set([
  'tls', 'ssl', 'secure', 'usetls', 'usessl', 'sslmode', 'tlsmode', 'sslenabled', 'tlsenabled', 'enabletls', 'enablessl',
  'sslenable', 'tlsenable', 'scheme', 'protocol', 'https', 'usehttps', 'encrypt', 'encryption', 'securityprotocol',
  'starttls', 'starttlsenable', 'starttlsenabled', 'starttlsrequired', 'requiressl', 'requiretls', 'tlsverify', 'ssltls',
]);
const TLS_VALUE = /^(?:true|yes|on|1|enabled?|required?|verify[-_]?(?:ca|full|identity|peer)|https|wss|grpcs|tls|ssl|ldaps|smtps|imaps|amqps|mqtts|rediss|sasl_ssl|ssl_tls|starttls|tlsv1(?:\.[0-3])?|strict|always)$/i;
/** Words in a key's stem that say the whole section is about TLS: tls.hosts, ssl.server. */
const TLS_STEM_WORDS = new Set(['tls', 'ssl', 'https', 'secure', 'ldaps', 'wss']);

/** TLS ports of protocols a key may name, for a TLS switch without a port: ldap.use_ssl=yes -> 636. */
const PROTOCOL_TLS_PORTS: Record<string, number> = {
  ldap: 636, smtp: 465, imap: 993, pop3: 995, pop: 995, amqp: 5671, rabbitmq: 5671, mqtt: 8883, ftp: 990, kube: 6443, kubernetes: 6443,
};

/** Keys whose URL values are metadata (schemas, homepages, XML namespaces), not endpoints. */
const METADATA_KEYS = new Set(['$schema', '$id', '$ref', 'homepage', 'repository', 'bugs', 'funding', 'documentation', 'license', 'licenseurl', 'schemalocation', 'xmlns', 'namespace', 'icon', 'logo', 'changelog', 'source']);

const CERT_EXTENSION = /\.(?:pem|crt|cer|cert|der|p12|pfx|p7b|p7c|chain|ca-bundle)$/i;
const CERT_DIR = /(?:^|[\\/])(?:certs?|ssl|tls|pki)[\\/]/i;
/** Last key words (after dropping file/path) that name a certificate file. */
const CERT_KEY_WORDS = new Set([
  'cert', 'certificate', 'ca', 'cacert', 'cacertificate', 'cafile', 'certfile', 'rootcert', 'rootca', 'sslcert', 'sslrootcert',
  'sslca', 'tlscert', 'tlsca', 'cabundle', 'chain', 'certchain', 'fullchain', 'trustedca', 'sslcertificate', 'tlscertificate',
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
      words = seg.split(/[._\-/\s:]+|(?<=[a-z0-9])(?=[A-Z])/).filter((w) => w).map((w) => w.toLowerCase());
      cache?.set(seg, words);
    }
    for (const w of words) out.push(w);
  }
  return out;
}

interface StemInfo {
  tls?: string;
  ports: { port: number; tls: boolean }[];
}

/** Hosts named by keys when the same stem has a TLS hint, and certificate paths named by keys. */
export function keyFindings(set: PairSet): { hosts: Found[]; paths: PathFound[]; metadata: [number, number][] } {
  const stems = new Map<string, StemInfo>();
  const info = (stem: string) => {
    let i = stems.get(stem);
    if (!i) stems.set(stem, (i = { ports: [] }));
    return i;
  };
  const metadata: [number, number][] = [...(set.keyRanges ?? [])];
  const paths: PathFound[] = [];
  const cache = new Map<string, string[]>();
  for (const p of set.pairs) {
    if (p.value.includes('://') && isMetadata(p)) metadata.push([p.start, p.end]);
    if (p.item) continue;
    const portish = PORTISH_KEY.test(p.path[p.path.length - 1]) && /^\d{1,5}$/.test(p.value);
    const tlsish = TLS_VALUE.test(p.value);
    const certish = CERT_EXTENSION.test(p.value) || CERT_DIR.test(p.value);
    if (!portish && !tlsish && !certish) continue;
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
    if (tlsish) {
      for (let k = Math.max(0, w.length - 3); k < w.length; k++) {
        if (TLS_KEYS.has(w.slice(k).join(''))) info(w.slice(0, k).join('.')).tls = p.value.toLowerCase();
      }
    }
    const certPath = certish ? certPathFrom(p, w) : undefined;
    if (certPath) paths.push(certPath);
  }

  const hosts: Found[] = [];
  for (const p of set.pairs) {
    const candidate = hostCandidate(p, set.kinds[p.doc ?? 0], cache);
    if (!candidate) continue;
    const { stemWords, source, forced } = candidate;
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
      if (!hinted) continue;
      const schemePort = tlsValue ? TLS_SCHEMES.get(tlsValue) : undefined;
      const protocolPort = stemWords.map((x) => PROTOCOL_TLS_PORTS[x]).find((x) => x !== undefined);
      const port = hp.port ?? tlsPort?.port ?? stem?.ports[0]?.port ?? schemePort ?? protocolPort ?? 443;
      hosts.push({ host, port, start: part.start, end: part.end, source });
    }
  }
  return { hosts, paths, metadata };
}

/** A URL under `homepage`, `repository.url`, `$schema`, `xmlns:x`...: metadata, never probed. */
function isMetadata(p: Pair): boolean {
  const keys = p.path.filter((seg) => !/^\d+$/.test(seg)).slice(-2).map((seg) => seg.toLowerCase().replace(/^[\w.-]+:/, ''));
  return keys.some((k) => METADATA_KEYS.has(k)) || p.path.some((seg) => seg.toLowerCase().startsWith('xmlns'));
}

interface Candidate {
  stemWords: string[];
  source: string;
  /** Context alone makes it TLS (an Ingress host). */
  forced: boolean;
}

function hostCandidate(p: Pair, kind: string | undefined, cache: Map<string, string[]>): Candidate | undefined {
  const rawKey = p.path[p.path.length - (p.item ? 2 : 1)];
  if (rawKey === undefined || (kind !== 'Ingress' && !HOSTISH_KEY.test(rawKey))) return undefined;
  if (!p.value || !/[a-z0-9]\.[a-z0-9]|:/i.test(p.value) || p.value.includes('://')) return undefined;
  if (isPlaceholder(p.value)) return undefined;
  const keyPath = p.item ? p.path.slice(0, -1) : p.path;
  if (kind === 'Ingress') {
    const s = p.path.join('.');
    if (/^spec\.rules\.\d+\.host$/.test(s) || /^spec\.tls\.\d+\.hosts\.\d+$/.test(s)) return { stemWords: [], source: 'ingress', forced: true };
  }
  const w = keyWords(keyPath, cache);
  const last = w[w.length - 1];
  const lastTwo = w.slice(-2).join('');
  let stemWords: string[];
  if (p.item ? PLURAL_HOST_WORDS.has(last) : HOST_WORDS.has(last) || PLURAL_HOST_WORDS.has(last)) stemWords = w.slice(0, -1);
  else if (!p.item && (lastTwo === 'hostname' || lastTwo === 'servername')) stemWords = w.slice(0, -2);
  else return undefined;
  return { stemWords, source: `key:${rawKey}`, forced: false };
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
  if (!CERT_EXTENSION.test(v) && !CERT_DIR.test(v)) return undefined;
  if (!/[\\/.]/.test(v)) return undefined;
  let w = words;
  if (['file', 'path', 'filename', 'location'].includes(w[w.length - 1])) w = w.slice(0, -1);
  const last = w[w.length - 1];
  const lastTwo = w.slice(-2).join('');
  if (!CERT_KEY_WORDS.has(last) && !CERT_KEY_WORDS.has(lastTwo)) return undefined;
  if (/\.(?:key)$/i.test(v)) return undefined;
  return { value: v, start: p.start, end: p.end, key: p.path[p.path.length - 1] };
}
