// Settings that change what is scanned, followed through the features' own subscriptions
// (src/extension/config.ts onDidChangeConfig), and the log command.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DEFAULTS } from '../../src/extension/settings';
import { loadManifest } from './fixture';
import { api, setSetting, waitFor } from './helpers';

describe('CertLens follows the settings that choose the files to scan', function () {
  this.timeout(60_000);
  const manifest = loadManifest();
  const expired = manifest.files.find((f) => f.certificates.some((c) => c.daysLeft < 0))!;
  const setFilesExclude = (value: Record<string, boolean> | undefined) =>
    vscode.workspace.getConfiguration('files').update('exclude', value, vscode.ConfigurationTarget.Workspace);
  const reported = async () => (await api()).report().certificates.some((c) => c.file.endsWith(expired.path));

  after(async () => {
    await setFilesExclude(undefined);
    await setSetting('exclude', undefined);
  });

  it('rescans when files.exclude changes', async () => {
    assert.ok(await reported());
    await setFilesExclude({ [expired.path]: true });
    await waitFor('the excluded file to leave the report', async () => !(await reported()));
    await setFilesExclude(undefined);
    await waitFor('the file to come back', () => reported());
  });

  it('rescans when certlens.exclude changes', async () => {
    await setSetting('exclude', [...DEFAULTS.exclude, expired.path]);
    await waitFor('the excluded file to leave the report', async () => !(await reported()));
    await setSetting('exclude', undefined);
    await waitFor('the file to come back', () => reported());
  });

  it('shows its log', async () => {
    await vscode.commands.executeCommand('certlens.showLog');
  });
});
