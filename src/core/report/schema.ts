import type { CertificateRecord, CrlRecord, Finding, Range, Severity } from '../model';
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

/** One certificate revocation list: its nextUpdate is an expiry like a certificate's notAfter. */
export interface CrlJson {
  file: string;
  range: Range;
  /** How it is encoded where found: pem, der, inline, k8s-secret. */
  source: string;
  /** Position among the file's CRLs. */
  index: number;
  issuer: string;
  issuerCN: string | null;
  thisUpdate: string;
  /** null when the CRL names no next update (it never expires). */
  nextUpdate: string | null;
  daysLeft: number | null;
  /** cRLNumber as upper-case hex, as `openssl crl -crlnumber` prints it after 0x. */
  crlNumber: string | null;
  revokedCount: number;
  signatureAlgorithm: string;
  sha256: string;
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
  /** The other places the finding applies to: the other references to the same host. */
  related?: { file: string; range: Range }[];
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
  /** Certificate revocation lists, by nextUpdate. */
  crls: CrlJson[];
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

export function crlJson(c: CrlRecord, now: number, context: FileContext = 'production'): CrlJson {
  return {
    file: c.file,
    range: c.range,
    source: c.source,
    index: c.index,
    issuer: c.issuer,
    issuerCN: c.issuerCN ?? null,
    thisUpdate: isoTime(c.thisUpdate),
    nextUpdate: c.nextUpdate === undefined ? null : isoTime(c.nextUpdate),
    daysLeft: c.nextUpdate === undefined ? null : daysLeft(c.nextUpdate, now),
    crlNumber: c.crlNumber ?? null,
    revokedCount: c.revokedCount,
    signatureAlgorithm: c.signatureAlgorithm,
    sha256: c.sha256,
    context,
  };
}

export function findingJson(f: Finding, context: FileContext = 'production'): FindingJson {
  const out: FindingJson = { file: f.file, range: f.range, severity: f.severity, code: f.code, message: f.message, context };
  if (f.sha256) out.sha256 = f.sha256;
  if (f.host) out.host = f.host;
  if (f.related?.length) out.related = f.related.map((r) => ({ file: r.file, range: r.range }));
  return out;
}

export interface ReportOptions {
  /** Each file's context; without it every file counts as production. */
  contextOf?: ContextOf;
  /** Checked hosts (`scan --hosts`), given their context and added to the report. */
  hosts?: HostJson[];
  /** The workspace's CRLs (Inventory.crls()). */
  crls?: readonly CrlRecord[];
}

export function buildReport(
  certs: readonly CertificateRecord[], findings: readonly Finding[], now: number, stats: Pick<ScanStats, 'files' | 'ms'>, options: ReportOptions = {},
): Report {
  const contextOf = options.contextOf ?? (() => 'production');
  const production = emptyCounts();
  const nonProduction = emptyCounts();
  const certificates = certs.map((c) => {
    const json = certificateJson(c, now, contextOf(c.file));
    (json.context === 'production' ? production : nonProduction).certificates++;
    return json;
  });
  const findingList = findings.map((f) => {
    const json = findingJson(f, contextOf(f.file));
    const counts = json.context === 'production' ? production : nonProduction;
    counts.findings++;
    counts[f.severity]++;
    if (f.code === 'expired') counts.expired++;
    return json;
  });
  const report: Report = {
    version: REPORT_VERSION,
    now: isoTime(now),
    certificates,
    crls: (options.crls ?? []).map((c) => crlJson(c, now, contextOf(c.file))),
    findings: findingList,
    stats: { files: stats.files, certificates: certs.length, findings: findings.length, ms: stats.ms },
    summary: { production, nonProduction },
  };
  if (options.hosts) report.hosts = options.hosts.map((h) => ({ ...h, context: hostContext(h, contextOf) }));
  return report;
}

function emptyCounts(): SummaryCounts {
  return { certificates: 0, findings: 0, expired: 0, error: 0, warning: 0, info: 0, hint: 0 };
}

/** A host named by any production file is a production host. */
function hostContext(h: HostJson, contextOf: ContextOf): FileContext {
  const contexts = h.references.map((r) => contextOf(r.file));
  return contexts.includes('production') ? 'production' : contexts[0] ?? 'production';
}
