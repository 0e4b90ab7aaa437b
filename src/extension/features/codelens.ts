import * as vscode from 'vscode';
import { Commands } from '../commands';
import { lensTitle } from '../present';
import type { CertificateStore } from '../store';
import { fileKey, keyToUri } from '../uris';
import type { CertificateRecord } from '../../core/model';

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

  /** Lenses are cheap to create; titles are made in resolveCodeLens, for the lenses on screen only. */
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const file = fileKey(doc.uri);
    if (!this.store.fileResult(doc.uri) || !this.store.configFor(file).codeLensEnabled) return [];
    return this.store.certificatesIn(file).map((c) => {
      const start = new vscode.Position(c.range.start.line, c.range.start.character);
      return new CertificateLens(new vscode.Range(start, start), c);
    });
  }

  resolveCodeLens(lens: vscode.CodeLens): vscode.CodeLens {
    if (!(lens instanceof CertificateLens)) return lens;
    const c = lens.cert;
    const result = this.store.fileResult(keyToUri(c.file));
    lens.command = {
      title: lensTitle(c, result?.certificates ?? [c], Date.now(), this.store.configFor(c.file).rules),
      command: Commands.showDetails,
      arguments: [{ sha256: c.sha256, file: c.file, index: c.index }],
      tooltip: vscode.l10n.t('Show certificate details'),
    };
    return lens;
  }
}

class CertificateLens extends vscode.CodeLens {
  constructor(range: vscode.Range, readonly cert: CertificateRecord) {
    super(range);
  }
}
