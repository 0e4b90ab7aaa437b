import * as vscode from 'vscode';
import type { CertificateStore } from '../store';
import { Coalescer, SUMMARY_REFRESH_MS } from '../coalesce';
import { keyToUri } from '../uris';
import type { WorkspaceSummaries } from '../summary';

/** A badge and colour in the Explorer on files holding an expired or soon-expiring certificate, CRL or SAML metadata. */
export class FileDecorationsFeature implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private readonly disposables: vscode.Disposable[];
  private worst = new Map<string, 'expired' | 'critical' | 'warning'>();
  readonly pending = new Coalescer(() => this.recompute(), SUMMARY_REFRESH_MS);

  constructor(
    store: CertificateStore,
    private readonly summaries: WorkspaceSummaries,
  ) {
    this.disposables = [vscode.window.registerFileDecorationProvider(this), this.pending, store.onDidChange(() => this.pending.trigger())];
    this.recompute();
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.changed.dispose();
  }

  /** Files whose badge changed are announced, not every file with a badge. */
  private recompute(): void {
    const next = new Map<string, 'expired' | 'critical' | 'warning'>();
    for (const [file, u] of this.summaries.current().worst) {
      if (u === 'expired' || u === 'critical' || u === 'warning') next.set(keyToUri(file).toString(), u);
    }
    const changed = [...next].filter(([uri, u]) => this.worst.get(uri) !== u).map(([uri]) => uri);
    for (const uri of this.worst.keys()) if (!next.has(uri)) changed.push(uri);
    this.worst = next;
    if (changed.length) this.changed.fire(changed.map((u) => vscode.Uri.parse(u)));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const w = this.worst.get(uri.toString());
    if (!w) return undefined;
    const d = new vscode.FileDecoration(
      w === 'expired' ? '!' : w === 'critical' ? '!!' : '~',
      w === 'expired'
        ? vscode.l10n.t('CertLens: holds an expired certificate, CRL or SAML metadata')
        : vscode.l10n.t('CertLens: holds a certificate, CRL or SAML metadata that expires soon'),
      new vscode.ThemeColor(w === 'warning' ? 'list.warningForeground' : 'list.errorForeground'),
    );
    d.propagate = false;
    return d;
  }
}
