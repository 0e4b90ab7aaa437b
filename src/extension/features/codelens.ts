import * as vscode from 'vscode';
import { Commands } from '../commandIds';
import { driftText, hostLabel, hostSummary, lensTitle, whenText } from '../present';
import type { CertificateStore } from '../store';
import type { HostChecks } from '../hostChecks';
import { fileKey, keyToUri } from '../uris';
import type { CertificateRecord } from '../../core/model';
import { onDidChangeConfig, readConfig } from '../config';

/** A lens above every certificate: state, date, issuer, and the chain member that expires first. */
export class CodeLensFeature implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private registration: vscode.Disposable | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly store: CertificateStore,
    private readonly hosts: HostChecks,
  ) {
    // Only changes to files on screen ask the editor for new lenses: a change elsewhere in a large
    // workspace (the file watcher, another editor's edits) would only make it ask again for the same.
    // A lens on a config line also shows the certificate file it names, so that file counts too.
    const onScreen = (files?: readonly string[]) => {
      if (!files) return true;
      const changed = new Set(files);
      return vscode.window.visibleTextEditors.some((e) => {
        const file = fileKey(e.document.uri);
        return changed.has(file) || this.hosts.certificateFilesIn(file).some((ref) => changed.has(fileKey(keyToUri(ref.target))));
      });
    };
    this.subscription = vscode.Disposable.from(
      store.onDidChange((change) => onScreen(change.files) && this.changed.fire()),
      hosts.onDidChange(() => this.changed.fire()),
      onDidChangeConfig(['codeLens.enabled'], () => this.update()),
    );
    this.update();
  }

  /** Registers or unregisters the provider to follow `certlens.codeLens.enabled`. */
  update(): void {
    const enabled = readConfig()['codeLens.enabled'];
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

  /** When the last few lens requests arrived (performance.now()) and how long each took, for the benchmark. */
  readonly requests: { at: number; ms: number }[] = [];

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const at = performance.now();
    const lenses = this.lensesFor(doc);
    this.requests.push({ at, ms: performance.now() - at });
    if (this.requests.length > 32) this.requests.shift();
    return lenses;
  }

  /** Lenses are cheap to create; titles are made in resolveCodeLens, for the lenses on screen only. */
  private lensesFor(doc: vscode.TextDocument): vscode.CodeLens[] {
    const file = fileKey(doc.uri);
    const cfg = this.store.configFor(file);
    if (!cfg['codeLens.enabled']) return [];
    const at = (r: { start: { line: number; character: number } }) =>
      new vscode.Range(r.start.line, r.start.character, r.start.line, r.start.character);
    const lenses: vscode.CodeLens[] = this.store.certificatesIn(file).map((c) => new CertificateLens(at(c.range), c));
    const now = this.store.now();
    // CRLs: their nextUpdate, as a certificate's lens shows its notAfter.
    for (const c of this.store.crlsIn(file)) {
      const when =
        c.nextUpdate === undefined ? vscode.l10n.t('no next update') : whenText({ notBefore: -Infinity, notAfter: c.nextUpdate }, now);
      lenses.push(
        new vscode.CodeLens(at(c.range), {
          title: `$(circle-slash) ${vscode.l10n.t('CRL · {0}', c.issuerCN ?? c.issuer)}${c.crlNumber ? ` #${c.crlNumber}` : ''} · ${when}`,
          command: '',
        }),
      );
    }
    // The file's own expiry (SAML metadata validUntil), at the date.
    for (const e of this.store.fileExpiriesIn(file)) {
      lenses.push(
        new vscode.CodeLens(at(e.range), {
          title: `$(clock) ${e.label} · ${whenText({ notBefore: -Infinity, notAfter: e.notAfter }, now)}`,
          command: '',
        }),
      );
    }
    // Drift: what the endpoint paired with a certificate serves, above the certificate.
    for (const r of this.hosts.driftAt(file)) {
      if (r.certificate.file !== file) continue;
      const { icon, text } = driftText(r);
      lenses.push(
        new vscode.CodeLens(at(r.certificate.range), {
          title: `$(${icon}) ${text}`,
          command: Commands.recheckHost,
          arguments: [{ host: r.host, port: r.port }],
          tooltip: vscode.l10n.t('Check this host again'),
        }),
      );
    }
    const refs = this.hosts.referencesIn(file);
    // One pass over every host's state, not one per reference.
    const states = refs.length ? new Map(this.hosts.states().map((s) => [`${s.target.host}|${s.target.port}`, s])) : undefined;
    for (const ref of refs) {
      const state = states?.get(`${ref.host}|${ref.port}`);
      const summary = state ? hostSummary(state, cfg.rules, now).text : '';
      lenses.push(
        new vscode.CodeLens(at(ref.range), {
          title: `$(globe) ${hostLabel(ref.host, ref.port)} · ${summary}`,
          command: Commands.recheckHost,
          arguments: [{ host: ref.host, port: ref.port }],
          tooltip: vscode.l10n.t('Check this host again'),
        }),
      );
    }
    for (const ref of this.hosts.certificateFilesIn(file)) {
      const certs = this.store.certificatesIn(fileKey(keyToUri(ref.target)));
      const first = certs.reduce<CertificateRecord | undefined>((m, c) => (!m || c.notAfter < m.notAfter ? c : m), undefined);
      const name = vscode.workspace.asRelativePath(ref.target);
      lenses.push(
        new vscode.CodeLens(
          at(ref.range),
          first
            ? {
                title: `$(file-symlink-file) ${name} · ${lensTitle(first, certs, now, cfg.rules)}`,
                command: Commands.showDetails,
                arguments: [{ sha256: first.sha256, file: first.file, index: first.index }],
              }
            : {
                title: `$(file-symlink-file) ${name} · ${ref.exists !== false ? vscode.l10n.t('no certificate found in it') : vscode.l10n.t('file not found')}`,
                command: '',
              },
        ),
      );
    }
    return lenses;
  }

  resolveCodeLens(lens: vscode.CodeLens): vscode.CodeLens {
    if (!(lens instanceof CertificateLens)) return lens;
    const c = lens.cert;
    const result = this.store.fileResult(keyToUri(c.file));
    lens.command = {
      title: lensTitle(c, result?.certificates ?? [c], this.store.now(), this.store.configFor(c.file).rules),
      command: Commands.showDetails,
      arguments: [{ sha256: c.sha256, file: c.file, index: c.index }],
      tooltip: vscode.l10n.t('Show certificate details'),
    };
    return lens;
  }
}

class CertificateLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly cert: CertificateRecord,
  ) {
    super(range);
  }
}

/** Certificate files that configs name (nginx ssl_certificate, Apache SSLCertificateFile, ca: ...) become links. */
export function registerCertificateFileLinks(hosts: HostChecks): vscode.Disposable {
  return vscode.languages.registerDocumentLinkProvider(
    { pattern: '**/*' },
    {
      provideDocumentLinks(doc) {
        return hosts
          .certificateFilesIn(fileKey(doc.uri))
          .filter((r) => r.exists !== false)
          .map((r) => {
            const link = new vscode.DocumentLink(
              new vscode.Range(r.range.start.line, r.range.start.character, r.range.end.line, r.range.end.character),
              keyToUri(r.target),
            );
            link.tooltip = vscode.l10n.t('Open the certificate file');
            return link;
          });
      },
    },
  );
}
