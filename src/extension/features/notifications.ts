import * as vscode from 'vscode';
import { type FailureLog, runInBackground } from '../../core/background';
import { VIEW_ID } from '../commandIds';
import type { WorkspaceSummaries } from '../summary';
import { readConfig } from '../config';

const LAST_SHOWN_KEY = 'certlens.notification.lastShown';

/** After a full scan and whenever the clock re-evaluates (a new day included): one notification per workspace per day when something is expired or critical. */
export async function notifyIfUrgent(summaries: WorkspaceSummaries, state: vscode.Memento, now: number, log: FailureLog): Promise<boolean> {
  if (!readConfig()['notifications.enabled']) return false;
  const today = localDay(now);
  if (state.get<string>(LAST_SHOWN_KEY) === today) return false;
  // Production certificates, CRLs, SAML metadata and hosts (tests, examples and docs are no reason to interrupt anyone), as the status bar counts them.
  const summary = summaries.current();
  const { expired, critical } = summary;
  if (!expired && !critical) return false;
  await state.update(LAST_SHOWN_KEY, today);
  const show = vscode.l10n.t('Show');
  const onlyCertificates = expired === summary.byKind.certificates.expired && critical === summary.byKind.certificates.critical;
  const message = onlyCertificates
    ? urgentMessage(expired, critical, summary.criticalDays)
    : vscode.l10n.t(
        'CertLens: {0} expired and {1} expiring within {2} days in this workspace (certificates, CRLs, SAML metadata, hosts).',
        expired,
        critical,
        summary.criticalDays,
      );
  runInBackground(
    log,
    'The expiry notification',
    vscode.window.showWarningMessage(message, show).then((pick) => {
      if (pick === show) runInBackground(log, 'Showing the Expirations view', vscode.commands.executeCommand(`${VIEW_ID}.focus`));
    }),
  );
  return true;
}

/** What the notification says: only the kinds there are, in words that agree with the count. */
export function urgentMessage(expired: number, critical: number, criticalDays: number): string {
  if (expired && critical)
    return vscode.l10n.t('CertLens: {0} expired and {1} critical certificates in this workspace.', expired, critical);
  if (expired)
    return expired === 1
      ? vscode.l10n.t('CertLens: 1 certificate in this workspace has expired.')
      : vscode.l10n.t('CertLens: {0} certificates in this workspace have expired.', expired);
  return critical === 1
    ? vscode.l10n.t('CertLens: 1 certificate in this workspace expires within {0} days.', criticalDays)
    : vscode.l10n.t('CertLens: {0} certificates in this workspace expire within {1} days.', critical, criticalDays);
}

/** The local calendar day of `now` (the day the user sees), as YYYY-MM-DD. */
function localDay(now: number): string {
  const d = new Date(now);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
