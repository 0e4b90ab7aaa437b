import type { CertificateRecord, CertManagerRef, CrlRecord, Finding, JwkInfo, Range, Severity, UnreadableFolder } from '../model';
import { keystoreNote } from '../formats/keystore';
import type { ContextOf, FileContext } from '../context';
import type { OwnersOf } from '../owners';
import { daysLeft } from '../rules/rules';
import { EXPIRED_CODES } from './findingCodes';
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
  /** Why the file has its context, in words (present when the classifier says). */
  contextReason?: string;
  /** Source `saml`: where the certificate sits in the metadata (present only there). */
  saml?: {
    entityID: string | null;
    role: string | null;
    use: string | null;
    signature: boolean;
    validUntil: string | null;
    cacheDuration: string | null;
  };
  /** Source `jwks`: the key whose x5c holds the certificate (present only there). */
  jwk?: { kid: string | null; use: string | null; alg: string | null; kty: string | null; position: number };
  /** The file's code owners (CODEOWNERS); empty when unowned or without a CODEOWNERS file. */
  owners: string[];
  /** The commit that last changed the certificate's lines (`scan --last-change`), when git knows one. */
  lastChange?: LastChangeJson;
  /** Keystore entry alias (JKS, JCEKS); absent elsewhere. */
  alias?: string;
  /** How its keystore was opened, e.g. `JKS, integrity not verified (no password)`; absent outside keystores. */
  keystore?: string;
  /** The cert-manager Certificate managing it (annotated Secret); absent otherwise. */
  managedBy?: CertManagerRef;
}

/** A commit, as `git log` tells it. */
export interface LastChangeJson {
  commit: string;
  author: string;
  date: string;
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
  /** Why `file` has its context. */
  contextReason?: string;
  /** The other places the finding applies to: the other references to the same host; for drift, the other end. */
  related?: { file: string; range: Range }[];
  /** In the --baseline given: reported, but not counted for --fail-on. */
  baselined?: true;
  /** A team config's ignore entry covers it: reported, not shown as a problem, not counted for --fail-on. */
  ignored?: { by: string; reason: string; until?: string };
  /** The code owners of `file`. */
  owners: string[];
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
  /** Set by buildReport: why (the deciding reference's file's context reason). */
  contextReason?: string;
  /** Set by buildReport: the code owners of the files that reference the host. */
  owners?: string[];
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
  summary: {
    production: SummaryCounts;
    nonProduction: SummaryCounts;
    /** With code owners (a CODEOWNERS file): production certificates expired or expiring that nobody owns. */
    expiringWithoutOwner?: number;
  };
  /** Folders the scan could not list (and links it could not follow): their files are not in the report. Empty when all were read. */
  unreadableFolders: UnreadableFolder[];
}

/** What a report says of the scan that made it (a scan's ScanStats has these). */
export interface ReportStats {
  files: number;
  ms: number;
  unreadableFolders?: readonly UnreadableFolder[];
}

/** Finding codes that say a certificate has expired or is about to. */
export const EXPIRY_CODES: readonly string[] = ['expired', 'expires-critical', 'expires-warning', 'expires-info'];

export function certificateJson(
  c: CertificateRecord,
  now: number,
  context: FileContext = 'production',
  owners: string[] = [],
  contextReason?: string,
): CertificateJson {
  const json = certificateFieldsJson(c, now, context, owners, contextReason);
  if (c.saml) {
    const s = c.saml;
    json.saml = {
      entityID: s.entityID ?? null,
      role: s.role ?? null,
      use: s.use ?? null,
      signature: !!s.signature,
      validUntil: s.validUntil === undefined ? null : isoTime(s.validUntil),
      cacheDuration: s.cacheDuration ?? null,
    };
  }
  if (c.jwk) json.jwk = jwkJson(c.jwk);
  return json;
}

function jwkJson(k: JwkInfo): NonNullable<CertificateJson['jwk']> {
  return { kid: k.kid ?? null, use: k.use ?? null, alg: k.alg ?? null, kty: k.kty ?? null, position: k.position };
}

function certificateFieldsJson(
  c: CertificateRecord,
  now: number,
  context: FileContext,
  owners: string[],
  contextReason: string | undefined,
): CertificateJson {
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
    ...(contextReason ? { contextReason } : {}),
    owners,
    ...(c.alias !== undefined ? { alias: c.alias } : {}),
    ...(c.keystore ? { keystore: keystoreNote(c.keystore) } : {}),
    ...(c.managedBy ? { managedBy: c.managedBy } : {}),
  };
}

export function crlJson(c: CrlRecord, now: number, context: FileContext = 'production', contextReason?: string): CrlJson {
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
    ...(contextReason ? { contextReason } : {}),
  };
}

export function findingJson(f: Finding, context: FileContext = 'production', owners: string[] = [], contextReason?: string): FindingJson {
  const out: FindingJson = {
    file: f.file,
    range: f.range,
    severity: f.severity,
    code: f.code,
    message: f.message,
    context,
    ...(contextReason ? { contextReason } : {}),
    owners,
  };
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
  /** Each file's code owners; with it the summary counts expiring production certificates nobody owns. */
  ownersOf?: OwnersOf;
  /** The commit that last changed a certificate's lines (asked per certificate, lazily). */
  lastChangeOf?: (c: CertificateRecord) => LastChangeJson | undefined;
  /** The workspace's CRLs (Inventory.crls()). */
  crls?: readonly CrlRecord[];
}

export function buildReport(
  certs: readonly CertificateRecord[],
  findings: readonly Finding[],
  now: number,
  stats: ReportStats,
  options: ReportOptions = {},
): Report {
  const contextOf: ContextOf = options.contextOf ?? (() => 'production');
  const ownersOf = memoisedOwners(options.ownersOf);
  const summary = emptySummary();
  const certificates = certs.map((c) => {
    const json = certificateJson(c, now, contextOf(c.file), ownersOf(c.file), contextOf.reason?.(c.file));
    const lastChange = options.lastChangeOf?.(c);
    if (lastChange) json.lastChange = lastChange;
    countCertificate(summary, json.context);
    return json;
  });
  const findingList = findings.map((f) => {
    const json = findingJson(f, contextOf(f.file), ownersOf(f.file), contextOf.reason?.(f.file));
    countFinding(summary, f, json.context);
    return json;
  });
  const report: Report = {
    version: REPORT_VERSION,
    now: isoTime(now),
    certificates,
    crls: (options.crls ?? []).map((c) => crlJson(c, now, contextOf(c.file), contextOf.reason?.(c.file))),
    findings: findingList,
    stats: { files: stats.files, certificates: certs.length, findings: findings.length, ms: stats.ms },
    summary,
    unreadableFolders: [...(stats.unreadableFolders ?? [])],
  };
  if (options.hosts) report.hosts = options.hosts.map((h) => hostJson(h, contextOf, ownersOf));
  if (options.ownersOf) report.summary.expiringWithoutOwner = expiringWithoutOwner(report);
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
  if (EXPIRED_CODES.has(f.code)) counts.expired++;
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
export function hostJson(h: HostJson, contextOf: ContextOf, ownersOf: (file: string) => string[]): HostJson {
  const contexts = h.references.map((r) => contextOf(r.file));
  const deciding = Math.max(0, contexts.indexOf('production'));
  const reason = h.references.length ? contextOf.reason?.(h.references[deciding].file) : undefined;
  return {
    ...h,
    context: contexts.includes('production') ? 'production' : (contexts[0] ?? 'production'),
    ...(reason ? { contextReason: reason } : {}),
    owners: [...new Set(h.references.flatMap((r) => ownersOf(r.file)))],
  };
}

/** Each file's owners, asked once per file; a fresh array for each caller (reports may be changed after). */
export function memoisedOwners(ownersOf: OwnersOf | undefined): (file: string) => string[] {
  const memo = new Map<string, string[]>();
  return (file) => {
    if (!ownersOf) return [];
    let owners = memo.get(file);
    if (!owners) memo.set(file, (owners = ownersOf(file)));
    return [...owners];
  };
}

/** Production certificates with an expiry finding (expired or expiring) and no owner. */
function expiringWithoutOwner(report: Report): number {
  const expiring = new Set(
    report.findings.filter((f) => f.sha256 && f.severity !== 'hint' && EXPIRY_CODES.includes(f.code)).map((f) => `${f.file}\0${f.sha256}`),
  );
  return report.certificates.filter((c) => c.context === 'production' && c.owners.length === 0 && expiring.has(`${c.file}\0${c.sha256}`))
    .length;
}
