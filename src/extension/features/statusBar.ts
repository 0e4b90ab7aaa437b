import * as vscode from 'vscode';
import { countUrgencies } from '../../core/rules/rules';
import { VIEW_ID } from '../commandIds';
import type { CertificateStore } from '../store';
import type { HostChecks } from '../hostChecks';
import { Coalescer, SUMMARY_REFRESH_MS } from '../coalesce';
import { onDidChangeConfig, readConfig } from '../config';

/** "$(shield) 2 expired · 3 ≤ 30 d"; click focuses the tree. */
export class StatusBarFeature implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('certlens.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];
  visible = false;
  readonly pendingUpdate = new Coalescer(() => this.update(), SUMMARY_REFRESH_MS);

  constructor(private readonly store: CertificateStore, private readonly hosts: HostChecks) {
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
    if (!cfg.statusBarEnabled) {
      this.item.hide();
      this.visible = false;
      return;
    }
    const now = this.store.now();
    const { counts, nonProduction, warningDays } = this.store.summary();
    // Hosts count like certificates: what they serve expires the same way.
    const leaves = this.hosts.states().flatMap((st) => {
      const leaf = st.result?.chain[0];
      return leaf ? [{ notBefore: leaf.notBefore, notAfter: leaf.notAfter, file: st.target.references[0]?.file ?? '' }] : [];
    });
    const served = countUrgencies(leaves, now, (l) => this.store.configFor(l.file).rules);
    // CRLs (nextUpdate) and SAML metadata (validUntil) in production files expire the same way too.
    const dated = [
      ...this.store.crls().flatMap((c) => (c.nextUpdate === undefined || this.store.setApart(c.file) ? [] : [{ notBefore: -Infinity, notAfter: c.nextUpdate, file: c.file }])),
      ...this.store.fileExpiries().filter((e) => !this.store.setApart(e.file)).map((e) => ({ notBefore: -Infinity, notAfter: e.notAfter, file: e.file })),
    ];
    const other = countUrgencies(dated, now, (d) => this.store.configFor(d.file).rules);
    const expired = counts.expired + served.expired + other.expired;
    const soon = counts.critical + counts.warning + served.critical + served.warning + other.critical + other.warning;
    const total = Object.values(counts).reduce((a, n) => a + n, 0);
    const parts: string[] = [];
    if (expired) parts.push(vscode.l10n.t('{0} expired', expired));
    if (soon) parts.push(vscode.l10n.t('{0} ≤ {1} d', soon, warningDays || 30));
    const clean = parts.length === 0;
    if (this.store.scanning && !this.store.scanned) {
      this.item.text = '$(sync~spin) CertLens';
    } else {
      this.item.text = clean ? `$(shield) ${vscode.l10n.t('{0} certificates OK', total)}` : `$(shield) ${parts.join(' · ')}`;
    }
    const apart = Object.values(nonProduction).reduce((a, n) => a + n, 0);
    const apartUrgent = nonProduction.expired + nonProduction.critical + nonProduction.warning;
    this.item.tooltip = vscode.l10n.t('CertLens: {0} certificates, {1} expired, {2} expiring within {3} days. Click to show them.', total, expired, soon, warningDays || 30)
      + (apart ? '\n' + vscode.l10n.t('Not counted: {0} in tests, examples, docs and vendored files ({1} expired or expiring).', apart, apartUrgent) : '');
    this.item.backgroundColor = expired ? new vscode.ThemeColor('statusBarItem.errorBackground') : soon ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.visible = !(clean && cfg.statusBarHideWhenClean);
    if (this.visible) this.item.show();
    else this.item.hide();
  }
}
