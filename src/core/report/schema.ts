import type { CertificateRecord, Finding, Range } from '../model';
import { daysLeft } from '../rules/rules';
import type { ScanStats } from '../scan/scanner';
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
}

export interface FindingJson {
  file: string;
  range: Range;
  severity: string;
  code: string;
  message: string;
  sha256?: string;
  /** host:port, on findings about a TLS endpoint. */
  host?: string;
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
}

export interface Report {
  version: number;
  now: string;
  certificates: CertificateJson[];
  findings: FindingJson[];
  /** Present when hosts were checked. */
  hosts?: HostJson[];
  stats: { files: number; certificates: number; findings: number; ms: number };
}

export function certificateJson(c: CertificateRecord, now: number): CertificateJson {
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
  };
}

export function findingJson(f: Finding): FindingJson {
  const out: FindingJson = { file: f.file, range: f.range, severity: f.severity, code: f.code, message: f.message };
  if (f.sha256) out.sha256 = f.sha256;
  if (f.host) out.host = f.host;
  if (f.related?.length) out.related = f.related.map((r) => ({ file: r.file, range: r.range }));
  return out;
}

export function buildReport(certs: readonly CertificateRecord[], findings: readonly Finding[], now: number, stats: Pick<ScanStats, 'files' | 'ms'>): Report {
  return {
    version: REPORT_VERSION,
    now: isoTime(now),
    certificates: certs.map((c) => certificateJson(c, now)),
    findings: findings.map(findingJson),
    stats: { files: stats.files, certificates: certs.length, findings: findings.length, ms: stats.ms },
  };
}
