import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeCert } from '../support/certs';
import type { Report } from '../../src/core/report/schema';
import { opensslNotAfter, sharedKey, tempDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI (dist/cli.js)', () => {
  let dir: string;
  let expiredPem: string;
  let soonPem: string;
  before(() => {
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    dir = tempDir();
    const key = sharedKey({ type: 'ec' });
    expiredPem = makeCert({ cn: 'expired.certlens.dev', key, notBefore: daysFromNow(-100), notAfter: daysFromNow(-12) }).pem;
    soonPem = makeCert({ cn: 'soon.certlens.dev', key, notBefore: daysFromNow(-100), notAfter: daysFromNow(20) }).pem;
    fs.writeFileSync(path.join(dir, 'expired.pem'), expiredPem);
    fs.writeFileSync(path.join(dir, 'soon.crt'), `# soon\n${soonPem}`);
    fs.writeFileSync(path.join(dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ends quietly when the reader closes the pipe early (certlens scan | head)', async () => {
    const big = tempDir();
    try {
      // Far more output than a pipe holds, so writes are still pending when the reader goes away.
      fs.writeFileSync(path.join(big, 'bundle.pem'), soonPem.repeat(400));
      const child = spawn(process.execPath, [CLI, 'scan', big, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      let firstChunk = '';
      child.stdout.once('data', (d) => {
        firstChunk = String(d);
        child.stdout.destroy();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      assert.match(firstChunk, /^\{"version":1/);
      assert.equal(stderr, '', 'nothing on stderr: no unhandled EPIPE');
      assert.ok(code === 0 || code === 1, `exit code ${code}`);
    } finally {
      fs.rmSync(big, { recursive: true, force: true });
    }
  });

  it('reads a small tree on one thread and offers a large one to the read worker too, finding the same', function () {
    this.timeout(60_000);
    const tree = tempDir();
    try {
      // 40 certificate files among 3,200 (a worker joins at 3,000 walked files), and 40 among 400.
      const write = (root: string, files: number) => {
        for (let i = 0; i < files; i++) {
          const sub = path.join(root, `d${i % 20}`);
          fs.mkdirSync(sub, { recursive: true });
          if (i % (files / 40) === 0) fs.writeFileSync(path.join(sub, `c${i}.pem`), (i / (files / 40)) % 2 ? soonPem : expiredPem);
          else fs.writeFileSync(path.join(sub, `f${i}.txt`), `line ${i}\n`);
        }
      };
      write(path.join(tree, 'large'), 3200);
      write(path.join(tree, 'small'), 400);
      const scan = (root: string, env: Record<string, string> = {}) => {
        const r = spawnSync(process.execPath, [CLI, 'scan', root, '--format', 'json', '--fail-on', 'never'], {
          encoding: 'utf8',
          env: { ...process.env, CERTLENS_TIMINGS: '1', ...env },
        });
        assert.equal(r.status, 0, r.stderr);
        const report = JSON.parse(r.stdout) as Report;
        const offered = /of (\d+) files \((\d+) offered to the worker\)/.exec(r.stderr);
        assert.ok(offered, r.stderr);
        return {
          names: report.certificates.map((c) => `${path.relative(root, c.file)} ${c.subjectCN}`).sort(),
          files: Number(offered[1]),
          offered: Number(offered[2]),
          statsFiles: report.stats.files,
        };
      };
      const large = scan(path.join(tree, 'large'));
      const small = scan(path.join(tree, 'small'));
      assert.equal(large.names.length, 40);
      // Whether the worker reads any of them before this thread takes them back depends on timing: not asserted.
      assert.ok(large.offered > 0 && large.offered < large.files, `files offered to the worker: ${large.offered} of ${large.files}`);
      assert.equal(small.offered, 0, 'the small tree is read on one thread');
      assert.equal(small.names.length, 40);
      assert.ok(large.names.some((n) => n.endsWith('expired.certlens.dev')) && large.names.some((n) => n.endsWith('soon.certlens.dev')));
      // The bench's reading-alone run: the same files walked and read on both threads, nothing parsed.
      for (const [root, full] of [
        [path.join(tree, 'large'), large],
        [path.join(tree, 'small'), small],
      ] as const) {
        const sniffed = scan(root, { CERTLENS_BENCH_SNIFF_ONLY: '1' });
        assert.deepEqual([sniffed.names.length, sniffed.statsFiles, sniffed.files], [0, full.statsFiles, full.files], root);
      }
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });

  it('prints its version and help', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
    assert.equal(run(['--version']).stdout.trim(), pkg.version);
    const help = run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /certlens scan \[PATH\.\.\.\]/);
  });

  it('writes the documented JSON schema, sorted by notAfter, matching openssl', () => {
    const r = run(['scan', dir, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.version, 1);
    assert.deepEqual(
      report.certificates.map((c) => c.subjectCN),
      ['expired.certlens.dev', 'soon.certlens.dev'],
    );
    const [exp, soon] = report.certificates;
    assert.equal(Date.parse(exp.notAfter), opensslNotAfter(expiredPem));
    assert.equal(soon.file, path.join(dir, 'soon.crt'));
    assert.deepEqual(soon.range, { start: { line: 1, character: 0 }, end: { line: soonPem.trimEnd().split('\n').length, character: 25 } });
    assert.equal(exp.daysLeft, -12);
    assert.match(exp.sha256, /^[0-9a-f]{64}$/);
    for (const k of [
      'source',
      'index',
      'subject',
      'issuer',
      'sans',
      'serial',
      'notBefore',
      'sha1',
      'keyType',
      'keyBits',
      'curve',
      'signatureAlgorithm',
      'isCA',
      'selfSigned',
      'role',
      'chainEarliestNotAfter',
    ]) {
      assert.ok(k in exp, `certificate has ${k}`);
    }
    assert.deepEqual(report.findings.map((f) => f.code).sort(), ['expired', 'expires-warning', 'invalid-base64']);
    assert.equal(report.findings.find((f) => f.code === 'invalid-base64')?.file, path.join(dir, 'broken.pem'));
    assert.deepEqual(Object.keys(report.stats).sort(), ['certificates', 'files', 'findings', 'ms']);
  });

  it('exits 1 at or above --fail-on and 0 below it', () => {
    assert.equal(run(['scan', dir]).code, 1);
    assert.equal(run(['scan', path.join(dir, 'soon.crt')]).code, 0);
    assert.equal(run(['scan', path.join(dir, 'soon.crt'), '--fail-on', 'warning']).code, 1);
    assert.equal(run(['scan', path.join(dir, 'soon.crt'), '--fail-on', 'expired']).code, 0);
    assert.equal(run(['scan', path.join(dir, 'expired.pem'), '--fail-on', 'expired']).code, 1);
  });

  it('evaluates at --now and with the given thresholds', () => {
    const later = new Date(Date.now() + 25 * 86_400_000).toISOString();
    const r = JSON.parse(
      run(['scan', path.join(dir, 'soon.crt'), '--format', 'json', '--now', later, '--fail-on', 'never']).stdout,
    ) as Report;
    assert.equal(r.findings[0].code, 'expired');
    const quiet = JSON.parse(
      run(['scan', path.join(dir, 'soon.crt'), '--format', 'json', '--warn-days', '10', '--info-days', '15', '--fail-on', 'never']).stdout,
    ) as Report;
    assert.deepEqual(quiet.findings, []);
  });

  it('writes SARIF 2.1.0 with 1-based regions, and CSV', () => {
    const sarif = JSON.parse(run(['scan', dir, '--format', 'sarif', '--fail-on', 'never']).stdout);
    assert.equal(sarif.version, '2.1.0');
    const res = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'expires-warning');
    assert.equal(res.level, 'warning');
    assert.equal(res.locations[0].physicalLocation.region.startLine, 2);
    const csv = run(['scan', dir, '--format', 'csv', '--fail-on', 'never']).stdout.trim().split('\r\n');
    assert.equal(csv.length, 3);
    assert.match(csv[0], /^notAfter,daysLeft,subjectCN/);
    assert.match(csv[1], /expired\.certlens\.dev/);
  });

  it('prints a table with the problem located as file:line:column', () => {
    const r = run(['scan', dir]);
    assert.match(r.stdout, /expired\.certlens\.dev/);
    assert.match(r.stdout, /broken\.pem:1:1: error: .*not base64/);
  });

  it('exits 2 with a message on usage errors', () => {
    for (const args of [
      ['scan', '--format', 'xml'],
      ['scan', '--warn-days', 'soon'],
      ['scan', '/no/such/dir'],
      ['frobnicate'],
      ['scan', '--bogus'],
      ['scan', '--now', 'tomorrow'],
      ['scan', '--lifetime-share', '2'],
      ['scan', '--info-lifetime-share', 'half'],
      ['scan', '--critical-lifetime-share', '1/0'],
    ]) {
      const r = run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^certlens: /, args.join(' '));
    }
  });

  describe('thresholds that fit the lifetime: a 6-day certificate and a 10-year CA made by openssl, default settings', () => {
    let lifetimeDir: string;
    let issued: number;
    const DAY = 86_400_000;
    before(() => {
      lifetimeDir = tempDir();
      const key = sharedKey({ type: 'ec' });
      const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
      issued = now.getTime();
      const short = makeCert({ cn: 'short.certlens.dev', key, notBefore: now, notAfter: new Date(issued + 6 * DAY) });
      const ca = makeCert({ cn: 'Ten Year CA', key, ca: true, notBefore: now, notAfter: new Date(issued + 3650 * DAY) });
      fs.writeFileSync(path.join(lifetimeDir, 'short.pem'), short.pem);
      fs.writeFileSync(path.join(lifetimeDir, 'ca.pem'), ca.pem);
    });
    after(() => fs.rmSync(lifetimeDir, { recursive: true, force: true }));

    /** The findings at `at` (epoch ms; default: now) as "CN severity code", and the exit code. */
    const scanAt = (at?: number, extra: string[] = []) => {
      const r = run([
        'scan',
        lifetimeDir,
        '--format',
        'json',
        ...(at === undefined ? [] : ['--now', new Date(at).toISOString()]),
        ...extra,
      ]);
      const report = JSON.parse(r.stdout) as Report;
      const cn = (file: string) => (file.endsWith('short.pem') ? 'short' : 'ca');
      return { code: r.code, findings: report.findings.map((f) => `${cn(f.file)} ${f.severity} ${f.code}`), report };
    };

    it('a minute after issue: nothing to say about either (the 6-day certificate used to be an error at once: 6 days < 7)', () => {
      const r = scanAt();
      assert.deepEqual(r.findings, []);
      assert.equal(r.code, 0);
      assert.deepEqual(
        r.report.certificates.map((c) => c.lifetimeDays).sort((a, b) => a - b),
        [6, 3650],
      );
      // The day thresholds alone, as before: the 6-day certificate is an error from the start.
      const daysOnly = scanAt(undefined, ['--critical-lifetime-share', '0', '--lifetime-share', '0', '--info-lifetime-share', '0']);
      assert.deepEqual(daysOnly.findings, ['short error expires-critical']);
      assert.equal(daysOnly.code, 1);
    });

    it('the 6-day certificate through its life: information at half-life, a warning at its renewal point, an error in its last day', () => {
      assert.deepEqual(scanAt(issued + 3 * DAY - 60_000).findings, []);
      assert.deepEqual(scanAt(issued + 3 * DAY + 60_000).findings, ['short info expires-info']);
      const renewal = scanAt(issued + 4 * DAY + 60_000);
      assert.deepEqual(renewal.findings, ['short warning expires-warning']);
      assert.equal(renewal.code, 0);
      assert.match(
        renewal.report.findings[0].message,
        /^CN=short\.certlens\.dev expires in 2 days \(\d{4}-\d\d-\d\d\), past its renewal point with a third of its 6-day lifetime left$/,
      );
      const last = scanAt(issued + 5 * DAY + 60_000);
      assert.deepEqual(last.findings, ['short error expires-critical']);
      assert.match(last.report.findings[0].message, /in the last sixth of its 6-day lifetime/);
      assert.equal(last.code, 1);
      // A renewal point given as a fraction: a quarter (1.5 days) left.
      assert.deepEqual(scanAt(issued + 4 * DAY + 60_000, ['--lifetime-share', '1/4']).findings, ['short info expires-info']);
    });

    it('the 10-year CA keeps the day thresholds: information at 90 days, a warning at 30, an error at 7, with the plain messages', () => {
      const end = issued + 3650 * DAY;
      for (const [left, expected] of [
        [91, []],
        [89, ['ca info expires-info']],
        [29, ['ca warning expires-warning']],
        [6, ['ca error expires-critical']],
      ] as const) {
        const r = scanAt(end - left * DAY);
        assert.deepEqual(
          r.findings.filter((f) => f.startsWith('ca ')),
          expected,
          `${left} days left`,
        );
        for (const f of r.report.findings.filter((x) => x.file.endsWith('ca.pem')))
          assert.match(f.message, /^CN=Ten Year CA expires in \d+ days \(\d{4}-\d\d-\d\d\)$/);
      }
    });
  });
});
