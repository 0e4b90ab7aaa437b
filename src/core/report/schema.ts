import type { CertificateRecord, Finding, Range, Severity } from '../model';
import type { ContextOf, FileContext } from '../context';
import { daysLeft } from '../rules/rules';
import type { ScanStats } from '../scan/pipeline';
import { isoTime } from '../dates';

export { isoTime };

/** The CLI's JSON report; also what "Export Report" writes. Documented in the README; change with care. */
export const REPORT_VERSION = 1;

export interface CertificateJson {
  file: string;
  range: Range;
  source: string;
  index: number;
  subject: string;
  subjectCN: string | null;
  issuer: string;
  issuerCN: string | null;
  sans: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
  serial: string;
  notBefore: string;
  notAfter: string;
  lifetimeDays: number;
  daysLeft: number;
  sha256: string;
  sha1: string;
  keyType: string;
  keyBits: number | null;
  curve: string | null;
  signatureAlgorithm: string;
  isCA: boolean;
  selfSigned: boolean;
  keyUsage: string[];
  extendedKeyUsage: string[];
  role: string;
  chainEarliestNotAfter: string | null;
  chainEarliestIndex: number | null;
  privateKey: { file: string; range: Range } | null;
  /** What the file is for, from its path (see FileContext). */
  context: FileContext;
}

export interface FindingJson {
  file: string;
  range: Range;
  /** error | warning | info | hint (hint: outside production, or an unused trust-store root). */
  severity: string;
  code: string;
  message: string;
  sha256?: string;
  /** host:port, on findings about a TLS endpoint. */
  host?: string;
  /** The context of `file`. */
  context: FileContext;
}

/** One TLS endpoint named in the workspace and what its handshake showed (`certlens scan --hosts`). */
export interface HostJson {
  host: string;
  port: number;
  servername: string | null;
  /** Where the connection went (a --resolve address, or the host itself). */
  address: string;
  viaProxy: string | null;
  starttls: string | null;
  references: { file: string; range: Range; source: string }[];
  checkedAt: string;
  notBefore: string | null;
  notAfter: string | null;
  daysLeft: number | null;
  chainEarliestNotAfter: string | null;
  chainEarliestIndex: number | null;
  authorized: boolean;
  authorizationError: string | null;
  hostnameMatch: boolean | null;
  hostnameError: string | null;
  selfSigned: boolean | null;
  missingIntermediate: boolean | null;
  protocol: string | null;
  cipher: string | null;
  error: string | null;
  chain: { subject: string; issuer: string; notBefore: string; notAfter: string; sha256: string; dnsNames: string[] }[];
  /** Set by buildReport: production when any reference is in production, else the first reference's context. */
  context?: FileContext;
}

/** Counts over the certificates and findings of one side of the production line. */
export interface SummaryCounts extends Record<Severity, number> {
  certificates: number;
  findings: number;
  /** Findings with code `expired` (of any severity). */
  expired: number;
}

export interface Report {
  version: number;
  now: string;
  certificates: CertificateJson[];
  findings: FindingJson[];
  /** Present when hosts were checked. */
  hosts?: HostJson[];
  stats: { files: number; certificates: number; findings: number; ms: number };
  /** Production files, and all the others (test, example, documentation, vendored). */
  summary: { production: SummaryCounts; nonProduction: SummaryCounts };
}

export function certificateJson(c: CertificateRecord, now: number, context: FileContext = 'production'): CertificateJson {
  return {
    file: c.file,
    range: c.range,
    source: c.source,
    index: c.index,
    subject: c.subject,
    subjectCN: c.subjectCN ?? null,
    issuer: c.issuer,
    issuerCN: c.issuerCN ?? null,
    sans: c.sans,
    serial: c.serial,
    notBefore: isoTime(c.notBefore),
    notAfter: isoTime(c.notAfter),
    lifetimeDays: Math.round((c.notAfter - c.notBefore) / 86_400_000),
    daysLeft: daysLeft(c.notAfter, now),
    sha256: c.sha256,
    sha1: c.sha1,
    keyType: c.keyType,
    keyBits: c.keyBits ?? null,
    curve: c.curve ?? null,
    signatureAlgorithm: c.signatureAlgorithm,
    isCA: c.isCA,
    selfSigned: c.selfSigned,
    keyUsage: c.keyUsage,
    extendedKeyUsage: c.extendedKeyUsage,
    role: c.role,
    chainEarliestNotAfter: c.chain ? isoTime(c.chain.earliestNotAfter) : null,
    chainEarliestIndex: c.chain ? c.chain.earliestIndex : null,
    privateKey: c.privateKey ? { file: c.privateKey.file, range: c.privateKey.range } : null,
    context,
  };
}

export function findingJson(f: Finding, context: FileContext = 'production'): FindingJson {
  const out: FindingJson = { file: f.file, range: f.range, severity: f.severity, code: f.code, message: f.message, context };
  if (f.sha256) out.sha256 = f.sha256;
  if (f.host) out.host = f.host;
  return out;
}

export interface ReportOptions {
  /** Each file's context; without it every file counts as production. */
  contextOf?: ContextOf;
  /** Checked hosts (`scan --hosts`), given their context and added to the report. */
  hosts?: HostJson[];
}

export function buildReport(
  certs: readonly CertificateRecord[], findings: readonly Finding[], now: number, stats: Pick<ScanStats, 'files' | 'ms'>, options: ReportOptions = {},
): Report {
  const contextOf = options.contextOf ?? (() => 'production');
  const summary = emptySummary();
  const certificates = certs.map((c) => {
    const json = certificateJson(c, now, contextOf(c.file));
    countCertificate(summary, json.context);
    return json;
  });
  const findingList = findings.map((f) => {
    const json = findingJson(f, contextOf(f.file));
    countFinding(summary, f, json.context);
    return json;
  });
  const report: Report = {
    version: REPORT_VERSION,
    now: isoTime(now),
    certificates,
    findings: findingList,
    stats: { files: stats.files, certificates: certs.length, findings: findings.length, ms: stats.ms },
    summary,
  };
  if (options.hosts) report.hosts = options.hosts.map((h) => hostJson(h, contextOf));
  return report;
}

export function emptySummary(): Report['summary'] {
  return { production: emptyCounts(), nonProduction: emptyCounts() };
}

export function countCertificate(summary: Report['summary'], context: FileContext): void {
  (context === 'production' ? summary.production : summary.nonProduction).certificates++;
}

export function countFinding(summary: Report['summary'], f: Pick<Finding, 'severity' | 'code'>, context: FileContext): void {
  const counts = context === 'production' ? summary.production : summary.nonProduction;
  counts.findings++;
  counts[f.severity]++;
  if (f.code === 'expired') counts.expired++;
}

/** Adds counts made elsewhere (another file, another thread). */
export function addSummary(into: Report['summary'], from: Report['summary']): void {
  addCounts(into.production, from.production);
  addCounts(into.nonProduction, from.nonProduction);
}

function addCounts(into: SummaryCounts, from: SummaryCounts): void {
  into.certificates += from.certificates;
  into.findings += from.findings;
  into.expired += from.expired;
  into.error += from.error;
  into.warning += from.warning;
  into.info += from.info;
  into.hint += from.hint;
}

function emptyCounts(): SummaryCounts {
  return { certificates: 0, findings: 0, expired: 0, error: 0, warning: 0, info: 0, hint: 0 };
}

/** A checked host as the report gives it: production when any reference is in production, else the first reference's context. */
export function hostJson(h: HostJson, contextOf: ContextOf): HostJson {
  const contexts = h.references.map((r) => contextOf(r.file));
  return { ...h, context: contexts.includes('production') ? 'production' : contexts[0] ?? 'production' };
}
