import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { ContextOf } from '../core/context';
import type { CertificateRecord, Finding } from '../core/model';
import type { Inventory } from '../core/scan/inventory';
import type { FileRead } from '../core/scan/pipeline';
import {
  assessHost,
  type CertificateIndex,
  driftFindings,
  driftResults,
  type EndpointPair,
  groupTargets,
  hostFindings,
  hostJson,
  type HostReference,
  type HostTarget,
  hostPortKey,
  parseHostPort,
  type ProbeResult,
  type ProbeTarget,
  probeTargetFor,
  Prober,
  pairCertificates,
  proxyFor,
  type SecretDeclaration,
  startTlsFor,
} from '../core/hosts';
import { type HostJson, isoTime, REPORT_VERSION } from '../core/report/schema';
import { meetsThreshold } from '../core/report/formats';
import { EXPIRED_CODES } from '../core/report/findingCodes';
import { daysLeft, DEFAULT_RULES, isoDate, type RuleSettings } from '../core/rules/rules';

/** parseArgs options shared by `scan --hosts` and `check`. */
export const HOST_ARG_OPTIONS = {
  resolve: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  ca: { type: 'string', multiple: true },
} as const;

export interface HostCliOptions {
  /** host:port -> address to connect to instead (curl --resolve). */
  resolve: Map<string, { host: string; port: number }>;
  timeoutMs: number;
  /** Extra trusted CA certificates (PEM). */
  ca: string[];
  signal?: AbortSignal;
}

type Usage = (message: string) => Error;

/** The shares of a lifetime each band waits for, beside --critical-days and the others (scan and check). */
export const SHARE_ARG_OPTIONS = {
  'critical-lifetime-share': { type: 'string' },
  'lifetime-share': { type: 'string' },
  'info-lifetime-share': { type: 'string' },
} as const;

type ShareValues = { 'critical-lifetime-share'?: string; 'lifetime-share'?: string; 'info-lifetime-share'?: string };

/** The lifetime shares the options give: a number from 0 to 1 (0.25) or a fraction (1/3); 0 turns one off. */
export function lifetimeShareSettings(
  values: ShareValues,
  usage: Usage,
): Pick<RuleSettings, 'criticalLifetimeShare' | 'lifetimeShare' | 'infoLifetimeShare'> {
  const share = (name: keyof ShareValues, fallback: number): number => {
    const v = values[name];
    if (v === undefined) return fallback;
    const fraction = /^(\d+)\/(\d+)$/.exec(v);
    const n = fraction ? Number(fraction[1]) / Number(fraction[2]) : /^(\d+(\.\d*)?|\.\d+)$/.test(v) ? Number(v) : NaN;
    if (!(n >= 0 && n <= 1)) throw usage(`--${name} needs a share of the lifetime from 0 to 1, such as 0.25 or 1/3, got "${v}"`);
    return n;
  };
  return {
    criticalLifetimeShare: share('critical-lifetime-share', DEFAULT_RULES.criticalLifetimeShare),
    lifetimeShare: share('lifetime-share', DEFAULT_RULES.lifetimeShare),
    infoLifetimeShare: share('info-lifetime-share', DEFAULT_RULES.infoLifetimeShare),
  };
}

/** Reads --resolve, --timeout and --ca. */
export function hostCliOptions(values: { resolve?: string[]; timeout?: string; ca?: string[] }, usage: Usage): HostCliOptions {
  const resolve = new Map<string, { host: string; port: number }>();
  for (const spec of values.resolve ?? []) {
    // HOST:PORT=ADDRESS[:PORT], or curl's HOST:PORT:ADDRESS.
    const m = /^(.+?):(\d+)=(.+)$/.exec(spec) ?? /^([^:[\]]+):(\d+):(.+)$/.exec(spec);
    const from = m && parseHostPort(`${m[1]}:${m[2]}`);
    const to = m && parseHostPort(m[3], Number(m[2]));
    if (!from || !to) throw usage(`--resolve needs HOST:PORT=ADDRESS[:PORT], got "${spec}"`);
    resolve.set(hostPortKey(from.host, from.port), to);
  }
  let timeoutMs = 5000;
  if (values.timeout !== undefined) {
    if (!/^\d+$/.test(values.timeout) || Number(values.timeout) < 1) throw usage(`--timeout needs milliseconds, got "${values.timeout}"`);
    timeoutMs = Number(values.timeout);
  }
  const ca: string[] = [];
  for (const file of values.ca ?? []) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw usage(`cannot read --ca ${file}`);
    }
    const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (!pems) throw usage(`--ca ${file} holds no PEM certificate`);
    for (const pem of pems) ca.push(pem + '\n');
  }
  return { resolve, timeoutMs, ca };
}

/** Most references collected in one scan. */
const MAX_REFERENCES = 20_000;

/** Collects host references from the files a scan reads, for `scan --hosts`. */
export class HostCollector {
  readonly references: HostReference[] = [];
  /** Hosts served with a certificate a config names, and the Kubernetes Secrets declared (drift). */
  readonly pairs: EndpointPair[] = [];
  readonly secrets: SecretDeclaration[] = [];
  /** accepts: which files' hosts count (by default every file's). */
  constructor(private readonly accepts?: (file: string) => boolean) {}
  readonly onRead = (e: FileRead): void => {
    if (this.accepts && !this.accepts(e.file)) return;
    const pairing = e.discovered?.pairing;
    if (pairing && this.pairs.length + this.secrets.length < MAX_REFERENCES) {
      this.pairs.push(...pairing.pairs);
      this.secrets.push(...pairing.secrets);
    }
    for (const r of e.discovered?.hosts ?? []) {
      if (this.references.length >= MAX_REFERENCES) return;
      this.references.push(r);
    }
  };

  targets(): HostTarget[] {
    return groupTargets(this.references);
  }
}

/** The probe for a target, sent to its --resolve address when there is one. */
function probeTarget(t: { host: string; port: number; starttls?: ProbeTarget['starttls'] }, options: HostCliOptions): ProbeTarget {
  return probeTargetFor(t, (host, port) => options.resolve.get(hostPortKey(host, port)));
}

function prober(options: HostCliOptions): Prober {
  return new Prober({
    timeoutMs: options.timeoutMs,
    ca: options.ca,
    proxy: (t) => proxyFor(t.connectTo?.host ?? t.host, t.connectTo?.port ?? t.port),
  });
}

/** Probes every target found by a scan: the report's `hosts`, and each issue once per host (at its first reference, the others related). */
export async function checkTargets(
  targets: readonly HostTarget[],
  now: number,
  rules: RuleSettings,
  options: HostCliOptions,
): Promise<{ hosts: HostJson[]; findings: Finding[]; results: Map<string, ProbeResult> }> {
  const p = prober(options);
  const results = await p.probeAll(
    targets.map((t) => probeTarget(t, options)),
    { signal: options.signal },
  );
  const hosts: HostJson[] = [];
  const findings: Finding[] = [];
  const byKey = new Map<string, ProbeResult>();
  targets.forEach((t, i) => {
    byKey.set(hostPortKey(t.host, t.port), results[i]);
    hosts.push(hostJson(t.references, results[i], now));
    for (const f of hostFindings(t.references, results[i], now, rules)) findings.push(f);
  });
  return { hosts, findings, results: byKey };
}

/** The scan's certificates as the drift join reads them: by file, production or not by the file's context. */
export function inventoryIndex(inventory: Inventory, contextOf: ContextOf): CertificateIndex {
  const byFile = new Map<string, CertificateRecord[]>();
  for (const c of inventory.certificates()) {
    const list = byFile.get(c.file);
    if (list) list.push(c);
    else byFile.set(c.file, [c]);
  }
  return {
    files: () => byFile.keys(),
    certificatesIn: (file) => byFile.get(file) ?? [],
    isProduction: (file) => contextOf(file) === 'production',
  };
}

/**
 * Drift: the repository certificates the collected configuration pairs with endpoints (or whose
 * SANs name a checked endpoint), compared with what those endpoints served.
 */
export function checkDrift(
  collector: HostCollector,
  index: CertificateIndex,
  results: ReadonlyMap<string, ProbeResult>,
  now: number,
  rules: RuleSettings,
): Finding[] {
  const pairs = pairCertificates(collector.pairs, collector.secrets, collector.references, index);
  return driftFindings(
    driftResults(pairs, (host, port) => results.get(hostPortKey(host, port))),
    now,
    rules,
  );
}

const CHECK_HELP = `Usage: certlens check HOST[:PORT] [options]

Opens one TLS handshake to HOST (port 443 unless given) and prints the chain it serves.

Options:
  --resolve HOST:PORT=ADDR[:PORT]  connect to ADDR instead of resolving HOST (repeatable)
  --servername NAME                SNI name to send (default: HOST)
  --starttls smtp|imap|pop3|postgres|mysql|none
                                   plain-text upgrade first (default: by port)
  --timeout MS                     one limit for connect and handshake (default: 5000)
  --ca FILE                        also trust the CA certificates in FILE (repeatable)
  --format table|json              output format (default: table)
  --fail-on LEVEL                  expired|error|warning|info|never (default: error)
  --now ISO-8601                   evaluate expiry at this time
  --critical-days N, --warn-days N, --info-days N
  --critical-lifetime-share S, --lifetime-share S, --info-lifetime-share S
                                   as in scan: each band waits for its share of the lifetime too

HTTPS_PROXY and NO_PROXY are honoured (CONNECT through an http:// proxy).
Exit codes: 0 nothing at or above --fail-on; 1 something is (an unreachable host is an error); 2 usage;
130 cancelled (Ctrl-C).
`;

/** `certlens check HOST[:PORT]`: one probe, the full chain, exit code by --fail-on. */
export async function checkCommand(args: string[], usage: Usage): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...HOST_ARG_OPTIONS,
      servername: { type: 'string' },
      starttls: { type: 'string' },
      format: { type: 'string', default: 'table' },
      'fail-on': { type: 'string', default: 'error' },
      now: { type: 'string' },
      'critical-days': { type: 'string' },
      'warn-days': { type: 'string' },
      'info-days': { type: 'string' },
      ...SHARE_ARG_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(CHECK_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw usage('check needs exactly one HOST[:PORT]');
  const spec = parseHostPort(positionals[0].replace(/^https:\/\//i, '').replace(/\/.*$/, ''));
  if (!spec) throw usage(`not a host or host:port: "${positionals[0]}"`);
  const format = values.format;
  if (format !== 'table' && format !== 'json') throw usage(`--format must be table or json, not "${format}"`);
  const failOn = values['fail-on'];
  if (!['expired', 'error', 'warning', 'info', 'never'].includes(failOn))
    throw usage(`--fail-on must be expired, error, warning, info or never, not "${failOn}"`);
  const starttls = values.starttls;
  if (starttls !== undefined && !['smtp', 'imap', 'pop3', 'postgres', 'mysql', 'none'].includes(starttls))
    throw usage(`--starttls must be smtp, imap, pop3, postgres, mysql or none, not "${starttls}"`);
  const options = hostCliOptions(values, usage);
  const { now, rules } = evaluationSettings(values, usage);

  const target = probeTarget(
    { host: spec.host, port: spec.port, starttls: (starttls as ProbeTarget['starttls']) ?? startTlsFor(spec.port) },
    options,
  );
  if (values.servername) target.servername = values.servername;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await prober(options).probe(target, { signal: controller.signal });
  controller.signal.throwIfAborted(); // Ctrl-C: exit 130 (main), not a 'cancelled' probe's 1
  const issues = assessHost(result, now, rules, { unreachable: 'error' });
  const json = hostJson([], result, now);
  const out =
    format === 'json'
      ? JSON.stringify(
          {
            version: REPORT_VERSION,
            now: isoTime(now),
            hosts: [json],
            findings: issues.map((i) => ({ ...i, host: hostPortKey(result.host, result.port) })),
          },
          null,
          process.stdout.isTTY ? 2 : undefined,
        ) + '\n'
      : checkTable(result, json, issues, now);
  await new Promise<void>((resolve) => process.stdout.write(out, () => resolve()));
  const failed =
    failOn === 'expired' ? issues.some((i) => EXPIRED_CODES.has(i.code)) : issues.some((i) => meetsThreshold(i.severity, failOn));
  return failed ? 1 : 0;
}

/** --now, the day thresholds and the lifetime shares, as `scan` reads them. */
function evaluationSettings(
  values: { now?: string; 'critical-days'?: string; 'warn-days'?: string; 'info-days'?: string } & ShareValues,
  usage: Usage,
): { now: number; rules: RuleSettings } {
  const days = (v: string | undefined, name: string, fallback: number) => {
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v)) throw usage(`--${name} needs a whole number, got "${v}"`);
    return Number(v);
  };
  const now = values.now === undefined ? Date.now() : Date.parse(values.now);
  if (!Number.isFinite(now)) throw usage(`--now needs an ISO-8601 time such as 2027-01-31T00:00:00Z, got "${values.now}"`);
  return {
    now,
    rules: {
      ...DEFAULT_RULES,
      criticalDays: days(values['critical-days'], 'critical-days', DEFAULT_RULES.criticalDays),
      warningDays: days(values['warn-days'], 'warn-days', DEFAULT_RULES.warningDays),
      infoDays: days(values['info-days'], 'info-days', DEFAULT_RULES.infoDays),
      ...lifetimeShareSettings(values, usage),
    },
  };
}

function checkTable(result: ProbeResult, json: HostJson, issues: ReturnType<typeof assessHost>, now: number): string {
  const label = hostPortKey(result.host, result.port);
  const via = [
    `connected to ${result.address}`,
    result.viaProxy ? `via proxy ${result.viaProxy}` : '',
    result.servername ? `SNI ${result.servername}` : 'no SNI',
    result.starttls ? `STARTTLS ${result.starttls}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lines = [`${label} (${via})`];
  if (result.error) {
    lines.push(`error      ${result.error}`);
  } else {
    lines.push(`protocol   ${[result.protocol, result.cipher].filter(Boolean).join(', ')}`);
    lines.push(`trusted    ${result.authorized ? 'yes' : `no (${result.authorizationError ?? 'unknown'})`}`);
    lines.push(`hostname   ${result.hostnameMatch ? 'matches' : `does not match (${result.hostnameError ?? ''})`}`);
    if (result.notAfter !== undefined) lines.push(`expires    ${isoDate(result.notAfter)} (${json.daysLeft} days)`);
    const header = ['#', 'ROLE', 'EXPIRES', 'DAYS', 'SUBJECT', 'ISSUER', 'SHA-256'];
    const rows = result.chain.map((m, i) => [
      String(i),
      i === 0 ? 'leaf' : i === result.chain.length - 1 && m.selfSigned ? 'root' : 'intermediate',
      isoDate(m.notAfter),
      String(daysLeft(m.notAfter, now)),
      (m.subjectCN ? `CN=${m.subjectCN}` : m.subject).slice(0, 48),
      (m.issuerCN ? `CN=${m.issuerCN}` : m.issuer).slice(0, 48),
      m.sha256,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
    lines.push('', fmt(header), ...rows.map(fmt));
    if (result.chainTruncated) lines.push(`(chain cut at ${result.chain.length} certificates)`);
  }
  if (issues.length) lines.push('', ...issues.map((i) => `${i.severity}: ${i.message} [${i.code}]`));
  return lines.join('\n') + '\n';
}
