import * as vscode from 'vscode';
import { hoverMarkdown } from '../present';
import type { CertificateStore } from '../store';
import type { WorkspaceOwners } from '../owners';
import { toVsRange } from '../uris';

/** Hovering a certificate shows everything known about it (and its code owners, with a CODEOWNERS file). */
export function registerHover(store: CertificateStore, owners?: WorkspaceOwners): vscode.Disposable {
  return vscode.languages.registerHoverProvider({ pattern: '**/*' }, {
    provideHover(doc, position) {
      const result = store.fileResult(doc.uri);
      const hits = result?.certificates.filter((c) => toVsRange(c.range).contains(position)) ?? [];
      if (!result || hits.length === 0) return undefined;
      const now = store.now();
      return new vscode.Hover(hits.map((c) => hoverMarkdown(c, result.certificates, now, store.contextOf(c.file), owners?.any ? owners.ownersOf(c.file) : undefined)), toVsRange(hits[0].range));
    },
  });
}
