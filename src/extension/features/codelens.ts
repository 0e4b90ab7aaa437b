import * as vscode from 'vscode';
import { Commands } from '../commands';
import { lensTitle } from '../present';
import type { CertificateStore } from '../store';
import { fileKey, toVsRange } from '../uris';

/** A lens above every certificate: state, date, issuer, and the chain member that expires first. */
export class CodeLensFeature implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private registration: vscode.Disposable | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: CertificateStore) {
    this.subscription = store.onDidChange(() => this.changed.fire());
    this.update();
  }

  /** Registers or unregisters the provider to follow `certlens.codeLens.enabled`. */
  update(): void {
    const enabled = vscode.workspace.getConfiguration('certlens').get('codeLens.enabled', true);
    if (enabled && !this.registration) this.registration = vscode.languages.registerCodeLensProvider({ pattern: '**/*' }, this);
    else if (!enabled && this.registration) {
      this.registration.dispose();
      this.registration = undefined;
    }
  }

  dispose(): void {
    this.registration?.dispose();
    this.subscription.dispose();
    this.changed.dispose();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const result = this.store.fileResult(doc.uri);
    if (!result) return [];
    const cfg = this.store.configFor(fileKey(doc.uri));
    if (!cfg.codeLensEnabled) return [];
    const now = Date.now();
    return this.store.certificatesIn(fileKey(doc.uri)).map((c) => new vscode.CodeLens(toVsRange(c.range).with({ end: toVsRange(c.range).start }), {
      title: lensTitle(c, result.certificates, now, cfg.rules),
      command: Commands.showDetails,
      arguments: [{ sha256: c.sha256, file: c.file, index: c.index }],
      tooltip: vscode.l10n.t('Show certificate details'),
    }));
  }
}
