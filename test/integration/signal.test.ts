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

  it('says why a file is set apart, and follows deployment evidence as a Dockerfile comes and goes', async () => {
    const a = await api();
    const key = makeKey({ type: 'ec' });
    const expired = (cn: string) => makeCert({ cn, key, notBefore: daysFromNow(-100), notAfter: daysFromNow(-3) }).pem;
    // Written through VS Code's file system, then scanned (the watcher's way is the model's setMentions, unit-tested).
    const put = async (rel: string, text: string) => {
      const uri = workspaceUri(path.posix.join(dir, rel));
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
      return uri;
    };
    const copy = await put('certs.example/server.pem', expired('copy.signal.acme-corp.net'));
    const baked = await put('src/test/resources/baked.pem', expired('baked.signal.acme-corp.net'));
    const local = await put('conf/dev-localhost.pem', expired('localhost'));
    await a.scan();
    const reasonOf = (u: vscode.Uri) => a.report().certificates.find((c) => c.file === u.fsPath)?.contextReason ?? '';
    assert.match(reasonOf(copy), /its folder `certs\.example\/`/);
    assert.match(reasonOf(local), /its certificate is for development: it names only localhost/);
    assert.ok(certDiagnostics(baked).every((d) => d.severity === vscode.DiagnosticSeverity.Hint));
    // A production Dockerfile copies the test certificate into the image: it is production now, said why.
    const dockerfile = await put('Dockerfile', 'FROM alpine:3.20\nCOPY src/test/resources/baked.pem /etc/ssl/certs/baked.pem\n');
    await a.scan();
    await waitFor('an error on the deployed certificate', () =>
      certDiagnostics(baked).some((d) => d.code === 'expired' && d.severity === vscode.DiagnosticSeverity.Error),
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}; its context: ${reasonOf(baked) || 'production'}; diagnostics: ${JSON.stringify(certDiagnostics(baked))}`,
      );
    });
    assert.match(reasonOf(baked), /^deployed by signal\/Dockerfile:2, though its folder `test\/`/);
    await vscode.workspace.fs.delete(dockerfile);
    await a.scan();
    await waitFor('a hint again once the Dockerfile is gone', () =>
      certDiagnostics(baked).every((d) => d.severity === vscode.DiagnosticSeverity.Hint),
    );
    for (const u of [copy, baked, local]) await vscode.workspace.fs.delete(u);
    await a.settled();
  });
});
