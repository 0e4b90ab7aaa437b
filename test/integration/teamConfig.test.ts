// The team config (.certlens.yaml) in a real VS Code: its context and ignore entries take effect, a bad
// entry is a diagnostic on its range in the file, and a quick fix writes the file as an unsaved edit
// whose finding goes away once it is saved.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { daysFromNow, makeCert, makeKey } from '../support/certs';
import { api, certDiagnostics, setSetting, waitFor, workspaceUri, writeWorkspaceFile } from './helpers';

describe('team config (.certlens.yaml) in the editor', function () {
  this.timeout(180_000);
  const dir = 'teamcfg';
  const write = (rel: string, data: string) => writeWorkspaceFile(path.posix.join(dir, rel), data);
  const key = makeKey({ type: 'ec' });
  const expired = (cn: string) => makeCert({ cn, key, notBefore: daysFromNow(-100), notAfter: daysFromNow(-5) });
  const summary = (uri: vscode.Uri) =>
    certDiagnostics(uri).map(
      (d) => `${typeof d.code === 'object' ? String(d.code.value) : String(d.code)} ${vscode.DiagnosticSeverity[d.severity]}`,
    );
  const configUri = () => workspaceUri(`${dir}/.certlens.yaml`);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(workspaceUri(dir).fsPath, { recursive: true, force: true });
    await (await api()).settled();
  });

  it("applies a config's context and ignore entries, and puts a bad entry's diagnostic on its range", async () => {
    const example = write('certs-dev/dev.pem', expired('dev.teamcfg.acme-corp.net').pem);
    const legacy = write('legacy/old.pem', expired('legacy.teamcfg.acme-corp.net').pem);
    const deploy = write('deploy/tls.pem', expired('prod.teamcfg.acme-corp.net').pem);
    const a = await api();
    await a.scan();
    for (const uri of [example, legacy, deploy])
      await waitFor(`the expired error on ${uri.path}`, () => summary(uri).join() === 'expired Error');
    write(
      '.certlens.yaml',
      [
        '# the team says it once',
        'version: 1',
        'context:',
        '  example: [certs-dev/**]',
        'ignore:',
        '  - path: legacy/**',
        '    reason: decommissioned, kept for the audit',
        'failOn: sometimes',
      ].join('\n') + '\n',
    );
    const bad = await waitFor('the bad entry diagnostic', () => {
      const list = vscode.languages.getDiagnostics(configUri()).filter((d) => d.code === 'team-config-invalid');
      return list.length ? list : undefined;
    });
    assert.equal(bad.length, 1);
    assert.equal(bad[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(bad[0].source, 'CertLens');
    assert.deepEqual(
      [bad[0].range.start.line, bad[0].range.start.character, bad[0].range.end.line, bad[0].range.end.character],
      [7, 8, 7, 17],
      'on "sometimes" in line 8',
    );
    await waitFor('the ignored certificate has no diagnostic', () => summary(legacy).length === 0);
    await waitFor('the example folder gives hints', () => summary(example).join() === 'expired Hint');
    assert.deepEqual(summary(deploy), ['expired Error'], 'the rest is judged as before');
    // The certificate is still listed: only its findings are quiet.
    assert.ok(a.report().certificates.some((c) => c.file === legacy.fsPath));
  });

  it("per-glob thresholds apply, and a threshold set in the workspace's settings wins over them", async () => {
    const short = write(
      'short/api.pem',
      makeCert({ cn: 'short.teamcfg.acme-corp.net', key, notBefore: daysFromNow(-350), notAfter: daysFromNow(50) }).pem,
    );
    const a = await api();
    await waitFor('the default band (information at 50 days left)', () => summary(short).join() === 'expires-info Information');
    const cfg = fs.readFileSync(configUri().fsPath, 'utf8');
    fs.writeFileSync(configUri().fsPath, cfg + 'thresholds:\n  overrides:\n    - paths: [short/**]\n      warningDays: 60\n');
    await waitFor("the override's warning", () => summary(short).join() === 'expires-warning Warning');
    try {
      await setSetting('warningDays', 30);
      await waitFor('the setting winning', () => summary(short).join() === 'expires-info Information');
    } finally {
      await setSetting('warningDays', undefined);
    }
    await waitFor("the override's warning again", () => summary(short).join() === 'expires-warning Warning');
    await a.settled();
  });

  it('a quick fix adds an ignore entry as an unsaved edit; after saving, the finding goes away', async () => {
    const cert = expired('other.teamcfg.acme-corp.net');
    const other = write('deploy2/other.pem', cert.pem);
    const a = await api();
    await a.settled();
    const diagnostic = await waitFor('the expired error', () => certDiagnostics(other).find((d) => d.code === 'expired'));
    await vscode.window.showTextDocument(other);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', other, diagnostic.range);
    const titles = actions.map((x) => x.title);
    assert.ok(titles.includes(`Treat ${dir}/deploy2/ as test files (team config)`), titles.join('\n'));
    assert.ok(titles.includes('Ignore this certificate for the team until a date…'), titles.join('\n'));
    const fix = actions.find((x) => x.title === 'Ignore this certificate for the team…');
    assert.ok(fix?.command?.arguments, titles.join('\n'));
    // The input box is for people: the reason comes as the command's argument here.
    const [arg] = fix.command.arguments as [object];
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>(fix.command.command, {
      ...arg,
      reason: 'rotated by the platform team',
    });
    assert.ok(doc, 'the edit was applied');
    assert.equal(doc.uri.toString(), configUri().toString());
    assert.ok(doc.isDirty, 'applied, not saved');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), doc.uri.toString(), 'the file is shown');
    const sha = createHash('sha256').update(cert.der).digest('hex');
    const text = doc.getText();
    assert.ok(text.startsWith('# the team says it once\nversion: 1\ncontext:\n  example: [certs-dev/**]\n'), text);
    assert.match(text, new RegExp(`- fingerprint: ${sha}\\n\\s+reason: rotated by the platform team\\n`));
    assert.equal(fs.readFileSync(configUri().fsPath, 'utf8').includes(sha), false, 'nothing written to disk yet');
    await a.settled();
    assert.deepEqual(summary(other), ['expired Error'], 'not applied before it is saved');
    assert.ok(await doc.save());
    await waitFor('the finding going away', () => summary(other).length === 0, 30_000);
    assert.ok(fs.readFileSync(configUri().fsPath, 'utf8').includes(`fingerprint: ${sha}`));
  });
});
