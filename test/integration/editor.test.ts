// The editor surface in a real VS Code: diagnostics, CodeLens, hover, tree, status bar, commands,
// settings and live updates. Expected values come from the fixture manifest (the generator), never
// from the code under test.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { daysFromNow, makeCert, makeKey, pkcs12 } from '../support/certs';
import { urgentMessage } from '../../src/extension/features/notifications';
import { loadManifest, type FixtureManifest } from './fixture';
import { api, beginLines, certDiagnostics, setSetting, waitFor, workspaceUri } from './helpers';

type ManifestCert = FixtureManifest['files'][number]['certificates'][number] & { path: string };

describe('CertLens editor surface', function () {
  this.timeout(60_000);
  const manifest = loadManifest();
  const certs: ManifestCert[] = manifest.files.flatMap((f) => f.certificates.map((c) => ({ ...c, path: f.path })));
  const byCn = (cn: string) => certs.find((c) => c.cn === cn)!;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-it-'));

  before(async () => {
    await api();
  });

  after(async () => {
    await setSetting('warningDays', undefined);
    await setSetting('ignore.fingerprints', undefined);
    await setSetting('snoozes', undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('reports every certificate of the workspace, openssl-independent oracle: the generator', async () => {
    const report = (await api()).report();
    assert.equal(
      report.certificates.length,
      manifest.certificateCount,
      report.certificates.map((c) => `${c.subjectCN} in ${c.file}`).join('; '),
    );
    for (const c of certs) {
      const found = report.certificates.find((r) => r.subjectCN === c.cn && r.file.endsWith(c.path));
      assert.ok(found, `${c.cn} in ${c.path}`);
      assert.equal(Date.parse(found.notAfter), Date.parse(c.notAfter), c.cn);
    }
  });

  it('puts diagnostics on files nobody opened, on the exact block, with codes and severities', async () => {
    await api();
    const expired = certs.find((c) => c.daysLeft < 0)!;
    const diags = certDiagnostics(workspaceUri(expired.path));
    const d = diags.find((x) => x.code === 'expired');
    assert.ok(d, `expired diagnostic on ${expired.path}: ${JSON.stringify(diags.map((x) => x.code))}`);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    const text = fs.readFileSync(workspaceUri(expired.path).fsPath, 'utf8');
    assert.equal(d.range.start.line, beginLines(text)[0]);
    assert.match(d.message, new RegExp(`${expired.cn.replace(/\./g, '\\.')} expired ${-expired.daysLeft} days ago`));

    const chainFile = manifest.files.find((f) => f.certificates.length === 3)!;
    const chainText = fs.readFileSync(workspaceUri(chainFile.path).fsPath, 'utf8');
    const leafDiag = certDiagnostics(workspaceUri(chainFile.path)).find((x) => x.code === 'expires-warning');
    assert.ok(leafDiag, 'the 20-day leaf is a warning');
    assert.equal(leafDiag.range.start.line, beginLines(chainText)[0]);
    assert.equal(leafDiag.relatedInformation?.length, 2, 'related information links the two other chain members');
    assert.deepEqual(
      leafDiag.relatedInformation.map((r) => r.location.range.start.line),
      beginLines(chainText).slice(1),
    );
  });

  it('shows a CodeLens above every certificate of a bundle', async () => {
    const chainFile = manifest.files.find((f) => f.certificates.length === 3)!;
    const uri = workspaceUri(chainFile.path);
    const doc = await vscode.workspace.openTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 1000);
    const ours = lenses.filter((l) => l.command?.command === 'certlens.showDetails');
    assert.deepEqual(
      ours.map((l) => l.range.start.line),
      beginLines(doc.getText()),
    );
    const leaf = chainFile.certificates[0];
    const days = Math.ceil((Date.parse(leaf.notAfter) - Date.now()) / 86_400_000);
    assert.match(ours[0].command!.title, new RegExp(`^\\$\\(warning\\) Expires in ${days} days · ${leaf.notAfter.slice(0, 10)}`));
    assert.match(ours[0].command!.title, /issued by CertLens Demo Intermediate CA/);
    assert.match(ours[2].command!.title, /^\$\(pass\) Valid \d+ days/);
  });

  it('hovers with a table of everything known about the certificate', async () => {
    const chainFile = manifest.files.find((f) => f.certificates.length === 3)!;
    const uri = workspaceUri(chainFile.path);
    const text = fs.readFileSync(uri.fsPath, 'utf8');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(beginLines(text)[1] + 2, 3),
    );
    const md = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))
      .join('\n');
    for (const label of ['Subject', 'Issuer', 'Valid until', 'SHA\\-256', 'Signature algorithm', 'Role'])
      assert.match(md, new RegExp(label));
    assert.match(md, /CertLens Demo Intermediate CA/);
    assert.match(md, /intermediate/);
  });

  it('groups the Expirations tree by urgency, soonest first', async () => {
    const tree = (await api()).tree();
    const group = (label: string) => tree.find((g) => g.label === label)?.children.map((c) => c.label) ?? [];
    const expect = (pred: (c: ManifestCert) => boolean) => [
      ...new Set(
        certs
          .filter(pred)
          .sort((a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter))
          .map((c) => c.cn),
      ),
    ];
    assert.deepEqual(
      group('Expired'),
      expect((c) => c.daysLeft < 0),
    );
    assert.deepEqual(
      group('Within critical days'),
      expect((c) => c.daysLeft >= 0 && c.daysLeft <= 7),
    );
    assert.deepEqual(
      group('Within warning days'),
      expect((c) => c.daysLeft > 7 && c.daysLeft <= 30),
    );
    assert.deepEqual(
      group('Within info days'),
      expect((c) => c.daysLeft > 30 && c.daysLeft <= 90),
    );
    assert.deepEqual(
      group('Later'),
      expect((c) => c.daysLeft > 90),
    );
    const labels = tree.map((g) => g.label);
    assert.deepEqual(
      labels,
      ['Expired', 'Within critical days', 'Within warning days', 'Within info days', 'Later'].filter((l) => group(l).length),
    );
    const first = tree[0].children[0];
    const firstFile = path.basename(certs.find((c) => c.cn === first.label)!.path);
    assert.match(first.description ?? '', /^[^ ]+ · expired \d+ days ago · \d{4}-\d\d-\d\d$/);
    assert.ok(first.description?.startsWith(`${firstFile} · `), `${first.description} starts with the file's name`);
  });

  it('groups by issuer and filters on request', async () => {
    const a = await api();
    await vscode.commands.executeCommand('certlens.groupBy', 'issuer');
    assert.ok(a.tree().some((g) => g.label === 'CertLens Demo Intermediate CA' && g.children.some((c) => c.label === 'www.acme-shop.net')));
    await vscode.commands.executeCommand('certlens.filter', 'mail.');
    assert.deepEqual(
      a.tree().flatMap((g) => g.children.map((c) => c.label)),
      ['mail.acme-shop.net'],
    );
    await vscode.commands.executeCommand('certlens.clearFilter');
    await vscode.commands.executeCommand('certlens.groupBy', 'urgency');
    assert.equal(a.tree()[0].label, 'Expired');
  });

  it('summarises in the status bar', async () => {
    const expired = certs.filter((c) => c.daysLeft < 0).length;
    const soon = new Set(certs.filter((c) => c.daysLeft >= 0 && c.daysLeft <= 30).map((c) => c.cn)).size;
    assert.equal((await api()).statusBar(), `$(shield) ${expired} expired · ${soon} ≤ 30 d`);
  });

  it('badges files in the Explorer by their most urgent certificate', async () => {
    const a = await api();
    for (const f of manifest.files) {
      const soonest = Math.min(...f.certificates.map((c) => c.daysLeft));
      const expected = soonest < 0 ? '!' : soonest <= 7 ? '!!' : soonest <= 30 ? '~' : undefined;
      assert.equal(a.fileDecoration(vscode.Uri.file(path.join(manifest.workspace, f.path)).toString()), expected, f.path);
    }
    assert.ok(
      manifest.files.some((f) => Math.min(...f.certificates.map((c) => c.daysLeft)) > 30),
      'the fixture has a file without a badge',
    );
  });

  it('exports the report in the CLI schema and a valid calendar', async () => {
    const jsonUri = vscode.Uri.file(path.join(tmp, 'report.json'));
    await vscode.commands.executeCommand('certlens.exportReport', 'json', jsonUri);
    const report = JSON.parse(fs.readFileSync(jsonUri.fsPath, 'utf8'));
    assert.equal(report.version, 1);
    assert.equal(report.certificates.length, manifest.certificateCount);
    const csvUri = vscode.Uri.file(path.join(tmp, 'report.csv'));
    await vscode.commands.executeCommand('certlens.exportReport', 'csv', csvUri);
    assert.equal(fs.readFileSync(csvUri.fsPath, 'utf8').trim().split('\r\n').length, manifest.certificateCount + 1);
    const mdUri = vscode.Uri.file(path.join(tmp, 'report.md'));
    await vscode.commands.executeCommand('certlens.exportReport', 'markdown', mdUri);
    assert.match(fs.readFileSync(mdUri.fsPath, 'utf8'), /\| Expires \| Days left \|/);

    const icsUri = vscode.Uri.file(path.join(tmp, 'expiry.ics'));
    await vscode.commands.executeCommand('certlens.exportCalendar', icsUri);
    const ics = fs.readFileSync(icsUri.fsPath, 'utf8');
    const lines = ics.split('\r\n');
    assert.equal(lines[0], 'BEGIN:VCALENDAR');
    assert.ok(
      lines.every((l) => Buffer.byteLength(l) <= 75),
      'lines are folded at 75 octets',
    );
    const unfolded = ics.replace(/\r\n /g, '');
    const events = unfolded.split('BEGIN:VEVENT').slice(1);
    const future = certs.filter((c) => c.daysLeft >= 0);
    assert.equal(events.length, future.length);
    for (const c of future) {
      const stamp = new Date(c.notAfter)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
      assert.ok(
        events.some((e) => e.includes(`DTSTART:${stamp}`) && e.includes(c.cn)),
        `event for ${c.cn} at ${stamp}`,
      );
    }
    assert.ok(events.every((e) => e.includes('TRIGGER:-P30D') && e.includes('END:VALARM')));
  });

  it('applies settings live: warning days', async () => {
    const mail = byCn('mail.acme-shop.net');
    const uri = workspaceUri(mail.path);
    assert.equal(certDiagnostics(uri).find((d) => typeof d.code === 'string' && d.code.startsWith('expires'))?.code, 'expires-info');
    await setSetting('warningDays', 75);
    await waitFor('mail to become a warning', () => certDiagnostics(uri).some((d) => d.code === 'expires-warning'));
    await setSetting('warningDays', undefined);
    await waitFor('mail to be information again', () => certDiagnostics(uri).some((d) => d.code === 'expires-info'));
  });

  it('ignores and snoozes a certificate through its quick fixes, stored in workspace settings', async () => {
    const expired = certs.find((c) => c.daysLeft < 0)!;
    const uri = workspaceUri(expired.path);
    await vscode.workspace.openTextDocument(uri);
    const diag = certDiagnostics(uri).find((d) => d.code === 'expired')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const titles = actions.map((a) => a.title);
    for (const t of [
      'Show certificate details',
      'Snooze this certificate for 7 days',
      'Ignore this certificate (workspace setting)',
      'Copy SHA-256 fingerprint',
    ])
      assert.ok(titles.includes(t), t);

    const snooze = actions.find((a) => a.title === 'Snooze this certificate for 7 days')!;
    await vscode.commands.executeCommand(snooze.command!.command, ...snooze.command!.arguments!);
    await waitFor('the expired diagnostic to be snoozed', () => !certDiagnostics(uri).some((d) => d.code === 'expired'));
    const snoozes = vscode.workspace.getConfiguration('certlens').inspect<Record<string, string>>('snoozes')?.workspaceValue ?? {};
    const [sha, until] = Object.entries(snoozes)[0];
    assert.match(sha, /^[0-9a-f]{64}$/);
    assert.ok(Math.abs(Date.parse(until) - (Date.now() + 7 * 86_400_000)) < 60_000);
    await setSetting('snoozes', undefined);
    await waitFor('the snooze to be lifted', () => certDiagnostics(uri).some((d) => d.code === 'expired'));

    const ignore = actions.find((a) => a.title === 'Ignore this certificate (workspace setting)')!;
    await vscode.commands.executeCommand(ignore.command!.command, ...ignore.command!.arguments!);
    await waitFor('the certificate to be ignored', () => certDiagnostics(uri).length === 0);
    assert.deepEqual(vscode.workspace.getConfiguration('certlens').inspect('ignore.fingerprints')?.workspaceValue, [sha]);
    // A fresh scan (what a reload does) still honours it.
    const a = await api();
    await a.scan();
    assert.ok(!a.report().certificates.some((c) => c.sha256 === sha));
    await setSetting('ignore.fingerprints', undefined);
    await waitFor('the certificate to be back', () => certDiagnostics(uri).some((d) => d.code === 'expired'));
  });

  it('follows file create, change and delete through the watcher', async () => {
    const uri = workspaceUri('new/created.pem');
    const key = makeKey({ type: 'ec' });
    const first = makeCert({ cn: 'created.certlens.acme-corp.net', key, notBefore: daysFromNow(-30), notAfter: daysFromNow(-2) });
    await vscode.workspace.fs.writeFile(uri, Buffer.from(first.pem));
    await waitFor('a diagnostic on the created file', () => certDiagnostics(uri).some((d) => d.code === 'expired'));
    const second = makeCert({ cn: 'created.certlens.acme-corp.net', key, notBefore: daysFromNow(-85), notAfter: daysFromNow(5) });
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`# renewed\n${second.pem}`));
    await waitFor('the change to be picked up', () =>
      certDiagnostics(uri).find((d) => d.code === 'expires-critical' && d.range.start.line === 1),
    );
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(uri, '..'), { recursive: true });
    await waitFor('diagnostics to be cleared', () => certDiagnostics(uri).length === 0);
    assert.ok(!(await api()).report().certificates.some((c) => c.subjectCN === 'created.certlens.acme-corp.net'));
  });

  it('judges a short-lived certificate by its lifetime (a 6-day one is quiet when issued, a warning at its renewal point) and a 10-year CA by its days', async () => {
    const key = makeKey({ type: 'ec' });
    const fresh = makeCert({ cn: 'fresh.lifetime.certlens.acme-corp.net', key, notBefore: daysFromNow(0), notAfter: daysFromNow(6) });
    const due = makeCert({ cn: 'due.lifetime.certlens.acme-corp.net', key, notBefore: daysFromNow(-4.5), notAfter: daysFromNow(1.5) });
    const ca = makeCert({ cn: 'Ten Year Lifetime CA', key, ca: true, notBefore: daysFromNow(-3645), notAfter: daysFromNow(5) });
    const freshUri = workspaceUri('lifetime/fresh.pem');
    const dueUri = workspaceUri('lifetime/due.pem');
    const caUri = workspaceUri('lifetime/ca.pem');
    await vscode.workspace.fs.writeFile(freshUri, Buffer.from(fresh.pem));
    await vscode.workspace.fs.writeFile(dueUri, Buffer.from(due.pem));
    await vscode.workspace.fs.writeFile(caUri, Buffer.from(ca.pem));
    try {
      const warning = await waitFor('the renewal-point warning', () => certDiagnostics(dueUri).find((d) => d.code === 'expires-warning'));
      assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
      assert.match(warning.message, /expires in 2 days \(.*\), past its renewal point with a third of its 6-day lifetime left/);
      const critical = await waitFor("the CA's error at 5 days", () => certDiagnostics(caUri).find((d) => d.code === 'expires-critical'));
      assert.match(
        critical.message,
        /^CN=Ten Year Lifetime CA expires in 5 days \(\d{4}-\d\d-\d\d\)$/,
        'the day thresholds, nothing about a lifetime',
      );
      await waitFor('the fresh certificate in the report', async () =>
        (await api()).report().certificates.some((c) => c.subjectCN === 'fresh.lifetime.certlens.acme-corp.net'),
      );
      assert.deepEqual(
        certDiagnostics(freshUri).map((d) => d.code),
        [],
        'a 6-day certificate issued now is nothing to act on (the days alone made it an error: 6 < 7)',
      );
      // The shares are settings: with the error band's off, the fresh certificate is an error at once, as before.
      await setSetting('criticalLifetimeShare', 0);
      await waitFor('the days alone: an error', () => certDiagnostics(freshUri).some((d) => d.code === 'expires-critical'));
      await setSetting('criticalLifetimeShare', undefined);
      await waitFor('quiet again', () => certDiagnostics(freshUri).length === 0);
    } finally {
      await setSetting('criticalLifetimeShare', undefined);
      await vscode.workspace.fs.delete(workspaceUri('lifetime'), { recursive: true });
      await waitFor('diagnostics to be cleared', () => certDiagnostics(dueUri).length === 0 && certDiagnostics(caUri).length === 0);
    }
  });

  it('updates lenses and diagnostics from unsaved edits', async () => {
    const mail = byCn('mail.acme-shop.net');
    const uri = workspaceUri(mail.path);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const extra = makeCert({
      cn: 'typed.certlens.acme-corp.net',
      key: makeKey({ type: 'ec' }),
      notBefore: daysFromNow(-9),
      notAfter: daysFromNow(-1),
    });
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(doc.lineCount, 0), extra.pem);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(doc.isDirty);
    const line = beginLines(doc.getText())[1];
    await waitFor('a diagnostic for the typed certificate', () =>
      certDiagnostics(uri).find((d) => d.code === 'expired' && d.range.start.line === line),
    );
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 1000);
    assert.equal(lenses.filter((l) => l.command?.command === 'certlens.showDetails').length, 2);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor('the unsaved certificate to disappear', () => !certDiagnostics(uri).some((d) => d.code === 'expired'));
    assert.ok(!fs.readFileSync(uri.fsPath, 'utf8').includes('typed'), 'the file on disk was never written');
  });

  it('moves diagnostics with lines typed between certificate blocks, and parses again when a block is edited', async () => {
    const key = makeKey({ type: 'ec' });
    const expired = makeCert({ cn: 'moved-expired.certlens.acme-corp.net', key, notBefore: daysFromNow(-30), notAfter: daysFromNow(-2) });
    const critical = makeCert({ cn: 'moved-critical.certlens.acme-corp.net', key, notBefore: daysFromNow(-87), notAfter: daysFromNow(3) });
    const uri = workspaceUri('moved/bundle.pem');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`${expired.pem}# the critical one\n${critical.pem}`));
    const lineOf = (code: string) => certDiagnostics(uri).find((d) => d.code === code)?.range.start.line;
    await waitFor('both diagnostics', () => lineOf('expired') === 0 && lineOf('expires-critical') !== undefined);
    const criticalLine = lineOf('expires-critical')!;
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const typeBetween = async (text: string, lines: number) => {
      const before = lineOf('expires-critical')!;
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, new vscode.Position(before - 1, 0), text);
      assert.ok(await vscode.workspace.applyEdit(edit));
      await waitFor(`the critical diagnostic ${lines} lines down`, () => lineOf('expires-critical') === before + lines);
      assert.equal(lineOf('expired'), 0);
      await new Promise((r) => setTimeout(r, 300)); // past the edit throttle: the next edit is handled at once
    };
    // The first edit of the document is parsed (what the scan read is not known as text); later ones
    // between the blocks only move what follows them.
    await typeBetween('# renewed by ops\n', 1);
    const moved = (await api()).metrics().editsMovedWithoutParse;
    await typeBetween('# on call: team-a\n# and team-b\n', 2);
    assert.equal((await api()).metrics().editsMovedWithoutParse, moved + 1, 'moved without a parse');
    // Typed quickly (within the edit throttle), such edits still apply one by one, at once.
    const quick = lineOf('expires-critical')!;
    for (const text of ['#', ' x', '\n']) {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, new vscode.Position(quick - 1, 0), text);
      assert.ok(await vscode.workspace.applyEdit(edit));
    }
    await waitFor('the critical diagnostic one more line down', () => lineOf('expires-critical') === quick + 1);
    assert.equal((await api()).metrics().editsMovedWithoutParse, moved + 4, 'each quick edit moved without a parse');
    await new Promise((r) => setTimeout(r, 300));
    // An edit inside the first block breaks it: that needs a parse, whose problem replaces the certificate.
    const inside = new vscode.WorkspaceEdit();
    inside.insert(uri, new vscode.Position(1, 3), '!!');
    assert.ok(await vscode.workspace.applyEdit(inside));
    await waitFor(
      'the broken block reported',
      () =>
        lineOf('expired') === undefined &&
        certDiagnostics(uri).some((d) => d.range.start.line === 0 && d.severity === vscode.DiagnosticSeverity.Error),
    );
    assert.equal(lineOf('expires-critical'), criticalLine + 4);
    assert.equal((await api()).metrics().editsMovedWithoutParse, moved + 4);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(uri, '..'), { recursive: true });
    await waitFor('diagnostics to be cleared', () => certDiagnostics(uri).length === 0);
  });

  it('shows details and inspected PEM as escaped, read-only text', async () => {
    const evil = makeCert({
      cn: '<img src=x onerror=alert(1)>',
      key: makeKey({ type: 'ec' }),
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(100),
    });
    await vscode.env.clipboard.writeText(evil.pem);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const found = await vscode.commands.executeCommand<unknown[]>('certlens.inspectSelection');
    assert.equal(found.length, 1);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'certlens-details');
    assert.ok(doc, 'a details document is open');
    assert.match(doc.getText(), /`` <img src=x onerror=alert\(1\)> ``|` <img src=x onerror=alert\(1\)> `/);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from('x'))));

    const report = (await api()).report();
    const chainLeaf = report.certificates.find((c) => c.subjectCN === 'www.acme-shop.net')!;
    const shown = await vscode.commands.executeCommand<vscode.TextDocument>('certlens.showDetails', { sha256: chainLeaf.sha256 });
    assert.match(shown.getText(), new RegExp(chainLeaf.sha256));
    assert.match(shown.getText(), /BEGIN CERTIFICATE/);
  });

  it('reports a password-protected PKCS#12 as locked and unlocks it', async () => {
    const cert = makeCert({
      cn: 'locked.certlens.acme-corp.net',
      key: makeKey({ type: 'ec' }),
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(40),
    });
    const uri = workspaceUri('secrets/locked.p12');
    await vscode.workspace.fs.writeFile(uri, pkcs12({ cert, password: 'hunter2-pkcs12' }));
    await waitFor('the locked finding', () => certDiagnostics(uri).some((d) => d.code === 'pkcs12-locked'));
    assert.ok(
      (await api()).tree().some((g) => g.label === 'Problems' && g.children.some((c) => c.contextValue === 'certlens.problem.locked')),
    );
    assert.equal(await vscode.commands.executeCommand('certlens.unlockPkcs12', uri.fsPath, 'wrong', false), false);
    assert.equal(await vscode.commands.executeCommand('certlens.unlockPkcs12', uri.fsPath, 'hunter2-pkcs12', false), true);
    await waitFor('the certificate inside', async () =>
      (await api()).report().certificates.some((c) => c.subjectCN === 'locked.certlens.acme-corp.net'),
    );
    const settings = JSON.stringify(vscode.workspace.getConfiguration('certlens'));
    assert.ok(!settings.includes('hunter2'), 'the password is not in settings');
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(uri, '..'), { recursive: true });
  });

  it("lists a broken Java keystore among the tree's problems", async () => {
    const uri = workspaceUri('javastores/broken.jks');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('feedfeed00000002' + '00'.repeat(6), 'hex'));
    await waitFor('the keystore-invalid finding', () => certDiagnostics(uri).some((d) => d.code === 'keystore-invalid'));
    const problems = (await api()).tree().find((g) => g.label === 'Problems');
    assert.ok(
      problems?.children.some((c) => c.label.endsWith('broken.jks') && c.contextValue === 'certlens.problem'),
      JSON.stringify(problems),
    );
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(uri, '..'), { recursive: true });
  });
});

describe('CertLens settings and notifications', function () {
  this.timeout(60_000);
  const manifest = loadManifest();
  const expired = manifest.files.find((f) => f.certificates.some((c) => c.daysLeft < 0))!;

  after(async () => {
    for (const k of [
      'codeLens.enabled',
      'diagnostics.enabled',
      'diagnostics.severity',
      'statusBar.hideWhenClean',
      'criticalDays',
      'warningDays',
      'infoDays',
    ])
      await setSetting(k, undefined);
  });

  it('notified once about expired and critical certificates after the first scan', async () => {
    const a = await api();
    assert.equal(a.notifications(), 1);
    await a.scan();
    assert.equal(a.notifications(), 1, 'at most one notification per workspace per day');
  });

  it('says in the notification only the kinds there are, in agreeing words', () => {
    assert.equal(urgentMessage(2, 3, 7), 'CertLens: 2 expired and 3 critical certificates in this workspace.');
    assert.equal(urgentMessage(2, 0, 7), 'CertLens: 2 certificates in this workspace have expired.');
    assert.equal(urgentMessage(1, 0, 7), 'CertLens: 1 certificate in this workspace has expired.');
    assert.equal(urgentMessage(0, 4, 10), 'CertLens: 4 certificates in this workspace expire within 10 days.');
    assert.equal(urgentMessage(0, 1, 7), 'CertLens: 1 certificate in this workspace expires within 7 days.');
  });

  it('turns CodeLens off and on', async () => {
    const uri = workspaceUri(expired.path);
    await vscode.workspace.openTextDocument(uri);
    const ours = async () =>
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 1000)).filter(
        (l) => l.command?.command === 'certlens.showDetails',
      ).length;
    assert.equal(await ours(), 1);
    await setSetting('codeLens.enabled', false);
    await waitFor('lenses to go', async () => (await ours()) === 0);
    await setSetting('codeLens.enabled', undefined);
    await waitFor('lenses to return', async () => (await ours()) === 1);
  });

  it('maps severities and turns diagnostics off', async () => {
    const uri = workspaceUri(expired.path);
    await setSetting('diagnostics.severity', { error: 'Hint' });
    await waitFor('the expired finding as a hint', () =>
      certDiagnostics(uri).find((d) => d.code === 'expired' && d.severity === vscode.DiagnosticSeverity.Hint),
    );
    await setSetting('diagnostics.enabled', false);
    await waitFor('no diagnostics', () => certDiagnostics(uri).length === 0);
    await setSetting('diagnostics.enabled', undefined);
    await setSetting('diagnostics.severity', undefined);
    await waitFor('the error back', () =>
      certDiagnostics(uri).find((d) => d.code === 'expired' && d.severity === vscode.DiagnosticSeverity.Error),
    );
  });

  it('hides the status bar when all is well, if asked', async () => {
    const a = await api();
    await setSetting('statusBar.hideWhenClean', true);
    assert.ok(a.statusBar(), 'not clean: still shown');
    // Thresholds of zero days make only expired certificates count; ignore those to be clean.
    await setSetting('criticalDays', 0);
    await setSetting('warningDays', 0);
    const report = a.report();
    const expiredShas = report.certificates.filter((c) => c.daysLeft < 0 || Date.parse(c.notAfter) <= Date.now()).map((c) => c.sha256);
    await setSetting('ignore.fingerprints', expiredShas);
    await waitFor('the status bar to hide', () => a.statusBar() === undefined);
    await setSetting('ignore.fingerprints', undefined);
    await waitFor('the status bar to return', () => a.statusBar()?.includes('expired'));
  });
});
