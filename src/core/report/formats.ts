import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { hostPortKey } from '../hostPort';
import { pathToFileURL } from 'node:url';
import type { FileContext } from '../context';
import type { CertificateJson, FindingJson, Report } from './schema';
import { type Finding, type Range, type Severity, SEVERITIES } from '../model';
import { relativeToRoot } from './baseline';
import { EXPIRED_CODES, FINDING_CODES, type FindingCodeInfo } from './findingCodes';

const SEVERITY_RANK: Record<string, number> = { error: 3, warning: 2, info: 1, hint: 0 };

function csvCell(v: string | number | string[] | null): string {
  let s = v === null ? '' : Array.isArray(v) ? v.join(' ') : String(v);
  // A leading = + - @ would be read as a formula by spreadsheets.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(report: Report): string {
  const header = [
    'notAfter',
    'daysLeft',
    'subjectCN',
    'subject',
    'issuer',
    'dnsNames',
    'file',
    'line',
    'source',
    'index',
    'role',
    'keyType',
    'keyBits',
    'curve',
    'signatureAlgorithm',
    'serial',
    'sha256',
    'notBefore',
    'chainEarliestNotAfter',
    'context',
    'owners',
  ];
  // New columns go last, so readers that count columns keep working.
  const rows = report.certificates.map((c) => [
    c.notAfter,
    c.daysLeft,
    c.subjectCN,
    c.subject,
    c.issuer,
    c.sans.dns,
    c.file,
    c.range.start.line + 1,
    c.source,
    c.index,
    c.role,
    c.keyType,
    c.keyBits,
    c.curve,
    c.signatureAlgorithm,
    c.serial,
    c.sha256,
    c.notBefore,
    c.chainEarliestNotAfter,
    c.context,
    c.owners,
  ]);
  // CRLs as rows of their own: role "crl", nextUpdate as notAfter, thisUpdate as notBefore, the CRL number as serial.
  for (const c of report.crls ?? []) {
    rows.push([
      c.nextUpdate,
      c.daysLeft,
      null,
      '',
      c.issuer,
      [],
      c.file,
      c.range.start.line + 1,
      c.source,
      c.index,
      'crl',
      null,
      null,
      null,
      c.signatureAlgorithm,
      c.crlNumber,
      c.sha256,
      c.thisUpdate,
      null,
      c.context,
    ]);
  }
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Where findings are hints and listings come second (context.ts's contexts other than production). */
const NON_PRODUCTION_FILES = 'test, example, documentation or vendored files';

function mdCell(v: string): string {
  return v.replace(/[\\|`*_<>[\]]/g, (c) => '\\' + c).replace(/\r?\n/g, ' ');
}

/** The table's and the Markdown's line over the folders a scan could not list. */
function unreadableFoldersLine(n: number): string {
  return `Not scanned: ${n} ${n === 1 ? 'folder' : 'folders'} could not be read (their files are missing from this report):`;
}

export function toMarkdown(report: Report, relativeTo?: string): string {
  const rel = (f: string) => (relativeTo ? path.relative(relativeTo, f) || f : f);
  const [certificates, elsewhere] = partition(report.certificates, (c) => c.context === 'production');
  const [findings, hints] = partition(report.findings, (f) => f.severity !== 'hint');
  const certificateRows = (list: readonly CertificateJson[]) => [
    '| Expires | Days left | Subject | Issuer | Key | File | Context | Owners |',
    '|---|---|---|---|---|---|---|---|',
    ...list.map(
      (c) =>
        `| ${c.notAfter.slice(0, 10)} | ${c.daysLeft} | ${mdCell(c.subjectCN ?? c.subject)} | ${mdCell(c.issuerCN ?? c.issuer)} | ${mdCell(c.keyType)}${c.keyBits ? ` ${c.keyBits}` : ''} | ${mdCell(rel(c.file))}:${c.range.start.line + 1} | ${mdCell(c.context)} | ${mdOwners(c.owners)} |`,
    ),
  ];
  const findingRows = (list: readonly FindingJson[]) => [
    '| Severity | Code | Message | File | Context | Owners |',
    '|---|---|---|---|---|---|',
    ...list.map(
      (f) =>
        `| ${f.severity} | ${f.code} | ${mdCell(f.message)} | ${mdCell(rel(f.file))}:${f.range.start.line + 1} | ${mdCell(f.context)} | ${mdOwners(f.owners)} |`,
    ),
  ];
  const lines = [
    `# CertLens report`,
    '',
    `Generated ${report.now}: ${report.certificates.length} certificates (${certificates.length} in production files), ${report.findings.length} findings (${hints.length} hints).`,
    '',
    ...(certificates.length ? certificateRows(certificates) : ['No certificates in production files.']),
  ];
  // What is outside production is one click away, not in the way (GitHub renders <details>).
  if (elsewhere.length)
    lines.push(
      '',
      ...folded(
        `${elsewhere.length} ${elsewhere.length === 1 ? 'certificate' : 'certificates'} in ${NON_PRODUCTION_FILES}`,
        certificateRows(elsewhere),
      ),
    );
  if (report.crls?.length) {
    lines.push(
      '',
      '## Revocation lists',
      '',
      '| Next update | Days left | Issuer | Number | Revoked | File | Context |',
      '|---|---|---|---|---|---|---|',
    );
    for (const c of report.crls) {
      lines.push(
        `| ${c.nextUpdate?.slice(0, 10) ?? 'none'} | ${c.daysLeft ?? ''} | ${mdCell(c.issuerCN ?? c.issuer)} | ${c.crlNumber ? `0x${c.crlNumber}` : ''} | ${c.revokedCount} | ${mdCell(rel(c.file))}:${c.range.start.line + 1} | ${mdCell(c.context)} |`,
      );
    }
  }
  if (report.hosts?.length) {
    lines.push('', '## Hosts', '', '| Host | Expires | Days left | Trusted | Hostname | Error |', '|---|---|---|---|---|---|');
    for (const h of report.hosts) {
      lines.push(
        `| ${mdCell(hostPortKey(h.host, h.port))} | ${h.notAfter?.slice(0, 10) ?? ''} | ${h.daysLeft ?? ''} | ${h.error ? '' : h.authorized ? 'yes' : mdCell(h.authorizationError ?? 'no')} | ${h.hostnameMatch === null ? '' : h.hostnameMatch ? 'matches' : 'mismatch'} | ${mdCell(h.error ?? '')} |`,
      );
    }
  }
  if (report.findings.length) lines.push('', '## Findings', '');
  if (findings.length) lines.push(...findingRows(findings));
  if (hints.length)
    lines.push(
      ...(findings.length ? [''] : []),
      ...folded(`${hints.length} ${hints.length === 1 ? 'hint' : 'hints'} (findings in ${NON_PRODUCTION_FILES})`, findingRows(hints)),
    );
  if (report.summary.expiringWithoutOwner) lines.push('', expiringWithoutOwnerLine(report.summary.expiringWithoutOwner));
  if (report.unreadableFolders?.length) {
    lines.push(
      '',
      `**${unreadableFoldersLine(report.unreadableFolders.length)}**`,
      '',
      ...report.unreadableFolders.map((u) => `- ${mdCell(rel(u.path))}: ${mdCell(u.error)}`),
    );
  }
  return lines.join('\n') + '\n';
}

/** A collapsed Markdown section: a summary line, the content on a click. */
function folded(summary: string, content: readonly string[]): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', ...content, '', '</details>'];
}

function partition<T>(list: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of list) (test(item) ? yes : no).push(item);
  return [yes, no];
}

/** Owners in a Markdown cell; "none" when unowned. */
function mdOwners(owners: readonly string[] | undefined): string {
  return owners?.length ? owners.map(mdCell).join(' ') : 'none';
}

function expiringWithoutOwnerLine(n: number): string {
  return `${n} expiring production ${n === 1 ? 'certificate has' : 'certificates have'} no owner in CODEOWNERS`;
}

export interface SarifOptions {
  /**
   * The repository root: locations are URIs relative to it (uriBaseId %SRCROOT%), as GitHub code
   * scanning needs them; files outside it, and all files without it, are absolute file URIs.
   */
  sourceRoot?: string;
  /** A baseline was applied: each result says baselineState unchanged (baselined) or new. */
  baseline?: boolean;
}

const SRCROOT = '%SRCROOT%';

/** The SARIF rule describing a finding code (GitHub shows it on each alert). */
function sarifRule(id: string) {
  const info = (FINDING_CODES as Record<string, FindingCodeInfo | undefined>)[id];
  if (!info) return { id, shortDescription: { text: id.replace(/-/g, ' ') } };
  return {
    id,
    name: info.name,
    shortDescription: { text: info.short },
    fullDescription: { text: info.full },
    help: { text: `${info.full}\n\nHow to fix: ${info.fix}`, markdown: `${info.full}\n\n**How to fix:** ${info.fix}` },
    helpUri: 'https://github.com/certlens/certlens#findings',
    properties: { 'security-severity': info.securitySeverity.toFixed(1), tags: info.tags, precision: 'very-high' },
  };
}

export function toSarif(report: Report, version: string, options: SarifOptions = {}): string {
  const known = Object.keys(FINDING_CODES);
  const codes = [...known, ...[...new Set(report.findings.map((f) => f.code))].filter((c) => !known.includes(c)).sort()];
  const ruleIndex = new Map(codes.map((c, i) => [c, i]));
  const level = (s: string) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : s === 'hint' ? 'none' : 'note');
  const { sourceRoot } = options;
  const artifactLocation = (file: string) => {
    const rel = sourceRoot === undefined ? undefined : relativeToRoot(file, sourceRoot);
    return rel === undefined
      ? { uri: pathToFileURL(file).href }
      : { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  };
  const fingerprints = new FindingFingerprints(sourceRoot);
  return (
    JSON.stringify(
      {
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        version: '2.1.0',
        runs: [
          {
            tool: {
              driver: {
                name: 'CertLens',
                version,
                semanticVersion: version,
                informationUri: 'https://github.com/certlens/certlens',
                rules: codes.map(sarifRule),
              },
            },
            ...(sourceRoot === undefined
              ? {}
              : { originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(sourceRoot).href.replace(/\/?$/, '/') } } }),
            columnKind: 'utf16CodeUnits',
            results: report.findings.map((f) => ({
              ruleId: f.code,
              ruleIndex: ruleIndex.get(f.code),
              level: level(f.severity),
              message: { text: f.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: artifactLocation(f.file),
                    region: sarifRegion(f.range),
                  },
                },
              ],
              // The other places a finding applies to: a host's other references; drift's other end (the certificate, or the host's reference).
              ...(f.related?.length
                ? {
                    relatedLocations: f.related.map((r, i) => ({
                      id: i + 1,
                      physicalLocation: {
                        artifactLocation: artifactLocation(r.file),
                        region: sarifRegion(r.range),
                      },
                    })),
                  }
                : {}),
              partialFingerprints: { [FINDING_HASH]: fingerprints.next(f) },
              ...(options.baseline ? { baselineState: f.baselined ? 'unchanged' : 'new' } : {}),
              // A team config's ignore entry: an external suppression with its reason (code scanning shows it dismissed).
              ...(f.ignored ? { suppressions: [{ kind: 'external', justification: f.ignored.reason }] } : {}),
              ...(f.context ? { properties: { context: f.context, owners: f.owners ?? [] } } : {}),
            })),
            // Folders not scanned: said where SARIF readers look for a run's trouble, not as results.
            ...(report.unreadableFolders?.length
              ? {
                  invocations: [
                    {
                      executionSuccessful: true,
                      toolExecutionNotifications: report.unreadableFolders.map((u) => ({
                        level: 'warning',
                        message: { text: `Cannot read folder ${u.path}: ${u.error}` },
                        locations: [{ physicalLocation: { artifactLocation: artifactLocation(u.path) } }],
                      })),
                    },
                  ],
                }
              : {}),
          },
        ],
      },
      null,
      2,
    ) + '\n'
  );
}

const FINDING_HASH = 'certlensFindingHash/v1';

/**
 * certlensFindingHash/v1: what a finding is about, not where its lines are, so an alert survives
 * edits around it. A certificate's finding: its SHA-256, code and file (relative to the source root);
 * an endpoint's: host:port and code; a file's problem: file and code. Repeats within one run are
 * numbered in report order.
 */
class FindingFingerprints {
  private readonly seen = new Map<string, number>();

  constructor(private readonly sourceRoot: string | undefined) {}

  next(f: FindingJson): string {
    const file = (this.sourceRoot === undefined ? undefined : relativeToRoot(f.file, this.sourceRoot)) ?? f.file;
    const identity = f.host
      ? `host\0${f.host}\0${f.code}`
      : f.sha256
        ? `cert\0${f.sha256}\0${f.code}\0${file}`
        : `file\0${file}\0${f.code}`;
    const n = (this.seen.get(identity) ?? 0) + 1;
    this.seen.set(identity, n);
    return createHash('sha256')
      .update(n === 1 ? identity : `${identity}\0${n}`)
      .digest('hex');
  }
}

const COLORS = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m', hint: '\x1b[2m', reset: '\x1b[0m', dim: '\x1b[2m' };

/**
 * One row per certificate sorted by notAfter, worst finding's severity as colour (hints dim); then
 * the other problems, hints only counted: the JSON and SARIF reports list them.
 */
export function toTable(report: Report, color: boolean, relativeTo?: string): string {
  const worst = new Map<string, string>();
  for (const f of report.findings) {
    if (!f.sha256) continue;
    const prev = worst.get(f.sha256);
    if (!prev || SEVERITY_RANK[f.severity] > SEVERITY_RANK[prev]) worst.set(f.sha256, f.severity);
  }
  const rel = (f: string) => (relativeTo ? path.relative(relativeTo, f) || f : f);
  // STATUS says what colour alone would (a CI log has none): the worst finding, and the context outside production.
  // Outside production the FILE cell also says why (the classifier's reason), so a user who disagrees sees it.
  const row = (sha256: string, context: FileContext, cells: string[], reason?: string) => {
    const sev = worst.get(sha256);
    if (reason && context !== 'production') cells[cells.length - 1] += ` (${reason})`;
    return { sev, context, cells: [`${sev ?? 'ok'}${context === 'production' ? '' : ` (${context})`}`, ...cells] };
  };
  const rows = report.certificates.map((c) =>
    row(
      c.sha256,
      c.context,
      [
        c.notAfter.slice(0, 10),
        String(c.daysLeft),
        (c.subjectCN ?? c.subject).slice(0, 40),
        (c.issuerCN ?? c.issuer).slice(0, 30),
        `${c.keyType}${c.keyBits ? ' ' + c.keyBits : ''}`,
        `${rel(c.file)}:${c.range.start.line + 1}`,
      ],
      c.contextReason,
    ),
  );
  for (const c of report.crls ?? []) {
    rows.push(
      row(c.sha256, c.context, [
        c.nextUpdate?.slice(0, 10) ?? '-',
        c.daysLeft === null ? '-' : String(c.daysLeft),
        `CRL${c.crlNumber ? ` 0x${c.crlNumber}` : ''} (${c.revokedCount} revoked)`,
        (c.issuerCN ?? c.issuer).slice(0, 30),
        '',
        `${rel(c.file)}:${c.range.start.line + 1}`,
      ]),
    );
  }
  const header = ['STATUS', 'EXPIRES', 'DAYS', 'SUBJECT', 'ISSUER', 'KEY', 'FILE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const paint = (r: (typeof rows)[number]) => {
    const line = fmt(r.cells);
    return color && r.sev ? `${COLORS[r.sev as keyof typeof COLORS]}${line}${COLORS.reset}` : line;
  };
  // Production first: a test tree's dozens of expired fixtures must not bury the one certificate that matters.
  const [production, elsewhere] = partition(rows, (r) => r.context === 'production');
  const out = [fmt(header), ...production.map(paint)];
  if (production.length && elsewhere.length) out.push('', `IN ${NON_PRODUCTION_FILES.toUpperCase()}`);
  out.push(...elsewhere.map(paint));
  const allProblems = report.findings.filter((f) => !f.sha256 && !f.host);
  const problems = allProblems.filter((f) => f.severity !== 'hint');
  if (problems.length) {
    out.push('', 'PROBLEMS');
    for (const f of problems) {
      const line = `${rel(f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity}: ${f.message} [${f.code}]`;
      out.push(color ? `${COLORS[f.severity as keyof typeof COLORS]}${line}${COLORS.reset}` : line);
    }
  }
  if (allProblems.length > problems.length) {
    const hidden = allProblems.length - problems.length;
    out.push('', `${hidden} ${hidden === 1 ? 'problem' : 'problems'} in ${NON_PRODUCTION_FILES} not listed (--format json lists them)`);
  }
  if (report.hosts) out.push(...hostsTable(report, color, rel));
  const hosts = report.hosts ? `, ${report.hosts.length} hosts` : '';
  const hints = report.findings.filter((f) => f.severity === 'hint').length;
  out.push(
    '',
    `${report.certificates.length} certificates in ${report.stats.files} files${hosts}, ${report.findings.length} findings${hints ? ` (${hints} hints)` : ''} (${report.stats.ms} ms)`,
  );
  if (report.summary.expiringWithoutOwner) out.push(expiringWithoutOwnerLine(report.summary.expiringWithoutOwner));
  if (report.unreadableFolders?.length)
    out.push(
      unreadableFoldersLine(report.unreadableFolders.length),
      ...report.unreadableFolders.map((u) => `  ${rel(u.path)}: ${u.error}`),
    );
  return out.join('\n') + '\n';
}

/** HOSTS: one row per endpoint (worst finding's colour), then each distinct host finding once. */
function hostsTable(report: Report, color: boolean, rel: (f: string) => string): string[] {
  const hosts = report.hosts ?? [];
  const key = (h: { host: string; port: number }) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
  const byHost = new Map<string, FindingJson[]>();
  for (const f of report.findings) {
    if (!f.host) continue;
    const list = byHost.get(f.host) ?? [];
    if (!list.some((o) => o.code === f.code)) list.push(f);
    byHost.set(f.host, list);
  }
  const rows = hosts.map((h) => {
    const findings = byHost.get(key(h)) ?? [];
    const worst = findings.reduce<string | undefined>(
      (w, f) => (!w || SEVERITY_RANK[f.severity] > SEVERITY_RANK[w] ? f.severity : w),
      undefined,
    );
    const problems = [
      !h.authorized &&
        (h.missingIntermediate ? 'missing intermediate' : h.selfSigned ? 'self-signed' : `untrusted (${h.authorizationError ?? '?'})`),
      h.hostnameMatch === false && 'hostname mismatch',
    ]
      .filter(Boolean)
      .join(', ');
    const status = h.error ?? (problems || 'ok');
    const first = h.references[0];
    const where = first
      ? `${rel(first.file)}:${first.range.start.line + 1}${h.references.length > 1 ? ` (+${h.references.length - 1})` : ''}`
      : '';
    return {
      worst,
      cells: [h.notAfter?.slice(0, 10) ?? '-', h.daysLeft === null ? '-' : String(h.daysLeft), key(h), status.slice(0, 60), where],
    };
  });
  const header = ['EXPIRES', 'DAYS', 'HOST', 'STATUS', 'REFERENCED AT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const paint = (line: string, sev: string | undefined) =>
    color && sev ? `${COLORS[sev as keyof typeof COLORS]}${line}${COLORS.reset}` : line;
  const out = ['', 'HOSTS', fmt(header), ...rows.map((r) => paint(fmt(r.cells), r.worst))];
  const notes = [...byHost.values()].flat();
  if (notes.length) out.push('', ...notes.map((f) => paint(`${f.severity}: ${f.message} [${f.code}]`, f.severity)));
  return out;
}

/** Whether a finding of `severity` fails a run at `failOn` (error|warning|info|hint|never): hints only fail at hint. */
export function meetsThreshold(severity: string, failOn: string): boolean {
  if (failOn === 'never') return false;
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[failOn];
}

/** What `--fail-on` looks at: the findings by severity, and the expired ones that are not hints. */
export interface FailureCounts {
  bySeverity: Record<Severity, number>;
  expiredNotHint: number;
}

export function failureCounts(findings: readonly Pick<Finding, 'code' | 'severity'>[]): FailureCounts {
  const counts: FailureCounts = { bySeverity: { error: 0, warning: 0, info: 0, hint: 0 }, expiredNotHint: 0 };
  for (const f of findings) {
    counts.bySeverity[f.severity]++;
    if (EXPIRED_CODES.has(f.code) && f.severity !== 'hint') counts.expiredNotHint++;
  }
  return counts;
}

/** Whether a run fails at `failOn`: `expired` on an expired finding that is not a hint, error|warning|info|hint on a finding at or above it, `never` never. */
export function failsAt(failOn: string, counts: FailureCounts): boolean {
  if (failOn === 'expired') return counts.expiredNotHint > 0;
  return SEVERITIES.some((severity) => counts.bySeverity[severity] > 0 && meetsThreshold(severity, failOn));
}

/** A SARIF region: lines and columns from 1; our ranges count from 0 and end, like SARIF's, just after the last character. */
function sarifRegion(r: Range): { startLine: number; startColumn: number; endLine: number; endColumn: number } {
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}
