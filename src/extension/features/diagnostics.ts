import * as vscode from 'vscode';
import type { CertificateRecord, Finding } from '../../core/model';
import { DRIFT_CODES } from '../../core/report/findingCodes';
import type { SeverityName } from '../config';
import type { CertificateStore } from '../store';
import type { HostChecks } from '../hostChecks';
import { keyToUri, toVsRange } from '../uris';

export const DIAGNOSTIC_SOURCE = 'CertLens';

/** Longest stretch of work a workspace-wide refresh does before yielding. */
const SLICE_MS = 8;

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

  private readonly hostSubscription: vscode.Disposable;

  constructor(
    private readonly store: CertificateStore,
    private readonly hosts: HostChecks,
  ) {
    this.subscription = store.onDidChange((change) => this.refresh(change.files));
    this.hostSubscription = hosts.onDidChange((change) => this.refresh(change.files));
    this.refresh();
  }

  dispose(): void {
    this.subscription.dispose();
    this.hostSubscription.dispose();
    this.collection.dispose();
  }

  private generation = 0;

  /**
   * Recomputes the given files (an edit touches only its own file) at once, or all files in slices of
   * a few milliseconds, yielding in between so a workspace-wide refresh never blocks the extension host.
   */
  refresh(files?: readonly string[]): void {
    if (files) {
      for (const file of files) this.publish(file);
      return;
    }
    const generation = ++this.generation;
    this.collection.clear();
    const queue = [...new Set([...this.store.files(), ...this.hosts.files()])];
    let next = 0;
    this.done = new Promise<void>((resolve) => {
      const slice = () => {
        if (generation !== this.generation) return resolve(); // a newer full refresh took over
        const until = performance.now() + SLICE_MS;
        while (next < queue.length && performance.now() < until) this.publish(queue[next++]);
        if (next < queue.length) setImmediate(slice);
        else resolve();
      };
      slice();
    });
  }

  private done: Promise<void> = Promise.resolve();

  /** Resolves when a workspace-wide refresh has published every file. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.done;
      await current;
    } while (current !== this.done);
  }

  private publish(file: string): void {
    const diags = this.diagnosticsFor(file);
    if (diags.length) this.collection.set(keyToUri(file), diags);
    else this.collection.delete(keyToUri(file));
  }

  private diagnosticsFor(file: string): vscode.Diagnostic[] {
    const cfg = this.store.configFor(file);
    if (!cfg['diagnostics.enabled']) return [];
    const certs = this.store.fileResult(keyToUri(file))?.certificates ?? [];
    // Findings name their certificate by fingerprint and position: index once, not per finding (only
    // chain members: their diagnostics link the chain's other members).
    const byKey = new Map<string, CertificateRecord>();
    for (const c of certs) if (c.chain) byKey.set(`${c.sha256}@${c.range.start.line}:${c.range.start.character}`, c);
    const out: vscode.Diagnostic[] = [];
    for (const f of [...this.store.findingsIn(file), ...this.hosts.findingsIn(file)]) {
      const name = cfg['diagnostics.severity'][f.severity];
      if (!name || name === 'None') continue;
      const cert = f.sha256 && byKey.size ? byKey.get(`${f.sha256}@${f.range.start.line}:${f.range.start.character}`) : undefined;
      out.push(this.toDiagnostic(f, SEVERITY[name], certs, cert));
    }
    return out;
  }

  private toDiagnostic(
    f: Finding,
    severity: vscode.DiagnosticSeverity,
    certs: readonly CertificateRecord[],
    cert: CertificateRecord | undefined,
  ): vscode.Diagnostic {
    const d = new vscode.Diagnostic(toVsRange(f.range), f.message, severity);
    d.source = DIAGNOSTIC_SOURCE;
    d.code = f.code;
    if (cert?.chain) {
      d.relatedInformation = cert.chain.members
        .filter((i) => i !== cert.index)
        .map((i) => certs[i])
        .filter((c): c is CertificateRecord => !!c)
        .map(
          (c) =>
            new vscode.DiagnosticRelatedInformation(
              new vscode.Location(keyToUri(c.file), toVsRange(c.range)),
              vscode.l10n.t(
                'chain member: {0} ({1}), expires {2}',
                c.subjectCN ?? c.subject,
                c.role,
                new Date(c.notAfter).toISOString().slice(0, 10),
              ),
            ),
        );
    }
    if (f.related?.length) {
      // Drift links a certificate and the configuration that serves it; other host findings, the host's other references.
      const label = DRIFT_CODES.has(f.code) ? vscode.l10n.t('paired here') : vscode.l10n.t('also named here');
      d.relatedInformation = f.related.map(
        (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(keyToUri(r.file), toVsRange(r.range)), label),
      );
    }
    return d;
  }
}
