// Restricted Mode: the host tool refuses, through vscode.lm.invokeTool, and no connection is opened.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, startTlsServer } from './helpers';

describe('CertLens language model tools in Restricted Mode', function () {
  this.timeout(60_000);

  it('refuses to check a host and opens no connection; the expirations tool still answers', async () => {
    const server = await startTlsServer('tool.certlens.dev', 5);
    try {
      const a = await api();
      const tools = a.languageModelTools();
      assert.ok(tools, 'registered in Restricted Mode too');
      const prepared = tools.checkHost.prepareInvocation({ input: { host: `127.0.0.1:${server.port}` } });
      assert.equal(prepared.confirmationMessages, undefined, 'nothing to confirm: nothing will connect');
      const result = await vscode.lm.invokeTool('certlens_checkHost', {
        input: { host: `127.0.0.1:${server.port}` },
        toolInvocationToken: undefined,
      });
      const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
      assert.equal(text, 'Refused: this workspace is not trusted, and CertLens opens no connection in Restricted Mode.');
      const listed = await vscode.lm.invokeTool('certlens_expirations', { input: {}, toolInvocationToken: undefined });
      assert.match(listed.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join(''), /^CertLens at /);
      await a.settled();
      assert.equal(server.connections, 0);
      assert.equal(a.connectionsAttempted(), 0);
    } finally {
      await server.close();
    }
  });
});
