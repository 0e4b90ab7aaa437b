// Host checks in a real VS Code, against TLS servers this test starts on 127.0.0.1. Names are
// mapped to loopback with certlens.hosts.resolve, so no lookup of a real name ever happens.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, certDiagnostics, setSetting, startTlsServer, type Server, waitFor, workspaceUri } from './helpers';

describe('CertLens host checks', function () {
  this.timeout(60_000);
  let server: Server;
  const name = 'probe.certlens.dev';
  const file = workspaceUri('deploy/hosts-it.env');

  before(async () => {
    server = await startTlsServer(name, 5);
    await setSetting('hosts.resolve', { [`${name}:${server.port}`]: `127.0.0.1:${server.port}` });
    await vscode.workspace.fs.writeFile(file, Buffer.from(`# endpoints\nAPI_URL=https://${name}:${server.port}/v1/health\n`));
  });

  after(async () => {
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(file, '..'), { recursive: true }).then(undefined, () => undefined);
    await setSetting('hosts.resolve', undefined);
    await server.close();
  });

  it('finds the host in a config file and checks the certificate it serves', async () => {
    await waitFor('a host diagnostic at the reference', () => certDiagnostics(file).find((d) => d.code === 'expires-critical'));
    const d = certDiagnostics(file).find((x) => x.code === 'expires-critical')!;
    assert.equal(d.range.start.line, 1);
    assert.equal(d.range.start.character, 'API_URL=https://'.length);
    assert.match(d.message, new RegExp(`${name.replace(/\./g, '\\.')}:${server.port} serves a certificate that expires in 5 days`));
    assert.ok(server.connections >= 1);
  });

  it('shows a lens on the reference and a Hosts group in the tree', async () => {
    await vscode.workspace.openTextDocument(file);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file, 100);
    const lens = lenses.find((l) => l.command?.command === 'certlens.recheckHost');
    assert.ok(lens, 'a host lens');
    // The test server's certificate is self-signed: the lens says so, before the issuer.
    assert.match(
      lens.command!.title,
      new RegExp(
        `^\\$\\(globe\\) ${name.replace(/\./g, '\\.')}:${server.port} · expires in 5 days · untrusted: DEPTH_ZERO_SELF_SIGNED_CERT · ${name.replace(/\./g, '\\.')}$`,
      ),
    );
    const hosts = (await api()).tree().find((g) => g.label === 'Hosts');
    assert.ok(hosts, 'a Hosts group');
    const critical = hosts.children.find((g) => g.label === 'Within critical days');
    assert.deepEqual(
      critical?.children.map((c) => c.label),
      [`${name}:${server.port}`],
    );
  });

  it('reports the host in the JSON export, like the CLI', async () => {
    const report = (await api()).report();
    const h = report.hosts?.find((x) => x.host === name && x.port === server.port);
    assert.ok(h, 'hosts[] has the host');
    assert.equal(h.daysLeft, 5);
    assert.equal(h.address, `127.0.0.1:${server.port}`);
    assert.equal(h.hostnameMatch, true);
    assert.equal(h.chain[0].dnsNames[0], name);
    assert.equal(h.references[0].range.start.line, 1);
  });

  it('checks a typed host with Check Host… and shows its chain', async () => {
    const before = server.connections;
    const result = await vscode.commands.executeCommand<{ chain: { subjectCN?: string }[]; error?: string }>(
      'certlens.checkHost',
      `https://${name}:${server.port}/`,
    );
    assert.equal(result?.error, undefined);
    assert.equal(result?.chain[0].subjectCN, name);
    assert.equal(server.connections, before + 1, 'Check Host opens exactly one connection');
    const doc = vscode.workspace.textDocuments.find(
      (d) => d.uri.scheme === 'certlens-details' && d.getText().includes(`${name}:${server.port}`),
    );
    assert.ok(doc, 'the chain is shown');
  });
});
