import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeCert, type TestCert } from '../support/certs';
import { Inventory } from '../../src/core/scan/inventory';
import { DEFAULT_EXCLUDES } from '../../src/core/scan/filters';
import { DEFAULT_RULES } from '../../src/core/rules/rules';
import type { FileResult } from '../../src/core/model';
import { sharedKey, tempDir, scanTree } from './helpers';

describe('workspace scan', () => {
  let root: string;
  let a: TestCert;
  let b: TestCert;
  before(() => {
    a = makeCert({ cn: 'a.certlens.dev', key: sharedKey({ type: 'ec' }), notBefore: daysFromNow(-10), notAfter: daysFromNow(-1) });
    b = makeCert({ cn: 'b.certlens.dev', key: sharedKey({ type: 'ec' }), notBefore: daysFromNow(-10), notAfter: daysFromNow(50) });
    root = tempDir();
    const w = (rel: string, data: string | Buffer) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), data);
    };
    w('certs/a.pem', a.pem);
    w('deep/er/still/b.crt', b.der);
    w('src/app.ts', 'export const x = 1;\n');
    w('node_modules/pkg/ca.pem', b.pem);
    w('.git/objects/x.pem', b.pem);
    w('docs/README.md', `Our CA:\n${b.pem}`);
    w('big/huge.pem', Buffer.alloc(6 * 1024 * 1024, 0x41));
    w('big/huge.log', Buffer.alloc(6 * 1024 * 1024, 0x41));
    w('img/logo.png', Buffer.concat([Buffer.from('-----BEGIN CERTIFICATE-----')]));
    fs.symlinkSync('..', path.join(root, 'deep', 'loop'));
    fs.symlinkSync(path.join(root, 'certs'), path.join(root, 'linked-certs'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds certificates across the tree, skipping excluded folders, binaries and oversized files, without looping', async () => {
    const seen: FileResult[] = [];
    const { results, stats } = await scanTree({ roots: [root], onFile: (r) => seen.push(r) });
    const inv = new Inventory();
    results.forEach((r) => inv.set(r));
    const found = inv
      .certificates()
      .map((c) => `${path.relative(root, c.file)}:${c.subjectCN}`)
      .sort();
    // certs/ and the symlink to it are one directory: it is read once, under whichever name comes first.
    const linked = found.find((f) => f.endsWith('a.pem:a.certlens.dev'));
    assert.ok(linked === 'certs/a.pem:a.certlens.dev' || linked === 'linked-certs/a.pem:a.certlens.dev');
    assert.deepEqual(found, [linked, 'deep/er/still/b.crt:b.certlens.dev', 'docs/README.md:b.certlens.dev'].sort());
    assert.equal(seen.length, results.length, 'every result was streamed');
    const huge = inv.problems().find((p) => p.file.endsWith('huge.pem'));
    assert.equal(huge?.code, 'file-too-large');
    assert.ok(!inv.problems().some((p) => p.file.endsWith('huge.log')), 'a large non-certificate file is skipped silently');
    assert.ok(stats.skipped >= 1);
  });

  it('honours include and exclude globs', async () => {
    const { results } = await scanTree({
      roots: [root],
      include: ['**/*.pem'],
      exclude: [...DEFAULT_EXCLUDES, '**/big/**', '**/linked-certs/**', '**/deep/**'],
    });
    assert.deepEqual(
      results.filter((r) => r.certificates.length).map((r) => path.relative(root, r.file)),
      ['certs/a.pem'],
    );
  });

  it('reports an unreadable file and keeps scanning the others', async function () {
    if (process.getuid?.() === 0) {
      // root reads everything; a directory in place of a file gives the same read error path.
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'ok.pem'), a.pem);
      fs.mkdirSync(path.join(dir, 'x.pem'));
      fs.mkdirSync(path.join(dir, 'x.pem', 'inner.pem'));
      const { results } = await scanTree({ roots: [dir] });
      assert.equal(results.flatMap((r) => r.certificates).length, 1);
      fs.rmSync(dir, { recursive: true });
      return;
    }
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ok.pem'), a.pem);
    fs.writeFileSync(path.join(dir, 'secret.pem'), b.pem, { mode: 0o000 });
    const { results } = await scanTree({ roots: [dir] });
    assert.equal(results.flatMap((r) => r.certificates).length, 1);
    assert.equal(results.flatMap((r) => r.problems)[0]?.code, 'read-error');
    fs.rmSync(dir, { recursive: true });
  });

  it('can be cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(scanTree({ roots: [root], signal: controller.signal }), { name: 'AbortError' });
  });

  it('resolves kubeconfig file references, and reports missing ones', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'pki'));
    fs.writeFileSync(path.join(dir, 'pki', 'ca.crt'), b.pem);
    fs.writeFileSync(
      path.join(dir, 'kubeconfig'),
      'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: pki/ca.crt\n  name: a\nusers:\n- name: u\n  user:\n    client-certificate: ./missing.crt\n',
    );
    const { results } = await scanTree({ roots: [path.join(dir, 'kubeconfig')] });
    const [r] = results;
    assert.equal(r.certificates.length, 1);
    assert.equal(r.certificates[0].source, 'kubeconfig');
    assert.equal(r.certificates[0].file, path.join(dir, 'kubeconfig'));
    assert.deepEqual(r.certificates[0].range.start, { line: 4, character: 27 });
    assert.equal(r.problems[0].code, 'referenced-file-missing');
    assert.equal(r.problems[0].range.start.line, 9);
    fs.rmSync(dir, { recursive: true });
  });

  it('pairs certificates with private keys found elsewhere in the workspace', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'site.crt'), b.pem);
    fs.mkdirSync(path.join(dir, 'private'));
    fs.writeFileSync(path.join(dir, 'private', 'site.key'), sharedKey({ type: 'ec' }).pem);
    const inv = new Inventory();
    (await scanTree({ roots: [dir] })).results.forEach((r) => inv.set(r));
    assert.equal(inv.certificates()[0].privateKey?.file, path.join(dir, 'private', 'site.key'));
    const findings = inv.findings(Date.now(), DEFAULT_RULES);
    assert.ok(findings.every((f) => !f.message.includes('PRIVATE')));
    fs.rmSync(dir, { recursive: true });
  });
});
