// Runs only in the multi-root pass: a .code-workspace of two folders (scripts/make-workspace.mjs,
// makeMultiRootWorkspace), beta's folder settings excluding its thirdparty/ folder. The manifest
// written by the generator is the oracle.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, waitFor } from './helpers';

interface MultiRootManifest {
  workspaceFile: string;
  folders: {
    name: string;
    path: string;
    top: { cn: string; file: string; daysLeft: number };
    vendored: { cn: string; file: string; excluded: boolean };
  }[];
}

describe('CertLens in a multi-root workspace', function () {
  this.timeout(120_000);
  const manifest = JSON.parse(fs.readFileSync(process.env.CERTLENS_TEST_MANIFEST!, 'utf8')) as MultiRootManifest;

  it('opens the two folders of the workspace file', () => {
    assert.deepEqual(
      vscode.workspace.workspaceFolders?.map((f) => f.name),
      manifest.folders.map((f) => f.name),
    );
  });

  it('scans every folder, each with its own exclude setting', async () => {
    const a = await api();
    await a.whenScanned();
    const found = new Map(a.report().certificates.map((c) => [c.subjectCN, c.file]));
    for (const f of manifest.folders) {
      assert.equal(found.get(f.top.cn), f.top.file, `${f.name}: its top-level certificate`);
      if (f.vendored.excluded) assert.ok(!found.has(f.vendored.cn), `${f.name}: thirdparty/ is excluded by the folder's settings`);
      else assert.equal(found.get(f.vendored.cn), f.vendored.file, `${f.name}: thirdparty/ is scanned where no setting excludes it`);
    }
    assert.ok(
      manifest.folders.some((f) => f.vendored.excluded) && manifest.folders.some((f) => !f.vendored.excluded),
      'the fixture has both cases',
    );
  });

  it('names the folder of each certificate in the tree, and badges files in every folder', async () => {
    const a = await api();
    const items = a.tree().flatMap((g) => g.children);
    for (const f of manifest.folders) {
      const item = items.find((i) => i.label === f.top.cn);
      assert.ok(item, `${f.top.cn} is in the tree`);
      assert.match(item.description ?? '', new RegExp(` · ${f.name}$`));
      const badge = a.fileDecoration(vscode.Uri.file(f.top.file).toString());
      assert.equal(badge, f.top.daysLeft < 0 ? '!' : f.top.daysLeft <= 7 ? '!!' : f.top.daysLeft <= 30 ? '~' : undefined, f.top.file);
    }
  });

  it("grades each folder's certificates by that folder's thresholds (certlens.warningDays is a folder setting)", async () => {
    const a = await api();
    const alpha = manifest.folders.find((f) => f.name === 'alpha')!;
    const beta = manifest.folders.find((f) => f.name === 'beta')!;
    const folder = vscode.workspace.workspaceFolders!.find((f) => f.name === 'beta')!;
    const config = vscode.workspace.getConfiguration('certlens', folder.uri);
    const warned = () => a.report().findings.some((f) => f.file === beta.top.file && f.code === 'expires-warning');
    assert.ok(!warned(), `${beta.top.cn} expires in ${beta.top.daysLeft} days: no warning at the default 30 days`);
    await config.update('warningDays', beta.top.daysLeft + 50, vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      await waitFor("beta's own warningDays to apply", () => warned());
      assert.equal(a.fileDecoration(vscode.Uri.file(beta.top.file).toString()), '~');
      assert.equal(a.statusBar(), `$(shield) 1 expired · 1 ≤ ${beta.top.daysLeft + 50} d`, 'the largest window of the folders counted');
      assert.equal(a.fileDecoration(vscode.Uri.file(alpha.top.file).toString()), '!', 'alpha keeps its own thresholds');
    } finally {
      await config.update('warningDays', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
    await waitFor('the default to apply again', () => !warned());
  });
});

describe('CertLens when a folder leaves the workspace', function () {
  this.timeout(120_000);
  const manifest = JSON.parse(fs.readFileSync(process.env.CERTLENS_TEST_MANIFEST!, 'utf8')) as MultiRootManifest;

  it('keeps nothing of a folder removed while a scan runs', async () => {
    const a = await api();
    const beta = manifest.folders.find((f) => f.name === 'beta')!;
    const scanning = a.scan();
    const removed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
        sub.dispose();
        resolve();
      });
    });
    assert.ok(vscode.workspace.updateWorkspaceFolders(1, 1), 'the folder removal is accepted');
    await removed;
    await scanning;
    await a.settled();
    const report = a.report();
    assert.ok(!report.certificates.some((c) => c.file.startsWith(beta.path)), 'no certificate of the removed folder');
    assert.ok(!report.findings.some((f) => f.file.startsWith(beta.path)), 'no finding of the removed folder');
    assert.deepEqual(
      vscode.languages.getDiagnostics(vscode.Uri.file(beta.top.file)).filter((d) => d.source === 'CertLens'),
      [],
      'no diagnostics left on its files',
    );
    assert.ok(
      report.certificates.some((c) => c.subjectCN === manifest.folders[0].top.cn),
      'the remaining folder is still scanned',
    );
  });
});
