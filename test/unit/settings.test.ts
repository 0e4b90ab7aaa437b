import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHOICES, configFrom, DEFAULTS, FILE_CONTEXTS, SCOPES, SETTING_KEYS, type SettingKey } from '../../src/extension/settings';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const declared: Record<string, { default?: unknown; enum?: unknown[]; scope?: string }> = pkg.contributes.configuration.properties;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('settings: one typed source of defaults', () => {
  it('declares in package.json exactly the settings DEFAULTS has', () => {
    assert.deepEqual(Object.keys(declared).sort(), SETTING_KEYS.map((k) => `certlens.${k}`).sort());
  });

  it('declares the same default as DEFAULTS for every setting', () => {
    for (const key of SETTING_KEYS) assert.deepEqual(declared[`certlens.${key}`].default, DEFAULTS[key], key);
  });

  it('declares the same choices as CHOICES for every enum setting', () => {
    const enums = Object.entries(declared)
      .filter(([, p]) => p.enum)
      .map(([k]) => k.replace(/^certlens\./, ''))
      .sort();
    assert.deepEqual(enums, Object.keys(CHOICES).sort());
    for (const [key, choices] of Object.entries(CHOICES)) assert.deepEqual(declared[`certlens.${key}`].enum, [...choices], key);
  });

  it('declares the same scope as SCOPES for every setting (no scope is window scope)', () => {
    for (const key of SETTING_KEYS) assert.equal(declared[`certlens.${key}`].scope ?? 'window', SCOPES[key], key);
  });

  it('makes the thresholds folder settings, as multi-root workspaces read them, and the certificate limit a window one', () => {
    for (const key of ['criticalDays', 'warningDays', 'infoDays', 'criticalLifetimeShare', 'lifetimeShare', 'infoLifetimeShare'] as const)
      assert.equal(SCOPES[key], 'resource', key);
    assert.equal(SCOPES.maxCertificatesPerFile, 'window');
  });

  it('has a certlens.context setting for every file context', () => {
    for (const context of FILE_CONTEXTS) assert.ok(`certlens.context.${context}` in declared, context);
  });

  it('reads settings in config.ts only', () => {
    const config = path.join(root, 'src', 'extension', 'config.ts');
    const offenders = sources(path.join(root, 'src')).filter(
      (f) => f !== config && /\bgetConfiguration\s*\(/.test(fs.readFileSync(f, 'utf8')),
    );
    assert.deepEqual(
      offenders.map((f) => path.relative(root, f)),
      [],
    );
  });

  it('listens to setting changes in config.ts only (features subscribe through onDidChangeConfig)', () => {
    const config = path.join(root, 'src', 'extension', 'config.ts');
    const offenders = sources(path.join(root, 'src')).filter(
      (f) => f !== config && /\bonDidChangeConfiguration\b/.test(fs.readFileSync(f, 'utf8')),
    );
    assert.deepEqual(
      offenders.map((f) => path.relative(root, f)),
      [],
    );
  });
});

describe('configFrom', () => {
  const from = (values: Partial<Record<SettingKey, unknown>>) => configFrom((key) => values[key]);

  it('gives the defaults for unset settings', () => {
    const c = from({});
    assert.equal(c.rules.criticalDays, DEFAULTS.criticalDays);
    assert.equal(c.nonProduction, 'hint');
    assert.deepEqual(c.context, { production: [], test: [], example: [], documentation: [], vendored: [] });
    assert.equal(c.hosts.includeNonProduction, false);
    assert.equal(c.hosts.unreachableSeverity, 'info');
    assert.deepEqual(c['diagnostics.severity'], DEFAULTS['diagnostics.severity']);
  });

  it('types every value as set', () => {
    const c = from({
      criticalDays: 3,
      nonProduction: 'hide',
      'context.test': ['qa/**'],
      'hosts.includeNonProduction': true,
      'hosts.unreachableSeverity': 'warning',
      'codeLens.enabled': false,
      'ignore.fingerprints': ['AB:CD'],
      snoozes: { FF: '2030-01-01T00:00:00Z', ee: 'never' },
    });
    assert.equal(c.rules.criticalDays, 3);
    assert.equal(c.nonProduction, 'hide');
    assert.deepEqual(c.context.test, ['qa/**']);
    assert.equal(c.hosts.includeNonProduction, true);
    assert.equal(c.hosts.unreachableSeverity, 'warning');
    assert.equal(c['codeLens.enabled'], false);
    assert.deepEqual([...c.rules.ignore], ['abcd']);
    assert.deepEqual(c['ignore.fingerprints'], ['AB:CD'], 'kept as written for the Ignore command');
    assert.deepEqual([...c.rules.snoozed], [['ff', Date.parse('2030-01-01T00:00:00Z')]]);
  });

  it('falls back to the default for a value of the wrong kind or outside an enum', () => {
    const c = from({
      criticalDays: '3',
      maxFileSize: Number.NaN,
      include: '**/*.pem',
      exclude: [1],
      nonProduction: 'loud',
      'hosts.unreachableSeverity': 'Error',
      snoozes: [],
    });
    assert.equal(c.rules.criticalDays, DEFAULTS.criticalDays);
    assert.equal(c.maxFileSize, DEFAULTS.maxFileSize);
    assert.deepEqual(c.include, DEFAULTS.include);
    assert.deepEqual(c.exclude, DEFAULTS.exclude);
    assert.equal(c.nonProduction, DEFAULTS.nonProduction);
    assert.equal(c.hosts.unreachableSeverity, DEFAULTS['hosts.unreachableSeverity']);
    assert.deepEqual(c.snoozes, {});
  });

  it("reads each setting at its declared scope: a folder's value for resource settings, the window's for window settings", () => {
    const folder: Partial<Record<SettingKey, unknown>> = {
      criticalDays: 3,
      'ignore.paths': ['a/**'],
      'statusBar.enabled': false,
      'hosts.timeoutMs': 1,
    };
    const window: Partial<Record<SettingKey, unknown>> = {
      criticalDays: 5,
      'ignore.paths': ['b/**'],
      'statusBar.enabled': true,
      'hosts.timeoutMs': 2,
    };
    const asked = new Map<SettingKey, string>();
    const c = configFrom((key, scope) => {
      asked.set(key, scope);
      return (scope === 'resource' ? folder : window)[key];
    });
    assert.equal(c.rules.criticalDays, 3);
    assert.equal(c.criticalDays, 3);
    assert.deepEqual(c['ignore.paths'], ['a/**']);
    assert.equal(c['statusBar.enabled'], true);
    assert.equal(c.hosts.timeoutMs, 2);
    assert.deepEqual([...asked.keys()].sort(), [...SETTING_KEYS].sort(), 'every setting read once');
    assert.equal(asked.get('maxCertificatesPerFile'), 'window');
    assert.equal(asked.get('hosts.includeNonProduction'), 'resource');
  });

  it('groups hosts.* and context.* settings by their name after the prefix', () => {
    const c = from({ 'hosts.timeoutMs': 1234, 'hosts.extra': ['a.test:443'], 'context.vendored': ['third_party/**'] });
    assert.equal(c.hosts.timeoutMs, 1234);
    assert.deepEqual(c.hosts.extra, ['a.test:443']);
    assert.deepEqual(c.context.vendored, ['third_party/**']);
    assert.deepEqual(
      Object.keys(c.hosts).sort(),
      SETTING_KEYS.filter((k) => k.startsWith('hosts.'))
        .map((k) => k.slice(6))
        .sort(),
    );
  });

  it('keeps the default severities a partial diagnostics.severity leaves out', () => {
    assert.deepEqual(from({ 'diagnostics.severity': { warning: 'Hint' } })['diagnostics.severity'], {
      error: 'Error',
      warning: 'Hint',
      info: 'Information',
      hint: 'Hint',
    });
  });
});
