import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostJson, Report } from '../../src/core/report/schema';
import { daysLeft } from '../../src/core/rules/rules';
import { closedPort, probeFixtures, type ProbeFixtures, type Served, tlsServer } from './hosts-support';
import { positionOf, tempDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

/** Runs the CLI without blocking this process's event loop (the servers live here). No proxy variables. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy']) delete env[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('CLI host checks (dist/cli.js)', () => {
  let f: ProbeFixtures;
  let dir: string;
  let caFile: string;
  let valid: Served;
  let soon: Served;
  let down: number;
  let env: string;
  let ingress: string;
  /** --resolve for every name the fixtures mention: nothing may reach DNS. */
  let resolve: string[];

  before(async function () {
    this.timeout(20_000);
    f = probeFixtures();
    valid = await tlsServer([f.valid, f.intermediate], f.leafKey);
    soon = await tlsServer([f.soon, f.intermediate], f.leafKey);
    down = await closedPort();
    dir = tempDir();
    caFile = path.join(dir, 'trust', 'root.pem');
    fs.mkdirSync(path.dirname(caFile));
    fs.writeFileSync(caFile, f.root.pem);
    fs.mkdirSync(path.join(dir, 'config'));
    fs.mkdirSync(path.join(dir, 'k8s'));
    env = [
      'API_URL=https://valid.certlens.dev/v1',
      'BILLING_ENDPOINT=soon.certlens.dev:8443',
      'STATUS_URL=https://down.certlens.dev/health',
      'LEGACY_URL=https://wrong.certlens.dev',
      'TEST_URL=https://api.certlens.test/',
      '',
    ].join('\n');
    ingress = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nspec:\n  tls:\n    - hosts: [valid.certlens.dev, wrong.certlens.dev]\n';
    fs.writeFileSync(path.join(dir, 'config', 'app.env'), env);
    fs.writeFileSync(path.join(dir, 'k8s', 'ingress.yaml'), ingress);
    fs.writeFileSync(path.join(dir, 'soon.pem'), f.soon.pem);
    resolve = [
      '--resolve',
      `valid.certlens.dev:443=127.0.0.1:${valid.port}`,
      '--resolve',
      `soon.certlens.dev:8443=127.0.0.1:${soon.port}`,
      '--resolve',
      `down.certlens.dev:443=127.0.0.1:${down}`,
      '--resolve',
      `wrong.certlens.dev:443:127.0.0.1:${valid.port}`,
    ];
  });
  after(async () => {
    await Promise.all([valid.close(), soon.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scan --hosts adds every endpoint with its references, chain, and each finding once per host with the other references related', async () => {
    const r = await run(['scan', dir, '--hosts', ...resolve, '--ca', caFile, '--timeout', '3000', '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    const hosts = report.hosts ?? [];
    assert.deepEqual(
      hosts.map((h) => `${h.host}:${h.port}`),
      ['down.certlens.dev:443', 'soon.certlens.dev:8443', 'valid.certlens.dev:443', 'wrong.certlens.dev:443'],
    );
    for (const h of hosts) assert.match(h.address, /^127\.0\.0\.1:\d+$/, 'connected only to loopback');
    const byName = (n: string) => hosts.find((h) => h.host === n) as HostJson;

    const v = byName('valid.certlens.dev');
    const envFile = path.join(dir, 'config', 'app.env');
    const ingressFile = path.join(dir, 'k8s', 'ingress.yaml');
    assert.deepEqual(
      v.references.map((x) => [x.file, x.range.start, x.source]),
      [
        [envFile, positionOf(env, 'valid.certlens.dev'), 'url'],
        [ingressFile, positionOf(ingress, 'valid.certlens.dev'), 'ingress'],
      ],
    );
    assert.equal(v.authorized, true);
    assert.equal(v.hostnameMatch, true);
    assert.equal(v.error, null);
    assert.match(v.protocol ?? '', /^TLSv1\.[23]$/);
    assert.equal(v.notAfter, f.valid.notAfter.toISOString().replace('.000Z', 'Z'));
    assert.equal(v.daysLeft, daysLeft(f.valid.notAfter.getTime(), Date.now()));
    assert.deepEqual(
      v.chain.map((m) => m.subject),
      ['CN=valid.certlens.dev', 'CN=CertLens Probe Intermediate CA', 'CN=CertLens Probe Root CA'],
    );
    assert.match(v.chain[0].sha256, /^[0-9a-f]{64}$/);
    for (const k of ['chainEarliestNotAfter', 'authorizationError', 'servername', 'checkedAt']) assert.ok(k in v, k);

    assert.equal(byName('down.certlens.dev').error, `connection refused by 127.0.0.1:${down}`);
    assert.equal(byName('wrong.certlens.dev').hostnameMatch, false);
    assert.equal(byName('soon.certlens.dev').daysLeft, daysLeft(f.soon.notAfter.getTime(), Date.now()));

    const hostFindings = report.findings
      .filter((x) => x.host)
      .map((x) => [x.host, x.code, x.severity, x.file, x.range.start.line, x.related ?? null]);
    assert.deepEqual(
      hostFindings.sort(),
      [
        ['down.certlens.dev:443', 'host-unreachable', 'warning', envFile, 2, null],
        ['soon.certlens.dev:8443', 'expires-critical', 'error', envFile, 1, null],
        // Named in two files: one finding, at the first reference, the other related.
        [
          'wrong.certlens.dev:443',
          'host-hostname-mismatch',
          'error',
          envFile,
          3,
          [
            {
              file: ingressFile,
              range: {
                start: positionOf(ingress, 'wrong.certlens.dev'),
                end: { line: 4, character: positionOf(ingress, 'wrong.certlens.dev').character + 18 },
              },
            },
          ],
        ],
      ].sort(),
    );
    assert.ok(
      report.findings.some((x) => x.code === 'expires-critical' && !x.host),
      'file certificates are still reported',
    );
    assert.equal(report.stats.findings, report.findings.length);
  });

  it('prints a HOSTS section in the table', async () => {
    const r = await run(['scan', dir, '--hosts', ...resolve, '--ca', caFile]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^HOSTS$/m);
    assert.match(r.stdout, /^-\s+-\s+down\.certlens\.dev:443\s+connection refused by 127\.0\.0\.1:\d+\s+config\/app\.env:3$/m);
    assert.match(r.stdout, /valid\.certlens\.dev:443\s+ok\s+config\/app\.env:1 \(\+1\)/);
    assert.match(r.stdout, /wrong\.certlens\.dev:443\s+hostname mismatch/);
    const soonDays = daysLeft(f.soon.notAfter.getTime(), Date.now());
    assert.match(
      r.stdout,
      new RegExp(`^error: soon\\.certlens\\.dev:8443 serves a certificate that expires in ${soonDays} days .*\\[expires-critical\\]$`, 'm'),
    );
    assert.match(r.stdout, /, 4 hosts, \d+ findings/);
  });

  it('opens no connection without --hosts', async () => {
    const before = valid.connections + soon.connections;
    const r = await run(['scan', dir, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal('hosts' in JSON.parse(r.stdout), false);
    assert.equal(valid.connections + soon.connections, before);
  });

  it('check HOST prints the full chain; exit codes follow --fail-on', async () => {
    const ok = await run(['check', 'valid.certlens.dev', '--resolve', `valid.certlens.dev:443=127.0.0.1:${valid.port}`, '--ca', caFile]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /^valid\.certlens\.dev:443 \(connected to 127\.0\.0\.1:\d+, SNI valid\.certlens\.dev\)$/m);
    assert.match(ok.stdout, /^trusted {4}yes$/m);
    assert.match(ok.stdout, /^hostname {3}matches$/m);
    const validDays = daysLeft(f.valid.notAfter.getTime(), Date.now());
    assert.match(
      ok.stdout,
      new RegExp(
        `^0\\s+leaf\\s+\\S+\\s+${validDays}\\s+CN=valid\\.certlens\\.dev\\s+CN=CertLens Probe Intermediate CA\\s+[0-9a-f]{64}$`,
        'm',
      ),
    );
    assert.match(ok.stdout, /^1\s+intermediate\s/m);
    assert.match(ok.stdout, /^2\s+root\s/m);

    const json = await run([
      'check',
      'soon.certlens.dev:8443',
      '--resolve',
      `soon.certlens.dev:8443=127.0.0.1:${soon.port}`,
      '--ca',
      caFile,
      '--format',
      'json',
    ]);
    assert.equal(json.code, 1);
    const out = JSON.parse(json.stdout) as { hosts: HostJson[]; findings: { code: string; host: string }[] };
    assert.equal(out.hosts[0].chain.length, 3);
    assert.deepEqual(
      out.findings.map((x) => [x.code, x.host]),
      [['expires-critical', 'soon.certlens.dev:8443']],
    );
    assert.equal(
      (
        await run([
          'check',
          'soon.certlens.dev:8443',
          '--resolve',
          `soon.certlens.dev:8443=127.0.0.1:${soon.port}`,
          '--ca',
          caFile,
          '--fail-on',
          'never',
        ])
      ).code,
      0,
    );

    const untrusted = await run(['check', 'valid.certlens.dev', '--resolve', `valid.certlens.dev:443=127.0.0.1:${valid.port}`]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /^trusted {4}no \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY\)$/m);

    const refused = await run(['check', 'down.certlens.dev', '--resolve', `down.certlens.dev:443=127.0.0.1:${down}`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /^error: down\.certlens\.dev:443: connection refused by 127\.0\.0\.1:\d+ \[host-unreachable\]$/m);
  });

  it('exits 2 on usage errors', async () => {
    for (const args of [
      ['check'],
      ['check', 'a.certlens.dev', 'b.certlens.dev'],
      ['check', 'x.certlens.dev', '--resolve', 'nonsense'],
      ['check', 'x.certlens.dev', '--timeout', 'soon'],
      ['scan', dir, '--hosts', '--ca', path.join(dir, 'missing.pem')],
      ['check', 'bad host'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /^certlens: /);
    }
  });
});
