// Restricted Mode (untrusted workspace): the extension declares limited support, so it must still
// load and read certificates from files.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CertLensApiShape, EXTENSION_ID, loadManifest } from './fixture';

describe('CertLens in VS Code (Restricted Mode)', () => {
  const manifest = loadManifest();

  it('opens the fixture workspace untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.ok(vscode.workspace.workspaceFolders?.length);
  });

  it('activates and counts the certificates in files', async () => {
    const ext = vscode.extensions.getExtension<CertLensApiShape>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded in Restricted Mode`);
    await ext.activate();
    const count = await vscode.commands.executeCommand<number>('certlens.scanWorkspace');
    assert.equal(count, manifest.certificateCount);
  });

  it('says in the tree that host checks are off, while file results show', async () => {
    const api = await vscode.extensions.getExtension<import('../../src/extension/api').CertLensApi>(EXTENSION_ID)!.activate();
    await api.settled();
    assert.match(api.treeMessage() ?? '', /Restricted Mode/);
    assert.equal(api.report().certificates.length, manifest.certificateCount);
    assert.ok(api.tree().length > 0);
  });
});
