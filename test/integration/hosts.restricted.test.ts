// Restricted Mode: host references are found, but no connection is ever opened.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, startTlsServer, waitFor, workspaceUri } from './helpers';

describe('CertLens host checks in Restricted Mode', function () {
  this.timeout(60_000);

  it('opens zero connections while file results still show', async () => {
    const server = await startTlsServer('probe.certlens.dev', 5);
    const file = workspaceUri('deploy/hosts-restricted.env');
    try {
      // User settings apply in Restricted Mode; the workspace could not set these (restricted settings).
      await vscode.workspace
        .getConfiguration('certlens')
        .update('hosts.resolve', { [`probe.certlens.dev:${server.port}`]: `127.0.0.1:${server.port}` }, vscode.ConfigurationTarget.Global);
      await vscode.workspace
        .getConfiguration('certlens')
        .update('hosts.extra', [`probe.certlens.dev:${server.port}`], vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.writeFile(file, Buffer.from(`API_URL=https://probe.certlens.dev:${server.port}/\n`));
      const a = await api();
      await a.scan();
      await vscode.workspace.openTextDocument(file);
      const lenses = await waitFor('the host lens', async () => {
        const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file, 100)).filter(
          (x) => x.command?.command === 'certlens.recheckHost',
        );
        return l.length ? l : undefined;
      });
      assert.match(lenses[0].command!.title, /host checks are off in Restricted Mode/);
      await vscode.commands.executeCommand('certlens.recheckHosts');
      await vscode.commands.executeCommand('certlens.recheckHost', { host: 'probe.certlens.dev', port: server.port });
      await vscode.commands.executeCommand('certlens.checkHost', `probe.certlens.dev:${server.port}`);
      await a.settled();
      assert.equal(server.connections, 0, 'no connection reached the server');
      assert.equal(a.connectionsAttempted(), 0);
      assert.ok(a.report().certificates.length > 0, 'certificates in files still show');
    } finally {
      await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
      await vscode.workspace.getConfiguration('certlens').update('hosts.resolve', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration('certlens').update('hosts.extra', undefined, vscode.ConfigurationTarget.Global);
      await server.close();
    }
  });
});
