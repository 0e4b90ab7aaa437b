import * as vscode from 'vscode';
import type { Finding } from '../../core/model';
import type { SeverityName } from '../config';
import type { CertificateStore } from '../store';
import { keyToUri, toVsRange } from '../uris';

export const DIAGNOSTIC_SOURCE = 'CertLens';

const SEVERITY: Record<Exclude<SeverityName, 'None'>, vscode.DiagnosticSeverity> = {
  Error: vscode.DiagnosticSeverity.Error,
  Warning: vscode.DiagnosticSeverity.Warning,
  Information: vscode.DiagnosticSeverity.Information,
  Hint: vscode.DiagnosticSeverity.Hint,
};

/** Every finding of the workspace (not only open files) in the Problems panel, on its exact range. */
export class DiagnosticsFeature implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('certlens');
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: CertificateStore) {
    this.subscription = store.onDidChange(() => this.refresh());
    this.refresh();
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }

  refresh(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const file of this.store.files()) byFile.set(file, []);
    const certs = this.store.certificates();
    for (const f of this.store.findings()) {
      const cfg = this.store.configFor(f.file);
      if (!cfg.diagnosticsEnabled) continue;
      const name = cfg.diagnosticsSeverity[f.severity];
      if (!name || name === 'None') continue;
      byFile.get(f.file)?.push(this.toDiagnostic(f, SEVERITY[name], certs));
    }
    this.collection.clear();
    for (const [file, diags] of byFile) if (diags.length) this.collection.set(keyToUri(file), diags);
  }

  private toDiagnostic(f: Finding, severity: vscode.DiagnosticSeverity, certs: ReturnType<CertificateStore['certificates']>): vscode.Diagnostic {
    const d = new vscode.Diagnostic(toVsRange(f.range), f.message, severity);
    d.source = DIAGNOSTIC_SOURCE;
    d.code = f.code;
    if (f.sha256) {
      const cert = certs.find((c) => c.sha256 === f.sha256 && c.file === f.file && c.range.start.line === f.range.start.line);
      if (cert?.chain) {
        d.relatedInformation = cert.chain.members
          .filter((i) => i !== cert.index)
          .map((i) => certs.find((c) => c.file === cert.file && c.index === i))
          .filter((c): c is NonNullable<typeof c> => !!c)
          .map((c) => new vscode.DiagnosticRelatedInformation(new vscode.Location(keyToUri(c.file), toVsRange(c.range)), vscode.l10n.t('chain member: {0} ({1}), expires {2}', c.subjectCN ?? c.subject, c.role, new Date(c.notAfter).toISOString().slice(0, 10))));
      }
    }
    return d;
  }
}
