import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { daysFromNow, makeCert } from '../support/certs';
import { FakeClock } from '../support/fakeClock';
import { DAY_MS, type Finding } from '../../src/core/model';
import type { Report } from '../../src/core/report/schema';
import { FINDING_CODES } from '../../src/core/report/findingCodes';
import { DEFAULT_RULES } from '../../src/core/rules/rules';
import { fileFindings } from '../../src/core/findings/fileFindings';
import {
  folderToClassify,
  parseTeamConfig as parseWithCodes,
  TEAM_CONFIG_KEYS,
  TeamConfigs,
  withContextGlob,
  withIgnore,
  type TeamConfig,
} from '../../src/core/teamConfig';
import { findTeamConfigs } from '../../src/cli/teamConfig';
import { type ModelSettings, WorkspaceModel } from '../../src/core/workspace/model';
import { parseText, scanTree, sharedKey, tempDir } from './helpers';

/** The loader as the CLI and the editor call it: ignore.code checked against every finding code. */
const parseTeamConfig = (file: string, text: string) => parseWithCodes(file, text, { codes: Object.keys(FINDING_CODES) });
const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist/cli.js');
const SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/certlens-config.schema.json'), 'utf8')) as Schema;

/** "line:column severity message-start" of each problem (1-based, as an editor shows them). */
const problemsOf = (c: TeamConfig) =>
  c.problems.map((p) => `${p.range.start.line + 1}:${p.range.start.character + 1} ${p.severity} ${p.message}`);

describe('team config: reading .certlens.yaml', () => {
  it('reads every key', () => {
    const c = parseTeamConfig(
      '/repo/.certlens.yaml',
      [
        'version: 1',
        'context:',
        '  example: [certs.example/**, config/artifacts.example/**]',
        '  test: ["charts/*/ci/**"]',
        'ignore:',
        '  - fingerprint: "AB:' + 'CD:'.repeat(30) + 'EF"',
        '    reason: the platform team rotates it',
        '  - path: legacy/**',
        '    code: expired',
        '    reason: decommissioned in January',
        '    until: 2027-01-31',
        'thresholds:',
        '  warningDays: 45',
        '  lifetimeShare: 1/4',
        '  overrides:',
        '    - paths: [short-lived/**]',
        '      criticalDays: 1',
        'hosts:',
        '  skip: ["*.internal.example", "db.example.com:5432"]',
        '  resolve: {"api.example.com:443": "10.0.0.5:8443"}',
        'failOn: warning',
      ].join('\n'),
    );
    assert.deepEqual(c.problems, []);
    assert.equal(c.folder, '/repo');
    assert.deepEqual(c.context, { example: ['certs.example/**', 'config/artifacts.example/**'], test: ['charts/*/ci/**'] });
    assert.equal(c.ignore.length, 2);
    assert.equal(c.ignore[0].fingerprint, 'ab' + 'cd'.repeat(30) + 'ef');
    assert.equal(c.ignore[1].path, 'legacy/**');
    assert.equal(c.ignore[1].code, 'expired');
    assert.equal(c.ignore[1].untilMs, Date.UTC(2027, 1, 1), 'ignored through the 31st, back on February 1st (UTC)');
    assert.deepEqual(c.thresholds, { warningDays: 45, lifetimeShare: 0.25 });
    assert.deepEqual(c.overrides, [{ paths: ['short-lived/**'], thresholds: { criticalDays: 1 } }]);
    assert.deepEqual(c.hosts, { skip: ['*.internal.example', 'db.example.com:5432'], resolve: { 'api.example.com:443': '10.0.0.5:8443' } });
    assert.equal(c.failOn, 'warning');
  });

  it('reads .certlens.json with the same positions', () => {
    const c = parseTeamConfig('/repo/.certlens.json', '{\n  "version": 1,\n  "failOn": "sometimes"\n}\n');
    assert.deepEqual(problemsOf(c), ['3:13 error failOn must be one of expired, error, warning, info, hint, never.']);
  });

  it('locates every bad entry, keeps the good ones, and warns of unknown keys with a suggestion', () => {
    const c = parseTeamConfig(
      '/repo/.certlens.yaml',
      [
        'version: 2',
        'contxt:',
        '  test: [a/**]',
        'context:',
        '  examples: [b/**]',
        '  test: [../outside/**, ok/**]',
        'ignore:',
        '  - path: x/**',
        '  - fingerprint: nothex',
        '    reason: r',
        '  - path: y/**',
        '    reason: r',
        '    until: 2027-02-30',
        '  - path: z/**',
        '    code: expird',
        '    reason: r',
        '  - path: good/**',
        '    reason: kept',
        'thresholds:',
        '  warnDays: 3',
        '  criticalDays: -1',
        '  lifetimeShare: 2',
      ].join('\n'),
    );
    assert.deepEqual(problemsOf(c), [
      '1:10 error version must be 1 (the version this CertLens reads).',
      '2:1 warning Unknown key "contxt" in the team config (did you mean "context"?): it is not read.',
      '5:3 warning Unknown key "examples" in context (did you mean "example"?): it is not read.',
      '6:9 error context.test: "../outside/**" leaves the config\'s folder; globs are relative to it.',
      '8:5 error An ignore entry needs a reason (why the team ignores it).',
      '9:18 error ignore.fingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed).',
      '13:12 error ignore.until must be a date written YYYY-MM-DD.',
      '15:11 error ignore.code must be a finding code such as expired or expires-warning (did you mean "expired"?).',
      '20:3 warning Unknown key "warnDays" in thresholds (did you mean "warningDays"?): it is not read.',
      '21:17 error thresholds.criticalDays must be a whole number of days (0 or more).',
      '22:18 error thresholds.lifetimeShare must be a share of the lifetime from 0 to 1, such as 0.25 or "1/3".',
    ]);
    assert.deepEqual(c.context, { test: ['ok/**'] });
    assert.deepEqual(
      c.ignore.map((i) => i.path),
      ['good/**'],
    );
    assert.deepEqual(c.thresholds, {});
  });

  it('never throws: broken YAML, other documents, and random bytes are problems', () => {
    const broken = parseTeamConfig('/r/.certlens.yaml', 'context:\n  test: [a,\nfailOn');
    assert.ok(broken.problems.length > 0 && broken.problems.every((p) => p.severity === 'error'));
    assert.equal(broken.problems[0].range.start.line >= 1, true, 'located where the flow sequence breaks');
    assert.deepEqual(problemsOf(parseTeamConfig('/r/.certlens.yaml', '- a\n- b\n')), [
      '1:1 error A team config is a mapping of keys (version, context, ignore, thresholds, hosts, failOn).',
    ]);
    assert.deepEqual(parseTeamConfig('/r/.certlens.yaml', '').problems, []);
    assert.deepEqual(parseTeamConfig('/r/.certlens.yaml', '# only a comment\n').problems, []);
    const dup = parseTeamConfig('/r/.certlens.yaml', 'failOn: error\nfailOn: warning\n');
    assert.equal(dup.problems[0].severity, 'error', 'a repeated key');
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = 'ab:-[]{}"\'\n #&*!|>%@`,?0123456789\t';
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: Math.floor(rnd() * 80) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const c = parseTeamConfig('/r/.certlens.yaml', text);
      for (const p of c.problems) assert.ok(p.range.start.line >= 0 && p.range.start.character >= 0, text);
    }
  });
});

describe('team config: applying it to files', () => {
  const team = new TeamConfigs([
    parseTeamConfig(
      '/repo/.certlens.yaml',
      'context: {example: [certs.example/**]}\nthresholds: {warningDays: 40}\nignore:\n  - {path: "old/**", reason: gone, until: 2027-01-31}\n  - {path: "charts/**", code: expires-warning, reason: chart default}\n',
    ),
    parseTeamConfig(
      '/repo/sub/.certlens.yaml',
      'context: {test: [fixtures/**]}\nthresholds: {warningDays: 20, overrides: [{paths: ["short/**"], warningDays: 60, lifetimeShare: 0.6}]}\n',
    ),
  ]);

  it('joins context globs under a root, a subfolder prefixed with its path', () => {
    assert.deepEqual(team.contextGlobs('/repo', { test: ['t/**'] }), { test: ['t/**', 'sub/fixtures/**'], example: ['certs.example/**'] });
    assert.deepEqual(team.contextGlobs('/repo/sub'), { test: ['fixtures/**'] });
  });

  it('thresholds: a subfolder overrides its parent, overrides match under their folder, explicit values win', () => {
    assert.equal(team.rulesFor('/repo/a.pem', DEFAULT_RULES).warningDays, 40);
    assert.equal(team.rulesFor('/repo/sub/a.pem', DEFAULT_RULES).warningDays, 20);
    const short = team.rulesFor('/repo/sub/short/a.pem', DEFAULT_RULES);
    assert.deepEqual([short.warningDays, short.lifetimeShare, short.criticalDays], [60, 0.6, DEFAULT_RULES.criticalDays]);
    assert.equal(team.rulesFor('/repo/short/a.pem', DEFAULT_RULES).warningDays, 40, 'the override is relative to sub/');
    assert.equal(team.rulesFor('/repo/sub/short/a.pem', DEFAULT_RULES, { warningDays: 10 }).warningDays, 10);
    assert.equal(team.rulesFor('/elsewhere/a.pem', DEFAULT_RULES), DEFAULT_RULES);
  });

  it('ignores: by path and code, until the day after the date', () => {
    const jan = Date.UTC(2027, 0, 31, 23, 59);
    const feb = Date.UTC(2027, 1, 1);
    assert.deepEqual(team.ignoreOf({ file: '/repo/old/x.pem', code: 'expired' }, jan), {
      by: '/repo/.certlens.yaml',
      reason: 'gone',
      until: '2027-01-31',
    });
    assert.equal(team.ignoreOf({ file: '/repo/old/x.pem', code: 'expired' }, feb), undefined);
    assert.equal(team.nextIgnoreChange('/repo/old/x.pem', jan), feb);
    assert.ok(team.ignoreOf({ file: '/repo/charts/a/ca.pem', code: 'expires-warning' }, feb));
    assert.equal(team.ignoreOf({ file: '/repo/charts/a/ca.pem', code: 'expired' }, feb), undefined);
  });

  it('a 90-day certificate under an override glob warns at its thresholds, elsewhere at the defaults', () => {
    const key = sharedKey({ type: 'ec' });
    const now = Date.now();
    // 90 days of lifetime, 50 left: the defaults say nothing yet (information from 45 days left, a warning from 30).
    const pem = makeCert({ cn: 'api.acme.io', key, notBefore: new Date(now - 40 * DAY_MS), notAfter: new Date(now + 50 * DAY_MS) }).pem;
    const codes = (file: string) =>
      fileFindings({
        result: { ...parseText('x.pem', pem), file },
        now,
        rules: team.rulesFor(file, DEFAULT_RULES),
        manifests: [],
        context: 'production',
        policy: 'hint',
      }).map((f) => `${f.code} ${f.severity}`);
    assert.deepEqual(codes('/repo/sub/short/api.pem'), ['expires-warning warning']);
    assert.deepEqual(codes('/repo/sub/api.pem'), []);
    assert.deepEqual(codes('/elsewhere/api.pem'), []);
  });

  it('finds configs in subfolders, skipping what the scan skips', () => {
    const dir = tempDir('certlens-team-find-');
    for (const f of ['.certlens.yaml', 'a/.certlens.json', 'a/.certlens.yml', 'node_modules/x/.certlens.yaml']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '{}\n');
    }
    const found = findTeamConfigs(dir).map((c) => [path.relative(dir, c.file), c.problems.map((p) => p.message)] as const);
    assert.deepEqual(found.sort(), [
      ['.certlens.yaml', []],
      ['a/.certlens.yml', ['.certlens.json in the same folder is not read: .certlens.yml is.']],
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('team config: edits the quick fixes make', () => {
  it('adds a context glob, keeping the rest of the text and its comments', () => {
    const before = '# Our certificates\nversion: 1 # the format\ncontext:\n  test:\n    - test/** # the suite\nfailOn: warning\n';
    const after = withContextGlob('.certlens.yaml', before, 'example', 'certs.example/**');
    assert.equal(
      after,
      '# Our certificates\nversion: 1 # the format\ncontext:\n  test:\n    - test/** # the suite\n  example:\n    - certs.example/**\nfailOn: warning\n',
    );
    assert.equal(withContextGlob('.certlens.yaml', after, 'example', 'certs.example/**'), after, 'a glob already there is not added twice');
    assert.deepEqual(parseTeamConfig('/r/.certlens.yaml', after).problems, []);
  });

  it('adds an ignore entry, creating the file when there is none', () => {
    const fresh = withIgnore('.certlens.yaml', undefined, {
      fingerprint: 'ab'.repeat(32),
      reason: 'rotated by the platform',
      until: '2027-03-01',
    });
    const c = parseTeamConfig('/r/.certlens.yaml', fresh);
    assert.deepEqual(c.problems, []);
    assert.deepEqual(
      c.ignore.map((i) => [i.fingerprint, i.reason, i.until]),
      [['ab'.repeat(32), 'rotated by the platform', '2027-03-01']],
    );
    const second = withIgnore('.certlens.yaml', fresh, { path: 'legacy/**', reason: 'old' });
    assert.equal(parseTeamConfig('/r/.certlens.yaml', second).ignore.length, 2);
    assert.ok(second.startsWith(fresh.split('ignore:')[0]), 'the text before stays as it was');
    const json = withIgnore('.certlens.json', '{"version": 1}', { path: 'a/**', reason: 'r' });
    assert.deepEqual(JSON.parse(json), { version: 1, ignore: [{ path: 'a/**', reason: 'r' }] });
    assert.throws(() => withIgnore('.certlens.yaml', 'a: [\n', { path: 'a', reason: 'r' }), /cannot be read/);
  });

  it('names the folder to mark as examples', () => {
    assert.deepEqual(folderToClassify('certs.example/dev/tls.pem'), { folder: 'certs.example', example: true });
    assert.deepEqual(folderToClassify('config/artifacts.example/ca.pem'), { folder: 'config/artifacts.example', example: true });
    assert.deepEqual(folderToClassify('deploy/tls/ca.pem'), { folder: 'deploy/tls', example: false });
    assert.equal(folderToClassify('ca.pem'), undefined);
  });
});

// ---- The JSON Schema: the same keys as the loader, and the docs' examples valid under both ----

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  propertyNames?: Schema;
}

/** The errors of `value` under `schema` (the draft-07 keywords the schema uses). */
function validate(schema: Schema, value: unknown, at = '$'): string[] {
  const errors: string[] = [];
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (schema.type === 'integer' ? !Number.isInteger(value) : schema.type !== undefined && schema.type !== type)
    return [`${at}: not ${schema.type}`];
  if (schema.const !== undefined && value !== schema.const) errors.push(`${at}: not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: not in the enum`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: too short`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (schema.anyOf && !schema.anyOf.some((s) => validate(s, value, at).length === 0)) errors.push(`${at}: matches none of anyOf`);
  if (schema.oneOf && schema.oneOf.filter((s) => validate(s, value, at).length === 0).length !== 1)
    errors.push(`${at}: not exactly one of oneOf`);
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validate(schema.items!, v, `${at}[${i}]`)));
  if (type === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) errors.push(`${at}: ${r} is required`);
    for (const [k, v] of Object.entries(obj)) {
      if (schema.propertyNames) errors.push(...validate(schema.propertyNames, k, `${at}.${k} (name)`));
      const sub = schema.properties?.[k] ?? schema.additionalProperties;
      if (sub === false) errors.push(`${at}: ${k} is not allowed`);
      else if (sub && sub !== true) errors.push(...validate(sub, v, `${at}.${k}`));
    }
  }
  return errors;
}

describe('team config: the JSON Schema', () => {
  const objectAt: Record<keyof typeof TEAM_CONFIG_KEYS, Schema | undefined> = {
    '': SCHEMA,
    context: SCHEMA.properties?.context,
    'ignore[]': SCHEMA.properties?.ignore?.items,
    thresholds: SCHEMA.properties?.thresholds,
    'thresholds.overrides[]': SCHEMA.properties?.thresholds?.properties?.overrides?.items,
    hosts: SCHEMA.properties?.hosts,
  };

  it('declares the keys the loader reads, no more and no fewer, and closes every object', () => {
    for (const [where, keys] of Object.entries(TEAM_CONFIG_KEYS) as [keyof typeof TEAM_CONFIG_KEYS, readonly string[]][]) {
      const s = objectAt[where];
      assert.ok(s?.properties, `the schema has an object at "${where}"`);
      assert.deepEqual(Object.keys(s.properties).sort(), [...keys].sort(), `keys at "${where}"`);
      assert.equal(s.additionalProperties, false, `"${where}" allows no other keys (editors flag typos)`);
    }
    // Every object in the schema with properties is one the loader reads (none is left unchecked above).
    let objects = 0;
    const walk = (s: unknown) => {
      if (typeof s !== 'object' || s === null) return;
      if ((s as Schema).properties) objects++;
      Object.values(s).forEach(walk);
    };
    walk(SCHEMA);
    assert.equal(objects, Object.keys(TEAM_CONFIG_KEYS).length);
    assert.deepEqual(
      [...(SCHEMA.properties?.ignore?.items?.properties?.code?.enum ?? [])].sort(),
      Object.keys(FINDING_CODES).sort(),
      'ignore.code lists every finding code: add a new code to the enum in schemas/certlens-config.schema.json',
    );
  });

  it('agrees with the loader on good and bad values', () => {
    const cases: [string, boolean][] = [
      ['version: 1\nfailOn: warning', true],
      ['failOn: sometimes', false],
      ['version: 2', false],
      ['thresholds: {criticalDays: 3, lifetimeShare: "1/4"}', true],
      ['thresholds: {criticalDays: -3}', false],
      ['thresholds: {infoLifetimeShare: 1.5}', false],
      ['ignore: [{path: a/**}]', false],
      ['ignore: [{reason: r}]', false],
      ['ignore: [{path: a/**, reason: r, until: "2027-01-31"}]', true],
      ['ignore: [{fingerprint: xyz, reason: r}]', false],
      ['ignore: [{path: a, code: expired, reason: r}]', true],
      ['ignore: [{path: a, code: nope, reason: r}]', false],
      ['hosts: {skip: ["*.corp"], resolve: {"a.example:443": "127.0.0.1:8443"}}', true],
      ['hosts: {resolve: {"a.example": "127.0.0.1"}}', false],
      ['context: {test: [a/**], vendored: [lib/**]}', true],
      ['context: {tests: [a/**]}', false],
    ];
    for (const [text, ok] of cases) {
      const loaded = parseTeamConfig('/r/.certlens.yaml', text);
      const schemaErrors = validate(SCHEMA, parseDocument(text).toJS());
      assert.equal(loaded.problems.length === 0, ok, `loader on ${text}: ${problemsOf(loaded).join('; ')}`);
      assert.equal(schemaErrors.length === 0, ok, `schema on ${text}: ${schemaErrors.join('; ')}`);
    }
  });

  it('validates every example in docs/team-config.md, under the schema and the loader', () => {
    const doc = fs.readFileSync(path.join(REPO, 'docs/team-config.md'), 'utf8');
    const examples = [...doc.matchAll(/```(yaml|json)\n([\s\S]*?)```/g)].filter((m) => /^# \.certlens|^\{/.test(m[2]));
    assert.ok(examples.length >= 3, 'the page shows examples');
    for (const [, lang, text] of examples) {
      const loaded = parseTeamConfig(`/r/.certlens.${lang}`, text);
      assert.deepEqual(problemsOf(loaded), [], text);
      assert.deepEqual(validate(SCHEMA, parseDocument(text).toJS()), [], text);
    }
  });
});

// ---- One tree with a config: the CLI and the editor's model give the same findings ----

function run(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('team config: the CLI and the editor read it alike', function () {
  this.timeout(60_000);
  let tree: string;
  let legacySha: string;
  before(() => {
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    const key = sharedKey({ type: 'ec' });
    const expired = (cn: string) => makeCert({ cn, key, notBefore: daysFromNow(-100), notAfter: daysFromNow(-5) });
    const ninetyDay = makeCert({ cn: 'short.acme.io', key, notBefore: daysFromNow(-40), notAfter: daysFromNow(50) }).pem;
    tree = tempDir('certlens-team-');
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
      fs.writeFileSync(path.join(tree, rel), text);
    };
    const legacy = expired('legacy.acme.io');
    legacySha = createHash('sha256').update(legacy.der).digest('hex');
    write('deploy/tls.pem', expired('prod.acme.io').pem);
    write('certs.example/dev.pem', expired('dev.local').pem);
    write('legacy/old.pem', legacy.pem);
    write('old/gone.pem', expired('gone.acme.io').pem);
    write('short/api.pem', ninetyDay);
    write('sub/app/tls.pem', expired('sub.acme.io').pem);
    write(
      '.certlens.yaml',
      [
        '# the team says it once',
        'version: 1',
        'context:',
        '  example: [certs.example/**]',
        'ignore:',
        `  - fingerprint: ${legacySha}`,
        '    reason: decommissioned, the host is gone',
        '  - path: old/**',
        '    reason: came back after the date',
        '    until: 2020-01-31',
        'thresholds:',
        '  overrides:',
        '    - paths: [short/**]',
        '      warningDays: 60',
        '      lifetimeShare: 0.6',
        '  warnDays: 1',
      ].join('\n') + '\n',
    );
    write('sub/.certlens.yaml', 'ignore:\n  - path: app/tls.pem\n    code: expired\n    reason: the sub team renews it\n');
  });
  after(() => fs.rmSync(tree, { recursive: true, force: true }));

  const line = (file: string, code: string, severity: string, extra = '') => `${file} ${code} ${severity}${extra}`;
  const fromReport = (r: Report) =>
    r.findings
      .map((f) => line(path.relative(tree, f.file), f.code, f.severity, f.ignored ? ` ignored(${f.ignored.by}: ${f.ignored.reason})` : ''))
      .sort();

  it('the CLI reads it: contexts, ignores (marked in JSON), per-glob thresholds, problems located', () => {
    const r = run(['scan', tree, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fromReport(JSON.parse(r.stdout) as Report), [
      line('.certlens.yaml', 'team-config-invalid', 'warning'),
      line('certs.example/dev.pem', 'expired', 'hint'),
      line('deploy/tls.pem', 'expired', 'error'),
      line('legacy/old.pem', 'expired', 'error', ' ignored(.certlens.yaml: decommissioned, the host is gone)'),
      line('old/gone.pem', 'expired', 'error'),
      line('short/api.pem', 'expires-warning', 'warning'),
      line('sub/app/tls.pem', 'expired', 'error', ' ignored(sub/.certlens.yaml: the sub team renews it)'),
    ]);
    assert.match(r.stderr, /2 of 7 findings are ignored by the team config/);
    const table = run(['scan', tree, '--fail-on', 'never']).stdout;
    assert.ok(!table.includes('legacy/old.pem:1:1') && table.includes('.certlens.yaml:16:3: warning: Unknown key "warnDays"'), table);
  });

  it("the streamed JSON report (one line) is the whole-report path's, byte for byte, with a config", () => {
    const empty = path.join(tempDir('certlens-team-baseline-'), 'empty.json');
    fs.writeFileSync(empty, '{"version":1,"entries":[]}\n');
    const now = ['--now', new Date().toISOString(), '--fail-on', 'never', '--format', 'json'];
    const streamed = run(['scan', tree, ...now]);
    // A baseline (empty here) takes the whole-report path.
    const whole = run(['scan', tree, ...now, '--baseline', empty]);
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.equal(whole.code, 0, whole.stderr);
    const noMs = (text: string) => text.replace(/"ms":\d+/, '"ms":0');
    assert.equal(noMs(streamed.stdout), noMs(whole.stdout));
    assert.match(streamed.stdout, /"ignored":\{"by":"\.certlens\.yaml","reason":"decommissioned, the host is gone"\}/);
    assert.match(streamed.stderr, /2 of 7 findings are ignored by the team config/);
    assert.equal(run(['scan', tree]).code, 1, 'streamed or not, the ignored findings do not count');
  });

  it('the CLI: failOn, --config, --no-config, and flags winning over the file', () => {
    // Ignored findings do not count: two errors are left (deploy/, old/).
    assert.equal(run(['scan', tree]).code, 1);
    const clean = tempDir('certlens-team-clean-');
    fs.writeFileSync(path.join(clean, 'tls.pem'), fs.readFileSync(path.join(tree, 'short/api.pem')));
    fs.writeFileSync(path.join(clean, '.certlens.yaml'), 'failOn: warning\nthresholds: {warningDays: 60, lifetimeShare: 0.6}\n');
    assert.equal(run(['scan', clean]).code, 1, 'the file: warning at 60 days, and failOn warning');
    assert.equal(run(['scan', clean, '--fail-on', 'error']).code, 0, 'the flag wins over failOn');
    assert.equal(run(['scan', clean, '--warn-days', '30']).code, 0, 'the flag wins over warningDays');
    assert.equal(run(['scan', clean, '--no-config']).code, 0, 'no config: defaults');
    const other = path.join(clean, 'other.yaml');
    fs.writeFileSync(other, 'ignore: [{path: "*.pem", reason: all of them}]\nfailOn: info\n');
    const viaConfig = JSON.parse(run(['scan', clean, '--config', other, '--format', 'json']).stdout) as Report;
    assert.equal(viaConfig.findings.length, 0, 'with --config only that file is read');
    assert.equal(run(['scan', clean, '--config', other, '--no-config']).code, 2);
    fs.rmSync(clean, { recursive: true, force: true });
  });

  it('the pre-commit hook: staged files named on their own read the config from the repository root', () => {
    fs.mkdirSync(path.join(tree, '.git'), { recursive: true });
    try {
      // The hook's command: certlens scan --fail-on expired FILE... in the repository's root.
      const r = run(
        ['scan', '--fail-on', 'expired', '--format', 'json', 'certs.example/dev.pem', 'legacy/old.pem', 'sub/app/tls.pem'],
        tree,
      );
      assert.equal(r.code, 0, `an example and two ignored certificates do not stop the commit: ${r.stdout}`);
      assert.equal(run(['scan', '--fail-on', 'expired', 'deploy/tls.pem'], tree).code, 1, 'a deployed expired certificate does');
      assert.equal(run(['scan', '--fail-on', 'expired', '--no-config', 'legacy/old.pem'], tree).code, 1);
    } finally {
      fs.rmSync(path.join(tree, '.git'), { recursive: true, force: true });
    }
  });

  it('the editor model: an ignore ends at its date, and the clock wakes for it', () => {
    const day = Date.UTC(2030, 5, 10);
    const clock = new FakeClock(day - 3_600_000);
    const team = new TeamConfigs([parseTeamConfig('/ws/.certlens.yaml', 'ignore:\n  - {path: "a.pem", reason: r, until: 2030-06-09}\n')]);
    const key = sharedKey({ type: 'ec' });
    const pem = makeCert({ cn: 'a.acme.io', key, notBefore: new Date(day - 400 * DAY_MS), notAfter: new Date(day - 100 * DAY_MS) }).pem;
    const s: ModelSettings = { rules: DEFAULT_RULES, nonProduction: 'hint', context: {}, 'ignore.paths': [], team };
    const model = new WorkspaceModel({ clock, settingsFor: () => s, relativePath: (f) => f.slice(4), onChange: () => undefined });
    model.replaceAll([{ ...parseText('a.pem', pem), file: '/ws/a.pem' }]);
    model.announceAll();
    assert.deepEqual(model.findingsIn('/ws/a.pem'), [], 'ignored through June 9th (UTC)');
    assert.equal(model.nextChangeAt, day, 'the clock is set for the start of June 10th');
    clock.advance(3_600_000);
    assert.deepEqual(
      model.findingsIn('/ws/a.pem').map((f) => f.code),
      ['expired'],
      'back the day after',
    );
    model.dispose();
  });

  it('the editor model, through the same core, gives the same findings', async () => {
    const r = run(['scan', tree, '--format', 'json', '--fail-on', 'never']);
    const cli = (JSON.parse(r.stdout) as Report).findings.filter((f) => !f.ignored && f.code !== 'team-config-invalid');
    const team = new TeamConfigs(findTeamConfigs(tree));
    const { results } = await scanTree({ roots: [tree] });
    const byRules = new Map<string, ModelSettings>();
    const base = { nonProduction: 'hint' as const, context: team.contextGlobs(tree), 'ignore.paths': [], team };
    const model = new WorkspaceModel({
      clock: new FakeClock(Date.now()),
      settingsFor: (file) => {
        const rules = team.rulesFor(file, DEFAULT_RULES);
        const k = JSON.stringify(rules);
        let s = byRules.get(k);
        if (!s) byRules.set(k, (s = { ...base, rules }));
        return s;
      },
      relativePath: (file) => path.relative(tree, file),
      onChange: () => undefined,
    });
    model.replaceAll(results);
    const editor: Finding[] = model.findings();
    model.dispose();
    const show = (f: { file: string; code: string; severity: string; range: Finding['range'] }) =>
      `${path.relative(tree, f.file)}:${f.range.start.line} ${f.code} ${f.severity}`;
    assert.deepEqual(editor.map(show).sort(), cli.map(show).sort());
    assert.equal(editor.length, 4);
    assert.deepEqual(
      team.problemFindings().map((f) => `${path.relative(tree, f.file)}:${f.range.start.line + 1} ${f.code}`),
      ['.certlens.yaml:16 team-config-invalid'],
    );
  });
});
