// Signal, not noise: certificates in tests, examples, docs and vendored files keep every fact, but
// their findings are hints, counted apart and grouped in the tree; production keeps its errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { daysFromNow, makeCert, makeKey } from '../support/certs';
import { api, writeWorkspaceFile, certDiagnostics, setSetting, waitFor, workspaceUri } from './helpers';

describe('CertLens sets tests, examples and docs apart', function () {
  this.timeout(120_000);
  const dir = 'signal';
  const write = (rel: string, data: string | Buffer) => writeWorkspaceFile(path.posix.join(dir, rel), data);
  let prod: vscode.Uri;
  let fixture: vscode.Uri;
  let doc: vscode.Uri;

  before(async () => {
    const key = makeKey({ type: 'ec' });
    prod = write(
      'deploy/tls/site.pem',
      makeCert({ cn: 'prod.signal.acme-corp.net', key, notBefore: daysFromNow(-80), notAfter: daysFromNow(5) }).pem,
    );
    fixture = write(
      'src/test/resources/expired.pem',
      makeCert({ cn: 'fixture.signal.acme-corp.net', key, notBefore: daysFromNow(-400), notAfter: daysFromNow(-300) }).pem,
    );
    doc = write(
      'docs/setup.md',
      '# Setup\n\nPaste your certificate:\n\n```\n-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n```\n',
    );
    const a = await api();
    await a.scan();
  });

  after(async () => {
    await setSetting('nonProduction', undefined);
    fs.rmSync(workspaceUri(dir).fsPath, { recursive: true, force: true });
    await (await api()).settled();
  });

  it('keeps errors on production certificates and makes test findings hints', () => {
    const onProd = certDiagnostics(prod);
    assert.deepEqual(
      onProd.map((d) => [d.code, d.severity]),
      [['expires-critical', vscode.DiagnosticSeverity.Error]],
    );
    const onFixture = certDiagnostics(fixture);
    assert.ok(
      onFixture.some((d) => d.code === 'expired'),
      'the expired fixture keeps its finding',
    );
    assert.ok(
      onFixture.every((d) => d.severity === vscode.DiagnosticSeverity.Hint),
      `as hints: ${JSON.stringify(onFixture.map((d) => d.severity))}`,
    );
    assert.deepEqual(certDiagnostics(doc), [], 'a truncated example in Markdown is no finding');
  });

  it('still lists every certificate, with its context, and groups the others in the tree', async () => {
    const a = await api();
    const report = a.report();
    assert.equal(report.certificates.find((c) => c.file === fixture.fsPath)?.context, 'test');
    assert.equal(report.certificates.find((c) => c.file === prod.fsPath)?.context, 'production');
    const group = a.tree().find((g) => g.label === 'Tests, examples and docs');
    assert.ok(
      group,
      `a group for them: ${a
        .tree()
        .map((g) => g.label)
        .join(', ')}`,
    );
    assert.ok(
      group.children.some((c) => c.label.includes('fixture.signal.acme-corp.net')),
      'the fixture is in it',
    );
    const expiredGroup = a.tree().find((g) => g.label === 'Expired');
    assert.ok(!expiredGroup?.children.some((c) => c.label.includes('fixture.signal.acme-corp.net')), 'not among the expired');
    assert.equal(a.fileDecoration(fixture.toString()), undefined, 'no Explorer badge on the fixture');
    assert.equal(a.fileDecoration(prod.toString()), '!!', 'the production certificate has its badge');
  });

  it('treats them as production again with certlens.nonProduction = normal', async () => {
    const a = await api();
    await setSetting('nonProduction', 'normal');
    await waitFor('an error on the fixture', () =>
      certDiagnostics(fixture).some((d) => d.code === 'expired' && d.severity === vscode.DiagnosticSeverity.Error),
    );
    await setSetting('nonProduction', undefined);
    await waitFor('a hint again', () => certDiagnostics(fixture).every((d) => d.severity === vscode.DiagnosticSeverity.Hint));
    await a.settled();
  });
});
