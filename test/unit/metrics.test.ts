import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeCert, makeCrl, type TestCert } from '../support/certs';
import { buildReport, type HostJson, type Report } from '../../src/core/report/schema';
import { escapeLabelValue, nameLabels, READ_ERROR_CODES, SOURCE_ERROR_REASONS, toMetrics } from '../../src/core/report/metrics';
import { opensslNotAfter, sharedKey, tempDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const RULES_DIR = path.resolve(__dirname, '../../../prometheus');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function promtool(args: string[], input?: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', input });
  if (r.error) throw new Error(`promtool is needed (Debian package prometheus; .ci/run installs it): ${r.error.message}`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A small reader of the text exposition format: enough to check what we write. */
function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    let l: RegExpExecArray | null;
    while ((l = labelRe.exec(m[2] ?? ''))) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

describe('Prometheus metrics (scan --format openmetrics)', () => {
  let dir: string;
  let soon: TestCert;
  let bundle: TestCert[];
  let week: TestCert;
  let expired: TestCert;
  let inTests: TestCert;
  let metrics: string;
  let crls: { fresh: string; due: string; stale: string };
  const organisation = 'Acme "Quoted", Back\\slash';

  before(function () {
    this.timeout(60_000);
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    dir = tempDir();
    const key = sharedKey({ type: 'ec' });
    soon = makeCert({
      cn: 'soon.certlens.dev',
      subject: { O: organisation, OU: 'Ops' },
      key,
      notBefore: daysFromNow(-10),
      notAfter: daysFromNow(20),
    });
    bundle = [
      makeCert({ cn: 'a.certlens.dev', key, notBefore: daysFromNow(-10), notAfter: daysFromNow(90) }),
      makeCert({ cn: 'b.certlens.dev', key, notBefore: daysFromNow(-10), notAfter: daysFromNow(200) }),
    ];
    week = makeCert({ cn: 'week.certlens.dev', key, notBefore: daysFromNow(-10), notAfter: daysFromNow(3) });
    expired = makeCert({ cn: 'expired.certlens.dev', key, notBefore: daysFromNow(-100), notAfter: daysFromNow(-2) });
    inTests = makeCert({ cn: 'fixture.certlens.dev', key, notBefore: daysFromNow(-100), notAfter: daysFromNow(-1) });
    fs.mkdirSync(path.join(dir, 'deploy', 'tls'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'test'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.github'));
    fs.writeFileSync(path.join(dir, '.github', 'CODEOWNERS'), '* @acme/platform\n/deploy/tls/ @acme/tls @alice\n/deploy/tls/week.pem\n');
    fs.writeFileSync(path.join(dir, 'deploy', 'tls', 'soon.pem'), soon.pem);
    fs.writeFileSync(path.join(dir, 'deploy', 'tls', 'bundle.pem'), bundle.map((c) => c.pem).join(''));
    fs.writeFileSync(path.join(dir, 'deploy', 'tls', 'week.pem'), week.pem);
    fs.writeFileSync(path.join(dir, 'deploy', 'expired.pem'), expired.pem);
    fs.writeFileSync(path.join(dir, 'deploy', 'broken.pem'), '-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n');
    fs.writeFileSync(path.join(dir, 'test', 'fixture.pem'), inTests.pem);
    const caKey = sharedKey({ type: 'ec' });
    const ca = makeCert({
      cn: 'Acme CRL CA',
      subject: { O: 'Acme' },
      key: caKey,
      ca: true,
      notBefore: daysFromNow(-100),
      notAfter: daysFromNow(1000),
    });
    const issuer = { cert: ca, key: caKey };
    crls = {
      fresh: makeCrl({ issuer, thisUpdate: daysFromNow(-2), nextUpdate: daysFromNow(5), number: '1000' }).pem,
      due: makeCrl({ issuer, thisUpdate: daysFromNow(-6), nextUpdate: daysFromNow(1), number: '0FFF' }).pem,
      stale: makeCrl({ issuer, thisUpdate: daysFromNow(-9), nextUpdate: daysFromNow(-1) }).pem,
    };
    fs.mkdirSync(path.join(dir, 'deploy', 'pki'));
    for (const [name, pem] of Object.entries(crls)) fs.writeFileSync(path.join(dir, 'deploy', 'pki', `${name}.crl`), pem);
    const r = run(['scan', dir, '--format', 'openmetrics', '--repository', 'acme/app', '--fail-on', 'never']);
    assert.equal(r.code, 0, r.stderr);
    metrics = r.stdout;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check metrics', () => {
    const r = promtool(['check', 'metrics'], metrics);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out.trim(), '', 'no lint warnings');
  });

  it('has one x509_cert_not_after per certificate, equal to its notAfter in seconds, with its file as filepath', () => {
    const expected = new Map<string, { file: string; notAfter: number }>([
      ['soon.certlens.dev', { file: 'deploy/tls/soon.pem', notAfter: opensslNotAfter(soon.pem) / 1000 }],
      ['a.certlens.dev', { file: 'deploy/tls/bundle.pem', notAfter: opensslNotAfter(bundle[0].pem) / 1000 }],
      ['b.certlens.dev', { file: 'deploy/tls/bundle.pem', notAfter: opensslNotAfter(bundle[1].pem) / 1000 }],
      ['week.certlens.dev', { file: 'deploy/tls/week.pem', notAfter: opensslNotAfter(week.pem) / 1000 }],
      ['expired.certlens.dev', { file: 'deploy/expired.pem', notAfter: opensslNotAfter(expired.pem) / 1000 }],
      ['fixture.certlens.dev', { file: 'test/fixture.pem', notAfter: opensslNotAfter(inTests.pem) / 1000 }],
    ]);
    const notAfter = parseSamples(metrics).filter((s) => s.name === 'x509_cert_not_after');
    assert.equal(notAfter.length, expected.size);
    for (const s of notAfter) {
      const want = expected.get(s.labels.subject_CN);
      assert.ok(want, `unexpected certificate ${s.labels.subject_CN}`);
      assert.equal(s.value, want.notAfter, s.labels.subject_CN);
      assert.equal(s.labels.filepath, want.file);
      assert.equal(s.labels.issuer_CN, s.labels.subject_CN, 'self-signed');
      assert.equal(s.labels.repository, 'acme/app');
    }
  });

  it('labels like x509-certificate-exporter: serial in decimal, subject and issuer fields, escaped values', () => {
    const s = parseSamples(metrics).find((x) => x.name === 'x509_cert_not_before' && x.labels.subject_CN === 'soon.certlens.dev');
    assert.ok(s);
    assert.equal(s.labels.serial_number, BigInt(`0x${soon.serial}`).toString(10));
    assert.equal(s.labels.subject_O, organisation);
    assert.equal(s.labels.subject_OU, 'Ops');
    assert.equal(s.labels.issuer_O, organisation);
    assert.equal(s.value, soon.notBefore.getTime() / 1000);
    assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
    assert.deepEqual(nameLabels('subject', 'CN=x\\, y + OU=a, OU=b, O=\\"q\\"'), [
      ['subject_O', '"q"'],
      ['subject_OU', 'a,b'],
      ['subject_CN', 'x, y'],
    ]);
  });

  it('owner, context and expiry labels: owners from CODEOWNERS, the last match wins, unowned is empty', () => {
    const byCn = new Map(
      parseSamples(metrics)
        .filter((s) => s.name === 'x509_cert_expired')
        .map((s) => [s.labels.subject_CN, s]),
    );
    assert.equal(byCn.get('soon.certlens.dev')?.labels.owner, '@acme/tls,@alice');
    assert.equal(byCn.get('week.certlens.dev')?.labels.owner, undefined, 'a CODEOWNERS line without owners');
    assert.equal(byCn.get('expired.certlens.dev')?.labels.owner, '@acme/platform');
    assert.equal(byCn.get('fixture.certlens.dev')?.labels.context, 'test');
    assert.equal(byCn.get('soon.certlens.dev')?.labels.context, 'production');
    assert.equal(byCn.get('expired.certlens.dev')?.value, 1);
    assert.equal(byCn.get('soon.certlens.dev')?.value, 0);
  });

  // Written from x509-certificate-exporter v4's docs/metrics.md and docs/migration-v3-to-v4.md
  // (family, type, label names), not from this code's output.
  const V4_FAMILIES: Record<string, { type: string; labels: string[] }> = {
    x509_cert_not_after: { type: 'gauge', labels: ['filepath', 'serial_number', 'subject_CN', 'issuer_CN'] },
    x509_cert_expired: { type: 'gauge', labels: ['filepath', 'serial_number', 'subject_CN', 'issuer_CN'] },
    x509_crl_next_update: { type: 'gauge', labels: ['filepath', 'issuer_CN', 'issuer_O', 'crl_number'] },
    x509_crl_this_update: { type: 'gauge', labels: ['filepath', 'issuer_CN', 'issuer_O', 'crl_number'] },
    x509_crl_number: { type: 'gauge', labels: ['filepath', 'issuer_CN', 'issuer_O', 'crl_number'] },
    x509_crl_stale: { type: 'gauge', labels: ['filepath', 'issuer_CN', 'issuer_O'] },
    x509_source_up: { type: 'gauge', labels: ['source_kind', 'source_name'] },
    x509_source_bundles: { type: 'gauge', labels: ['source_kind', 'source_name'] },
    x509_source_errors_total: { type: 'counter', labels: ['source_kind', 'source_name', 'reason'] },
  };

  it("x509-certificate-exporter v4's families, types and labels; v3's x509_read_errors is gone", () => {
    const types = new Map([...metrics.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    const samples = parseSamples(metrics);
    for (const [name, want] of Object.entries(V4_FAMILIES)) {
      assert.equal(types.get(name), want.type, `# TYPE of ${name}`);
      const series = samples.filter((s) => s.name === name);
      assert.ok(series.length, `${name} is written`);
      for (const s of series) {
        // An empty label is an absent one: stale.crl has no cRLNumber, so no crl_number.
        const required = s.labels.filepath === 'deploy/pki/stale.crl' ? want.labels.filter((l) => l !== 'crl_number') : want.labels;
        for (const l of required) assert.ok(l in s.labels, `${name} has ${l}: ${JSON.stringify(s.labels)}`);
      }
    }
    assert.ok(!types.has('x509_read_errors') && !samples.some((s) => s.name === 'x509_read_errors'));
    // The per-source series carry the source's labels only (and the repository), no file or owner.
    for (const s of samples.filter((x) => x.name.startsWith('x509_source_'))) {
      assert.deepEqual(
        Object.keys(s.labels).sort(),
        ['repository', 'source_kind', 'source_name', ...(s.name === 'x509_source_errors_total' ? ['reason'] : [])].sort(),
      );
      assert.equal(s.labels.source_kind, 'file');
      assert.equal(s.labels.source_name, 'acme/app', 'the repository names the source');
    }
    // CRL series: no subject or serial (CRLs have neither).
    for (const s of samples.filter((x) => x.name.startsWith('x509_crl_'))) {
      assert.ok(!Object.keys(s.labels).some((k) => k.startsWith('subject_') || k === 'serial_number'), JSON.stringify(s.labels));
    }
  });

  it('CRLs: next and this update in Unix seconds as openssl reads them, crl_number in decimal, stale when past nextUpdate', () => {
    const opensslTime = (pem: string, field: 'nextupdate' | 'lastupdate') =>
      Date.parse(
        execFileSync('openssl', ['crl', '-noout', `-${field}`], { input: pem, encoding: 'utf8' })
          .split('=')[1]
          .trim(),
      ) / 1000;
    const samples = parseSamples(metrics);
    const of = (name: string, file: string) => samples.filter((s) => s.name === name && s.labels.filepath === `deploy/pki/${file}.crl`);
    for (const file of ['fresh', 'due', 'stale'] as const) {
      assert.deepEqual(
        of('x509_crl_next_update', file).map((s) => s.value),
        [opensslTime(crls[file], 'nextupdate')],
        file,
      );
      assert.deepEqual(
        of('x509_crl_this_update', file).map((s) => s.value),
        [opensslTime(crls[file], 'lastupdate')],
        file,
      );
      assert.equal(of('x509_crl_next_update', file)[0].labels.issuer_CN, 'Acme CRL CA');
      assert.equal(of('x509_crl_next_update', file)[0].labels.issuer_O, 'Acme');
      assert.equal(of('x509_crl_next_update', file)[0].labels.context, 'production');
    }
    assert.equal(of('x509_crl_next_update', 'fresh')[0].labels.crl_number, '4096');
    assert.deepEqual(
      of('x509_crl_number', 'fresh').map((s) => s.value),
      [4096],
    );
    assert.deepEqual(
      of('x509_crl_number', 'due').map((s) => s.value),
      [4095],
    );
    assert.equal(of('x509_crl_next_update', 'stale')[0].labels.crl_number, undefined, 'no cRLNumber: no label');
    assert.deepEqual(of('x509_crl_number', 'stale'), [], 'no cRLNumber: no x509_crl_number');
    assert.deepEqual(
      ['fresh', 'due', 'stale'].map((f) => of('x509_crl_stale', f)[0].value),
      [0, 0, 1],
    );
  });

  it('read errors: x509_source_errors_total by v4 reason for the scan, certlens_read_errors per file; the source is up with its bundles', () => {
    const samples = parseSamples(metrics);
    assert.deepEqual(
      samples.filter((s) => s.name === 'x509_source_errors_total').map((s) => [s.labels.reason, s.value]),
      [['bad_pem', 1]],
    );
    const perFile = samples.filter((s) => s.name === 'certlens_read_errors');
    assert.deepEqual(
      perFile.map((s) => [s.labels.filepath, s.value]),
      [['deploy/broken.pem', 1]],
    );
    assert.equal(samples.find((s) => s.name === 'x509_source_up')?.value, 1);
    // soon, bundle, week, expired, fixture and the three CRLs.
    assert.equal(samples.find((s) => s.name === 'x509_source_bundles')?.value, 8);
  });

  it('maps every read-error and locked finding code to a v4 reason code', () => {
    const v4Reasons = [
      'bad_pem',
      'no_certificate_found',
      'bad_pkcs12',
      'bad_passphrase',
      'read_failed',
      'permission_denied',
      'not_found',
      'broken_symlink',
      'walk_error',
      'decode_failed',
    ];
    for (const code of READ_ERROR_CODES)
      assert.ok(v4Reasons.includes(SOURCE_ERROR_REASONS[code]), `${code} → ${SOURCE_ERROR_REASONS[code]}`);
  });

  it('the shipped alert rules pass promtool check rules and their own promtool test', () => {
    const check = promtool(['check', 'rules', path.join(RULES_DIR, 'certlens-alerts.yml')]);
    assert.equal(check.code, 0, check.out);
    const test = promtool(['test', 'rules', path.join(RULES_DIR, 'certlens-alerts.test.yml')]);
    assert.equal(test.code, 0, test.out);
  });

  it("the alert rules fire on the scan's own metrics: 30 days, 7 days, expired, read errors, CRLs, production only", () => {
    // promtool tests start at time 0: shift each not_after by the scan's time.
    const now = Date.now() / 1000;
    const series = parseSamples(metrics)
      .filter((s) => ['x509_cert_not_after', 'x509_crl_next_update', 'x509_source_errors_total'].includes(s.name))
      .map((s) => {
        const labels = Object.entries(s.labels)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',');
        const value = s.name === 'x509_source_errors_total' ? s.value : Math.round(s.value - now);
        return `      - series: ${JSON.stringify(`${s.name}{${labels}}`)}\n        values: '${value}x10'`;
      });
    const firing = (alert: string) => `      - eval_time: 5m\n        alertname: ${alert}\n        exp_alerts: EXPECTED_${alert}\n`;
    const alerts = [
      'CertificateExpiresWithin30Days',
      'CertificateExpiresWithin7Days',
      'CertificateExpired',
      'CertificateSourceErrors',
      'CrlGoesStaleWithin2Days',
      'CrlStale',
    ];
    const work = tempDir();
    try {
      fs.copyFileSync(path.join(RULES_DIR, 'certlens-alerts.yml'), path.join(work, 'rules.yml'));
      // Ask promtool which alerts fire: a test expecting none fails and prints what it got.
      const body = `rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n${series.join('\n')}\n    alert_rule_test:\n${alerts.map(firing).join('')}`;
      fs.writeFileSync(path.join(work, 'test.yml'), body.replace(/EXPECTED_\w+/g, '[]'));
      const r = promtool(['test', 'rules', path.join(work, 'test.yml')]);
      const got = (alert: string) => {
        const block = r.out.split('alertname: ').find((b) => b.startsWith(alert)) ?? '';
        const section = block.split('got:')[1] ?? '';
        return [...section.matchAll(/subject_CN="([^"]+)"/g)]
          .map((m) => m[1])
          .concat([...section.matchAll(/filepath="([^"]+)"/g)].map((m) => `file:${m[1]}`))
          .concat([...section.matchAll(/reason="([^"]+)"/g)].map((m) => `reason:${m[1]}`))
          .sort();
      };
      assert.notEqual(r.code, 0, 'alerts fire');
      assert.deepEqual(
        got('CertificateExpiresWithin30Days').filter((x) => !x.startsWith('file:')),
        ['soon.certlens.dev'],
      );
      assert.deepEqual(
        got('CertificateExpiresWithin7Days').filter((x) => !x.startsWith('file:')),
        ['week.certlens.dev'],
      );
      assert.deepEqual(
        got('CertificateExpired').filter((x) => !x.startsWith('file:')),
        ['expired.certlens.dev'],
        'the test fixture is not production',
      );
      assert.deepEqual(got('CertificateSourceErrors'), ['reason:bad_pem']);
      assert.deepEqual(got('CrlGoesStaleWithin2Days'), ['file:deploy/pki/due.crl']);
      assert.deepEqual(got('CrlStale'), ['file:deploy/pki/stale.crl']);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('--output replaces the file through a rename in its folder (textfile collector), for every format', () => {
    const out = tempDir();
    try {
      for (const format of ['openmetrics', 'json', 'csv', 'table']) {
        const target = path.join(out, `certlens.${format}`);
        fs.writeFileSync(target, 'old');
        const before = fs.statSync(target).ino;
        const r = run(['scan', dir, '--format', format, '--output', target, '--fail-on', 'never']);
        assert.equal(r.code, 0, r.stderr);
        assert.notEqual(fs.statSync(target).ino, before, `${format}: a new file renamed over the old one`);
        assert.notEqual(fs.readFileSync(target, 'utf8'), 'old');
      }
      assert.deepEqual(
        fs.readdirSync(out).filter((f) => f.endsWith('.tmp')),
        [],
        'no temporary file left',
      );
      assert.equal(promtool(['check', 'metrics'], fs.readFileSync(path.join(out, 'certlens.openmetrics'), 'utf8')).code, 0);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('--output to a device or a pipe writes into it: no rename replaces /dev/null or the pipe with a file', function () {
    if (process.platform === 'win32') this.skip();
    const out = tempDir();
    try {
      for (const format of ['json', 'csv']) {
        const r = run(['scan', dir, '--format', format, '--output', '/dev/null', '--fail-on', 'never']);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(fs.statSync('/dev/null').isCharacterDevice(), `${format}: /dev/null is still a device`);
      }
      const fifo = path.join(out, 'report.fifo');
      execFileSync('mkfifo', [fifo]);
      // A reader on the pipe (cat), the CLI writing into it.
      const reader = spawnSync('sh', [
        '-c',
        `cat "${fifo}" > "${fifo}.out" & ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} scan ${JSON.stringify(dir)} --format json --output "${fifo}" --fail-on never; wait`,
      ]);
      assert.equal(reader.status, 0, reader.stderr.toString());
      assert.ok(fs.statSync(fifo).isFIFO(), 'still a pipe');
      assert.ok(JSON.parse(fs.readFileSync(`${fifo}.out`, 'utf8')).certificates.length > 0, 'the report came through the pipe');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('--output in a folder that is not there: one line naming it, exit 2, for streamed JSON and the other formats', () => {
    for (const format of ['json', 'csv']) {
      const r = run(['scan', dir, '--format', format, '--output', '/nonexistent-certlens/out.txt', '--fail-on', 'never']);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim(), 'certlens: cannot write /nonexistent-certlens/out.txt: no such folder /nonexistent-certlens');
    }
  });

  it('JSON streamed into a file is what the whole-report path writes (an empty baseline takes that path)', () => {
    const out = tempDir();
    try {
      const baseline = path.join(out, 'empty-baseline.json');
      fs.writeFileSync(baseline, JSON.stringify({ version: 1, entries: [] }));
      const now = new Date().toISOString();
      const streamed = run(['scan', dir, '--format', 'json', '--now', now, '--output', path.join(out, 'a.json'), '--fail-on', 'never']);
      const whole = run([
        'scan',
        dir,
        '--format',
        'json',
        '--now',
        now,
        '--baseline',
        baseline,
        '--output',
        path.join(out, 'b.json'),
        '--fail-on',
        'never',
      ]);
      assert.equal(streamed.code, 0, streamed.stderr);
      assert.equal(whole.code, 0, whole.stderr);
      const strip = (file: string) => JSON.parse(fs.readFileSync(path.join(out, file), 'utf8'), (k, v: unknown) => (k === 'ms' ? 0 : v));
      const a = strip('a.json');
      assert.ok(a.certificates.length > 3 && a.findings.length > 3);
      assert.deepEqual(a, strip('b.json'));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('JSON: owners on certificates and findings, and the number of expiring production certificates nobody owns', () => {
    const r = run(['scan', dir, '--format', 'json', '--fail-on', 'never']);
    const report = JSON.parse(r.stdout) as Report;
    const cert = (cn: string) => report.certificates.find((c) => c.subjectCN === cn)!;
    assert.deepEqual(cert('soon.certlens.dev').owners, ['@acme/tls', '@alice']);
    assert.deepEqual(cert('week.certlens.dev').owners, []);
    assert.deepEqual(report.findings.find((f) => f.sha256 === cert('week.certlens.dev').sha256)?.owners, []);
    assert.deepEqual(report.findings.find((f) => f.sha256 === cert('expired.certlens.dev').sha256)?.owners, ['@acme/platform']);
    assert.equal(report.summary.expiringWithoutOwner, 1);
    const table = run(['scan', dir, '--fail-on', 'never']).stdout;
    assert.match(table, /1 expiring production certificate has no owner in CODEOWNERS/);
    const csv = run(['scan', dir, '--format', 'csv', '--fail-on', 'never']).stdout.split('\r\n');
    assert.equal(csv[0].split(',').at(-1), 'owners');
    // A leading @ is quoted against spreadsheet formulas, like every other cell.
    assert.ok(csv.some((line) => line.includes('soon.certlens.dev') && line.endsWith(",'@acme/tls @alice")));
  });

  it("hosts as blackbox_exporter writes them: probe_ssl_earliest_cert_expiry (the chain's earliest) and probe_success per host:port", () => {
    const NOW = Date.parse('2026-06-01T00:00:00Z');
    const reference = (file: string) => ({
      file,
      range: { start: { line: 2, character: 0 }, end: { line: 2, character: 30 } },
      source: 'url',
    });
    const host = (name: string, port: number, fields: Partial<HostJson>): HostJson => ({
      host: name,
      port,
      servername: name,
      address: name,
      viaProxy: null,
      starttls: null,
      references: [reference('/ws/deploy/app.env')],
      checkedAt: '2026-06-01T00:00:00Z',
      notBefore: '2026-01-01T00:00:00Z',
      notAfter: '2026-07-01T00:00:00Z',
      daysLeft: 30,
      chainEarliestNotAfter: null,
      chainEarliestIndex: null,
      authorized: true,
      authorizationError: null,
      hostnameMatch: true,
      hostnameError: null,
      selfSigned: false,
      missingIntermediate: false,
      protocol: 'TLSv1.3',
      cipher: null,
      error: null,
      chain: [],
      ...fields,
    });
    const report = buildReport(
      [],
      [],
      NOW,
      { files: 1, ms: 1 },
      {
        hosts: [
          host('api.acme.example', 443, { chainEarliestNotAfter: '2026-06-20T00:00:00Z', chainEarliestIndex: 1 }),
          host('::1', 8443, {}),
          host('down.acme.example', 443, { error: 'ECONNREFUSED', notAfter: null }),
        ],
        ownersOf: (file) => (file.startsWith('/ws/deploy/') ? ['@acme/sre'] : []),
      },
    );
    const text = toMetrics(report, { repository: 'acme/app' });
    const check = promtool(['check', 'metrics'], text);
    assert.equal(check.code, 0, check.out);
    const samples = parseSamples(text);
    const expiry = samples.filter((x) => x.name === 'probe_ssl_earliest_cert_expiry');
    assert.deepEqual(
      expiry.map((x) => [x.labels.instance, x.value, x.labels.owner, x.labels.repository]),
      [
        ['api.acme.example:443', Date.parse('2026-06-20T00:00:00Z') / 1000, '@acme/sre', 'acme/app'],
        ['[::1]:8443', Date.parse('2026-07-01T00:00:00Z') / 1000, '@acme/sre', 'acme/app'],
      ],
    );
    assert.deepEqual(
      samples.filter((x) => x.name === 'probe_success').map((x) => [x.labels.instance, x.value]),
      [
        ['api.acme.example:443', 1],
        ['[::1]:8443', 1],
        ['down.acme.example:443', 0],
      ],
    );
  });
});
