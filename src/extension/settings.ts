/**
 * Every `certlens.*` setting: its type, its default (DEFAULTS, the only place defaults are written)
 * and the typed CertLensConfig built from the values. Free of `vscode`, so a unit test checks it
 * against `contributes.configuration` in package.json; config.ts reads the values from VS Code.
 */
import { DEFAULT_RULES, type RuleSettings } from '../core/rules/rules';
import { DEFAULT_EXCLUDES } from '../core/scan/filters';
import { DEFAULT_MAX_FILE_SIZE } from '../core/scan/files';
import type { Severity } from '../core/model';

export type SeverityName = 'Error' | 'Warning' | 'Information' | 'Hint' | 'None';

/** Allowed values of the enum settings (package.json's `enum`, checked by a unit test). */
export const CHOICES = {
  nonProduction: ['hint', 'normal', 'hide'],
  'hosts.unreachableSeverity': ['error', 'warning', 'info', 'hint'],
} as const;

/** How findings in test, example, documentation and vendored files are reported. */
export type NonProductionMode = (typeof CHOICES.nonProduction)[number];
export type UnreachableSeverity = (typeof CHOICES)['hosts.unreachableSeverity'][number];

/** The kinds of file `certlens.context.*` assigns globs to. */
export const FILE_CONTEXTS = ['production', 'test', 'example', 'documentation', 'vendored'] as const;
export type FileContext = (typeof FILE_CONTEXTS)[number];

/** Each setting's value type, keyed by its name without the `certlens.` prefix. */
export interface Settings {
  criticalDays: number;
  warningDays: number;
  infoDays: number;
  lifetimeShare: number;
  shortLivedMaxDays: number;
  include: string[];
  exclude: string[];
  maxFileSize: number;
  maxCertificatesPerFile: number;
  scanOnStartup: boolean;
  nonProduction: NonProductionMode;
  'context.production': string[];
  'context.test': string[];
  'context.example': string[];
  'context.documentation': string[];
  'context.vendored': string[];
  'codeLens.enabled': boolean;
  'diagnostics.enabled': boolean;
  'diagnostics.severity': Record<Severity, SeverityName>;
  'statusBar.enabled': boolean;
  'statusBar.hideWhenClean': boolean;
  'notifications.enabled': boolean;
  'ignore.fingerprints': string[];
  'ignore.paths': string[];
  /** SHA-256 fingerprint -> ISO time the snooze ends. */
  snoozes: Record<string, string>;
  'calendar.alarmDays': number;
  'hosts.enabled': boolean;
  'hosts.checkOnScan': boolean;
  'hosts.includeNonProduction': boolean;
  'hosts.unreachableSeverity': UnreachableSeverity;
  'hosts.ignore': string[];
  'hosts.extra': string[];
  'hosts.resolve': Record<string, string>;
  'hosts.timeoutMs': number;
  'hosts.concurrency': number;
  'hosts.cacheHours': number;
}

export type SettingKey = keyof Settings;

/** Every setting's default; package.json declares the same ones (a unit test compares them). */
export const DEFAULTS: Readonly<Settings> = {
  criticalDays: DEFAULT_RULES.criticalDays,
  warningDays: DEFAULT_RULES.warningDays,
  infoDays: DEFAULT_RULES.infoDays,
  lifetimeShare: DEFAULT_RULES.lifetimeShare,
  shortLivedMaxDays: DEFAULT_RULES.shortLivedMaxDays,
  include: ['**/*'],
  exclude: DEFAULT_EXCLUDES,
  maxFileSize: DEFAULT_MAX_FILE_SIZE,
  maxCertificatesPerFile: 1000,
  scanOnStartup: true,
  nonProduction: 'hint',
  'context.production': [],
  'context.test': [],
  'context.example': [],
  'context.documentation': [],
  'context.vendored': [],
  'codeLens.enabled': true,
  'diagnostics.enabled': true,
  'diagnostics.severity': { error: 'Error', warning: 'Warning', info: 'Information', hint: 'Hint' },
  'statusBar.enabled': true,
  'statusBar.hideWhenClean': false,
  'notifications.enabled': true,
  'ignore.fingerprints': [],
  'ignore.paths': [],
  snoozes: {},
  'calendar.alarmDays': 30,
  'hosts.enabled': true,
  'hosts.checkOnScan': true,
  'hosts.includeNonProduction': false,
  'hosts.unreachableSeverity': 'info',
  'hosts.ignore': [],
  'hosts.extra': [],
  'hosts.resolve': {},
  'hosts.timeoutMs': 5000,
  'hosts.concurrency': 8,
  'hosts.cacheHours': 6,
};

export const SETTING_KEYS = Object.keys(DEFAULTS) as SettingKey[];

/** Every setting CertLens reads, typed and grouped the way features use them. */
export interface CertLensConfig {
  rules: RuleSettings;
  include: string[];
  exclude: string[];
  maxFileSize: number;
  maxCertificatesPerFile: number;
  scanOnStartup: boolean;
  /** How findings in test, example, documentation and vendored files are reported. */
  nonProduction: NonProductionMode;
  /** Globs that put files in a context, overriding the built-in conventions. */
  context: Record<FileContext, string[]>;
  codeLensEnabled: boolean;
  diagnosticsEnabled: boolean;
  diagnosticsSeverity: Record<Severity, SeverityName>;
  statusBarEnabled: boolean;
  statusBarHideWhenClean: boolean;
  notificationsEnabled: boolean;
  /** As written (the rules hold them normalised); the "Ignore" command appends to it. */
  ignoreFingerprints: string[];
  ignorePaths: string[];
  /** As written (the rules hold them parsed); the "Snooze" command rewrites it. */
  snoozes: Record<string, string>;
  calendarAlarmDays: number;
  hosts: HostSettings;
}

export interface HostSettings {
  enabled: boolean;
  checkOnScan: boolean;
  /** Discover hosts in test, example, documentation and vendored files too. */
  includeNonProduction: boolean;
  /** How a host that cannot be reached is reported. */
  unreachableSeverity: UnreachableSeverity;
  ignore: string[];
  extra: string[];
  /** host:port -> address:port to connect to instead. */
  resolve: Record<string, string>;
  timeoutMs: number;
  concurrency: number;
  cacheHours: number;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value of the default's kind (and one of the choices for enums); anything else falls back to the default. */
function isValid<K extends SettingKey>(key: K, value: unknown): value is Settings[K] {
  const fallback: unknown = DEFAULTS[key];
  if (key in CHOICES) return (CHOICES[key as keyof typeof CHOICES] as readonly unknown[]).includes(value);
  if (Array.isArray(fallback)) return Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (isPlainObject(fallback)) return isPlainObject(value);
  if (typeof fallback === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === typeof fallback;
}

/** Builds the typed configuration from raw values (`read` returns undefined for unset settings). */
export function configFrom(read: (key: SettingKey) => unknown): CertLensConfig {
  const get = <K extends SettingKey>(key: K): Settings[K] => {
    const value = read(key);
    return isValid(key, value) ? value : DEFAULTS[key];
  };
  const snoozes = get('snoozes');
  const ignoreFingerprints = get('ignore.fingerprints');
  return {
    rules: {
      ...DEFAULT_RULES,
      criticalDays: get('criticalDays'),
      warningDays: get('warningDays'),
      infoDays: get('infoDays'),
      lifetimeShare: get('lifetimeShare'),
      shortLivedMaxDays: get('shortLivedMaxDays'),
      ignore: new Set(ignoreFingerprints.map((f) => f.toLowerCase().replace(/:/g, ''))),
      snoozed: new Map(Object.entries(snoozes).map(([k, v]) => [k.toLowerCase(), Date.parse(v)] as const).filter(([, v]) => Number.isFinite(v))),
    },
    include: get('include'),
    exclude: get('exclude'),
    maxFileSize: get('maxFileSize'),
    maxCertificatesPerFile: get('maxCertificatesPerFile'),
    scanOnStartup: get('scanOnStartup'),
    nonProduction: get('nonProduction'),
    context: {
      production: get('context.production'),
      test: get('context.test'),
      example: get('context.example'),
      documentation: get('context.documentation'),
      vendored: get('context.vendored'),
    },
    codeLensEnabled: get('codeLens.enabled'),
    diagnosticsEnabled: get('diagnostics.enabled'),
    // A partial object (only `warning` set, say) keeps the defaults of the others.
    diagnosticsSeverity: { ...DEFAULTS['diagnostics.severity'], ...get('diagnostics.severity') },
    statusBarEnabled: get('statusBar.enabled'),
    statusBarHideWhenClean: get('statusBar.hideWhenClean'),
    notificationsEnabled: get('notifications.enabled'),
    ignoreFingerprints,
    ignorePaths: get('ignore.paths'),
    snoozes,
    calendarAlarmDays: get('calendar.alarmDays'),
    hosts: {
      enabled: get('hosts.enabled'),
      checkOnScan: get('hosts.checkOnScan'),
      includeNonProduction: get('hosts.includeNonProduction'),
      unreachableSeverity: get('hosts.unreachableSeverity'),
      ignore: get('hosts.ignore'),
      extra: get('hosts.extra'),
      resolve: get('hosts.resolve'),
      timeoutMs: get('hosts.timeoutMs'),
      concurrency: get('hosts.concurrency'),
      cacheHours: get('hosts.cacheHours'),
    },
  };
}
