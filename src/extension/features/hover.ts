import * as vscode from 'vscode';
import { crlHoverMarkdown, hoverMarkdown } from '../present';
import type { CertificateStore } from '../store';
import { toVsRange } from '../uris';

/** Hovering a certificate (or a CRL) shows everything known about it. */
export function registerHover(store: CertificateStore): vscode.Disposable {
  return vscode.languages.registerHoverProvider({ pattern: '**/*' }, {
    provideHover(doc, position) {
      const result = store.fileResult(doc.uri);
      const hits = result?.certificates.filter((c) => toVsRange(c.range).contains(position)) ?? [];
      const crls = result?.crls.filter((c) => toVsRange(c.range).contains(position)) ?? [];
      if (!result || hits.length + crls.length === 0) return undefined;
      const now = store.now();
      const contents = [...hits.map((c) => hoverMarkdown(c, result.certificates, now, store.contextOf(c.file))), ...crls.map((c) => crlHoverMarkdown(c, now))];
      return new vscode.Hover(contents, toVsRange((hits[0] ?? crls[0]).range));
    },
  });
}
