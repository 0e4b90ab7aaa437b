import * as vscode from 'vscode';
import { buildReport } from '../../core/report/schema';
import { toCsv, toMarkdown } from '../../core/report/formats';
import { toIcs } from '../../core/report/calendar';
import { describeCertificate, isoDate } from '../../core/rules/rules';
import type { CertificateStore } from '../store';

export type ReportFormat = 'markdown' | 'csv' | 'json';

function defaultUri(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, name) : undefined;
}

/** The report in the CLI's schema (JSON), or as CSV/Markdown. */
export function reportText(store: CertificateStore, format: ReportFormat): string {
  const report = buildReport(store.certificates(), store.findings(), Date.now(), store.lastScan);
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  if (format === 'csv') return toCsv(report);
  return toMarkdown(report, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
}

export async function exportReport(store: CertificateStore, format?: ReportFormat, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (!format) {
    const picked = await vscode.window.showQuickPick([
      { label: 'Markdown', format: 'markdown' as const, ext: 'md' },
      { label: 'CSV', format: 'csv' as const, ext: 'csv' },
      { label: 'JSON', description: vscode.l10n.t('same schema as certlens scan --format json'), format: 'json' as const, ext: 'json' },
    ], { title: vscode.l10n.t('Export CertLens report as') });
    if (!picked) return undefined;
    format = picked.format;
  }
  const ext = format === 'markdown' ? 'md' : format;
  target ??= await vscode.window.showSaveDialog({ defaultUri: defaultUri(`certlens-report.${ext}`), filters: { [format.toUpperCase()]: [ext] } });
  if (!target) return undefined;
  await store.whenIdle();
  await vscode.workspace.fs.writeFile(target, Buffer.from(reportText(store, format), 'utf8'));
  return target;
}

/** An .ics with one event per certificate at its expiry and an alarm days before. */
export function calendarText(store: CertificateStore): string {
  const now = Date.now();
  const entries = store.certificates().filter((c) => c.notAfter > now).map((c) => ({
    id: `${c.sha256}`,
    summary: vscode.l10n.t('Certificate expires: {0}', describeCertificate(c)),
    description: [
      vscode.l10n.t('Certificate {0} (issued by {1}) expires on {2}.', c.subject, c.issuer, isoDate(c.notAfter)),
      vscode.l10n.t('File: {0}, line {1}', vscode.workspace.asRelativePath(c.file), c.range.start.line + 1),
      `SHA-256: ${c.sha256}`,
    ].join('\n'),
    at: c.notAfter,
    location: vscode.workspace.asRelativePath(c.file),
  }));
  const alarmDays = vscode.workspace.getConfiguration('certlens').get('calendar.alarmDays', 30);
  return toIcs(entries, alarmDays, now);
}

export async function exportCalendar(store: CertificateStore, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  target ??= await vscode.window.showSaveDialog({ defaultUri: defaultUri('certificate-expiry.ics'), filters: { iCalendar: ['ics'] } });
  if (!target) return undefined;
  await store.whenIdle();
  await vscode.workspace.fs.writeFile(target, Buffer.from(calendarText(store), 'utf8'));
  return target;
}
