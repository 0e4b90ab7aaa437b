import * as vscode from 'vscode';
import { describeManifest } from '../../core/rules/renewal';
import { crlHoverMarkdown, driftText, hoverMarkdown } from '../present';
import type { HostChecks } from '../hostChecks';
import type { CertificateStore } from '../store';
import type { WorkspaceOwners } from '../owners';
import type { CertManagerCertificate } from '../../core/model';
import { toVsRange } from '../uris';

/** Hovering a certificate (or a CRL) shows everything known about it (and its code owners, with a CODEOWNERS file). */
export function registerHover(store: CertificateStore, owners?: WorkspaceOwners, hosts?: HostChecks): vscode.Disposable {
  return vscode.languages.registerHoverProvider(
    { pattern: '**/*' },
    {
      provideHover(doc, position) {
        const result = store.fileResult(doc.uri);
        const hits = result?.certificates.filter((c) => toVsRange(c.range).contains(position)) ?? [];
        const crls = result?.crls.filter((c) => toVsRange(c.range).contains(position)) ?? [];
        if (result && hits.length + crls.length === 0) return manifestHover(store, result.certManagerCertificates ?? [], position);
        if (!result) return undefined;
        const now = store.now();
        const contents = [
          ...hits.map((c) =>
            hoverMarkdown(
              c,
              result.certificates,
              now,
              store.contextOf(c.file),
              owners?.any ? owners.ownersOf(c.file) : undefined,
              store.contextReason(c.file),
            ),
          ),
          ...crls.map((c) => crlHoverMarkdown(c, now)),
        ];
        // Drift: what the endpoints paired with these certificates serve.
        const drift =
          hosts?.driftAt(result.file).filter((r) => hits.some((c) => c.index === r.certificate.index && c.file === r.certificate.file)) ??
          [];
        if (drift.length) {
          const md = new vscode.MarkdownString(undefined, true);
          md.isTrusted = false;
          md.supportHtml = false;
          for (const r of drift) {
            const { icon, text } = driftText(r);
            md.appendMarkdown(`$(${icon}) `);
            md.appendText(text);
            if (r.state !== 'same') {
              md.appendMarkdown('  \n');
              md.appendText(
                vscode.l10n.t(
                  'served: {0}, until {1}, SHA-256 {2}',
                  r.served.subjectCN ?? r.served.subject,
                  new Date(r.served.notAfter).toISOString().slice(0, 10),
                  r.served.sha256,
                ),
              );
            }
            md.appendMarkdown('\n\n');
          }
          contents.push(md);
        }
        return new vscode.Hover(contents, toVsRange((hits[0] ?? crls[0]).range));
      },
    },
  );
}

/** Over a cert-manager Certificate manifest: its duration and renewal point (with dates for the Secrets it manages). */
function manifestHover(
  store: CertificateStore,
  manifests: readonly CertManagerCertificate[],
  position: vscode.Position,
): vscode.Hover | undefined {
  const m = manifests.find((x) => toVsRange(x.range).contains(position));
  if (!m) return undefined;
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = false;
  md.supportHtml = false;
  const [title, ...lines] = describeManifest(m, store.certificates());
  md.appendText(title);
  md.appendMarkdown('\n\n');
  for (const line of lines) {
    md.appendMarkdown('- ');
    md.appendText(line);
    md.appendMarkdown('\n');
  }
  return new vscode.Hover(md);
}
