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
  const yamlKey = makeKey({ type: 'ed25519' });
  const yamlDev = makeCert({
    cn: 'yaml.renewal.test',
    sans: ['yaml.renewal.test'],
    key: yamlKey,
    notBefore: daysFromNow(-30),
    notAfter: daysFromNow(3),
  });
  const yamlText = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dev-tls\ndata:\n  tls.crt: |\n${yamlDev.pem
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n  other: value\n`;
  let yamlUri: vscode.Uri;
  let devUri: vscode.Uri;
  let issuedUri: vscode.Uri;

  before(async () => {
    devUri = writeWorkspaceFile(`${dir}/dev.pem`, devText);
    writeWorkspaceFile(`${dir}/dev.key`, key.pem);
    issuedUri = writeWorkspaceFile(`${dir}/api.pem`, issued.pem);
    yamlUri = writeWorkspaceFile(`${dir}/dev-config.yaml`, yamlText);
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

  it('asks before writing a new key inside the workspace folder, and writes nothing when declined', async () => {
    const [action] = await actionsAt(issuedUri, 0);
    const renewal = (await api()).renewal();
    const original = renewal.confirm;
    const asked: string[] = [];
    const csr = vscode.Uri.file(path.join(tmp, 'declined.csr'));
    const keyOut = workspaceUri(`${dir}/declined.key`);
    try {
      renewal.confirm = (message, button) => {
        asked.push(`${message} [${button}]`);
        return Promise.resolve(false);
      };
      const written = await vscode.commands.executeCommand(action.command!.command, ...action.command!.arguments!, {
        key: 'p256',
        csr,
        keyOut,
      });
      assert.equal(written, undefined);
    } finally {
      renewal.confirm = original;
    }
    assert.deepEqual(asked, [
      `${dir}/declined.key is inside the workspace folder ${vscode.workspace.workspaceFolders![0].name}: a private key there is easily committed. Write it there anyway? [Write the Key There]`,
    ]);
    assert.ok(!fs.existsSync(keyOut.fsPath), 'no key written');
    assert.ok(!fs.existsSync(csr.fsPath), 'no request written');
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

  it('regenerates an indented block in YAML with a new key where none is paired, after asking', async () => {
    const line = yamlText.split('\n').findIndex((l) => l.includes('BEGIN CERTIFICATE'));
    const offered = await actionsAt(yamlUri, line);
    const regen = offered.find((a) => a.title.startsWith('Regenerate'));
    assert.ok(
      regen,
      `offered on the block in YAML: ${JSON.stringify(offered.map((a) => a.title))} ${JSON.stringify((await api()).report().certificates.filter((c) => c.subjectCN === 'yaml.renewal.test'))}`,
    );
    const keyOut = vscode.Uri.file(path.join(tmp, 'yaml.key'));
    const renewal = (await api()).renewal();
    const original = renewal.confirm;
    const asked: string[] = [];
    try {
      renewal.confirm = (message) => {
        asked.push(message);
        return Promise.resolve(true);
      };
      assert.equal(
        await vscode.commands.executeCommand<boolean>(regen.command!.command, ...regen.command!.arguments!, { days: 10, keyOut }),
        true,
      );
    } finally {
      renewal.confirm = original;
    }
    const until = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    assert.equal(asked.length, 1);
    assert.match(
      asked[0],
      new RegExp(
        `^Replace yaml\\.renewal\\.test at ${dir}/dev-config\\.yaml:${line + 1} with a new self-signed certificate valid until (${until}|\\d{4}-\\d{2}-\\d{2}), with a new key saved to `,
      ),
    );
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === yamlUri.toString())!;
    const lines = doc.getText().split('\n');
    const begin = lines.findIndex((l) => l.includes('BEGIN CERTIFICATE'));
    const end = lines.findIndex((l) => l.includes('END CERTIFICATE'));
    assert.equal(begin, line);
    assert.deepEqual(lines.slice(0, begin), yamlText.split('\n').slice(0, begin), 'what comes before is kept');
    assert.deepEqual(lines.slice(end + 1), ['  other: value', ''], 'what comes after is kept');
    assert.ok(
      lines.slice(begin, end + 1).every((l) => /^ {4}[A-Za-z0-9+/=-]/.test(l)),
      'every line of the block keeps the indentation',
    );
    const renewed = path.join(tmp, 'yaml-renewed.pem');
    fs.writeFileSync(
      renewed,
      lines
        .slice(begin, end + 1)
        .map((l) => l.trim())
        .join('\n') + '\n',
    );
    assert.match(openssl(['verify', '-CAfile', renewed, renewed]), /: OK/);
    assert.equal(openssl(['x509', '-in', renewed, '-noout', '-subject']).trim(), 'subject=CN = yaml.renewal.test');
    assert.equal(
      openssl(['x509', '-in', renewed, '-noout', '-pubkey']),
      openssl(['pkey', '-in', keyOut.fsPath, '-pubout']),
      'the new key saved',
    );
    assert.match(openssl(['x509', '-in', renewed, '-noout', '-text']), /ED25519/, 'a new key of the same type');
    assert.equal(fs.statSync(keyOut.fsPath).mode & 0o777, 0o600);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), yamlText);
  });
});
