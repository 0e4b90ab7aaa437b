import * as vscode from 'vscode';
import { summarize, type WorkspaceSummary } from '../core/workspace/summary';
import { readConfig } from './config';
import type { HostChecks } from './hostChecks';
import type { CertificateStore } from './store';

/**
 * The workspace summary (core/summary.ts) of the store and the host checks, computed once per change
 * and shared by the status bar, the tree's badge, the notification and Explorer badges.
 */
export class WorkspaceSummaries implements vscode.Disposable {
  private cached: { summary: WorkspaceSummary; certificates: object; hostsVersion: number } | undefined;
  private hostsVersion = 0;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly store: CertificateStore,
    private readonly hosts: HostChecks,
  ) {
    this.subscription = hosts.onDidChange(() => this.hostsVersion++);
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /** The summary now; recomputed only when the store's certificate summary (dropped on every store change) or the hosts changed. */
  current(): WorkspaceSummary {
    const certificates = this.store.summary();
    if (this.cached?.certificates === certificates && this.cached.hostsVersion === this.hostsVersion) return this.cached.summary;
    const store = this.store;
    const summary = summarize({
      now: store.now(),
      certificates,
      crls: store.crls(),
      metadata: store.fileExpiries(),
      hosts: this.hosts.states().flatMap((st) => {
        const leaf = st.result?.chain[0];
        return leaf ? [{ notBefore: leaf.notBefore, notAfter: leaf.notAfter, file: st.target.references[0]?.file ?? '' }] : [];
      }),
      setApart: (file) => store.setApart(file),
      rulesOf: (file) => store.configFor(file).rules,
      windowRules: readConfig().rules,
    });
    this.cached = { summary, certificates, hostsVersion: this.hostsVersion };
    return summary;
  }
}
