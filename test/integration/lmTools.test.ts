// The chat's language model tools in a real VS Code: registered, invoked through vscode.lm.invokeTool
// (expirations), and the host tool asking for confirmation before its one connection to a loopback
// TLS server. Expected values come from the fixture manifest and the test's own server.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { loadManifest } from './fixture';
import { api, beginLines, setSetting, startTlsServer, type Server, workspaceUri } from './helpers';

function textOf(result: vscode.LanguageModelToolResult): string {
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

describe('CertLens language model tools', function () {
  this.timeout(60_000);
  const manifest = loadManifest();
  let server: Server;
  const name = 'tool.certlens.dev';

  before(async () => {
    await api();
    server = await startTlsServer(name, 5);
    await setSetting('hosts.resolve', { [`${name}:${server.port}`]: `127.0.0.1:${server.port}` });
  });

  after(async () => {
    await setSetting('hosts.resolve', undefined);
    await server.close();
  });

  it('registers both tools where vscode.lm.registerTool exists', async () => {
    assert.equal(typeof vscode.lm.registerTool, 'function', 'VS Code 1.99 has the tools API');
    const names = vscode.lm.tools.map((t) => t.name);
    assert.ok(names.includes('certlens_expirations'), names.join(', '));
    assert.ok(names.includes('certlens_checkHost'), names.join(', '));
    assert.ok((await api()).languageModelTools());
  });

  it('lists the expired and expiring certificates with file and line (vscode.lm.invokeTool)', async () => {
    const result = await vscode.lm.invokeTool('certlens_expirations', { input: { days: 30 }, toolInvocationToken: undefined });
    const text = textOf(result);
    const listed = manifest.files.flatMap((f) => f.certificates.filter((c) => c.daysLeft <= 30).map((c) => ({ ...c, path: f.path })));
    assert.ok(listed.length >= 2, 'the fixture has expired and expiring certificates');
    for (const c of listed) {
      const lines = beginLines(fs.readFileSync(workspaceUri(c.path).fsPath, 'utf8'));
      const line = new RegExp(
        `- (expired ${-c.daysLeft} days ago|expires in ${c.daysLeft} days) \\(${c.notAfter.slice(0, 10)}\\): CN=${c.cn.replace(/\./g, '\\.')}, .* at ${c.path.replace(/\./g, '\\.')}:(${lines.map((l) => l + 1).join('|')})$`,
        'm',
      );
      assert.match(text, line);
    }
    const later = manifest.files.flatMap((f) => f.certificates.filter((c) => c.daysLeft > 30));
    for (const c of later) assert.ok(!text.includes(`CN=${c.cn},`), `${c.cn} expires later`);
    assert.doesNotMatch(text, /PRIVATE KEY/);
  });

  it('asks for confirmation naming the host before connecting (in chat and outside it), then checks it once', async () => {
    const tools = (await api()).languageModelTools()!;
    const before = server.connections;
    // In chat, VS Code shows the prepared confirmation before invoke.
    const prepared = tools.checkHost.prepareInvocation({ input: { host: `https://${name}:${server.port}/health` } });
    assert.ok(prepared.confirmationMessages, 'a confirmation is asked');
    const message = prepared.confirmationMessages.message;
    assert.match(
      typeof message === 'string' ? message : message.value,
      new RegExp(`\\*\\*${name.replace(/\./g, '\\.')}:${server.port}\\*\\*`),
    );
    assert.equal(server.connections, before, 'no connection before the user confirms');
    // Outside chat (no invocation token) the tool asks itself; the modal is answered by a stand-in.
    const original = tools.checkHost.confirmOutsideChat;
    const asked: string[] = [];
    try {
      tools.checkHost.confirmOutsideChat = (target) => {
        asked.push(target);
        assert.equal(server.connections, before, 'asked before connecting');
        return Promise.resolve(false);
      };
      const declined = await vscode.lm.invokeTool('certlens_checkHost', {
        input: { host: `${name}:${server.port}` },
        toolInvocationToken: undefined,
      });
      assert.equal(textOf(declined), `Cancelled: no connection to ${name}:${server.port} was confirmed.`);
      assert.equal(server.connections, before, 'declined: no connection');
      tools.checkHost.confirmOutsideChat = (target) => {
        asked.push(target);
        return Promise.resolve(true);
      };
      const result = await vscode.lm.invokeTool('certlens_checkHost', {
        input: { host: `${name}:${server.port}` },
        toolInvocationToken: undefined,
      });
      const text = textOf(result);
      assert.match(text, new RegExp(`^${name.replace(/\./g, '\\.')}:${server.port} \\(connected to 127\\.0\\.0\\.1:${server.port}\\):`));
      assert.match(text, new RegExp(`- serves CN=${name.replace(/\./g, '\\.')}`));
      assert.match(text, /- expires in 5 days/);
      assert.match(text, /trusted: no \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
      assert.equal(server.connections, before + 1);
      assert.deepEqual(asked, [`${name}:${server.port}`, `${name}:${server.port}`]);
    } finally {
      tools.checkHost.confirmOutsideChat = original;
    }
  });

  it('says what is not a host, and connects nowhere', async () => {
    const before = server.connections;
    const result = await vscode.lm.invokeTool('certlens_checkHost', { input: { host: 'not a host' }, toolInvocationToken: undefined });
    assert.equal(textOf(result), '"not a host" is not a host, host:port or URL.');
    assert.equal(server.connections, before);
  });
});
