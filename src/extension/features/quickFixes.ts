import * as vscode from 'vscode';
import { Commands } from '../commandIds';
import type { CertificateStore } from '../store';
import { toVsRange } from '../uris';
import { DIAGNOSTIC_SOURCE } from './diagnostics';

/** Quick fixes on CertLens diagnostics: ignore, snooze, copy fingerprint, show details. */
export function registerQuickFixes(store: CertificateStore): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(
    { pattern: '**/*' },
    {
      provideCodeActions(doc, _range, context) {
        const result = store.fileResult(doc.uri);
        if (!result) return [];
        const actions: vscode.CodeAction[] = [];
        const seen = new Set<string>();
        for (const d of context.diagnostics) {
          if (d.source !== DIAGNOSTIC_SOURCE) continue;
          const cert = result.certificates.find((c) => toVsRange(c.range).isEqual(d.range));
          if (!cert || seen.has(cert.sha256)) continue;
          seen.add(cert.sha256);
          const arg = { sha256: cert.sha256, file: cert.file, index: cert.index };
          const make = (title: string, command: string, args: unknown[], preferred = false) => {
            const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
            a.command = { title, command, arguments: args };
            a.diagnostics = [d];
            a.isPreferred = preferred;
            actions.push(a);
          };
          make(vscode.l10n.t('Show certificate details'), Commands.showDetails, [arg], true);
          make(vscode.l10n.t('Snooze this certificate for 7 days'), Commands.snooze, [arg, 7]);
          make(vscode.l10n.t('Snooze this certificate for 30 days'), Commands.snooze, [arg, 30]);
          make(vscode.l10n.t('Ignore this certificate (workspace setting)'), Commands.ignore, [arg]);
          make(vscode.l10n.t('Copy SHA-256 fingerprint'), Commands.copyFingerprint, [arg]);
        }
        return actions;
      },
    },
    { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
  );
}
