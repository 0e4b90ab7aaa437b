import * as vscode from 'vscode';
import { hostPortKey } from '../../core/hosts/names';
import { buildReport, type Report } from '../../core/report/schema';
import { hostJson } from '../../core/hosts';
import type { HostChecks } from '../hostChecks';
import { toCsv, toMarkdown } from '../../core/report/formats';
import { toIcs } from '../../core/report/calendar';
import { describeCertificate, describeCrl, isoDate } from '../../core/rules/rules';
import type { CertificateStore } from '../store';
import { readConfig } from '../config';
import type { WorkspaceOwners } from '../owners';

export type ReportFormat = 'markdown' | 'csv' | 'json';

function defaultUri(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, name) : undefined;
}

/** The workspace in the CLI's report schema, hosts included when any were found. */
export function reportOf(store: CertificateStore, hosts: HostChecks, owners?: WorkspaceOwners): Report {
  const now = store.now();
  const hostFindingList = hosts.files().flatMap((f) => hosts.findingsIn(f));
  const states = hosts.states().filter((s) => s.result);
  return buildReport(store.certificates(), [...store.findings(), ...hostFindingList], now, store.lastScan, {
    contextOf: Object.assign((file: string) => store.contextOf(file), { reason: (file: string) => store.contextReason(file) || undefined }),
    crls: store.crls(),
    hosts: states.length ? states.map((s) => hostJson(s.target.references, s.result!, now)) : undefined,
    ownersOf: owners?.any ? (file) => owners.ownersOf(file) : undefined,
  });
}

/** The report in the CLI's schema (JSON), or as CSV/Markdown. */
export function reportText(store: CertificateStore, hosts: HostChecks, format: ReportFormat, owners?: WorkspaceOwners): string {
  const report = reportOf(store, hosts, owners);
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  if (format === 'csv') return toCsv(report);
  return toMarkdown(report, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
}

export async function exportReport(
  store: CertificateStore,
  hosts: HostChecks,
  format?: ReportFormat,
  target?: vscode.Uri,
  owners?: WorkspaceOwners,
): Promise<vscode.Uri | undefined> {
  if (!format) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Markdown', format: 'markdown' as const, ext: 'md' },
        { label: 'CSV', format: 'csv' as const, ext: 'csv' },
        { label: 'JSON', description: vscode.l10n.t('same schema as certlens scan --format json'), format: 'json' as const, ext: 'json' },
      ],
      { title: vscode.l10n.t('Export CertLens report as') },
    );
    if (!picked) return undefined;
    format = picked.format;
  }
  const ext = format === 'markdown' ? 'md' : format;
  target ??= await vscode.window.showSaveDialog({
    defaultUri: defaultUri(`certlens-report.${ext}`),
    filters: { [format.toUpperCase()]: [ext] },
  });
  if (!target) return undefined;
  await store.whenIdle();
  await hosts.settled();
  await owners?.ready();
  await vscode.workspace.fs.writeFile(target, Buffer.from(reportText(store, hosts, format, owners), 'utf8'));
  return target;
}

/** An .ics with one event per certificate at its expiry and an alarm days before. */
export function calendarText(store: CertificateStore, hosts: HostChecks, owners?: WorkspaceOwners): string {
  const now = store.now();
  const hostEntries = hosts
    .states()
    .filter((s) => s.result?.chain[0] && s.result.chain[0].notAfter > now)
    .map((s) => {
      const leaf = s.result!.chain[0];
      const label = hostPortKey(s.target.host, s.target.port);
      return {
        id: `host-${label}-${leaf.sha256}`,
        summary: vscode.l10n.t('Certificate expires: {0}', label),
        description: [
          vscode.l10n.t('{0} serves {1} (issued by {2}), which expires on {3}.', label, leaf.subject, leaf.issuer, isoDate(leaf.notAfter)),
          `SHA-256: ${leaf.sha256}`,
        ].join('\n'),
        at: leaf.notAfter,
        location: label,
        owners: owners?.any ? [...new Set(s.target.references.flatMap((r) => owners.ownersOf(r.file)))] : undefined,
      };
    });
  const entries = store
    .certificates()
    .filter((c) => c.notAfter > now)
    .map((c) => ({
      id: `${c.sha256}`,
      summary: vscode.l10n.t('Certificate expires: {0}', describeCertificate(c)),
      description: [
        vscode.l10n.t('Certificate {0} (issued by {1}) expires on {2}.', c.subject, c.issuer, isoDate(c.notAfter)),
        vscode.l10n.t('File: {0}, line {1}', vscode.workspace.asRelativePath(c.file), c.range.start.line + 1),
        `SHA-256: ${c.sha256}`,
      ].join('\n'),
      at: c.notAfter,
      location: vscode.workspace.asRelativePath(c.file),
      owners: owners?.any ? owners.ownersOf(c.file) : undefined,
    }));
  // CRLs expire at their nextUpdate, SAML metadata at its validUntil: both stop sign-ins or revocation checks the same way.
  const crlEntries = store
    .crls()
    .filter((c) => c.nextUpdate !== undefined && c.nextUpdate > now)
    .map((c) => ({
      id: `crl-${c.sha256}`,
      summary: vscode.l10n.t('CRL expires: {0}', describeCrl(c)),
      description: [
        vscode.l10n.t('{0}: its next update is due on {1}.', describeCrl(c), isoDate(c.nextUpdate!)),
        vscode.l10n.t('File: {0}, line {1}', vscode.workspace.asRelativePath(c.file), c.range.start.line + 1),
        `SHA-256: ${c.sha256}`,
      ].join('\n'),
      at: c.nextUpdate!,
      location: vscode.workspace.asRelativePath(c.file),
      owners: owners?.any ? owners.ownersOf(c.file) : undefined,
    }));
  const metadataEntries = store
    .fileExpiries()
    .filter((e) => e.notAfter > now)
    .map((e) => ({
      id: `metadata-${vscode.workspace.asRelativePath(e.file)}-${e.range.start.line}`,
      summary: vscode.l10n.t('Metadata expires: {0}', e.label),
      description: [
        vscode.l10n.t('{0} is valid until {1}.', e.label, isoDate(e.notAfter)),
        vscode.l10n.t('File: {0}, line {1}', vscode.workspace.asRelativePath(e.file), e.range.start.line + 1),
      ].join('\n'),
      at: e.notAfter,
      location: vscode.workspace.asRelativePath(e.file),
      owners: owners?.any ? owners.ownersOf(e.file) : undefined,
    }));
  return toIcs([...entries, ...hostEntries, ...crlEntries, ...metadataEntries], readConfig()['calendar.alarmDays'], now);
}

export async function exportCalendar(
  store: CertificateStore,
  hosts: HostChecks,
  target?: vscode.Uri,
  owners?: WorkspaceOwners,
): Promise<vscode.Uri | undefined> {
  target ??= await vscode.window.showSaveDialog({ defaultUri: defaultUri('certificate-expiry.ics'), filters: { iCalendar: ['ics'] } });
  if (!target) return undefined;
  await store.whenIdle();
  await hosts.settled();
  await owners?.ready();
  await vscode.workspace.fs.writeFile(target, Buffer.from(calendarText(store, hosts, owners), 'utf8'));
  return target;
}
