import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FindingJson, Report } from '../../src/core/report/schema';
import { daysFromNow, makeCert, makeKey, type TestCert, type TestKey } from '../support/certs';
import { type Served, tlsServer } from './hosts-support';
import { positionOf, tempDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy']) delete env[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/**
 * One loopback server per drift case, and a repository that names them: an nginx config pairs
 * same/older/newer with files under tls/ (by their deployed paths), an Ingress pairs other with a
 * Secret in the repository.
 */
describe('CLI drift between the repository and the host (scan --hosts, loopback servers)', () => {
  let dir: string;
  let caFile: string;
  let servers: Served[] = [];
  let resolve: string[];
  let nginx: string;
  let ingress: string;
  let certs: Record<'same' | 'olderServed' | 'olderFile' | 'newerServed' | 'newerFile' | 'otherServed' | 'otherFile', TestCert>;

  before(async function () {
    this.timeout(60_000);
    const caKey = makeKey({ type: 'ec' });
    const ca = makeCert({ cn: 'Drift Test CA', key: caKey, ca: true, notBefore: daysFromNow(-400), notAfter: daysFromNow(3000) });
    const issuer = { cert: ca, key: caKey };
    const leaf = (cn: string, key: TestKey, from: number, to: number) =>
      makeCert({ cn, sans: [cn], key, issuer, notBefore: daysFromNow(from), notAfter: daysFromNow(to) });
    const keys = {
      same: makeKey({ type: 'ec' }),
      older: makeKey({ type: 'ec' }),
      newer: makeKey({ type: 'ec' }),
      other: makeKey({ type: 'ec' }),
    };
    const proxyKey = makeKey({ type: 'ec' });
    certs = {
      same: leaf('same.drift.certlens.dev', keys.same, -10, 80),
      // The file was renewed (same key) yesterday; the server still serves the one issued 80 days ago.
      olderServed: leaf('older.drift.certlens.dev', keys.older, -80, 20),
      olderFile: leaf('older.drift.certlens.dev', keys.older, -1, 89),
      // The server was renewed (same key); the repository keeps the previous one.
      newerServed: leaf('newer.drift.certlens.dev', keys.newer, -1, 89),
      newerFile: leaf('newer.drift.certlens.dev', keys.newer, -80, 20),
      // Another key with the same name: what a proxy or a wrong Secret serves.
      otherServed: leaf('other.drift.certlens.dev', proxyKey, -5, 85),
      otherFile: leaf('other.drift.certlens.dev', keys.other, -5, 85),
    };
    servers = [
      await tlsServer([certs.same], keys.same),
      await tlsServer([certs.olderServed], keys.older),
      await tlsServer([certs.newerServed], keys.newer),
      await tlsServer([certs.otherServed], proxyKey),
    ];
    dir = tempDir();
    caFile = path.join(dir, 'trust', 'ca.pem');
    fs.mkdirSync(path.dirname(caFile));
    fs.writeFileSync(caFile, ca.pem);
    for (const d of ['nginx', 'tls', 'k8s']) fs.mkdirSync(path.join(dir, d));
    fs.writeFileSync(path.join(dir, 'tls', 'same.crt'), certs.same.pem);
    fs.writeFileSync(path.join(dir, 'tls', 'older.crt'), certs.olderFile.pem);
    fs.writeFileSync(path.join(dir, 'tls', 'newer.crt'), certs.newerFile.pem);
    const block = (name: string) =>
      `server {\n  listen 443 ssl;\n  server_name ${name}.drift.certlens.dev;\n  ssl_certificate /etc/nginx/tls/${name}.crt;\n  ssl_certificate_key /etc/nginx/tls/${name}.key;\n}\n`;
    nginx = ['same', 'older', 'newer'].map(block).join('');
    fs.writeFileSync(path.join(dir, 'nginx', 'site.conf'), nginx);
    ingress = [
      'apiVersion: networking.k8s.io/v1',
      'kind: Ingress',
      'metadata:',
      '  name: other',
      'spec:',
      '  tls:',
      '    - hosts: [other.drift.certlens.dev]',
      '      secretName: other-tls',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: other-tls',
      'type: kubernetes.io/tls',
      'data:',
      `  tls.crt: ${Buffer.from(certs.otherFile.pem).toString('base64')}`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'k8s', 'other.yaml'), ingress);
    const names = ['same', 'older', 'newer', 'other'];
    resolve = names.flatMap((n, i) => ['--resolve', `${n}.drift.certlens.dev:443=127.0.0.1:${servers[i].port}`]);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const driftCodes = new Set(['renewed-not-deployed', 'repository-certificate-stale', 'host-serves-other-certificate']);
  const rel = (f: string) => path.relative(dir, f);

  it('JSON: each case at the certificate and at the host reference; the same certificate says nothing', async function () {
    this.timeout(30_000);
    const r = await run(['scan', dir, '--hosts', ...resolve, '--ca', caFile, '--timeout', '5000', '--format', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(
      (report.hosts ?? []).map((h) => [h.host, h.error]),
      [
        ['same.drift.certlens.dev', null],
        ['older.drift.certlens.dev', null],
        ['newer.drift.certlens.dev', null],
        ['other.drift.certlens.dev', null],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      r.stderr,
    );
    const drift = report.findings.filter((f) => driftCodes.has(f.code));
    const brief = (f: FindingJson) => [
      rel(f.file),
      f.range.start.line,
      f.severity,
      f.code,
      f.host,
      (f.related ?? []).map((x) => rel(x.file)),
    ];
    const secretLine = positionOf(ingress, 'tls.crt').line;
    assert.deepEqual(
      drift.map(brief).sort(),
      [
        [
          'k8s/other.yaml',
          positionOf(ingress, 'other.drift').line,
          'warning',
          'host-serves-other-certificate',
          'other.drift.certlens.dev:443',
          ['k8s/other.yaml'],
        ],
        ['k8s/other.yaml', secretLine, 'warning', 'host-serves-other-certificate', 'other.drift.certlens.dev:443', ['k8s/other.yaml']],
        [
          'nginx/site.conf',
          positionOf(nginx, 'newer.drift').line,
          'info',
          'repository-certificate-stale',
          'newer.drift.certlens.dev:443',
          ['tls/newer.crt'],
        ],
        [
          'nginx/site.conf',
          positionOf(nginx, 'older.drift').line,
          'warning',
          'renewed-not-deployed',
          'older.drift.certlens.dev:443',
          ['tls/older.crt'],
        ],
        ['tls/newer.crt', 0, 'info', 'repository-certificate-stale', 'newer.drift.certlens.dev:443', ['nginx/site.conf']],
        ['tls/older.crt', 0, 'warning', 'renewed-not-deployed', 'older.drift.certlens.dev:443', ['nginx/site.conf']],
      ].sort(),
    );
    const other = drift.find((f) => f.code === 'host-serves-other-certificate' && f.file.endsWith('other.yaml'))!;
    const sha = (c: TestCert) => createHash('sha256').update(c.der).digest('hex');
    assert.ok(other.message.includes(sha(certs.otherServed)) && other.message.includes(sha(certs.otherFile)), other.message);
    assert.match(other.message, /paired by the Ingress tls entry in other\.yaml/);
    // Nothing about the host serving the same certificate as its file.
    assert.deepEqual(
      report.findings.filter((f) => f.host === 'same.drift.certlens.dev:443'),
      [],
    );
  });

  it('the renewed-not-deployed case is an error once the served certificate is within the critical band (--critical-days 25, no lifetime share)', async function () {
    this.timeout(30_000);
    const r = await run([
      'scan',
      dir,
      '--hosts',
      ...resolve,
      '--ca',
      caFile,
      '--critical-days',
      '25',
      '--critical-lifetime-share',
      '0',
      '--format',
      'json',
    ]);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(
      report.findings.filter((f) => f.code === 'renewed-not-deployed').map((f) => f.severity),
      ['error', 'error'],
    );
  });

  it('table, SARIF and OpenMetrics (promtool-clean) carry the drift findings; without --hosts there are none', async function () {
    this.timeout(30_000);
    const table = await run(['scan', dir, '--hosts', ...resolve, '--ca', caFile]);
    assert.match(table.stdout, /Renewed in the repository, not deployed: older\.drift\.certlens\.dev:443/);
    const sarif = await run(['scan', dir, '--hosts', ...resolve, '--ca', caFile, '--format', 'sarif']);
    const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string }[]; tool: { driver: { rules: { id: string }[] } } }[] };
    const ids = log.runs[0].results.map((x) => x.ruleId);
    for (const code of driftCodes) assert.ok(ids.includes(code), `${code} in ${ids.join(', ')}`);
    // The other end of each drift finding is a related location: the nginx line for the certificate, and back.
    type Located = { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } };
    const results = (
      JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; locations: Located[]; relatedLocations?: Located[] }[] }[] }
    ).runs[0].results;
    const where = (l: Located) => `${l.physicalLocation.artifactLocation.uri}:${l.physicalLocation.region.startLine}`;
    assert.deepEqual(
      results
        .filter((x) => x.ruleId === 'renewed-not-deployed')
        .map((x) => [where(x.locations[0]), (x.relatedLocations ?? []).map(where)])
        .sort(),
      [
        [`nginx/site.conf:${positionOf(nginx, 'older.drift').line + 1}`, ['tls/older.crt:1']],
        ['tls/older.crt:1', [`nginx/site.conf:${positionOf(nginx, 'older.drift').line + 1}`]],
      ],
    );
    const metrics = await run(['scan', dir, '--hosts', ...resolve, '--ca', caFile, '--format', 'openmetrics']);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: metrics.stdout, encoding: 'utf8' });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
    assert.deepEqual(
      metrics.stdout
        .split('\n')
        .filter((l) => l.startsWith('certlens_host_drift{'))
        .sort(),
      [
        'certlens_host_drift{filepath="k8s/other.yaml",instance="other.drift.certlens.dev:443",drift="host-serves-other-certificate",context="production"} 1',
        'certlens_host_drift{filepath="tls/newer.crt",instance="newer.drift.certlens.dev:443",drift="repository-certificate-stale",context="production"} 1',
        'certlens_host_drift{filepath="tls/older.crt",instance="older.drift.certlens.dev:443",drift="renewed-not-deployed",context="production"} 1',
      ],
    );
    const plain = await run(['scan', dir, '--format', 'json']);
    assert.deepEqual(
      (JSON.parse(plain.stdout) as Report).findings.filter((f) => driftCodes.has(f.code)),
      [],
    );
  });
});
