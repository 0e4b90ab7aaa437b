import * as vscode from 'vscode';
import { VIEW_ID } from '../commandIds';
import type { CertificateStore } from '../store';
import type { HostChecks } from '../hostChecks';
import type { WorkspaceSummaries } from '../summary';
import { Coalescer, SUMMARY_REFRESH_MS } from '../coalesce';
import { onDidChangeConfig, readConfig } from '../config';

/** "$(shield) 2 expired · 3 ≤ 30 d"; click focuses the tree. */
export class StatusBarFeature implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('certlens.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];
  visible = false;
  readonly pendingUpdate = new Coalescer(() => this.update(), SUMMARY_REFRESH_MS);

  constructor(
    private readonly store: CertificateStore,
    hosts: HostChecks,
    private readonly summaries: WorkspaceSummaries,
  ) {
    this.item.name = 'CertLens';
    this.item.command = `${VIEW_ID}.focus`;
    this.subscriptions = [
      this.pendingUpdate,
      store.onDidChange(() => this.pendingUpdate.trigger()),
      hosts.onDidChange(() => this.pendingUpdate.trigger()),
      store.onDidChangeScanning(() => this.pendingUpdate.trigger()),
      onDidChangeConfig(['statusBar.enabled', 'statusBar.hideWhenClean'], () => this.update()),
    ];
    this.update();
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.item.dispose();
  }

  update(): void {
    const cfg = readConfig();
    if (!cfg['statusBar.enabled']) {
      this.item.hide();
      this.visible = false;
      return;
    }
    // Certificates, CRLs, SAML metadata and hosts, as the badge, the notification and Explorer badges count them.
    const { expired, soon, warningDays, byKind, nonProduction } = this.summaries.current();
    const total = Object.values(byKind.certificates).reduce((a, n) => a + n, 0);
    const parts: string[] = [];
    if (expired) parts.push(vscode.l10n.t('{0} expired', expired));
    if (soon) parts.push(vscode.l10n.t('{0} ≤ {1} d', soon, warningDays));
    const clean = parts.length === 0;
    if (this.store.scanning && !this.store.scanned) {
      this.item.text = '$(sync~spin) CertLens';
    } else {
      this.item.text = clean ? `$(shield) ${vscode.l10n.t('{0} certificates OK', total)}` : `$(shield) ${parts.join(' · ')}`;
    }
    const apart = Object.values(nonProduction).reduce((a, n) => a + n, 0);
    const apartUrgent = nonProduction.expired + nonProduction.critical + nonProduction.warning;
    this.item.tooltip =
      vscode.l10n.t(
        'CertLens: {0} certificates, {1} expired, {2} expiring within {3} days. Click to show them.',
        total,
        expired,
        soon,
        warningDays,
      ) +
      (apart
        ? '\n' +
          vscode.l10n.t('Not counted: {0} in tests, examples, docs and vendored files ({1} expired or expiring).', apart, apartUrgent)
        : '');
    this.item.backgroundColor = expired
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : soon
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
    this.visible = !(clean && cfg['statusBar.hideWhenClean']);
    if (this.visible) this.item.show();
    else this.item.hide();
  }
}
