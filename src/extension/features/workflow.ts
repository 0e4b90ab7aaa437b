import * as vscode from 'vscode';
import { runInBackground } from '../../core/background';
import type { Log } from '../log';
import { WORKFLOW_PATH, WORKFLOW_TEXT } from '../workflowTemplate';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Proposes the CertLens GitHub Actions workflow: an unsaved editor at `.github/workflows/certificates.yml`
 * of the workspace folder (asked for when there are several), which Save writes there; without a
 * folder, an untitled YAML editor. An existing workflow file is opened instead, never overwritten.
 * Returns the document shown, or undefined when the folder pick was cancelled.
 */
export async function addWorkflow(log: Log): Promise<vscode.TextDocument | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder =
    folders.length > 1
      ? await vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Add the CertLens workflow to which folder?') })
      : folders[0];
  if (folders.length > 1 && !folder) return undefined;
  if (!folder) {
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: WORKFLOW_TEXT });
    await vscode.window.showTextDocument(doc);
    return doc;
  }
  const target = vscode.Uri.joinPath(folder.uri, WORKFLOW_PATH);
  if (await exists(target)) {
    const doc = await vscode.workspace.openTextDocument(target);
    await vscode.window.showTextDocument(doc);
    runInBackground(
      log,
      'Showing a message',
      vscode.window.showInformationMessage(vscode.l10n.t('CertLens: {0} already exists; it is open for review.', WORKFLOW_PATH)),
    );
    return doc;
  }
  // An untitled document with the target's path: Save writes it there.
  const doc = await vscode.workspace.openTextDocument(target.with({ scheme: 'untitled' }));
  const editor = await vscode.window.showTextDocument(doc);
  if (doc.getText() === '') await editor.edit((b) => b.insert(new vscode.Position(0, 0), WORKFLOW_TEXT));
  return doc;
}
