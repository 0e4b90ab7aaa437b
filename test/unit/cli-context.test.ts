import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeCert } from '../support/certs';
import type { Report } from '../../src/core/report/schema';
import { sharedKey, tempDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function run(args: string[], cwd?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[], cwd?: string): Report {
  const r = run([...args, '--format', 'json', '--fail-on', 'never'], cwd);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

/** "relative/path code severity context" per finding, sorted. */
function findingsOf(report: Report, root: string): string[] {
  return report.findings.map((f) => `${path.relative(root, f.file)} ${f.code} ${f.severity} ${f.context}`).sort();
}

describe('CLI: file contexts and non-production findings', () => {
  let tree: string;
  let onlyTests: string;
  before(() => {
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    const key = sharedKey({ type: 'ec' });
    const expired = (cn: string) => makeCert({ cn, key, notBefore: daysFromNow(-100), notAfter: daysFromNow(-5) }).pem;
    const root = (cn: string, days: number) =>
      makeCert({ cn, key, ca: true, notBefore: daysFromNow(-4000), notAfter: daysFromNow(days) }).pem;
    tree = tempDir('certlens-context-');
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
      fs.writeFileSync(path.join(tree, rel), text);
    };
    write('deploy/tls.crt', expired('prod.acme.io'));
    write('test/fixtures/expired.pem', expired('fixture.acme.io'));
    write(
      'pkg/tls/handshake_test.go',
      `package tls\n\nconst testCert = \`${expired('gotest.test')}\`\n\nconst header = "-----BEGIN CERTIFICATE-----"\n`,
    );
    write(
      'docs/setup.md',
      `# Setup\n\n\`\`\`\n${expired('docs.example')}\`\`\`\n\n\`\`\`\n-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n\`\`\`\n`,
    );
    write('vendor/github.com/acme/lib/ca.pem', expired('vendored.acme.io'));
    write('examples/deploy/cert.pem', expired('example.acme.io'));
    write('config/values.yaml', 'tls:\n  ca.crt: "CA1"\n');
    write('tests/values.yaml', 'tls:\n  ca.crt: "CA1"\n');
    write('certs/ca-certificates.crt', root('Old Root', -30) + root('Good Root', 3000));
    onlyTests = tempDir('certlens-context-tests-');
    fs.mkdirSync(path.join(onlyTests, 'tests'));
    fs.writeFileSync(path.join(onlyTests, 'tests', 'expired.pem'), expired('only.test'));
  });
  after(() => {
    fs.rmSync(tree, { recursive: true, force: true });
    fs.rmSync(onlyTests, { recursive: true, force: true });
  });

  it('makes findings outside production hints by default, and writes every context', () => {
    const report = json(['scan', tree]);
    assert.deepEqual(findingsOf(report, tree), [
      'certs/ca-certificates.crt expired hint production',
      'config/values.yaml invalid-certificate error production',
      'deploy/tls.crt expired error production',
      'docs/setup.md expired hint documentation',
      'examples/deploy/cert.pem expired hint example',
      'pkg/tls/handshake_test.go expired hint test',
      'test/fixtures/expired.pem expired hint test',
      'tests/values.yaml invalid-certificate hint test',
      'vendor/github.com/acme/lib/ca.pem expired hint vendored',
    ]);
    assert.match(
      report.findings.find((f) => f.file.endsWith('ca-certificates.crt'))!.message,
      /^Expired root in a trust store: unused, consider removing it \(CN=Old Root/,
    );
    const contexts = Object.fromEntries(report.certificates.map((c) => [c.subjectCN, c.context]));
    assert.deepEqual(contexts, {
      'prod.acme.io': 'production',
      'fixture.acme.io': 'test',
      'gotest.test': 'test',
      'docs.example': 'documentation',
      'vendored.acme.io': 'vendored',
      'example.acme.io': 'example',
      'Old Root': 'production',
      'Good Root': 'production',
    });
    assert.deepEqual(report.summary, {
      production: { certificates: 3, findings: 3, expired: 2, error: 2, warning: 0, info: 0, hint: 1 },
      nonProduction: { certificates: 5, findings: 6, expired: 5, error: 0, warning: 0, info: 0, hint: 6 },
    });
  });

  it('fails on hints only with --fail-on hint', () => {
    assert.equal(run(['scan', tree]).code, 1, 'the production certificate expired');
    assert.equal(run(['scan', onlyTests]).code, 0);
    assert.equal(run(['scan', onlyTests, '--fail-on', 'info']).code, 0);
    assert.equal(run(['scan', onlyTests, '--fail-on', 'expired']).code, 0);
    assert.equal(run(['scan', onlyTests, '--fail-on', 'hint']).code, 1);
    assert.equal(run(['scan', onlyTests, '--non-production', 'normal']).code, 1);
    assert.equal(run(['scan', onlyTests, '--non-production', 'normal', '--fail-on', 'expired']).code, 1);
  });

  it('--non-production normal reports them as in production; exclude drops the findings but keeps the certificates', () => {
    const normal = json(['scan', tree, '--non-production', 'normal']);
    assert.deepEqual(
      normal.findings.filter((f) => f.severity === 'hint').map((f) => path.relative(tree, f.file)),
      ['certs/ca-certificates.crt'],
      'only the trust-store root',
    );
    assert.equal(normal.findings.filter((f) => f.severity === 'error').length, 8);
    const excluded = json(['scan', tree, '--non-production', 'exclude']);
    assert.deepEqual(findingsOf(excluded, tree), [
      'certs/ca-certificates.crt expired hint production',
      'config/values.yaml invalid-certificate error production',
      'deploy/tls.crt expired error production',
    ]);
    assert.equal(excluded.certificates.length, 8, 'nothing is hidden');
    assert.equal(run(['scan', onlyTests, '--non-production', 'exclude', '--fail-on', 'hint']).code, 0);
  });

  it('takes --production and the other context globs over the conventions', () => {
    const report = json([
      'scan',
      tree,
      '--production',
      'examples/deploy/**',
      '--vendored',
      'certs/**',
      '--test',
      'deploy/*.crt',
      '--test',
      'nothing/**',
    ]);
    const of = (rel: string) => report.findings.find((f) => f.file === path.join(tree, rel));
    assert.deepEqual([of('examples/deploy/cert.pem')?.severity, of('examples/deploy/cert.pem')?.context], ['error', 'production']);
    assert.deepEqual([of('deploy/tls.crt')?.severity, of('deploy/tls.crt')?.context], ['hint', 'test']);
    assert.equal(of('certs/ca-certificates.crt')?.context, 'vendored');
    assert.equal(report.certificates.find((c) => c.subjectCN === 'example.acme.io')?.context, 'production');
  });

  it('classifies relative to the scanned folder, and a file named on its own relative to the working directory', () => {
    const inside = json(['scan', path.join(tree, 'test')]);
    assert.deepEqual(
      inside.certificates.map((c) => c.context),
      ['test'],
      'fixtures/ is still a test folder',
    );
    const scannedFolder = json(['scan', path.join(tree, 'test', 'fixtures')]);
    assert.deepEqual(
      scannedFolder.certificates.map((c) => c.context),
      ['production'],
      'the folder scanned is the project',
    );
    const named = json(['scan', 'test/fixtures/expired.pem', 'deploy/tls.crt'], tree);
    assert.deepEqual(named.certificates.map((c) => `${c.subjectCN} ${c.context}`).sort(), [
      'fixture.acme.io test',
      'prod.acme.io production',
    ]);
  });

  it('writes hints as SARIF level none with the context, a context CSV column, and a table that counts hint problems', () => {
    const sarif = JSON.parse(run(['scan', tree, '--format', 'sarif', '--fail-on', 'never']).stdout);
    const results = sarif.runs[0].results as {
      level: string;
      properties: { context: string };
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
    }[];
    const fixture = results.find((r) => r.locations[0].physicalLocation.artifactLocation.uri === 'test/fixtures/expired.pem');
    assert.deepEqual([fixture?.level, fixture?.properties.context], ['none', 'test']);
    assert.ok(results.some((r) => r.level === 'error' && r.properties.context === 'production'));
    const csv = run(['scan', tree, '--format', 'csv', '--fail-on', 'never']).stdout.trim().split('\r\n');
    assert.match(csv[0], /,context,owners$/);
    assert.ok(csv.some((l) => l.includes('vendored.acme.io') && l.endsWith(',vendored,')));
    const table = run(['scan', tree, '--fail-on', 'never']).stdout;
    assert.match(table, /config\/values\.yaml:2:\d+: error: /);
    assert.doesNotMatch(table, /tests\/values\.yaml/);
    assert.match(table, /1 problem in test, example, documentation or vendored files not listed/);
    assert.match(table, /9 findings \(7 hints\)/);
  });

  it('rejects unknown levels and policies', () => {
    for (const args of [
      ['scan', tree, '--non-production', 'hide'],
      ['scan', tree, '--fail-on', 'notice'],
      ['scan', tree, '--production'],
    ]) {
      const r = run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^certlens: /);
    }
  });
});
