import * as vscode from 'vscode';
import { urgencyOf } from '../../core/rules/rules';
import type { CertificateStore } from '../store';
import { Coalescer, SUMMARY_REFRESH_MS } from '../coalesce';
import { keyToUri } from '../uris';

/** A badge and colour in the Explorer on files holding an expired or soon-expiring certificate. */
export class FileDecorationsFeature implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private readonly disposables: vscode.Disposable[];
  private worst = new Map<string, 'expired' | 'critical' | 'warning'>();
  private readonly pending = new Coalescer(() => this.recompute(), SUMMARY_REFRESH_MS);

  constructor(private readonly store: CertificateStore) {
    this.disposables = [vscode.window.registerFileDecorationProvider(this), this.pending, store.onDidChange(() => this.pending.trigger())];
    this.recompute();
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.changed.dispose();
  }

  private recompute(): void {
    const now = Date.now();
    const next = new Map<string, 'expired' | 'critical' | 'warning'>();
    const rank = { expired: 3, critical: 2, warning: 1 } as const;
    for (const c of this.store.certificates()) {
      const u = urgencyOf(c, now, this.store.configFor(c.file).rules);
      if (u !== 'expired' && u !== 'critical' && u !== 'warning') continue;
      const uri = keyToUri(c.file).toString();
      const prev = next.get(uri);
      if (!prev || rank[u] > rank[prev]) next.set(uri, u);
    }
    const touched = new Set([...this.worst.keys(), ...next.keys()]);
    this.worst = next;
    this.changed.fire([...touched].map((u) => vscode.Uri.parse(u)));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const w = this.worst.get(uri.toString());
    if (!w) return undefined;
    const d = new vscode.FileDecoration(w === 'expired' ? '!' : w === 'critical' ? '!!' : '~', w === 'expired' ? vscode.l10n.t('CertLens: holds an expired certificate') : vscode.l10n.t('CertLens: holds a certificate that expires soon'),
      new vscode.ThemeColor(w === 'warning' ? 'list.warningForeground' : 'list.errorForeground'));
    d.propagate = false;
    return d;
  }
}
