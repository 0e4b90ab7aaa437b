import * as vscode from 'vscode';
import { describeManifest } from '../../core/rules/renewal';
import { hoverMarkdown } from '../present';
import type { CertificateStore } from '../store';
import type { WorkspaceOwners } from '../owners';
import type { CertManagerCertificate } from '../../core/model';
import { toVsRange } from '../uris';

/** Hovering a certificate shows everything known about it (and its code owners, with a CODEOWNERS file). */
export function registerHover(store: CertificateStore, owners?: WorkspaceOwners): vscode.Disposable {
  return vscode.languages.registerHoverProvider({ pattern: '**/*' }, {
    provideHover(doc, position) {
      const result = store.fileResult(doc.uri);
      const hits = result?.certificates.filter((c) => toVsRange(c.range).contains(position)) ?? [];
      if (result && hits.length === 0) return manifestHover(store, result.certManagerCertificates ?? [], position);
      if (!result || hits.length === 0) return undefined;
      const now = store.now();
      return new vscode.Hover(hits.map((c) => hoverMarkdown(c, result.certificates, now, store.contextOf(c.file), owners?.any ? owners.ownersOf(c.file) : undefined)), toVsRange(hits[0].range));
    },
  });
}

/** Over a cert-manager Certificate manifest: its duration and renewal point (with dates for the Secrets it manages). */
function manifestHover(store: CertificateStore, manifests: readonly CertManagerCertificate[], position: vscode.Position): vscode.Hover | undefined {
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
