import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

// The labelled measure of `scripts/realworld.mjs --labels` (issue 23): reports and labels made here
// by hand, so every expected figure is counted from the fixture, not from the code under test.

const root = path.resolve(__dirname, '../../..');
const ROOT = '/scan/repo';

interface Item {
  path: string;
  line: number;
  host: string | null;
  judgedBy?: string;
  now?: string;
  endpoint?: string;
  message?: string;
}
interface Counts {
  total: number;
  noAct: number;
  act: number;
  unlabelled: number;
}
interface Result {
  loud: Counts;
  alarms: { labelled: number; kept: number; lost: Item[] };
  productionHosts: { total: number; endpoints: number; notEndpoints: number; unlabelled: number; precision: number | null };
  endpoints: { labelled: number; found: number; foundInProduction: number; recall: number | null; missed: Item[] };
  productionInfo: Counts;
  certificates: { found: number; missing: string[] };
  lists: { loudNoAct: Item[]; loudUnlabelled: Item[]; productionHostsUnlabelled: { host: string }[]; productionInfoUnlabelled: Item[] };
}
interface Totals {
  loud: { noAct: number; noActPer10Repos: number };
  productionHosts: { precision: number };
  endpoints: { recall: number };
  seconds: number;
  goals: Record<string, { met: boolean | null }>;
}
interface Lib {
  evaluateLabelled(report: unknown, labels: unknown, root: string): Result;
  labelledTotals(results: unknown[]): Totals;
  validateLabels(labels: unknown): string[];
  hostFindingKey(f: unknown, hosts?: unknown[]): string | undefined;
}

let lib: Lib;

const range = (line: number) => ({ start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 5 } });
const finding = (rel: string, line: number, code: string, severity: string, extra: Record<string, unknown> = {}) => ({
  file: `${ROOT}/${rel}`,
  range: range(line),
  severity,
  code,
  message: `${code} at ${ROOT}/${rel}`,
  context: 'production',
  ...extra,
});
const host = (name: string, port: number, context: string, rel = 'deploy/values.yaml') => ({
  host: name,
  port,
  context,
  references: [{ file: `${ROOT}/${rel}`, range: range(3), source: 'url' }],
});
const cert = (rel: string, sha256: string) => ({ file: `${ROOT}/${rel}`, range: range(1), sha256, context: 'production' });

function labels(over: Record<string, unknown> = {}) {
  return {
    name: 'repo',
    repository: 'someone/repo',
    commit: 'a'.repeat(40),
    kind: 'helm',
    labelledWith: 'certlens 5f286a3 (baseline)',
    summary: 'a chart',
    certificates: [
      { path: 'certs.example/server.crt', production: false, why: 'dev certificate a script links in' },
      { path: 'files/ca.pem', production: true, why: 'shipped by the chart' },
    ],
    hosts: [
      { host: 'api.real.net', port: 443, endpoint: true, why: 'the service the chart calls' },
      { host: '1.2.3.4', port: 443, endpoint: false, why: 'ci/ test value' },
      { host: 'github.com', port: 443, endpoint: false, why: 'repository link' },
    ],
    endpoints: [
      { host: 'api.real.net', port: 443, path: 'deploy/values.yaml', line: 3, why: 'the service the chart calls' },
      { host: 'get.helm.sh', port: 443, path: 'roles/helm/defaults/main.yml', line: 12, why: 'downloaded at deploy time' },
    ],
    findings: [
      { path: 'certs.example/server.crt', line: 1, code: 'expired', severity: 'error', host: null, act: false, why: 'example' },
      { path: 'files/ca.pem', line: 1, code: 'expired', severity: 'error', host: null, act: true, why: 'shipped CA expired' },
      {
        path: 'deploy/values.yaml',
        line: 3,
        code: 'host-unreachable',
        severity: 'warning',
        host: 'api.real.net:443',
        act: true,
        why: 'real endpoint (unreachable offline)',
      },
      {
        path: 'deploy/tls.yaml',
        line: 7,
        code: 'referenced-file-missing',
        severity: 'info',
        host: null,
        act: false,
        why: 'path inside the image',
      },
    ],
    ...over,
  };
}

function baselineReport() {
  return {
    version: 1,
    stats: { files: 40 },
    certificates: [cert('certs.example/server.crt', 'c1'), cert('certs.example/server.crt', 'c2'), cert('files/ca.pem', 'c3')],
    findings: [
      finding('certs.example/server.crt', 1, 'expired', 'error', { sha256: 'c1' }),
      // A second certificate of the labelled file, no finding label of its own: judged by the certificate label.
      finding('certs.example/server.crt', 20, 'expired', 'error', { sha256: 'c2' }),
      finding('files/ca.pem', 1, 'expired', 'error', { sha256: 'c3' }),
      finding('deploy/values.yaml', 3, 'host-unreachable', 'warning', { host: 'api.real.net:443' }),
      finding('charts/x/ci/values.yaml', 9, 'host-hostname-mismatch', 'error', { host: '1.2.3.4:443' }),
      finding('deploy/tls.yaml', 7, 'referenced-file-missing', 'info'),
      finding('deploy/tls.yaml', 9, 'referenced-file-missing', 'info'),
      // Not in production context: never counted as a production information finding.
      finding('test/tls.yaml', 2, 'referenced-file-missing', 'info', { context: 'test' }),
      // Nobody judged this one.
      finding('other/odd.pem', 4, 'expiring-soon', 'warning', { sha256: 'c9' }),
    ],
    hosts: [
      host('api.real.net', 443, 'production'),
      host('1.2.3.4', 443, 'production', 'charts/x/ci/values.yaml'),
      host('github.com', 443, 'production', 'security-insights.yaml'),
      host('docs.other.org', 443, 'production', 'README.yaml'),
      host('get.helm.sh', 443, 'test'),
    ],
  };
}

describe('realworld labelled measure (scripts/lib/realworld-labels.mjs)', () => {
  before(async () => {
    lib = (await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'realworld-labels.mjs')).href)) as Lib;
  });

  it('accepts the format and names what is wrong in a bad labels file', () => {
    assert.deepEqual(lib.validateLabels(labels()), []);
    const bad = lib.validateLabels(
      labels({
        commit: 'abc',
        kind: 'webapp',
        findings: [{ path: 'x.pem', line: 0, code: 'expired', act: false, why: 'x' }],
        hosts: [{ host: 'only.here.net', port: 443, endpoint: true, why: 'real' }],
      }),
    );
    assert.ok(bad.some((p) => p.startsWith('commit')));
    assert.ok(bad.some((p) => p.startsWith('kind')));
    assert.ok(bad.some((p) => p.startsWith('findings[0]')));
    assert.ok(bad.some((p) => p.includes('only.here.net:443 is endpoint=true but not in endpoints')));
  });

  it('counts loud findings nobody must act on by finding, certificate and host labels, and lists the unlabelled', () => {
    const r = lib.evaluateLabelled(baselineReport(), labels(), ROOT);
    // 6 loud: server.crt:1 (label act=false), server.crt:20 (cert label false), ca.pem (act), values.yaml host (act),
    // 1.2.3.4 (host label endpoint=false), odd.pem (nobody).
    assert.deepEqual(r.loud, { total: 6, noAct: 3, act: 2, unlabelled: 1 });
    assert.deepEqual(r.lists.loudNoAct.map((f: Item) => `${f.path}:${f.line} ${f.judgedBy}`).sort(), [
      'certs.example/server.crt:1 finding',
      'certs.example/server.crt:20 certificate',
      'charts/x/ci/values.yaml:9 host',
    ]);
    assert.deepEqual(
      r.lists.loudUnlabelled.map((f: { path: string }) => f.path),
      ['other/odd.pem'],
    );
  });

  it('keeps real alarms only while they stay error or warning, and lists a lost one', () => {
    const before = lib.evaluateLabelled(baselineReport(), labels(), ROOT);
    assert.equal(before.alarms.labelled, 2);
    assert.equal(before.alarms.kept, 2);
    // An act=true information finding (a real endpoint unreachable offline) was never an alarm.
    const withInfo = labels();
    withInfo.findings.push({
      path: 'deploy/tls.yaml',
      line: 9,
      code: 'referenced-file-missing',
      severity: 'info',
      host: null,
      act: true,
      why: 'a real missing file',
    });
    assert.equal(lib.evaluateLabelled(baselineReport(), withInfo, ROOT).alarms.labelled, 2);
    const quieted = baselineReport();
    quieted.findings[2].severity = 'hint'; // the shipped CA's expiry, quieted by guesswork
    quieted.findings[0].severity = 'hint'; // the example certificate, rightly quieted
    const after = lib.evaluateLabelled(quieted, labels(), ROOT);
    assert.equal(after.alarms.kept, 1);
    assert.deepEqual(
      after.alarms.lost.map((l: Item) => `${l.path} ${l.now}`),
      ['files/ca.pem hint'],
    );
    assert.equal(after.loud.noAct, 2);
    const gone = baselineReport();
    gone.findings.splice(3, 1); // the endpoint's finding is no longer reported at all
    assert.deepEqual(
      lib.evaluateLabelled(gone, labels(), ROOT).alarms.lost.map((l: Item) => `${l.host} ${l.now}`),
      ['api.real.net:443 gone'],
    );
  });

  it('matches a finding label whose line moved, once only', () => {
    const moved = baselineReport();
    moved.findings[2].range = range(5); // ca.pem's finding now on line 5
    const r = lib.evaluateLabelled(moved, labels(), ROOT);
    assert.equal(r.alarms.kept, 2);
    // Two findings for one label: the second is judged by the certificate label (production=true gives no verdict).
    const twice = baselineReport();
    twice.findings.push(finding('files/ca.pem', 30, 'expired', 'error', { sha256: 'c3' }));
    assert.equal(lib.evaluateLabelled(twice, labels(), ROOT).loud.unlabelled, 2);
  });

  it('measures production-host precision with unlabelled hosts in the denominator, and endpoint recall', () => {
    const r = lib.evaluateLabelled(baselineReport(), labels(), ROOT);
    // production hosts: api.real.net (endpoint), 1.2.3.4 and github.com (not), docs.other.org (unlabelled).
    assert.deepEqual(
      {
        total: r.productionHosts.total,
        endpoints: r.productionHosts.endpoints,
        not: r.productionHosts.notEndpoints,
        un: r.productionHosts.unlabelled,
      },
      { total: 4, endpoints: 1, not: 2, un: 1 },
    );
    assert.equal(r.productionHosts.precision, 0.25);
    assert.deepEqual(
      r.lists.productionHostsUnlabelled.map((h: { host: string }) => h.host),
      ['docs.other.org:443'],
    );
    // Both labelled endpoints are among report.hosts (get.helm.sh in test context still counts as found).
    assert.equal(r.endpoints.found, 2);
    assert.equal(r.endpoints.foundInProduction, 1);
    const missing = baselineReport();
    missing.hosts = missing.hosts.filter((h) => h.host !== 'get.helm.sh');
    const m = lib.evaluateLabelled(missing, labels(), ROOT);
    assert.equal(m.endpoints.recall, 0.5);
    assert.deepEqual(
      m.endpoints.missed.map((e: Item) => `${e.endpoint} ${e.path}`),
      ['get.helm.sh:443 roles/helm/defaults/main.yml'],
    );
  });

  it('counts production information findings nobody must act on, and lists the unlabelled', () => {
    const r = lib.evaluateLabelled(baselineReport(), labels(), ROOT);
    assert.deepEqual(r.productionInfo, { total: 2, noAct: 1, act: 0, unlabelled: 1 });
    assert.equal(r.lists.productionInfoUnlabelled[0].line, 9);
    // The scanned root is cut from messages (old builds print absolute paths).
    assert.equal(r.lists.productionInfoUnlabelled[0].message, 'referenced-file-missing at deploy/tls.yaml');
  });

  it('checks every labelled certificate is still found, per file or per sha256', () => {
    const r = lib.evaluateLabelled(baselineReport(), labels(), ROOT);
    assert.equal(r.certificates.found, 2);
    assert.deepEqual(r.certificates.missing, []);
    const lost = baselineReport();
    lost.certificates = lost.certificates.filter((c) => c.sha256 !== 'c3');
    assert.deepEqual(lib.evaluateLabelled(lost, labels(), ROOT).certificates.missing, ['files/ca.pem']);
    const perCert = labels({
      certificates: [
        { path: 'certs.example/server.crt', sha256: 'c1', production: false, why: 'dev leaf' },
        { path: 'certs.example/server.crt', sha256: 'c7', production: false, why: 'dev CA' },
        { path: 'files/ca.pem', production: true, why: 'shipped' },
      ],
    });
    assert.deepEqual(lib.evaluateLabelled(baselineReport(), perCert, ROOT).certificates.missing, ['certs.example/server.crt (c7…)']);
  });

  it('totals the repositories and checks the goals', () => {
    const a = { ...lib.evaluateLabelled(baselineReport(), labels(), ROOT), seconds: 1.2 };
    const b = { ...lib.evaluateLabelled(baselineReport(), labels({ name: 'repo2' }), ROOT), seconds: 0.3 };
    const t = lib.labelledTotals([a, b]);
    assert.equal(t.loud.noAct, 6);
    assert.equal(t.loud.noActPer10Repos, 30);
    assert.equal(t.productionHosts.precision, 2 / 8);
    assert.equal(t.endpoints.recall, 1);
    assert.equal(t.seconds, 1.5);
    assert.equal(t.goals.loudNoActPer10Repos.met, false);
    assert.equal(t.goals.productionEndpointRecall.met, true);
    assert.equal(t.goals.everyAlarmKept.met, true);
  });

  it('reads a host finding as host:port, written whole or by name', () => {
    assert.equal(lib.hostFindingKey({ host: '1.2.3.4:443' }), '1.2.3.4:443');
    assert.equal(lib.hostFindingKey({ host: '[::1]:8443' }), '[::1]:8443');
    assert.equal(lib.hostFindingKey({ host: 'a.net', port: 636 }), 'a.net:636');
    assert.equal(lib.hostFindingKey({ host: 'a.net' }, [{ host: 'a.net', port: 993 }]), 'a.net:993');
    assert.equal(
      lib.hostFindingKey({ host: 'a.net' }, [
        { host: 'a.net', port: 993 },
        { host: 'a.net', port: 443 },
      ]),
      undefined,
    );
  });

  it('runs end to end: scans a labelled set with a given CLI and writes results-<label>.json', function () {
    const cli = path.join(root, 'dist', 'cli.js');
    if (!fs.existsSync(cli)) this.skip();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-labels-test-'));
    const label = `unit-test-${process.pid}`;
    const out = path.join(root, 'realworld', `results-${label}.json`);
    try {
      const corpus = path.join(work, 'corpus');
      fs.mkdirSync(path.join(corpus, 'tiny', 'deploy'), { recursive: true });
      fs.writeFileSync(path.join(corpus, 'tiny', 'deploy', 'app.env'), 'LOG_LEVEL=info\n');
      const set = path.join(work, 'sets', 'tiny-set');
      fs.mkdirSync(set, { recursive: true });
      const tiny = labels({
        name: 'tiny',
        certificates: [],
        hosts: [],
        findings: [],
        endpoints: [{ host: 'get.helm.sh', port: 443, why: 'x' }],
      });
      fs.writeFileSync(path.join(set, 'tiny.json'), JSON.stringify(tiny));
      fs.writeFileSync(path.join(set, 'README.md'), '# not a labels file\n');
      execFileSync(
        process.execPath,
        [path.join(root, 'scripts', 'realworld.mjs'), '--labels', set, '--corpus', corpus, '--cli', cli, '--label', label],
        {
          stdio: 'pipe',
        },
      );
      const written = JSON.parse(fs.readFileSync(out, 'utf8'));
      assert.equal(written.mode, 'labelled');
      assert.equal(written.repos.length, 1);
      assert.equal(written.repos[0].name, 'tiny');
      assert.equal(written.total.endpoints.labelled, 1);
      assert.equal(written.total.endpoints.found, 0);
      // A labels file whose name is not its file name stops the run.
      fs.writeFileSync(path.join(set, 'tiny.json'), JSON.stringify({ ...tiny, name: 'other' }));
      const bad = spawnSync(
        process.execPath,
        [path.join(root, 'scripts', 'realworld.mjs'), '--labels', set, '--corpus', corpus, '--label', label],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /does not match the file name/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(out, { force: true });
    }
  });
});
