import * as vscode from 'vscode';
import { runInBackground } from '../../core/background';
import { hostPortKey } from '../../core/hosts/names';
import type { CertificateRecord } from '../../core/model';
import { parseFile } from '../../core/formats/parse-file';
import type { ProbeResult } from '../../core/hosts';
import { certLabel, detailRows, driftText } from '../present';
import type { HostChecks } from '../hostChecks';
import type { CertificateStore } from '../store';
import { type EditorLastChange, lastChangeText, type WorkspaceOwners } from '../owners';

export const DETAILS_SCHEME = 'certlens-details';

/** A Markdown code span that shows any text literally (no HTML, no Markdown). */
function literal(s: string): string {
  const text = s.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text} ${fence}`;
}

export function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/** Read-only documents with certificate details; content is escaped, never rendered as HTML. */
export class DetailsFeature implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly inspected = new Map<string, CertificateRecord[]>();
  private readonly registration: vscode.Disposable;
  private counter = 0;

  constructor(
    private readonly store: CertificateStore,
    private readonly owners?: WorkspaceOwners,
    private readonly lastChanges?: EditorLastChange,
    private readonly hosts?: HostChecks,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(DETAILS_SCHEME, this);
  }

  dispose(): void {
    this.registration.dispose();
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const hostPage = q.get('host');
    if (hostPage) return this.hostPages.get(hostPage) ?? vscode.l10n.t('This check is no longer available.');
    const inspectId = q.get('inspect');
    const certs = inspectId
      ? (this.inspected.get(inspectId) ?? [])
      : [this.store.bySha256(q.get('sha256') ?? '')].filter((c): c is CertificateRecord => !!c);
    if (certs.length === 0) return vscode.l10n.t('This certificate is no longer in the workspace.');
    const now = this.store.now();
    const all = inspectId ? certs : this.store.allCertificates();
    // The last change is asked only now, when someone opens the details (git runs once per certificate, cached).
    const changes = inspectId
      ? []
      : await Promise.all(
          certs.map((c) =>
            this.lastChanges ? this.lastChanges.lastChange(c.file, c.range.start.line, c.range.end.line) : Promise.resolve(undefined),
          ),
        );
    return certs
      .map((c, i) => this.render(c, all, now, !!inspectId, changes[i] ? lastChangeText(changes[i]) : undefined))
      .join('\n---\n\n');
  }

  private render(c: CertificateRecord, all: readonly CertificateRecord[], now: number, inspected: boolean, lastChange?: string): string {
    const lines = [`# ${literal(certLabel(c))}`, ''];
    if (!inspected)
      lines.push(`${vscode.l10n.t('File')}: ${literal(`${vscode.workspace.asRelativePath(c.file)}:${c.range.start.line + 1}`)}`, '');
    lines.push(`| ${vscode.l10n.t('Field')} | ${vscode.l10n.t('Value')} |`, '|---|---|');
    const owners = !inspected && this.owners?.any ? this.owners.ownersOf(c.file) : undefined;
    for (const [k, v] of detailRows(c, all, now, this.store.contextOf(c.file), owners, this.store.contextReason(c.file)))
      lines.push(`| ${k} | ${literal(v)} |`);
    if (lastChange) lines.push(`| ${vscode.l10n.t('Last change')} | ${literal(lastChange)} |`);
    // Drift: each endpoint paired with this certificate, and what it serves when that differs.
    for (const r of inspected ? [] : (this.hosts?.driftAt(c.file) ?? [])) {
      if (r.certificate.index !== c.index) continue;
      const served =
        r.state === 'same'
          ? ''
          : ` — ${vscode.l10n.t('served: {0}, until {1}, SHA-256 {2}', r.served.subjectCN ?? r.served.subject, new Date(r.served.notAfter).toISOString().slice(0, 10), r.served.sha256)}`;
      lines.push(`| ${vscode.l10n.t('Endpoint')} | ${literal(driftText(r).text + served)} |`);
    }
    lines.push('', '```', toPem(c.der).trimEnd(), '```', '');
    return lines.join('\n');
  }

  /** The chain a host served, as a read-only document. */
  async showHost(r: ProbeResult): Promise<vscode.TextDocument> {
    const id = String(++this.counter);
    const label = hostPortKey(r.host, r.port);
    const lines = [`# ${literal(label)}`, '', `| ${vscode.l10n.t('Field')} | ${vscode.l10n.t('Value')} |`, '|---|---|'];
    const row = (k: string, v: string | undefined) => v !== undefined && lines.push(`| ${k} | ${literal(v)} |`);
    row(vscode.l10n.t('Checked'), new Date(r.checkedAt).toISOString());
    row(vscode.l10n.t('Address'), r.address + (r.viaProxy ? ` (via ${r.viaProxy})` : ''));
    row('SNI', r.servername ?? '—');
    if (r.error) row(vscode.l10n.t('Error'), r.error);
    row(
      vscode.l10n.t('Trusted'),
      r.authorized ? vscode.l10n.t('yes') : `${vscode.l10n.t('no')}${r.authorizationError ? ` (${r.authorizationError})` : ''}`,
    );
    if (r.hostnameMatch !== undefined)
      row(
        vscode.l10n.t('Hostname matches'),
        r.hostnameMatch ? vscode.l10n.t('yes') : `${vscode.l10n.t('no')}${r.hostnameError ? ` (${r.hostnameError})` : ''}`,
      );
    row(vscode.l10n.t('Protocol'), [r.protocol, r.cipher].filter(Boolean).join(' · ') || undefined);
    if (r.missingIntermediate) row(vscode.l10n.t('Chain'), vscode.l10n.t('the server sends no intermediate certificate'));
    r.chain.forEach((m, i) => {
      lines.push(
        '',
        `## ${i + 1}. ${literal(m.subjectCN ?? m.subject)}${r.chainEarliestIndex === i && r.chain.length > 1 ? ` — ${vscode.l10n.t('expires first')}` : ''}`,
        '',
        `| ${vscode.l10n.t('Field')} | ${vscode.l10n.t('Value')} |`,
        '|---|---|',
      );
      row(vscode.l10n.t('Subject'), m.subject);
      row(vscode.l10n.t('Issuer'), m.issuer);
      row(vscode.l10n.t('Subject alternative names'), m.dnsNames.join(', ') || '—');
      row(vscode.l10n.t('Valid from'), new Date(m.notBefore).toISOString());
      row(vscode.l10n.t('Valid until'), new Date(m.notAfter).toISOString());
      row(vscode.l10n.t('SHA-256'), m.sha256);
    });
    this.hostPages.set(id, lines.join('\n') + '\n');
    const uri = vscode.Uri.from({ scheme: DETAILS_SCHEME, path: `/${safeName(label)}.md`, query: `host=${id}` });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return doc;
  }

  private readonly hostPages = new Map<string, string>();

  async show(certs: CertificateRecord[] | string): Promise<vscode.TextDocument> {
    let uri: vscode.Uri;
    if (typeof certs === 'string') {
      const c = this.store.bySha256(certs);
      uri = vscode.Uri.from({
        scheme: DETAILS_SCHEME,
        path: `/${safeName(c ? certLabel(c) : certs.slice(0, 12))}.md`,
        query: `sha256=${certs}`,
      });
    } else {
      const id = String(++this.counter);
      this.inspected.set(id, certs);
      uri = vscode.Uri.from({
        scheme: DETAILS_SCHEME,
        path: `/${safeName(certs.length === 1 ? certLabel(certs[0]) : vscode.l10n.t('{0} certificates', certs.length))}.md`,
        query: `inspect=${id}`,
      });
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return doc;
  }

  /** Decodes PEM (or base64) from the selection, or from the clipboard when nothing is selected. */
  async inspectSelectionOrClipboard(): Promise<CertificateRecord[]> {
    const editor = vscode.window.activeTextEditor;
    let text = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
    if (!text) text = await vscode.env.clipboard.readText();
    let found = parseFile('selection.pem', Buffer.from(text, 'utf8'));
    if (found.certificates.length === 0 && /^[A-Za-z0-9+/=\s]+$/.test(text.trim())) {
      found = parseFile('selection.der', Buffer.from(text.replace(/\s/g, ''), 'base64'));
    }
    if (found.certificates.length === 0) {
      const why = found.problems[0]?.message;
      runInBackground(
        this.store.log,
        'Showing a warning',
        vscode.window.showWarningMessage(
          why
            ? vscode.l10n.t('CertLens: no certificate could be read: {0}', why)
            : vscode.l10n.t('CertLens: the selection or clipboard holds no PEM certificate.'),
        ),
      );
      return [];
    }
    await this.show(found.certificates);
    return found.certificates;
  }
}

function safeName(s: string): string {
  return s.replace(/[^\p{L}\p{N} ._-]/gu, '_').slice(0, 60) || 'certificate';
}
