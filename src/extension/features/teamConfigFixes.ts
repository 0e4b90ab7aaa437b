import * as vscode from 'vscode';
import type { FileContext } from '../../core/context';
import { folderToClassify, type IgnoreEntry, withContextGlob, withIgnore } from '../../core/teamConfig';
import { Commands } from '../commandIds';
import type { Log } from '../log';
import type { CertificateStore } from '../store';
import type { TeamConfigWatcher } from '../teamConfig';
import { fileKey, keyToUri, toVsRange } from '../uris';
import { DIAGNOSTIC_SOURCE } from './diagnostics';

/** What the "Treat … as" command is given: the file, the folder (relative to its workspace folder) and the context. */
export interface TreatFolderArgs {
  file: string;
  folder: string;
  context: Extract<FileContext, 'example' | 'test'>;
}

/** What the "Ignore for the team" command is given (reason and until: asked for when left out). */
export interface IgnoreForTeamArgs {
  sha256: string;
  file: string;
  withDate?: boolean;
  reason?: string;
  until?: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1;
}

/**
 * Writes `change(name, text)` into the team config for `file` as a normal workspace edit: the
 * document's whole text replaced (an open one's unsaved text included), or a new `.certlens.yaml`
 * at the workspace folder's root as an unsaved document; never saved here, the document shown, so
 * the user sees the change and can undo it. Saving applies it (the watcher re-reads the file).
 */
async function writeTeamConfig(
  team: TeamConfigWatcher,
  file: vscode.Uri,
  change: (name: string, text: string | undefined, configFolder: vscode.Uri) => string,
): Promise<vscode.TextDocument | undefined> {
  const target = team.targetFor(file);
  if (!target) {
    await vscode.window.showWarningMessage(vscode.l10n.t('CertLens: the team config belongs to a workspace folder; this file is in none.'));
    return undefined;
  }
  const name = target.uri.path.slice(target.uri.path.lastIndexOf('/') + 1);
  let exists = true;
  try {
    await vscode.workspace.fs.stat(target.uri);
  } catch {
    exists = false;
  }
  const doc = await vscode.workspace.openTextDocument(exists ? target.uri : target.uri.with({ scheme: 'untitled' }));
  let text: string;
  try {
    text = change(name, doc.getText() === '' ? undefined : doc.getText(), target.folder);
  } catch (e) {
    await vscode.window.showErrorMessage(
      vscode.l10n.t('CertLens: cannot change {0}: {1}', name, e instanceof Error ? e.message : String(e)),
    );
    return undefined;
  }
  const edit = new vscode.WorkspaceEdit();
  const all = new vscode.Range(new vscode.Position(0, 0), doc.lineAt(Math.max(0, doc.lineCount - 1)).range.end);
  edit.replace(doc.uri, all, text);
  if (!(await vscode.workspace.applyEdit(edit))) return undefined;
  await vscode.window.showTextDocument(doc);
  return doc;
}

/** The path of `inner` below `outer` ('' when they are the same, undefined when it is not below). */
function below(outer: vscode.Uri, inner: vscode.Uri): string | undefined {
  if (inner.path === outer.path) return '';
  return inner.path.startsWith(outer.path + '/') ? inner.path.slice(outer.path.length + 1) : undefined;
}

/** Quick fixes that write the team config, and their commands. */
export function registerTeamConfigFixes(store: CertificateStore, team: TeamConfigWatcher, log: Log): vscode.Disposable {
  const provider = vscode.languages.registerCodeActionsProvider(
    { pattern: '**/*' },
    {
      provideCodeActions(doc, _range, context) {
        const result = store.fileResult(doc.uri);
        const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
        if (!result || !folder) return [];
        const actions: vscode.CodeAction[] = [];
        const seen = new Set<string>();
        const file = fileKey(doc.uri);
        const make = (title: string, command: string, args: unknown[], d: vscode.Diagnostic) => {
          const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
          a.command = { title, command, arguments: args };
          a.diagnostics = [d];
          actions.push(a);
        };
        for (const d of context.diagnostics) {
          if (d.source !== DIAGNOSTIC_SOURCE) continue;
          const cert = result.certificates.find((c) => toVsRange(c.range).isEqual(d.range));
          if (!cert || seen.has(cert.sha256)) continue;
          seen.add(cert.sha256);
          const rel = below(folder.uri, doc.uri);
          const where = rel !== undefined ? folderToClassify(rel) : undefined;
          if (where && store.contextOf(file) === 'production') {
            const contexts: TreatFolderArgs['context'][] = where.example ? ['example'] : ['test', 'example'];
            for (const ctx of contexts) {
              const title =
                ctx === 'example'
                  ? vscode.l10n.t('Treat {0}/ as example files (team config)', where.folder)
                  : vscode.l10n.t('Treat {0}/ as test files (team config)', where.folder);
              make(title, Commands.treatFolderAs, [{ file, folder: where.folder, context: ctx } satisfies TreatFolderArgs], d);
            }
          }
          const arg = { sha256: cert.sha256, file } satisfies IgnoreForTeamArgs;
          make(vscode.l10n.t('Ignore this certificate for the team…'), Commands.ignoreForTeam, [arg], d);
          make(
            vscode.l10n.t('Ignore this certificate for the team until a date…'),
            Commands.ignoreForTeam,
            [{ ...arg, withDate: true }],
            d,
          );
        }
        return actions;
      },
    },
    { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
  );

  const treat = vscode.commands.registerCommand(Commands.treatFolderAs, async (arg: TreatFolderArgs) => {
    const uri = keyToUri(arg.file);
    const ws = vscode.workspace.getWorkspaceFolder(uri);
    if (!ws) return undefined;
    const folderUri = vscode.Uri.joinPath(ws.uri, arg.folder);
    return writeTeamConfig(team, uri, (name, text, configFolder) => {
      // Globs are relative to the config's folder; a config inside the folder covers all of its own.
      const rel = below(configFolder, folderUri);
      return withContextGlob(name, text, arg.context, rel === undefined || rel === '' ? '**' : `${rel}/**`);
    });
  });

  const ignore = vscode.commands.registerCommand(Commands.ignoreForTeam, async (arg: IgnoreForTeamArgs) => {
    let until = arg.until;
    if (arg.withDate && until === undefined) {
      const today = new Date().toISOString().slice(0, 10);
      until = await vscode.window.showInputBox({
        title: vscode.l10n.t('Ignore this certificate for the team until'),
        prompt: vscode.l10n.t('A date, YYYY-MM-DD: the findings come back the day after.'),
        value: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
        ignoreFocusOut: true,
        validateInput: (v) =>
          !isDate(v.trim())
            ? vscode.l10n.t('Write the date as YYYY-MM-DD.')
            : v.trim() < today
              ? vscode.l10n.t('The date has passed.')
              : undefined,
      });
      if (until === undefined) return undefined;
      until = until.trim();
    }
    const reason =
      arg.reason ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Ignore this certificate for the team'),
        prompt: vscode.l10n.t('Why does the team ignore it? (written into the team config, for review)'),
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('A reason is needed.') : undefined),
      }));
    if (reason === undefined || reason.trim() === '') return undefined;
    const entry: IgnoreEntry = { fingerprint: arg.sha256, reason: reason.trim(), ...(until ? { until } : {}) };
    log.info(`Adding a team ignore entry for ${arg.sha256.slice(0, 16)}…`);
    return writeTeamConfig(team, keyToUri(arg.file), (name, text) => withIgnore(name, text, entry));
  });

  return vscode.Disposable.from(provider, treat, ignore);
}
