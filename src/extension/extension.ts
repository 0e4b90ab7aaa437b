import * as vscode from 'vscode';

/** What activate() returns; integration tests observe the extension through it. */
export interface CertLensApi {
  /** Resolves with the number of certificates once the running (or next) scan has finished. */
  whenScanned(): Promise<number>;
}

export function activate(context: vscode.ExtensionContext): CertLensApi {
  let last: Promise<number> = Promise.resolve(0);
  context.subscriptions.push(
    vscode.commands.registerCommand('certlens.scanWorkspace', async () => {
      last = (async () => {
        const files = await vscode.workspace.findFiles('**/*.{pem,crt}', '**/node_modules/**');
        let count = 0;
        for (const f of files) {
          const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(f));
          count += (text.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
        }
        void vscode.window.showInformationMessage(`CertLens: ${count} certificates in ${files.length} files`);
        return count;
      })();
      return last;
    }),
  );
  return { whenScanned: () => last };
}

export function deactivate(): void {}
