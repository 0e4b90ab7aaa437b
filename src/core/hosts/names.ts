import { isIP } from 'node:net';
import type * as Tldts from 'tldts';
import { hostPortKey } from '../hostPort';

export { hostPortKey };

/** Ports where a bare host:port almost always means a TLS service. */
export const TLS_PORTS: ReadonlySet<number> = new Set([
  443, 465, 563, 636, 853, 990, 992, 993, 995, 2376, 3269, 4443, 5061, 5671, 5986, 6443, 6697, 8443, 8883, 9443, 10250,
]);

/** Schemes that are TLS from the first byte, with their default ports (undefined: the URL must name one). */
export const TLS_SCHEMES: ReadonlyMap<string, number | undefined> = new Map<string, number | undefined>([
  ['https', 443],
  ['wss', 443],
  ['grpcs', 443],
  ['davs', 443],
  ['ldaps', 636],
  ['smtps', 465],
  ['imaps', 993],
  ['pop3s', 995],
  ['ftps', 990],
  ['amqps', 5671],
  ['mqtts', 8883],
  ['rediss', 6379],
  ['ircs', 6697],
  ['nntps', 563],
  ['sips', 5061],
  ['tls', undefined],
  ['ssl', undefined],
]);

/** Schemes that use TLS only when a query parameter asks for it (sslmode=require, ssl=true ...). */
export const PARAM_TLS_SCHEMES: ReadonlyMap<string, number> = new Map([
  ['postgres', 5432],
  ['postgresql', 5432],
  ['mysql', 3306],
  ['mariadb', 3306],
  ['mongodb', 27017],
  ['redis', 6379],
]);

/** Protocols that start in plain text and upgrade to TLS on request. */
export type StartTlsProtocol = 'smtp' | 'imap' | 'pop3' | 'postgres' | 'mysql';

const STARTTLS_BY_SCHEME: Record<string, StartTlsProtocol> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  smtp: 'smtp',
  imap: 'imap',
  pop3: 'pop3',
};
const STARTTLS_BY_PORT: Record<number, StartTlsProtocol> = {
  25: 'smtp',
  587: 'smtp',
  143: 'imap',
  110: 'pop3',
  5432: 'postgres',
  3306: 'mysql',
};

/** The plain-text upgrade a port or scheme calls for, if any. Direct-TLS schemes never upgrade. */
export function startTlsFor(port: number, scheme?: string): StartTlsProtocol | undefined {
  if (scheme && TLS_SCHEMES.has(scheme)) return undefined;
  return (scheme ? STARTTLS_BY_SCHEME[scheme] : undefined) ?? STARTTLS_BY_PORT[port];
}

/** Text that is a template or variable, not a value: ${X}, {{ .X }}, %(x)s, $X, <host>, #{x}, @x@. */
export function isPlaceholder(s: string): boolean {
  return /[${}<>%]|#\{|^@.*@$|^__.*__$/.test(s);
}

const RESERVED_SUFFIXES = ['.test', '.invalid', '.example', '.localhost', '.local', '.example.com', '.example.net', '.example.org'];
const RESERVED_NAMES = new Set(['localhost', 'example.com', 'example.net', 'example.org', 'localhost.localdomain', 'ip6-localhost']);

/**
 * Names reserved for documentation, testing or the local machine (RFC 2606, 6761, 6762), and the
 * placeholders documentation writes in their place: a domain named `my-…` or `your-…`
 * (`my-consent.app`, `your-domain.com`, `mydomain.com`).
 */
export function isReservedName(host: string): boolean {
  const h = host.toLowerCase();
  if (RESERVED_NAMES.has(h) || RESERVED_SUFFIXES.some((s) => h.endsWith(s))) return true;
  const labels = h.split('.');
  return labels.length >= 2 && PLACEHOLDER_DOMAIN.test(labels[labels.length - 2]);
}

const PLACEHOLDER_DOMAIN = /^(?:my|your)-[a-z0-9-]+$|^(?:my|your)(?:domain|company|site|server|host|app|org|website)$/;

/** Public domains whose every name resolves to 127.0.0.1, for local development over TLS. */
const LOOPBACK_DOMAINS = ['localho.st', 'lvh.me', 'localtest.me'];

/**
 * A DNS name that means this machine: a `localhost` label anywhere (pomerium's
 * `authenticate.localhost.pomerium.io`, BIND's `localhost.corp.net`), or a name under a public
 * loopback domain (`restapi.localho.st`). Nothing anyone runs elsewhere; skipped like 127.0.0.1.
 */
export function isLoopbackName(host: string): boolean {
  const h = host.toLowerCase();
  return h.startsWith('localhost.') || h.includes('.localhost.') || LOOPBACK_DOMAINS.some((d) => h === d || h.endsWith('.' + d));
}

/** Loopback or unspecified addresses: probed only when the user names them explicitly. */
export function isLocalAddress(host: string): boolean {
  const v = isIP(host);
  if (v === 4) return host.startsWith('127.') || host === '0.0.0.0';
  if (v === 6) {
    const h = host.toLowerCase();
    return h === '::1' || h === '::' || h === '0:0:0:0:0:0:0:1' || h === '0:0:0:0:0:0:0:0' || h.startsWith('::ffff:127.');
  }
  return false;
}

/**
 * Top-level labels that are file extensions too (`deploy.sh`, `setup.py`, `README.md`, `main.tf`):
 * a two-label name ending in one is a file unless a URL names it (`https://helm.sh`); with more
 * labels it is a host (`get.helm.sh`). Only real top-level domains are listed: a name ending in
 * `yaml`, `json` or `pem` is no host anyway, the public-suffix list says so.
 */
const FILE_EXTENSION_TLDS = new Set(['sh', 'py', 'md', 'tf', 'pl', 'pm', 'rs', 'so', 'zip', 'mov', 'cc', 'in', 'am', 'ml', 'ps']);

/**
 * Top-level labels outside the public-suffix list that networks use for their own names: the six
 * RFC 6762 (appendix G) lists as in private use (`intranet`, `internal`, `private`, `corp`, `home`,
 * `lan`; ICANN reserved `internal` for it in 2024), and Consul's `consul`, whose service names
 * (`vault.service.consul`) an infrastructure repository's clients connect to. Names under them
 * resolve on the network that has them.
 */
const PRIVATE_USE_TLDS = new Set(['intranet', 'internal', 'private', 'corp', 'home', 'lan', 'consul']);

/**
 * Last labels of Kubernetes-internal names, which resolve only inside a cluster: `x.ns.svc`,
 * `x.svc.cluster`, and `SERVICE.NAMESPACE` in the namespace every cluster has (`kubernetes.default`,
 * the API server as Jenkins' chart and in-cluster clients name it). None is a top-level domain.
 */
const CLUSTER_TLDS = new Set(['svc', 'cluster', 'default']);

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Whether the public-suffix list (tldts, ICANN and private sections) has this top-level label; one lookup per label. */
const publicTlds = new Map<string, boolean>();

let tldts: typeof Tldts | undefined;

/** tldts, loaded on first use (dist/tldts.js: a scan without --hosts never needs it). */
function psl(): typeof Tldts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (tldts ??= require('tldts') as typeof Tldts);
}

function isPublicTld(tld: string): boolean {
  let known = publicTlds.get(tld);
  if (known === undefined) {
    const parsed = psl().parse(`x.${tld}`, { allowPrivateDomains: true });
    known = parsed.publicSuffix === tld && (parsed.isIcann === true || parsed.isPrivate === true);
    if (publicTlds.size >= 10_000) publicTlds.clear();
    publicTlds.set(tld, known);
  }
  return known;
}

/**
 * A DNS name CertLens may probe: two or more valid labels, not a wildcard, under a real top-level
 * domain (the public-suffix list: `get.helm.sh` is a host though `.sh` is also a script's
 * extension) or a private-use one (`ldap.corp`, `db.internal`, `vault.service.consul`). Not a file name: a
 * two-label name under a TLD that is also a file extension (`deploy.sh`) is a host only in a URL
 * (`inUrl`). Kubernetes-internal names (*.svc, *.cluster.local, kubernetes.default) do not resolve
 * from a developer machine and are skipped too.
 */
export function isProbeableName(host: string, inUrl = false): boolean {
  if (host.length > 253 || host.length < 4) return false;
  const labels = host.split('.');
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1];
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld) || CLUSTER_TLDS.has(tld)) return false;
  if (!PRIVATE_USE_TLDS.has(tld) && !isPublicTld(tld)) return false;
  // Consul's own domains (`service.consul`, `node.consul`) are where its names live, not hosts.
  if (tld === 'consul' && labels.length < 3) return false;
  if (!inUrl && labels.length === 2 && FILE_EXTENSION_TLDS.has(tld)) return false;
  return labels.every((l) => LABEL.test(l));
}

/** Normalises a host as written (case, brackets, trailing dot); undefined when it is not a host (see isProbeableName). */
export function normalizeHost(raw: string, inUrl = false): string | undefined {
  let h = raw.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (!h) return undefined;
  if (isIP(h)) return h;
  return isProbeableName(h, inUrl) ? h : undefined;
}

/** Why a host found in a file (in a URL: `inUrl`) is not probed, or undefined when it may be. */
export function skipReason(host: string, inUrl = false): 'reserved' | 'local' | 'invalid' | undefined {
  if (isIP(host)) return isLocalAddress(host) ? 'local' : undefined;
  // Reserved first: `.test`, `.example` and `.local` are not in the public-suffix list either.
  if (isReservedName(host)) return 'reserved';
  if (!isProbeableName(host, inUrl)) return 'invalid';
  return isLoopbackName(host) ? 'local' : undefined;
}

export function isValidPort(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n < 65536;
}

/** Parses "host", "host:port", "[v6]:port" or a bare IPv6 address. Port defaults to `defaultPort`. */
export function parseHostPort(spec: string, defaultPort = 443): { host: string; port: number } | undefined {
  const s = spec.trim();
  let host = s;
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    host = bracket[1];
    if (bracket[2]) port = Number(bracket[2]);
  } else if (isIP(s) !== 6) {
    const colon = s.lastIndexOf(':');
    if (colon >= 0) {
      if (!/^\d+$/.test(s.slice(colon + 1))) return undefined;
      host = s.slice(0, colon);
      port = Number(s.slice(colon + 1));
    }
  }
  host = host.toLowerCase().replace(/\.$/, '');
  if (!host || !isValidPort(port)) return undefined;
  if (!isIP(host) && !/^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9])?$/.test(host)) return undefined;
  return { host, port };
}

/**
 * Host patterns from settings: exact hosts, host:port, or globs where `*` matches any run of
 * characters (`*.corp.example` covers every subdomain). Case-insensitive.
 */
export class HostMatcher {
  private readonly patterns: { re: RegExp; withPort: boolean }[];

  constructor(patterns: readonly string[] = []) {
    this.patterns = patterns
      .filter((p) => p.trim())
      .map((p) => {
        const t = p.trim().toLowerCase();
        const withPort = /:\d+$/.test(t) && isIP(t) !== 6;
        const body = t
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.');
        return { re: new RegExp(`^${body}$`), withPort };
      });
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  matches(host: string, port: number): boolean {
    const hp = hostPortKey(host, port);
    return this.patterns.some((p) => p.re.test(p.withPort ? hp : host));
  }
}
