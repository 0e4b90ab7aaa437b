import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHOICES, configFrom, DEFAULTS, FILE_CONTEXTS, SCOPES, SETTING_KEYS, type SettingKey } from '../../src/extension/settings';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
type Declared = { default?: unknown; enum?: unknown[]; scope?: string; type?: string; description?: string; markdownDescription?: string };
/** The settings UI's categories: contributes.configuration is an array of { title, order, properties }. */
const categories: { title: string; order: number; properties: Record<string, Declared> }[] = pkg.contributes.configuration;
/** Every setting of every category (a key declared twice would be lost here: a test below counts them). */
const declared: Record<string, Declared> = Object.assign({}, ...categories.map((c) => c.properties));

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('settings: one typed source of defaults', () => {
  it('groups the settings in titled categories with an order, every setting in exactly one', () => {
    assert.ok(Array.isArray(categories) && categories.length >= 5, 'contributes.configuration is an array of categories');
    const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8'));
    for (const c of categories) {
      assert.match(c.title, /^%config\.category\.[\w.]+%$/, `${c.title}: a translated title`);
      assert.ok(c.title.slice(1, -1) in nls, c.title);
      assert.ok(Object.keys(c.properties).length > 0, `${c.title} is empty`);
    }
    assert.deepEqual(
      categories.map((c) => c.order),
      categories.map((_, i) => i + 1),
      'orders 1, 2, 3... in the order the categories are declared',
    );
    const seen = new Map<string, number>();
    for (const c of categories) for (const key of Object.keys(c.properties)) seen.set(key, (seen.get(key) ?? 0) + 1);
    assert.deepEqual(
      [...seen.entries()].filter(([, n]) => n !== 1),
      [],
      'settings in more than one category',
    );
    assert.deepEqual([...seen.keys()].sort(), SETTING_KEYS.map((k) => `certlens.${k}`).sort(), 'settings in no category');
    const thresholds = categories.find((c) => 'certlens.criticalDays' in c.properties)!;
    assert.equal(thresholds.order, 1, 'the thresholds come first');
    for (const key of ['warningDays', 'infoDays']) assert.ok(`certlens.${key}` in thresholds.properties, key);
    const hosts = categories.find((c) => 'certlens.hosts.enabled' in c.properties)!;
    for (const key of SETTING_KEYS.filter((k) => k.startsWith('hosts.'))) assert.ok(`certlens.${key}` in hosts.properties, key);
  });

  it('gives every setting taking globs, lists or objects a Markdown description with an example; plain descriptions have no Markdown', () => {
    const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const text = (s: string | undefined) => (s && /^%.+%$/.test(s) ? nls[s.slice(1, -1)] : s);
    for (const [key, p] of Object.entries(declared)) {
      assert.ok((p.description === undefined) !== (p.markdownDescription === undefined), `${key}: one description`);
      assert.ok(text(p.description ?? p.markdownDescription), `${key}: its description is in package.nls.json`);
      if (p.description !== undefined)
        assert.doesNotMatch(text(p.description)!, /`|#certlens\.|\*\*/, `${key}: Markdown in a plain description`);
      if (p.type === 'array' || p.type === 'object')
        assert.match(text(p.markdownDescription) ?? '', /Example: `[^`]+`/, `${key} takes a list or an object: show an example`);
    }
  });

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
