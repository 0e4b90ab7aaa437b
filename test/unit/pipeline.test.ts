import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeChain, makeCert, pkcs12, pkcs7, type TestCert } from '../support/certs';
import { type Discovered, ReadPool } from '../../src/core/scan/readPool';
import { DEFAULT_EXCLUDES } from '../../src/core/scan/filters';
import { readBounded } from '../../src/core/scan/files';
import { type FileRead, runScan } from '../../src/core/scan/pipeline';
import type { FileResult } from '../../src/core/model';
import { type ScanMode, scanTree, sharedKey, tempDir, WORKER_FILE } from './helpers';

const WORKER = WORKER_FILE;

/** What a scan found, file by file, in a form two scans can be compared by. */
function summary(results: readonly FileResult[]): string[] {
  return results
    .filter((r) => r.certificates.length || r.problems.length || r.privateKeys.length)
    .map((r) =>
      [
        r.file,
        ...r.certificates.map(
          (c) => `${c.index} ${c.sha256} ${c.source} ${c.role} ${JSON.stringify(c.range)} ${c.chain?.earliestIndex ?? ''}`,
        ),
        ...r.problems.map((p) => `${p.code} ${JSON.stringify(p.range)}`),
        ...r.privateKeys.map((k) => k.spkiSha256),
      ].join('\n'),
    );
}

describe('scan pipeline', () => {
  let root: string;
  let certs: TestCert[];
  before(function () {
    this.timeout(60_000);
    const key = sharedKey({ type: 'ec' });
    certs = Array.from({ length: 6 }, (_, i) =>
      makeCert({ cn: `s${i}.certlens.dev`, key, notBefore: daysFromNow(-10), notAfter: daysFromNow(i * 20 - 5) }),
    );
    const chain = makeChain({ leafCn: 'chain.certlens.dev', notBefore: daysFromNow(-5), notAfter: daysFromNow(40), keyType: 'ec' });
    root = tempDir();
    const w = (rel: string, data: string | Buffer) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), data);
    };
    // More files than one worker request holds, so both threads take several turns.
    for (let i = 0; i < 700; i++) {
      const dir = `d${i % 7}/e${i % 3}`;
      switch (i % 10) {
        case 0:
          w(`${dir}/c${i}.pem`, certs[i % certs.length].pem);
          break;
        case 1:
          w(`${dir}/bundle${i}.crt`, [chain.leaf.pem, chain.intermediate.pem, chain.root.pem, certs[i % 6].pem].join(''));
          break;
        case 2:
          w(`${dir}/c${i}.der`, certs[(i + 1) % certs.length].der);
          break;
        case 3:
          w(`${dir}/secret${i}.yaml`, `kind: Secret\ndata:\n  tls.crt: ${Buffer.from(certs[i % 6].pem).toString('base64')}\n`);
          break;
        case 4:
          w(`${dir}/broken${i}.pem`, `-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n`);
          break;
        case 5:
          w(
            `${dir}/kube${i}`,
            `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: ../../d0/e0/c0.pem\n  name: a\n`,
          );
          break;
        case 6:
          w(`${dir}/app${i}.env`, `DB_HOST=db${i % 5}.acme-corp.net\nDB_PORT=5432\nDB_SSLMODE=verify-full\nDB_CA=./missing-ca${i}.pem\n`);
          break;
        default:
          w(`${dir}/src${i}.ts`, `export const n${i} = ${i};\n`.repeat(1 + (i % 50)));
      }
    }
    w('keys/p.p12', pkcs12({ cert: chain.leaf, key: chain.leafKey, chain: [chain.intermediate] }));
    w('keys/p.p7b', pkcs7([chain.leaf, chain.intermediate], { der: true }));
    w('node_modules/x/skip.pem', certs[0].pem);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Discovery's findings per file, in a comparable form. */
  const discoveries = (reads: readonly FileRead[]) =>
    reads
      .filter((e) => e.discovered)
      .map((e) => `${e.file} ${JSON.stringify(e.discovered!.hosts)} ${JSON.stringify(e.discovered!.fileRefs)}`)
      .sort();

  it('finds the same files, certificates, problems and hosts whichever way it reads', async function () {
    this.timeout(120_000);
    const scans = new Map<string, { results: FileResult[]; reads: FileRead[]; files: number }>();
    // The editor's mode also leaves small config files to this thread's discovery (some, or all).
    const ways: [string, ScanMode, number | undefined][] = [
      ['async', 'async', undefined],
      ['sync', 'sync', undefined],
      ['shared', 'shared', undefined],
      ['worker', 'worker', undefined],
      ['worker, small configs here', 'worker', 100],
      ['worker, all configs here', 'worker', 1 << 20],
    ];
    for (const [name, mode, discoverOnWorkerAbove] of ways) {
      const reads: FileRead[] = [];
      const { results, stats } = await scanTree({
        roots: [root],
        mode,
        discover: true,
        discoverOnWorkerAbove,
        onRead: (e) => reads.push(e),
      });
      scans.set(name, { results, reads, files: stats.files });
    }
    const reference = scans.get('async')!;
    assert.ok(
      reference.results.some((r) => r.certificates.some((c) => c.source === 'kubeconfig')),
      'file references resolved',
    );
    assert.ok(
      reference.results.some((r) => r.file.endsWith('p.p12') && r.certificates.length === 2),
      'PKCS#12 read',
    );
    assert.ok(
      reference.results.some((r) => r.problems.some((p) => p.code === 'referenced-file-missing' && p.message.includes('missing-ca'))),
      'a certificate file a config names and that is missing is a finding of the config',
    );
    assert.equal(
      reference.reads.filter((e) => e.file.endsWith('.env') && e.discovered?.hosts?.length).length,
      70,
      'every .env file was read by discovery',
    );
    assert.ok(!reference.results.some((r) => r.file.includes('node_modules')));
    for (const [mode, scan] of scans) {
      assert.equal(scan.files, reference.files, `${mode}: files walked`);
      assert.deepEqual(summary(scan.results).sort(), summary(reference.results).sort(), `${mode}: results`);
      assert.deepEqual(discoveries(scan.reads), discoveries(reference.reads), `${mode}: discoveries`);
    }
  });

  it('leaves config files up to discoverHereAbove to the caller, with their text and nothing discovered', async function () {
    this.timeout(60_000);
    const files = ['d6/e0/app6.env', 'd0/e0/src7.ts', 'd5/e2/kube5'].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f));
    assert.ok(files.length >= 2, files.join());
    const pool = new ReadPool(WORKER);
    try {
      for (const above of [undefined, 1 << 20]) {
        const found = new Map<string, Discovered | undefined>();
        await pool.read(files, 1 << 20, (file, _outcome, d) => found.set(file, d), { discover: true, discoverHereAbove: above });
        const env = found.get(files[0]);
        if (above === undefined) assert.ok(env?.hosts?.length && !env.undiscovered, 'discovered on the worker');
        else
          assert.ok(
            !env?.hosts && env?.undiscovered && Buffer.from(env.undiscovered).toString().startsWith('DB_HOST='),
            'left to the caller',
          );
        assert.equal(found.get(files[1]), undefined, 'source code is no config file');
      }
    } finally {
      pool.dispose();
    }
  });

  it('shares the work with the worker on two threads and gives results in walk order', async function () {
    this.timeout(60_000);
    const one = await scanTree({ roots: [root], mode: 'sync' });
    const pool = new ReadPool(WORKER);
    let toWorker = 0;
    const read = pool.read.bind(pool);
    pool.read = (source, ...rest) => {
      toWorker += Array.isArray(source) ? source.length : 0;
      return read(source, ...rest);
    };
    const streamed: string[] = [];
    const stats = await runScan({
      sources: [{ root, exclude: DEFAULT_EXCLUDES }],
      maxFileSize: 1 << 20,
      pool,
      read: readBounded,
      thisThread: 'share',
      onFile: (r) => streamed.push(r.file),
    });
    pool.dispose();
    assert.ok(toWorker > 0 && toWorker < stats.files, `the worker read ${toWorker} of ${stats.files} files`);
    // A one-thread synchronous scan gives its results in walk order.
    assert.deepEqual(
      streamed,
      one.results.map((r) => r.file),
    );
  });

  it('reads a tree smaller than shareFromFiles on this thread alone, and shares a larger one', async function () {
    this.timeout(60_000);
    const one = await scanTree({ roots: [root], mode: 'sync' });
    // A worker that cannot start says so when it is asked for anything.
    for (const [shareFromFiles, asked] of [
      [one.stats.files + 1, false],
      [200, true],
    ] as const) {
      const troubles: string[] = [];
      const two = await scanTree({
        roots: [root],
        mode: 'shared',
        workerFile: path.join(root, 'no-such-worker.js'),
        shareFromFiles,
        onTrouble: (m) => troubles.push(m),
      });
      assert.deepEqual(
        two.results.map((r) => r.file),
        one.results.map((r) => r.file),
        `walk order (shareFromFiles ${shareFromFiles})`,
      );
      assert.deepEqual(summary(two.results), summary(one.results));
      assert.equal(
        troubles.some((m) => m.includes('read worker failed')),
        asked,
        `shareFromFiles ${shareFromFiles}: ${troubles.join('; ')}`,
      );
    }
  });

  for (const mode of ['shared', 'worker'] as const) {
    it(`reads every file itself when the worker cannot start (${mode})`, async function () {
      this.timeout(60_000);
      const one = await scanTree({ roots: [root], mode: 'sync' });
      const troubles: string[] = [];
      const two = await scanTree({
        roots: [root],
        mode,
        workerFile: path.join(root, 'no-such-worker.js'),
        onTrouble: (m) => troubles.push(m),
      });
      assert.equal(two.stats.read + two.stats.skipped, one.stats.read + one.stats.skipped);
      assert.deepEqual(summary(two.results).sort(), summary(one.results).sort());
      assert.ok(
        troubles.some((m) => m.includes('read worker failed')),
        `the fallback is reported: ${troubles.join('; ')}`,
      );
    });
  }

  it('stops the worker promptly when cancelled, and delivers nothing afterwards', async function () {
    this.timeout(60_000);
    const big = tempDir();
    try {
      for (let d = 0; d < 40; d++) {
        fs.mkdirSync(path.join(big, `d${d}`));
        for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(big, `d${d}`, `f${i}.pem`), certs[i % certs.length].pem);
        fs.writeFileSync(path.join(big, `d${d}`, 'app.env'), `API_URL=https://api${d}.acme-corp.net\n`);
      }
      const pool = new ReadPool(WORKER);
      const release = pool.hold(); // keep the worker, so it must stop by itself
      const controller = new AbortController();
      let afterAbort = 0;
      let delivered = 0;
      const onEither = () => {
        if (controller.signal.aborted) afterAbort++;
        else if (++delivered === 5) controller.abort();
      };
      const scan = runScan({
        sources: [{ root: big, exclude: DEFAULT_EXCLUDES }],
        maxFileSize: 1 << 20,
        pool,
        read: readBounded,
        discover: true,
        signal: controller.signal,
        onFile: onEither,
        onRead: onEither,
      });
      await assert.rejects(scan, { name: 'AbortError' });
      // The worker finishes its cancelled request (reporting how far it got) before anything queued after it.
      await pool.read([path.join(big, 'd0', 'f0.pem')], 1 << 20, () => undefined);
      release();
      pool.dispose();
      assert.equal(afterAbort, 0, 'no result or discovery after the abort');
      assert.equal(pool.cancelled.requests, 1);
      assert.ok(pool.cancelled.filesRead < 2000, `the worker stopped after ${pool.cancelled.filesRead} of 4040 files`);
    } finally {
      fs.rmSync(big, { recursive: true, force: true });
    }
  });

  it("checks the certificate files a config names through the caller's reader (virtual workspaces)", async () => {
    const files = new Map<string, string>([
      [
        'memfs://ws/nginx.conf',
        'server {\n  listen 443 ssl;\n  server_name shop.acme-corp.net;\n  ssl_certificate certs/shop.crt;\n  ssl_trusted_certificate certs/gone.pem;\n}\n',
      ],
      ['memfs://ws/certs/shop.crt', certs[0].pem],
    ]);
    const reads: FileRead[] = [];
    const results: FileResult[] = [];
    await runScan({
      sources: [{ files: ['memfs://ws/nginx.conf'] }],
      maxFileSize: 1 << 20,
      discover: true,
      read: (file) => {
        const text = files.get(file);
        return Promise.resolve(text === undefined ? 'gone' : Buffer.from(text));
      },
      onFile: (r) => results.push(r),
      onRead: (e) => reads.push(e),
    });
    const refs = reads[0]?.discovered?.fileRefs ?? [];
    assert.deepEqual(
      refs.map((r) => [r.target, r.exists]),
      [
        ['memfs://ws/certs/shop.crt', true],
        ['memfs://ws/certs/gone.pem', false],
      ],
    );
    assert.deepEqual(
      results[0]?.problems.map((p) => [p.code, p.range.start.line]),
      [['referenced-file-missing', 4]],
    );
  });
});

describe('read worker priority', () => {
  /** A thread's nice value: field 19 of /proc/self/task/TID/stat (Linux). */
  const niceOf = (tid: string) => Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);

  it('runs at a lower priority for the editor (background), at the normal one for the CLI', async function () {
    if (process.platform !== 'linux') this.skip();
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'a.txt'), 'nothing here\n');
      for (const background of [true, false]) {
        const before = new Set(fs.readdirSync('/proc/self/task'));
        const pool = new ReadPool(WORKER, { background });
        const release = pool.hold();
        await pool.read([path.join(dir, 'a.txt')], 1 << 20, () => undefined);
        // The threads the worker brought: its own JavaScript thread among them.
        const added = fs.readdirSync('/proc/self/task').filter((t) => !before.has(t));
        const nices = added.map(niceOf);
        release();
        pool.dispose();
        assert.ok(added.length > 0, 'the worker started threads');
        if (background)
          assert.ok(
            nices.some((n) => n >= 5),
            `a worker thread at nice >= 5 (nices ${nices.join(',')})`,
          );
        else
          assert.ok(
            nices.every((n) => n === 0),
            `no worker thread below the normal priority (nices ${nices.join(',')})`,
          );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
