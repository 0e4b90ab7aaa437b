import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { daysFromNow, makeCert } from '../support/certs';
import type { Report } from '../../src/core/report/schema';
import { BaselineMatcher, createBaseline, parseBaseline } from '../../src/core/report/baseline';
import { FINDING_CODES } from '../../src/core/report/findingCodes';
import { sharedKey, tempDir } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

function run(args: string[], cwd?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
    };
  }[];
  partialFingerprints: Record<string, string>;
  baselineState?: string;
}

interface SarifLog {
  runs: {
    tool: {
      driver: {
        rules: {
          id: string;
          name: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help: { text: string; markdown: string };
          properties: { 'security-severity': string; tags: string[] };
        }[];
      };
    };
    originalUriBaseIds?: Record<string, { uri: string }>;
    results: SarifResult[];
  }[];
}

/** Microsoft's SARIF Multitool (a native binary in the platform package of @microsoft/sarif-multitool). */
function multitool(): string {
  const pkg = `@microsoft/sarif-multitool-${process.platform}`;
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`${pkg} is not installed: it comes with the dev dependency @microsoft/sarif-multitool (npm ci)`);
  }
  return path.join(dir, process.platform === 'win32' ? 'Sarif.Multitool.exe' : 'Sarif.Multitool');
}

/** All rules but SARIF2006, a note that sends an HTTP GET to each URI in the file: tests stay off the network. */
const OFFLINE_CONFIG = `<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
`;

/** The Multitool's findings on `file` with GitHub's and SARIF's rules, errors, warnings and notes: [level, ruleId, message] each. */
function validate(file: string): string[][] {
  const out = `${file}.validation.json`;
  const config = path.join(path.dirname(file), 'multitool.xml');
  fs.writeFileSync(config, OFFLINE_CONFIG);
  const args = [
    'validate',
    '--rule-kind',
    'Gh;Sarif',
    '--level',
    'Error;Warning;Note',
    '--config',
    config,
    '--log',
    'ForceOverwrite',
    '--output',
    out,
    file,
  ];
  const r = spawnSync(multitool(), args, {
    encoding: 'utf8',
    // No ICU needed (the machine's may differ from CI's).
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  assert.equal(r.status, 0, `multitool failed: ${r.stdout}${r.stderr}`);
  const log = JSON.parse(fs.readFileSync(out, 'utf8')) as {
    runs: { results?: { level?: string; ruleId: string; message: { id?: string; arguments?: string[] } }[] }[];
  };
  return (log.runs[0].results ?? []).map((x) => [
    x.level ?? 'warning',
    x.ruleId,
    `${x.message.id ?? ''} ${JSON.stringify(x.message.arguments ?? [])}`,
  ]);
}

/** The text a SARIF region covers (1-based lines and columns, end column just past the last character). */
function regionText(text: string, region: SarifResult['locations'][0]['physicalLocation']['region']): string {
  const lines = text.split('\n');
  const start = lines.slice(0, region.startLine - 1).reduce((n, l) => n + l.length + 1, 0) + region.startColumn - 1;
  const end = lines.slice(0, region.endLine - 1).reduce((n, l) => n + l.length + 1, 0) + region.endColumn - 1;
  return text.slice(start, end);
}

describe('CI and code review: SARIF for code scanning, baselines (dist/cli.js)', () => {
  let repo: string;
  let expiredPem: string;
  let soonPem: string;
  const yamlIndent = '    ';

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    repo = tempDir('certlens-ci-');
    const key = sharedKey({ type: 'ec' });
    expiredPem = makeCert({ cn: 'expired.ci.acme-corp.net', key, notBefore: daysFromNow(-100), notAfter: daysFromNow(-3) }).pem;
    soonPem = makeCert({ cn: 'soon.ci.acme-corp.net', key, notBefore: daysFromNow(-100), notAfter: daysFromNow(20) }).pem;
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
      fs.writeFileSync(path.join(repo, rel), text);
    };
    write('deploy/tls/expired.pem', `# expired on purpose\n# second line\n${expiredPem}`);
    write(
      'config/values.yaml',
      `tls:\n  cert: |\n${soonPem
        .trimEnd()
        .split('\n')
        .map((l) => yamlIndent + l)
        .join('\n')}\n  other: 1\n`,
    );
    write('deploy/broken.pem', '-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n');
    write('test/fixtures/old.pem', expiredPem);
    write('certs with space/a#b.crt', soonPem);
    git(repo, 'init', '-q');
  });
  after(() => fs.rmSync(repo, { recursive: true, force: true }));

  const sarifOf = (args: string[], cwd = repo): SarifLog => {
    const r = run(['scan', ...args, '--format', 'sarif', '--fail-on', 'never'], cwd);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as SarifLog;
  };

  it('describes every finding code (name, descriptions, help, a security-severity GitHub reads)', () => {
    for (const [code, info] of Object.entries(FINDING_CODES)) {
      assert.match(info.name, /^[A-Z][A-Za-z0-9]+$/, code);
      assert.ok(info.short && info.full && info.fix, code);
      assert.ok(info.securitySeverity > 0 && info.securitySeverity <= 10, code);
    }
    const rules = sarifOf(['.']).runs[0].tool.driver.rules;
    assert.deepEqual(
      rules.map((r) => r.id),
      Object.keys(FINDING_CODES),
    );
    const expired = rules.find((r) => r.id === 'expired')!;
    assert.equal(expired.name, 'CertificateExpired');
    assert.match(expired.help.markdown, /\*\*How to fix:\*\* Renew/);
    assert.match(expired.help.text, /How to fix: Renew/);
    assert.equal(expired.properties['security-severity'], '8.0', 'a number written as a string');
    assert.ok(expired.properties.tags.includes('security'));
  });

  it('writes locations relative to the repository root with 1-based regions that cover the certificate', () => {
    const log = sarifOf([path.join(repo, 'deploy'), path.join(repo, 'config'), path.join(repo, 'certs with space')], ROOT);
    const run0 = log.runs[0];
    assert.deepEqual(run0.originalUriBaseIds, { '%SRCROOT%': { uri: `${pathToFileURL(repo).href}/` } });
    const byUri = new Map(run0.results.map((r) => [r.locations[0].physicalLocation.artifactLocation.uri, r]));
    assert.deepEqual([...byUri.keys()].sort(), [
      'certs%20with%20space/a%23b.crt',
      'config/values.yaml',
      'deploy/broken.pem',
      'deploy/tls/expired.pem',
    ]);
    for (const r of run0.results) assert.equal(r.locations[0].physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');

    const expired = byUri.get('deploy/tls/expired.pem')!;
    const region = expired.locations[0].physicalLocation.region;
    assert.deepEqual(region, { startLine: 3, startColumn: 1, endLine: 2 + expiredPem.trimEnd().split('\n').length, endColumn: 26 });
    assert.equal(regionText(fs.readFileSync(path.join(repo, 'deploy/tls/expired.pem'), 'utf8'), region), expiredPem.trimEnd());
    assert.equal(run0.tool.driver.rules[expired.ruleIndex].id, 'expired');

    const inYaml = byUri.get('config/values.yaml')!;
    const yamlRegion = inYaml.locations[0].physicalLocation.region;
    assert.equal(yamlRegion.startColumn, yamlIndent.length + 1, 'the indented block starts in column 5');
    const covered = regionText(fs.readFileSync(path.join(repo, 'config/values.yaml'), 'utf8'), yamlRegion);
    assert.ok(covered.startsWith('-----BEGIN CERTIFICATE-----') && covered.endsWith('-----END CERTIFICATE-----'), covered);
  });

  it('keeps partialFingerprints when lines move, and tells apart files and certificates', () => {
    const copy = tempDir('certlens-ci-move-');
    try {
      fs.cpSync(repo, copy, { recursive: true });
      const fingerprints = () =>
        new Map(
          sarifOf(['.'], copy).runs[0].results.map((r) => [
            `${r.ruleId} ${r.locations[0].physicalLocation.artifactLocation.uri}`,
            r.partialFingerprints['certlensFindingHash/v1'],
          ]),
        );
      const before = fingerprints();
      for (const fp of before.values()) assert.match(fp, /^[0-9a-f]{64}$/);
      assert.equal(new Set(before.values()).size, before.size, 'every result has its own fingerprint');
      for (const rel of ['deploy/tls/expired.pem', 'deploy/broken.pem']) {
        fs.writeFileSync(path.join(copy, rel), `# new line\n# and another\n${fs.readFileSync(path.join(copy, rel), 'utf8')}`);
      }
      assert.deepEqual(fingerprints(), before);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('passes Microsoft\'s SARIF Multitool with GitHub\'s rules (validate --rule-kind "Gh;Sarif"): no errors', function () {
    this.timeout(120_000);
    const dir = tempDir('certlens-sarif-');
    try {
      const file = path.join(dir, 'certlens.sarif');
      const baselineFile = path.join(dir, 'baseline.json');
      assert.equal(run(['baseline', path.join(repo, 'deploy'), '--output', baselineFile], repo).code, 0);
      const r = run(['scan', '.', '--format', 'sarif', '--output', file, '--baseline', baselineFile, '--fail-on', 'never'], repo);
      assert.equal(r.code, 0, r.stderr);
      const findings = validate(file);
      assert.deepEqual(
        findings.filter(([level]) => level === 'error' || level === 'warning'),
        [],
      );
      // Notes are advice CertLens does not take: message ids instead of text (SARIF2002), versionControlProvenance
      // (SARIF2003, the upload says the commit), rule ids like CS2001 (SARIF2009: ours are the finding codes every
      // other report uses), snippets and context regions (SARIF2010, SARIF2011: certificate text in the log).
      assert.deepEqual([...new Set(findings.map(([, id]) => id))].sort(), [
        'SARIF2002',
        'SARIF2003',
        'SARIF2009',
        'SARIF2010',
        'SARIF2011',
      ]);
      // The harness can fail: without help and fullDescription, GitHub's rule GH2012 reports errors.
      const log = JSON.parse(fs.readFileSync(file, 'utf8')) as { runs: { tool: { driver: { rules: Record<string, unknown>[] } } }[] };
      for (const rule of log.runs[0].tool.driver.rules) delete rule.help;
      const stripped = path.join(dir, 'stripped.sarif');
      fs.writeFileSync(stripped, JSON.stringify(log));
      assert.ok(
        validate(stripped).some(([level, id]) => level === 'error' && id === 'GH2012'),
        'the validator flags a rule without help',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('baseline: certlens baseline writes the findings; scan --baseline reports them but does not fail on them', () => {
    const dir = tempDir('certlens-baseline-');
    try {
      const work = path.join(dir, 'repo');
      fs.cpSync(repo, work, { recursive: true });
      const baselineFile = path.join(dir, 'certlens-baseline.json');
      assert.equal(run(['scan', '.'], work).code, 1, 'fails without a baseline');
      const written = run(['baseline', '.', '--output', baselineFile], work);
      assert.equal(written.code, 0, written.stderr);
      const baseline = parseBaseline(fs.readFileSync(baselineFile, 'utf8'));
      assert.equal(baseline.version, 1);
      const expiredEntry = baseline.entries.find((e) => e.code === 'expired' && e.file === 'deploy/tls/expired.pem');
      assert.match(expiredEntry?.sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.ok(baseline.entries.some((e) => e.code === 'invalid-base64' && e.file === 'deploy/broken.pem' && !e.sha256));

      const adopted = run(['scan', '.', '--baseline', baselineFile], work);
      assert.equal(adopted.code, 0, 'everything is in the baseline');
      assert.match(adopted.stderr, /findings are in the baseline .*certlens-baseline\.json: reported, not counted for --fail-on/);
      const json = JSON.parse(
        run(['scan', '.', '--format', 'json', '--baseline', baselineFile, '--fail-on', 'never'], work).stdout,
      ) as Report;
      assert.ok(json.findings.length > 0 && json.findings.every((f) => f.baselined === true));

      // The expired certificate moved to another file (and its lines moved): still the same finding.
      fs.rmSync(path.join(work, 'deploy/tls/expired.pem'));
      fs.writeFileSync(path.join(work, 'deploy/renamed.pem'), `\n\n\n${expiredPem}`);
      assert.equal(run(['scan', '.', '--baseline', baselineFile], work).code, 0);

      // A new expired certificate is not in the baseline: it fails the run and is new in SARIF.
      const newPem = makeCert({
        cn: 'new.ci.acme-corp.net',
        key: sharedKey({ type: 'ec' }),
        notBefore: daysFromNow(-50),
        notAfter: daysFromNow(-1),
      }).pem;
      fs.writeFileSync(path.join(work, 'deploy/new.pem'), newPem);
      assert.equal(run(['scan', '.', '--baseline', baselineFile], work).code, 1);
      assert.equal(run(['scan', '.', '--baseline', baselineFile, '--fail-on', 'expired'], work).code, 1);
      const sarif = sarifOf(['.', '--baseline', baselineFile], work).runs[0].results;
      const states = new Map(sarif.map((r) => [`${r.ruleId} ${r.locations[0].physicalLocation.artifactLocation.uri}`, r.baselineState]));
      assert.equal(states.get('expired deploy/new.pem'), 'new');
      assert.equal(states.get('expired deploy/renamed.pem'), 'unchanged');
      assert.equal(states.get('invalid-base64 deploy/broken.pem'), 'unchanged');
      const plain = sarifOf(['.'], work).runs[0].results;
      assert.ok(
        plain.every((r) => r.baselineState === undefined),
        'no baselineState without a baseline',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('baseline: a missing or corrupt file is an error naming it (exit 2)', () => {
    const dir = tempDir('certlens-baseline-bad-');
    try {
      const missing = path.join(dir, 'missing.json');
      const r = run(['scan', '.', '--baseline', missing], repo);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        new RegExp(`^certlens: cannot read the baseline ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file`),
      );
      for (const [name, text, why] of [
        ['truncated.json', '{"version": 1, "entries": [', /not JSON/],
        ['other.json', '{"version": 7, "entries": []}', /version 7 is not supported/],
        ['entries.json', '{"version": 1, "entries": [{"code": "expired"}]}', /entry 1 needs "code" and "file"/],
        ['sha.json', '{"version": 1, "entries": [{"code": "expired", "file": "a", "sha256": "xyz"}]}', /not a SHA-256/],
      ] as const) {
        fs.writeFileSync(path.join(dir, name), text);
        const bad = run(['scan', '.', '--baseline', path.join(dir, name)], repo);
        assert.equal(bad.code, 2, name);
        assert.ok(bad.stderr.includes(`the baseline ${path.join(dir, name)} is not valid`), bad.stderr);
        assert.match(bad.stderr, why);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('baseline matching: certificates by SHA-256 and code, endpoints by host, code and served certificate, other problems by file and code', () => {
    const sha = 'a'.repeat(64);
    const root = path.join(path.sep, 'r');
    const findings = [
      { code: 'expired', file: path.join(root, 'a.pem'), sha256: sha },
      { code: 'host-untrusted', file: path.join(root, 'app.yaml'), host: 'db.internal:5432' },
      { code: 'expires-warning', file: path.join(root, 'app.yaml'), host: 'api.internal:443', sha256: sha },
      { code: 'invalid-base64', file: path.join(root, 'x', 'b.pem') },
      { code: 'expired', file: path.join(root, 'a.pem'), sha256: sha },
    ];
    const baseline = createBaseline(findings, root);
    assert.equal(baseline.entries.length, 4, 'repeats are one entry');
    assert.deepEqual(
      baseline.entries.map((e) => e.file),
      ['a.pem', 'app.yaml', 'app.yaml', 'x/b.pem'],
    );
    const m = new BaselineMatcher(parseBaseline(JSON.stringify(baseline)), root);
    assert.ok(m.matches({ code: 'expired', file: path.join(root, 'elsewhere.pem'), sha256: sha }));
    assert.ok(!m.matches({ code: 'expires-critical', file: path.join(root, 'a.pem'), sha256: sha }), 'another code');
    assert.ok(!m.matches({ code: 'expired', file: path.join(root, 'a.pem'), sha256: 'b'.repeat(64) }), 'another certificate');
    assert.ok(m.matches({ code: 'host-untrusted', file: path.join(root, 'other.yaml'), host: 'db.internal:5432' }));
    assert.ok(
      !m.matches({ code: 'expires-warning', file: path.join(root, 'app.yaml'), host: 'api.internal:443', sha256: 'c'.repeat(64) }),
      'a renewed certificate on the endpoint',
    );
    assert.ok(m.matches({ code: 'invalid-base64', file: path.join(root, 'x', 'b.pem') }));
    assert.ok(!m.matches({ code: 'invalid-base64', file: path.join(root, 'y', 'b.pem') }));
  });
});
