// CertLens never writes into a user's file unless the user picks a quick fix (Ignore, Snooze: they
// write certlens.* keys of .vscode/settings.json). Every file of the workspace is fingerprinted
// (SHA-256, size, mtime), every read-only surface is exercised on every file and certificate, and the
// workspace must come out byte for byte and file for file as it went in.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import * as vscode from 'vscode';
import { daysFromNow, makeCert, makeKey, pkcs12, pkcs7 } from '../support/certs';
import { api, waitFor } from './helpers';

const SETTINGS = path.join('.vscode', 'settings.json');
/** Files VS Code may refuse to open as text. */
const BINARY = /\.(cer|der|p12|pfx)$/;

interface Entry {
  kind: 'file' | 'dir';
  sha256?: string;
  size?: number;
  mtimeMs?: number;
}

/** Every file and folder under `root` (relative paths), files with their hash, size and mtime. */
function snapshot(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      const rel = path.relative(root, abs);
      if (e.isDirectory()) {
        out.set(rel, { kind: 'dir' });
        walk(abs);
      } else if (rel !== SETTINGS) {
        const st = fs.statSync(abs);
        out.set(rel, {
          kind: 'file',
          sha256: crypto.createHash('sha256').update(fs.readFileSync(abs)).digest('hex'),
          size: st.size,
          mtimeMs: st.mtimeMs,
        });
      }
    }
  };
  walk(root);
  return out;
}

/** .vscode/settings.json without its certlens.* keys (undefined when there is no such file). */
function otherSettings(root: string): Record<string, unknown> | undefined {
  const file = path.join(root, SETTINGS);
  if (!fs.existsSync(file)) return undefined;
  const all = (parseJsonc(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('certlens.')));
}

describe('CertLens never writes into the workspace on its own', function () {
  this.timeout(120_000);
  const folder = vscode.workspace.workspaceFolders![0].uri;
  const root = folder.fsPath;
  const extras = vscode.Uri.joinPath(folder, 'nowrite-extra');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-nowrite-'));
  let initial: Map<string, Entry>;
  let settingsBefore: Record<string, unknown> | undefined;
  let settingsExisted: boolean;

  before(async () => {
    // More formats than the fixture holds: DER, PKCS#12 (no password), PKCS#7, a Kubernetes secret,
    // PEM in .env and JSON. Written by the test, before the snapshot; removed afterwards.
    const key = makeKey({ type: 'ec' });
    const cert = (cn: string, days: number) => makeCert({ cn, sans: [cn], key, notBefore: daysFromNow(-30), notAfter: daysFromNow(days) });
    const der = cert('der.nowrite.test', 12);
    const p12 = cert('p12.nowrite.test', 40);
    const p7 = cert('p7.nowrite.test', 200);
    const k8s = cert('k8s.nowrite.test', 5);
    const env = cert('env.nowrite.test', -3);
    const json = cert('json.nowrite.test', 70);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const files: [string, Uint8Array][] = [
      ['printer.cer', der.der],
      ['client.p12', pkcs12({ cert: p12, key })],
      ['trust.p7b', Buffer.from(pkcs7([p7]))],
      [
        'ingress.yaml',
        Buffer.from(
          `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: ingress\ndata:\n  tls.crt: ${b64(k8s.pem)}\n`,
        ),
      ],
      ['app.env', Buffer.from(`TLS_CERT="${env.pem.replace(/\n/g, '\\n')}"\n`)],
      ['webhook.json', Buffer.from(JSON.stringify({ caBundle: b64(json.pem) }, null, 2))],
    ];
    for (const [name, data] of files) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(extras, name), data);
    const a = await api();
    await a.scan();
    await waitFor('the extra files to be scanned', () =>
      ['der', 'p12', 'p7', 'k8s', 'env', 'json'].every((n) => a.report().certificates.some((c) => c.subjectCN === `${n}.nowrite.test`)),
    );
    await a.settled();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    initial = snapshot(root);
    settingsExisted = fs.existsSync(path.join(root, SETTINGS));
    settingsBefore = otherSettings(root);
  });

  after(async () => {
    await vscode.commands.executeCommand('certlens.clearFilter');
    await vscode.commands.executeCommand('certlens.groupBy', 'urgency');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(extras, { recursive: true }).then(undefined, () => undefined);
    const a = await api();
    await waitFor('the extra certificates to be gone', () => !a.report().certificates.some((c) => c.subjectCN?.endsWith('.nowrite.test')));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('leaves every file as it was after scans, lenses, hovers, details, inspections, exports, tree commands and copies', async () => {
    const a = await api();
    await a.scan();
    await vscode.commands.executeCommand('certlens.scanWorkspace');
    await vscode.commands.executeCommand('certlens.refresh');
    await a.settled();
    const report = a.report();
    const files = [...initial].filter(([, e]) => e.kind === 'file').map(([rel]) => rel);
    assert.ok(report.certificates.length >= 12, `${report.certificates.length} certificates`);

    // Open every file (binary ones cannot be text documents), in an editor when it is text.
    const opened: vscode.TextDocument[] = [];
    for (const rel of files) {
      const uri = vscode.Uri.joinPath(folder, rel);
      try {
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc, { preview: false });
        opened.push(doc);
      } catch {
        assert.ok(BINARY.test(rel), `${rel} could not be opened as text`);
      }
    }
    assert.ok(opened.length >= files.length - 3, `${opened.length} of ${files.length} files opened`);
    await a.settled();

    // CodeLens (resolved), document links and quick-fix lists on every open file.
    let lenses = 0;
    for (const doc of opened) {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 1000);
      const ours = found.filter((l) => l.command?.command.startsWith('certlens.'));
      const certs = BINARY.test(doc.uri.fsPath) ? 0 : report.certificates.filter((c) => c.file === doc.uri.fsPath).length;
      assert.ok(
        ours.filter((l) => l.command?.command === 'certlens.showDetails').length >= certs,
        `${vscode.workspace.asRelativePath(doc.uri)}: lenses for its ${certs} certificates`,
      );
      lenses += ours.length;
      await vscode.commands.executeCommand('vscode.executeLinkProvider', doc.uri, 100);
      const whole = new vscode.Range(0, 0, doc.lineCount, 0);
      await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, whole);
    }
    assert.ok(lenses >= report.certificates.length - 3, `${lenses} lenses`);

    // Hover, details, fingerprint and PEM copies for every certificate.
    let hovered = 0;
    for (const c of report.certificates) {
      const uri = vscode.Uri.file(c.file);
      if (!BINARY.test(c.file)) {
        const at = new vscode.Position(c.range.start.line, c.range.start.character + 1);
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
        const md = hovers
          .flatMap((h) => h.contents)
          .map((x) => (typeof x === 'string' ? x : (x as vscode.MarkdownString).value))
          .join('\n');
        assert.match(md, /Valid until/, `a hover on ${c.subjectCN} in ${vscode.workspace.asRelativePath(uri)}`);
        hovered++;
      }
      const shown = await vscode.commands.executeCommand<vscode.TextDocument>('certlens.showDetails', {
        sha256: c.sha256,
        file: c.file,
        index: c.index,
      });
      assert.match(shown.getText(), new RegExp(c.sha256));
      assert.equal(await vscode.commands.executeCommand('certlens.copyFingerprint', { sha256: c.sha256 }), c.sha256);
      await vscode.commands.executeCommand('certlens.copyPem', { sha256: c.sha256 });
    }
    assert.ok(hovered >= report.certificates.length - 3, `${hovered} hovers`);

    // Inspect: a selection in an open bundle, then a PEM on the clipboard.
    const bundle = opened.find((d) => d.uri.fsPath.endsWith(path.join('tls', 'fullchain.pem')))!;
    const editor = await vscode.window.showTextDocument(bundle);
    const firstEnd = bundle.getText().indexOf('-----END CERTIFICATE-----') + '-----END CERTIFICATE-----'.length;
    editor.selection = new vscode.Selection(new vscode.Position(0, 0), bundle.positionAt(firstEnd));
    assert.equal((await vscode.commands.executeCommand<unknown[]>('certlens.inspectSelection')).length, 1);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const clip = makeCert({
      cn: 'clipboard.nowrite.acme-corp.net',
      key: makeKey({ type: 'ec' }),
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(10),
    });
    await vscode.env.clipboard.writeText(clip.pem);
    assert.equal((await vscode.commands.executeCommand<unknown[]>('certlens.inspectSelection')).length, 1);

    // Exports, to a folder outside the workspace.
    const out = (name: string) => vscode.Uri.file(path.join(tmp, name));
    await vscode.commands.executeCommand('certlens.exportReport', 'json', out('report.json'));
    await vscode.commands.executeCommand('certlens.exportReport', 'csv', out('report.csv'));
    await vscode.commands.executeCommand('certlens.exportReport', 'markdown', out('report.md'));
    await vscode.commands.executeCommand('certlens.exportCalendar', out('expiry.ics'));
    assert.equal(JSON.parse(fs.readFileSync(path.join(tmp, 'report.json'), 'utf8')).certificates.length, report.certificates.length);
    assert.match(fs.readFileSync(path.join(tmp, 'expiry.ics'), 'utf8'), /^BEGIN:VCALENDAR/);

    // The tree: every grouping, a filter and its removal.
    for (const g of ['file', 'issuer', 'urgency']) {
      await vscode.commands.executeCommand('certlens.groupBy', g);
      assert.ok(a.tree().length > 0, `grouped by ${g}`);
    }
    await vscode.commands.executeCommand('certlens.filter', 'nowrite');
    const shown = a.tree().flatMap((g) => g.children.map((c) => c.label));
    assert.ok(shown.length >= 6 && shown.every((l) => l.endsWith('.nowrite.test')), `filtered tree: ${JSON.stringify(shown)}`);
    await vscode.commands.executeCommand('certlens.clearFilter');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await a.scan();
    await a.settled();

    // Nothing changed, nothing appeared, nothing went.
    const final = snapshot(root);
    const changed = [...initial].filter(([rel, e]) => JSON.stringify(final.get(rel)) !== JSON.stringify(e)).map(([rel]) => rel);
    const added = [...final.keys()].filter((rel) => !initial.has(rel));
    assert.deepEqual({ changed, added }, { changed: [], added: [] });
    assert.equal(fs.existsSync(path.join(root, SETTINGS)), settingsExisted, '.vscode/settings.json neither appeared nor went');
    assert.deepEqual(otherSettings(root), settingsBefore, 'only certlens.* keys may differ in .vscode/settings.json');
  });
});
