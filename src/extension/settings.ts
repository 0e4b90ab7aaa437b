/**
 * Every `certlens.*` setting, declared once in SETTINGS (its default, scope and choices: the only place
 * they are written), and the typed CertLensConfig built from the values. Free of `vscode`, so a unit
 * test checks it against `contributes.configuration` in package.json; config.ts reads the values from VS Code.
 */
import { DEFAULT_RULES, type RuleSettings } from '../core/rules/rules';
import { DEFAULT_EXCLUDES } from '../core/scan/filters';
import { DEFAULT_MAX_FILE_SIZE } from '../core/scan/files';
import type { Severity } from '../core/model';

export type SeverityName = 'Error' | 'Warning' | 'Information' | 'Hint' | 'None';

/** The kinds of file `certlens.context.*` assigns globs to. */
export const FILE_CONTEXTS = ['production', 'test', 'example', 'documentation', 'vendored'] as const;
export type FileContext = (typeof FILE_CONTEXTS)[number];

/**
 * Where a setting applies (package.json's `scope`, checked by a unit test): `window` settings are read
 * for the window (VS Code ignores them in folder settings), `resource` ones for the workspace folder
 * of the file they apply to.
 */
export type SettingScope = 'window' | 'resource';

/** One setting: its default, its scope and, for an enum, its choices. */
interface Declaration<T, S extends SettingScope = SettingScope> {
  readonly default: T;
  readonly scope: S;
  readonly choices?: readonly T[];
}

const windowScoped = <T>(value: T): Declaration<T, 'window'> => ({ default: value, scope: 'window' });
const resourceScoped = <T>(value: T): Declaration<T, 'resource'> => ({ default: value, scope: 'resource' });
const choice = <const C extends readonly string[], S extends SettingScope>(
  choices: C,
  value: C[number],
  scope: S,
): Declaration<C[number], S> => ({ default: value, scope, choices });

/**
 * Every `certlens.*` setting, keyed by its name without the prefix: the one declaration in the code.
 * Its type, default, scope and choices follow from here (Settings, DEFAULTS, SCOPES, CHOICES), and so
 * does the typed configuration (CertLensConfig has every key; `hosts.*` and `context.*` are grouped
 * too). Adding a setting is a line here plus its package.json entry (with the same default, scope and
 * choices: a unit test compares them) and its description in package.nls*.json.
 */
export const SETTINGS = {
  criticalDays: resourceScoped(DEFAULT_RULES.criticalDays),
  warningDays: resourceScoped(DEFAULT_RULES.warningDays),
  infoDays: resourceScoped(DEFAULT_RULES.infoDays),
  criticalLifetimeShare: resourceScoped(DEFAULT_RULES.criticalLifetimeShare),
  lifetimeShare: resourceScoped(DEFAULT_RULES.lifetimeShare),
  infoLifetimeShare: resourceScoped(DEFAULT_RULES.infoLifetimeShare),
  include: resourceScoped<string[]>(['**/*']),
  exclude: resourceScoped<string[]>(DEFAULT_EXCLUDES),
  maxFileSize: resourceScoped(DEFAULT_MAX_FILE_SIZE),
  // One limit for the window: the parse memo and the read workers share parsed files across folders.
  maxCertificatesPerFile: windowScoped(1000),
  scanOnStartup: windowScoped(true),
  nonProduction: choice(['hint', 'normal', 'hide'], 'hint', 'resource'),
  'context.production': resourceScoped<string[]>([]),
  'context.test': resourceScoped<string[]>([]),
  'context.example': resourceScoped<string[]>([]),
  'context.documentation': resourceScoped<string[]>([]),
  'context.vendored': resourceScoped<string[]>([]),
  'codeLens.enabled': windowScoped(true),
  'diagnostics.enabled': windowScoped(true),
  /** A partial object (only `warning` set, say) keeps the defaults of the others, as every object setting does. */
  'diagnostics.severity': windowScoped<Record<Severity, SeverityName>>({
    error: 'Error',
    warning: 'Warning',
    info: 'Information',
    hint: 'Hint',
  }),
  'statusBar.enabled': windowScoped(true),
  'statusBar.hideWhenClean': windowScoped(false),
  'notifications.enabled': windowScoped(true),
  /** As written (the rules hold them normalised); the "Ignore" command appends to it. */
  'ignore.fingerprints': windowScoped<string[]>([]),
  'ignore.paths': resourceScoped<string[]>([]),
  /** SHA-256 fingerprint -> ISO time the snooze ends, as written (the rules hold them parsed); the "Snooze" command rewrites it. */
  snoozes: windowScoped<Record<string, string>>({}),
  'calendar.alarmDays': windowScoped(30),
  'hosts.enabled': windowScoped(true),
  'hosts.checkOnScan': windowScoped(true),
  /** Discover hosts in test, example, documentation and vendored files too. */
  'hosts.includeNonProduction': resourceScoped(false),
  /** How a host that cannot be reached is reported. */
  'hosts.unreachableSeverity': choice(['error', 'warning', 'info', 'hint'], 'info', 'window'),
  'hosts.ignore': resourceScoped<string[]>([]),
  'hosts.extra': windowScoped<string[]>([]),
  /** host:port -> address:port to connect to instead. */
  'hosts.resolve': windowScoped<Record<string, string>>({}),
  'hosts.timeoutMs': windowScoped(5000),
  'hosts.concurrency': windowScoped(8),
  'hosts.cacheHours': windowScoped(6),
};

/** Each setting's value type, keyed by its name without the `certlens.` prefix. */
export type Settings = { -readonly [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K] extends Declaration<infer T> ? T : never };
export type SettingKey = keyof Settings;
/** The settings that apply to the whole window. */
export type WindowSettingKey = { [K in SettingKey]: (typeof SETTINGS)[K]['scope'] extends 'window' ? K : never }[SettingKey];

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

const derive = <T>(f: <K extends SettingKey>(key: K) => T): Record<SettingKey, T> =>
  Object.fromEntries(SETTING_KEYS.map((key) => [key, f(key)])) as Record<SettingKey, T>;

/** Every setting's default; package.json declares the same ones (a unit test compares them). */
export const DEFAULTS: Readonly<Settings> = derive((key) => SETTINGS[key].default) as Settings;

/** Every setting's scope; package.json declares the same ones (a unit test compares them). */
export const SCOPES: Readonly<Record<SettingKey, SettingScope>> = derive((key) => SETTINGS[key].scope);

/** Allowed values of the enum settings (package.json's `enum`, checked by a unit test). */
export const CHOICES: Readonly<Partial<Record<SettingKey, readonly unknown[]>>> = Object.fromEntries(
  SETTING_KEYS.flatMap((key) => {
    const d: Declaration<unknown> = SETTINGS[key];
    return d.choices ? [[key, d.choices]] : [];
  }),
);

/** How findings in test, example, documentation and vendored files are reported. */
export type NonProductionMode = Settings['nonProduction'];
export type UnreachableSeverity = Settings['hosts.unreachableSeverity'];

/** The settings under `prefix.`, without it: `hosts.timeoutMs` is `timeoutMs` of Grouped<'hosts'>. */
type Grouped<P extends string> = { [K in SettingKey as K extends `${P}.${infer R}` ? R : never]: Settings[K] };

/** The `certlens.hosts.*` settings. */
export type HostSettings = Grouped<'hosts'>;

/**
 * Every setting CertLens reads, typed: each by its key (`cfg['statusBar.enabled']`), the threshold
 * settings as the rules use them, and the `hosts.*` and `context.*` settings grouped.
 */
export type CertLensConfig = Readonly<Settings> & {
  rules: RuleSettings;
  /** Globs that put files in a context, overriding the built-in conventions. */
  context: Record<FileContext, string[]> & Grouped<'context'>;
  hosts: HostSettings;
};

/**
 * What can be read without naming a resource: the window's settings, and the rules as the workspace
 * sets them (for what belongs to no folder). A resource setting needs its folder: readConfig(scope).
 */
export type WindowConfig = Pick<CertLensConfig, WindowSettingKey | 'rules'>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value of the default's kind (and one of the choices for enums); anything else falls back to the default. */
function isValid<K extends SettingKey>(key: K, value: unknown): value is Settings[K] {
  const fallback: unknown = DEFAULTS[key];
  const choices = CHOICES[key];
  if (choices) return choices.includes(value);
  if (Array.isArray(fallback)) return Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (isPlainObject(fallback)) return isPlainObject(value);
  if (typeof fallback === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === typeof fallback;
}

function grouped<P extends string>(values: Settings, prefix: P): Grouped<P> {
  const keys = SETTING_KEYS.filter((k) => k.startsWith(`${prefix}.`));
  return Object.fromEntries(keys.map((k) => [k.slice(prefix.length + 1), values[k]])) as Grouped<P>;
}

/**
 * Builds the typed configuration from raw values: `read(key, scope)` gives a setting's value at the
 * scope it is declared with (undefined when unset). A value of the wrong kind falls back to the default;
 * an object setting keeps the default's entries it leaves out.
 */
export function configFrom(read: (key: SettingKey, scope: SettingScope) => unknown): CertLensConfig {
  const values = derive((key) => {
    const value = read(key, SCOPES[key]);
    if (!isValid(key, value)) return DEFAULTS[key];
    return isPlainObject(value) ? { ...(DEFAULTS[key] as object), ...value } : value;
  }) as Settings;
  return {
    ...values,
    rules: {
      ...DEFAULT_RULES,
      criticalDays: values.criticalDays,
      warningDays: values.warningDays,
      infoDays: values.infoDays,
      criticalLifetimeShare: values.criticalLifetimeShare,
      lifetimeShare: values.lifetimeShare,
      infoLifetimeShare: values.infoLifetimeShare,
      ignore: new Set(values['ignore.fingerprints'].map((f) => f.toLowerCase().replace(/:/g, ''))),
      snoozed: new Map(
        Object.entries(values.snoozes)
          .map(([k, v]) => [k.toLowerCase(), Date.parse(v)] as const)
          .filter(([, v]) => Number.isFinite(v)),
      ),
    },
    context: grouped(values, 'context'),
    hosts: grouped(values, 'hosts'),
  };
}
