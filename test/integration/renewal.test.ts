// Renewal from the editor in a real VS Code: the code actions on a certificate, a CSR signed with the
// paired key and with a new key (checked by openssl against the source certificate), and a
// self-signed development certificate regenerated in place (unsaved, undoable). The prompts are
// answered through the commands' answers argument, as the other commands take their targets.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { daysFromNow, makeCert, makeKey } from '../support/certs';
import { api, waitFor, workspaceUri, writeWorkspaceFile } from './helpers';

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** openssl's reading of a certificate or request: subject, SANs, key usage, extended key usage. */
function reading(kind: 'req' | 'x509', file: string): string[] {
  const lines = openssl([kind, '-in', file, '-noout', '-text']).split('\n');
  const next = (name: string) => lines[lines.findIndex((l) => l.includes(name)) + 1]?.trim();
  return [
    openssl([kind, '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253']).trim(),
    next('X509v3 Subject Alternative Name'),
    next('X509v3 Key Usage'),
    next('X509v3 Extended Key Usage'),
  ];
}

function verifies(csr: string): boolean {
  return /verify OK/.test(execFileSync('sh', ['-c', `openssl req -verify -noout -in "${csr}" 2>&1`]).toString());
}

describe('CertLens renewal from the editor', function () {
  this.timeout(120_000);
  const dir = 'renewal';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-renewal-'));
  const key = makeKey({ type: 'ec' });
  const ca = makeKey({ type: 'ec' });
  const dev = makeCert({
    cn: 'dev.renewal.test',
    sans: ['dev.renewal.test', 'localhost', 'IP:127.0.0.1'],
    key,
    notBefore: daysFromNow(-400),
    notAfter: daysFromNow(-5),
  });
  const caCert = makeCert({ cn: 'Renewal Test CA', key: ca, notBefore: daysFromNow(-400), notAfter: daysFromNow(400), ca: true });
  const issued = makeCert({
    cn: 'api.renewal.test',
    sans: ['api.renewal.test'],
    key: makeKey({ type: 'ec' }),
    issuer: { cert: caCert, key: ca },
    notBefore: daysFromNow(-80),
    notAfter: daysFromNow(10),
    extKeyUsage: 'serverAuth,clientAuth',
  });
  const devText = `# development certificate\n${dev.pem}`;
  let devUri: vscode.Uri;
  let issuedUri: vscode.Uri;

  before(async () => {
    devUri = writeWorkspaceFile(`${dir}/dev.pem`, devText);
    writeWorkspaceFile(`${dir}/dev.key`, key.pem);
    issuedUri = writeWorkspaceFile(`${dir}/api.pem`, issued.pem);
    fs.writeFileSync(path.join(tmp, 'dev.pem'), dev.pem);
    fs.writeFileSync(path.join(tmp, 'api.pem'), issued.pem);
    const a = await api();
    await a.scan();
    await waitFor('the renewal files scanned', () => a.report().certificates.some((c) => c.subjectCN === 'api.renewal.test'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(workspaceUri(dir).fsPath, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    const a = await api();
    await a.scan();
  });

  async function actionsAt(uri: vscode.Uri, line: number): Promise<vscode.CodeAction[]> {
    // Code actions are asked of an open document's model.
    await vscode.workspace.openTextDocument(uri);
    const all = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      uri,
      new vscode.Range(line, 0, line, 0),
    );
    return all.filter((a): a is vscode.CodeAction => 'kind' in a && !!a.kind && a.kind.value.startsWith('refactor.certlens'));
  }

  it('offers a CSR on any certificate and regeneration only on a self-signed leaf', async () => {
    const onDev = await actionsAt(devUri, 1);
    assert.deepEqual(
      onDev.map((a) => a.title),
      ['Create a renewal request (CSR)', 'Regenerate this self-signed development certificate'],
    );
    const onIssued = await actionsAt(issuedUri, 0);
    assert.deepEqual(
      onIssued.map((a) => a.title),
      ['Create a renewal request (CSR)'],
    );
    assert.deepEqual(await actionsAt(devUri, 0), [], 'nothing on the comment line above the block');
  });

  it('writes a CSR signed with the paired key: openssl verifies it, same subject, SANs and usages', async () => {
    const [action] = await actionsAt(devUri, 1);
    const csr = vscode.Uri.file(path.join(tmp, 'dev.csr'));
    const written = await vscode.commands.executeCommand<vscode.Uri>(action.command!.command, ...action.command!.arguments!, {
      key: 'paired',
      csr,
    });
    assert.equal(written?.fsPath, csr.fsPath);
    assert.ok(verifies(csr.fsPath));
    assert.deepEqual(reading('req', csr.fsPath), reading('x509', path.join(tmp, 'dev.pem')));
    assert.equal(reading('req', csr.fsPath)[1], 'DNS:dev.renewal.test, DNS:localhost, IP Address:127.0.0.1');
    assert.equal(openssl(['req', '-in', csr.fsPath, '-noout', '-pubkey']).trim(), key.publicPem.trim(), 'signed with the paired key');
  });

  it('writes a CSR with a new key, the key only where asked (mode 0600)', async () => {
    const [action] = await actionsAt(issuedUri, 0);
    const csr = vscode.Uri.file(path.join(tmp, 'api.csr'));
    const keyOut = vscode.Uri.file(path.join(tmp, 'api.key'));
    await vscode.commands.executeCommand(action.command!.command, ...action.command!.arguments!, { key: 'rsa2048', csr, keyOut });
    assert.ok(verifies(csr.fsPath));
    assert.deepEqual(reading('req', csr.fsPath), reading('x509', path.join(tmp, 'api.pem')));
    assert.equal(fs.statSync(keyOut.fsPath).mode & 0o777, 0o600);
    assert.equal(openssl(['req', '-in', csr.fsPath, '-noout', '-pubkey']), openssl(['pkey', '-in', keyOut.fsPath, '-pubout']));
    assert.match(openssl(['req', '-in', csr.fsPath, '-noout', '-text']), /Public-Key: \(2048 bit\)/);
    const report = JSON.stringify((await api()).report());
    assert.doesNotMatch(report, /PRIVATE KEY/);
  });

  it('regenerates the self-signed certificate in the editor: unsaved, same names, new dates, same key, undoable', async () => {
    const actions = await actionsAt(devUri, 1);
    const regen = actions.find((a) => a.title.startsWith('Regenerate'))!;
    const done = await vscode.commands.executeCommand<boolean>(regen.command!.command, ...regen.command!.arguments!, {
      days: 30,
      confirm: true,
    });
    assert.equal(done, true);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === devUri.toString())!;
    assert.ok(doc.isDirty, 'changed in the editor, not saved');
    assert.equal(fs.readFileSync(devUri.fsPath, 'utf8'), devText, 'the file on disk is unchanged');
    const text = doc.getText();
    assert.ok(text.startsWith('# development certificate\n-----BEGIN CERTIFICATE-----\n'), text.slice(0, 80));
    assert.notEqual(text, devText);
    const renewed = path.join(tmp, 'renewed.pem');
    fs.writeFileSync(renewed, text);
    assert.match(openssl(['verify', '-CAfile', renewed, renewed]), /: OK/);
    assert.deepEqual(reading('x509', renewed), reading('x509', path.join(tmp, 'dev.pem')));
    const end = Date.parse(openssl(['x509', '-in', renewed, '-noout', '-enddate']).trim().replace('notAfter=', ''));
    assert.ok(Math.abs(end - (Date.now() + 30 * 86_400_000)) < 10 * 60_000, `ends in 30 days: ${new Date(end).toISOString()}`);
    assert.equal(openssl(['x509', '-in', renewed, '-noout', '-pubkey']).trim(), key.publicPem.trim(), 'the paired key kept');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), devText, 'Undo takes it back');
  });
});
