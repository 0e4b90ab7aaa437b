import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeChain, makeCert, pkcs12, pkcs7, type TestCert } from '../support/certs';
import { scanPaths } from '../../src/core/scan/scanner';
import { scanSharingWork } from '../../src/core/scan/sharedScan';
import { ReadPool } from '../../src/core/scan/readPool';
import { ParseMemo } from '../../src/core/scan/memo';
import type { FileResult } from '../../src/core/model';
import { sharedKey, tempDir } from './helpers';

const WORKER = path.join(__dirname, '..', '..', 'src', 'core', 'scan', 'readWorker.js');

/** What a scan found, file by file, in a form two scans can be compared by. */
function summary(results: readonly FileResult[]): string[] {
  return results
    .filter((r) => r.certificates.length || r.problems.length || r.privateKeys.length)
    .map((r) => [
      r.file,
      ...r.certificates.map((c) => `${c.index} ${c.sha256} ${c.source} ${c.role} ${JSON.stringify(c.range)} ${c.chain?.earliestIndex ?? ''}`),
      ...r.problems.map((p) => `${p.code} ${JSON.stringify(p.range)}`),
      ...r.privateKeys.map((k) => k.spkiSha256),
    ].join('\n'));
}

describe('two-thread command-line scan', () => {
  let root: string;
  let certs: TestCert[];
  before(function () {
    this.timeout(60_000);
    const key = sharedKey({ type: 'ec' });
    certs = Array.from({ length: 6 }, (_, i) => makeCert({ cn: `s${i}.certlens.dev`, key, notBefore: daysFromNow(-10), notAfter: daysFromNow(i * 20 - 5) }));
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
        case 0: w(`${dir}/c${i}.pem`, certs[i % certs.length].pem); break;
        case 1: w(`${dir}/bundle${i}.crt`, [chain.leaf.pem, chain.intermediate.pem, chain.root.pem, certs[i % 6].pem].join('')); break;
        case 2: w(`${dir}/c${i}.der`, certs[(i + 1) % certs.length].der); break;
        case 3: w(`${dir}/secret${i}.yaml`, `kind: Secret\ndata:\n  tls.crt: ${Buffer.from(certs[i % 6].pem).toString('base64')}\n`); break;
        case 4: w(`${dir}/broken${i}.pem`, `-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n`); break;
        case 5: w(`${dir}/kube${i}`, `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: ../../d0/e0/c0.pem\n  name: a\n`); break;
        default: w(`${dir}/src${i}.ts`, `export const n${i} = ${i};\n`.repeat(1 + (i % 50)));
      }
    }
    w('keys/p.p12', pkcs12({ cert: chain.leaf, key: chain.leafKey, chain: [chain.intermediate] }));
    w('keys/p.p7b', pkcs7([chain.leaf, chain.intermediate], { der: true }));
    w('node_modules/x/skip.pem', certs[0].pem);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds exactly what a one-thread scan finds, in walk order, with the worker doing part of the work', async function () {
    this.timeout(60_000);
    const one = await scanPaths({ roots: [root], syncReads: true });
    const pool = new ReadPool(WORKER);
    let toWorker = 0;
    const read = pool.read.bind(pool);
    pool.read = (source, ...rest) => {
      toWorker += Array.isArray(source) ? source.length : 0;
      return read(source, ...rest);
    };
    const streamed: string[] = [];
    const two = await scanSharingWork({ roots: [root], syncReads: true, pool, memo: new ParseMemo(), onFile: (r) => streamed.push(r.file) });
    pool.dispose();
    assert.ok(toWorker > 0 && toWorker < two.stats.files, `the worker read ${toWorker} of ${two.stats.files} files`);
    assert.equal(two.stats.files, one.stats.files);
    const files = two.results.map((r) => r.file);
    // A one-thread synchronous scan gives its results in walk order.
    assert.deepEqual(summary(two.results), summary(one.results));
    assert.deepEqual(streamed, two.results.map((r) => r.file), 'onFile in result order');
    assert.ok(two.results.some((r) => r.certificates.some((c) => c.source === 'kubeconfig')), 'file references resolved');
    assert.ok(two.results.some((r) => r.file.endsWith('p.p12') && r.certificates.length === 2), 'PKCS#12 read');
    assert.ok(!files.some((f) => f.includes('node_modules')));
  });

  it('reads every file itself when the worker cannot start', async function () {
    this.timeout(60_000);
    const one = await scanPaths({ roots: [root], syncReads: true });
    const pool = new ReadPool(path.join(root, 'no-such-worker.js'));
    const two = await scanSharingWork({ roots: [root], syncReads: true, pool });
    pool.dispose();
    assert.equal(two.stats.read + two.stats.skipped, one.stats.read + one.stats.skipped);
    assert.deepEqual(summary(two.results).sort(), summary(one.results).sort());
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
        if (background) assert.ok(nices.some((n) => n >= 5), `a worker thread at nice >= 5 (nices ${nices.join(',')})`);
        else assert.ok(nices.every((n) => n === 0), `no worker thread below the normal priority (nices ${nices.join(',')})`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
