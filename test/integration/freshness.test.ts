// Results that stay true while the window stays open: expiries and threshold crossings with no file
// touched, and files that settings exclude staying out when they change.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { daysFromNow, makeCert, makeKey } from '../support/certs';
import { api, writeWorkspaceFile, certDiagnostics, waitFor, workspaceUri } from './helpers';

describe('CertLens keeps results true as time passes', function () {
  this.timeout(180_000);
  const dir = 'freshness';
  const write = (rel: string, data: string | Buffer) => writeWorkspaceFile(path.posix.join(dir, rel), data);
  const codes = (uri: vscode.Uri) => certDiagnostics(uri).map((d) => d.code);

  after(async () => {
    await vscode.workspace.getConfiguration('files').update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
    fs.rmSync(workspaceUri(dir).fsPath, { recursive: true, force: true });
    await (await api()).settled();
  });

  it('reports a certificate as expired within seconds of its notAfter, and a band crossing, with no file touched', async () => {
    const key = makeKey({ type: 'ec' });
    // Whole seconds: X.509 times have no fractions.
    const start = Math.ceil(Date.now() / 1000) * 1000;
    const expiresAt = start + 60_000;
    const soon = write(
      'soon.pem',
      makeCert({ cn: 'soon.freshness.acme-corp.net', key, notBefore: daysFromNow(-10), notAfter: new Date(expiresAt) }).pem,
    );
    // Enters the critical band (7 days) at the same moment.
    const critical = write(
      'week.pem',
      makeCert({ cn: 'week.freshness.acme-corp.net', key, notBefore: daysFromNow(-100), notAfter: new Date(expiresAt + 7 * 86_400_000) })
        .pem,
    );
    const a = await api();
    await a.scan();
    assert.deepEqual(codes(soon), ['expires-critical'], 'before its notAfter it expires soon');
    assert.deepEqual(codes(critical), ['expires-warning'], 'before the moment it is a warning');
    assert.ok(Date.now() < expiresAt - 5_000, 'the scan finished well before the moment');
    const expired = await waitFor('the expired diagnostic', () => codes(soon).includes('expired') && Date.now(), 90_000);
    const lateMs = expired - expiresAt;
    assert.ok(lateMs >= 0, 'not before its notAfter');
    assert.ok(lateMs < 10_000, `reported ${lateMs} ms after its notAfter`);
    await waitFor('the critical diagnostic', () => codes(critical).includes('expires-critical'), 10_000);
    const report = a.report();
    assert.ok(
      report.findings.some((f) => f.code === 'expired' && f.file === soon.fsPath),
      'the report agrees',
    );
    assert.ok(!a.statusBar() || /expired/i.test(a.statusBar() ?? '') || /\d/.test(a.statusBar() ?? ''), 'the status bar is shown');
  });

  it('keeps a file that files.exclude hides out of the results when it changes', async () => {
    const key = makeKey({ type: 'ec' });
    const a = await api();
    const hidden = write(
      'hidden/inside.pem',
      makeCert({ cn: 'hidden.freshness.acme-corp.net', key, notBefore: daysFromNow(-10), notAfter: daysFromNow(-1) }).pem,
    );
    await vscode.workspace
      .getConfiguration('files')
      .update('exclude', { [`${dir}/hidden/**`]: true }, vscode.ConfigurationTarget.Workspace);
    await a.settled();
    await a.scan();
    const seen = () => a.report().certificates.some((c) => c.file === hidden.fsPath);
    assert.ok(!seen(), 'not scanned while excluded');
    fs.writeFileSync(
      hidden.fsPath,
      makeCert({ cn: 'hidden2.freshness.acme-corp.net', key, notBefore: daysFromNow(-10), notAfter: daysFromNow(-2) }).pem,
    );
    // A file the watcher does report, to know the watcher's batch has been applied.
    const marker = write(
      'visible.pem',
      makeCert({ cn: 'visible.freshness.acme-corp.net', key, notBefore: daysFromNow(-10), notAfter: daysFromNow(100) }).pem,
    );
    await waitFor('the visible file', () => a.report().certificates.some((c) => c.file === marker.fsPath), 20_000);
    await a.settled();
    assert.ok(!seen(), 'still out after it changed');
    assert.deepEqual(codes(hidden), [], 'no diagnostics on it');
  });
});
