// Drift in a real VS Code: an nginx config in the workspace pairs two names with certificate files;
// loopback servers (names mapped with certlens.hosts.resolve) serve the same certificate for one and
// an older one with the same key (renewed in the repository, not deployed) for the other.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as vscode from 'vscode';
import { daysFromNow, makeCert, makeKey, type TestCert, type TestKey } from '../support/certs';
import { api, certDiagnostics, setSetting, waitFor, workspaceUri, writeWorkspaceFile } from './helpers';

interface Loopback {
  port: number;
  close(): Promise<void>;
}

async function serve(cert: TestCert, key: TestKey): Promise<Loopback> {
  const server = tls.createServer({ key: key.pem, cert: cert.pem });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('CertLens drift between the repository and the host', function () {
  this.timeout(60_000);
  const same = 'same.drift-it.certlens.dev';
  const renewed = 'renewed.drift-it.certlens.dev';
  const stale = 'stale.drift-it.certlens.dev';
  const other = 'other.drift-it.certlens.dev';
  const folder = 'deploy/drift-it';
  const conf = [
    'server {',
    '  listen 443 ssl;',
    `  server_name ${same};`,
    '  ssl_certificate ../tls/same.crt;',
    '}',
    'server {',
    '  listen 443 ssl;',
    `  server_name ${renewed};`,
    '  ssl_certificate ../tls/renewed.crt;',
    '}',
    'server {',
    '  listen 443 ssl;',
    `  server_name ${stale};`,
    '  ssl_certificate ../tls/stale.crt;',
    '}',
    'server {',
    '  listen 443 ssl;',
    `  server_name ${other};`,
    '  ssl_certificate ../tls/other.crt;',
    '}',
    '',
  ].join('\n');
  let servers: Loopback[] = [];
  let confUri: vscode.Uri;
  let renewedUri: vscode.Uri;
  let sameUri: vscode.Uri;
  let staleUri: vscode.Uri;
  let otherUri: vscode.Uri;

  before(async () => {
    const sameKey = makeKey({ type: 'ec' });
    const renewedKey = makeKey({ type: 'ec' });
    const sameCert = makeCert({ cn: same, sans: [same], key: sameKey, notBefore: daysFromNow(-10), notAfter: daysFromNow(80) });
    const served = makeCert({ cn: renewed, sans: [renewed], key: renewedKey, notBefore: daysFromNow(-80), notAfter: daysFromNow(40) });
    const inRepository = makeCert({ cn: renewed, sans: [renewed], key: renewedKey, notBefore: daysFromNow(-1), notAfter: daysFromNow(89) });
    // The host renewed, the repository kept the old copy; and a host that serves another key altogether.
    const staleKey = makeKey({ type: 'ec' });
    const staleInRepository = makeCert({ cn: stale, sans: [stale], key: staleKey, notBefore: daysFromNow(-80), notAfter: daysFromNow(60) });
    const staleServed = makeCert({ cn: stale, sans: [stale], key: staleKey, notBefore: daysFromNow(-2), notAfter: daysFromNow(88) });
    const otherInRepository = makeCert({
      cn: other,
      sans: [other],
      key: makeKey({ type: 'ec' }),
      notBefore: daysFromNow(-5),
      notAfter: daysFromNow(85),
    });
    const otherKey = makeKey({ type: 'ec' });
    const otherServed = makeCert({ cn: other, sans: [other], key: otherKey, notBefore: daysFromNow(-5), notAfter: daysFromNow(85) });
    servers = [
      await serve(sameCert, sameKey),
      await serve(served, renewedKey),
      await serve(staleServed, staleKey),
      await serve(otherServed, otherKey),
    ];
    await setSetting('hosts.resolve', {
      [`${same}:443`]: `127.0.0.1:${servers[0].port}`,
      [`${renewed}:443`]: `127.0.0.1:${servers[1].port}`,
      [`${stale}:443`]: `127.0.0.1:${servers[2].port}`,
      [`${other}:443`]: `127.0.0.1:${servers[3].port}`,
    });
    staleUri = writeWorkspaceFile(`${folder}/tls/stale.crt`, staleInRepository.pem);
    otherUri = writeWorkspaceFile(`${folder}/tls/other.crt`, otherInRepository.pem);
    sameUri = writeWorkspaceFile(`${folder}/tls/same.crt`, sameCert.pem);
    renewedUri = writeWorkspaceFile(`${folder}/tls/renewed.crt`, inRepository.pem);
    confUri = writeWorkspaceFile(`${folder}/nginx/site.conf`, conf);
  });

  after(async () => {
    await vscode.workspace.fs.delete(workspaceUri(folder), { recursive: true }).then(undefined, () => undefined);
    await setSetting('hosts.resolve', undefined);
    await Promise.all(servers.map((s) => s.close()));
    // The next suite counts the workspace's certificates: wait until these have left it.
    const a = await api();
    await waitFor('the drift files gone from the report', () => !a.report().certificates.some((c) => c.file.includes(`/${folder}/`)));
    await a.settled();
  });

  it('reports renewed-not-deployed at the certificate and at the server_name, each pointing at the other', async () => {
    const at = (uri: vscode.Uri) => certDiagnostics(uri).find((d) => d.code === 'renewed-not-deployed');
    await waitFor('drift at the certificate', () => at(renewedUri));
    await waitFor('drift at the server_name', () => at(confUri));
    const cert = at(renewedUri)!;
    assert.equal(cert.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(cert.range.start.line, 0);
    assert.match(cert.message, new RegExp(`^Renewed in the repository, not deployed: ${renewed.replace(/\./g, '\\.')}:443 still serves`));
    const ref = at(confUri)!;
    assert.equal(ref.range.start.line, 7);
    assert.equal(ref.range.start.character, '  server_name '.length);
    const related = (d: vscode.Diagnostic) =>
      (d.relatedInformation ?? []).map((r) => [vscode.workspace.asRelativePath(r.location.uri), r.location.range.start.line, r.message]);
    assert.deepEqual(related(cert), [[vscode.workspace.asRelativePath(confUri), 7, 'paired here']]);
    assert.deepEqual(related(ref), [[vscode.workspace.asRelativePath(renewedUri), 0, 'paired here']]);
    assert.deepEqual(certDiagnostics(sameUri), []);
  });

  it('reports a stale repository copy as information and another certificate served as a warning, at both ends', async () => {
    const code = (uri: vscode.Uri, c: string) => certDiagnostics(uri).find((d) => d.code === c);
    const staleAt = await waitFor('stale copy at the certificate', () => code(staleUri, 'repository-certificate-stale'));
    assert.equal(staleAt.severity, vscode.DiagnosticSeverity.Information);
    const otherAt = await waitFor('another certificate at the certificate', () => code(otherUri, 'host-serves-other-certificate'));
    assert.equal(otherAt.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(otherAt.message, /[0-9a-f]{64}/, 'both fingerprints are named');
    await waitFor(
      'both at the server_name lines',
      () =>
        certDiagnostics(confUri).some((d) => d.code === 'repository-certificate-stale' && d.range.start.line === 12) &&
        certDiagnostics(confUri).some((d) => d.code === 'host-serves-other-certificate' && d.range.start.line === 17),
    );
  });

  it('says "served by HOST ✓" above the served certificate, and the drift above the renewed one', async () => {
    const lens = async (uri: vscode.Uri) => {
      await vscode.workspace.openTextDocument(uri);
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
      return lenses.find((l) => l.command?.command === 'certlens.recheckHost')?.command?.title;
    };
    assert.equal(await lens(sameUri), `$(pass) served by ${same}:443 ✓`);
    assert.equal(await lens(renewedUri), `$(warning) ${renewed}:443 still serves the previous certificate: renewed here, not deployed`);
  });

  it('the hover over a certificate says what its host serves', async () => {
    const hover = async (uri: vscode.Uri) => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(1, 2));
      // Markdown as shown: appendText escapes -, ( and the like with a backslash, and writes spaces as &nbsp;.
      return hovers
        .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
        .join('\n')
        .replace(/&nbsp;/g, ' ')
        .replace(/\\(.)/g, '$1');
    };
    assert.match(await hover(sameUri), new RegExp(`served by ${same.replace(/\./g, '\\.')}:443 ✓`));
    const renewedHover = await hover(renewedUri);
    assert.match(renewedHover, /still serves the previous certificate: renewed here, not deployed/);
    assert.match(renewedHover, new RegExp(`served: ${renewed.replace(/\./g, '\\.')}, until \\d{4}-\\d{2}-\\d{2}, SHA-256 [0-9a-f]{64}`));
  });

  it('lists the drift in the tree and the JSON export', async () => {
    const a = await api();
    const drift = a.tree().find((g) => g.label === 'Drift');
    assert.ok(drift, 'a Drift group');
    assert.deepEqual(
      drift.children.map((c) => c.label).sort(),
      [renewedUri, staleUri, otherUri].map((u) => vscode.workspace.asRelativePath(u)).sort(),
    );
    const findings = a.report().findings.filter((f) => f.code === 'renewed-not-deployed');
    assert.deepEqual(findings.map((f) => vscode.workspace.asRelativePath(f.file)).sort(), [
      vscode.workspace.asRelativePath(confUri),
      vscode.workspace.asRelativePath(renewedUri),
    ]);
  });
});
