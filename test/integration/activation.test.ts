// Smoke test in a real VS Code: the extension loads, activates, and its scan finds every
// certificate the fixture generator wrote.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CertLensApiShape, EXTENSION_ID, loadManifest } from './fixture';

describe('CertLens in VS Code (trusted workspace)', () => {
  const manifest = loadManifest();

  it('opens the fixture workspace, trusted', () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder');
    assert.equal(path.resolve(folder.uri.fsPath), path.resolve(manifest.workspace));
    assert.equal(vscode.workspace.isTrusted, true);
  });

  it('is installed as certlens.certlens and activates with an API', async () => {
    const ext = vscode.extensions.getExtension<CertLensApiShape>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.ok(api && typeof api.whenScanned === 'function', 'activate() did not return the API');
  });

  it('registers the scan command', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('certlens.scanWorkspace'));
  });

  it(`scanWorkspace counts every certificate in the workspace`, async () => {
    assert.ok(manifest.certificateCount > 0);
    const count = await vscode.commands.executeCommand<number>('certlens.scanWorkspace');
    assert.equal(
      count,
      manifest.certificateCount,
      `expected ${manifest.certificateCount} certificates in ${manifest.files.map((f) => f.path).join(', ')}`,
    );
    const api = await vscode.extensions.getExtension<CertLensApiShape>(EXTENSION_ID)!.activate();
    assert.equal(await api.whenScanned(), manifest.certificateCount);
  });
});
