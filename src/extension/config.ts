import * as vscode from 'vscode';
import { THRESHOLD_KEYS, type Thresholds } from '../core/teamConfig/load';
import { configFrom, DEFAULTS, type CertLensConfig, type SettingKey, type Settings, type WindowConfig } from './settings';

export {
  DEFAULTS,
  SETTING_KEYS,
  FILE_CONTEXTS,
  SCOPES,
  type CertLensConfig,
  type FileContext,
  type HostSettings,
  type NonProductionMode,
  type SettingKey,
  type Settings,
  type SeverityName,
  type UnreachableSeverity,
  type WindowConfig,
} from './settings';

/**
 * The only module that reads settings (a unit test checks no other source calls getConfiguration):
 * `certlens.*` typed with the defaults of ./settings.ts, and the few settings of other sections
 * CertLens honours.
 */
export const SECTION = 'certlens';

/** Settings of other sections that CertLens reads; they can be watched like its own. */
export type OtherSetting = 'files.exclude' | 'http.proxy' | 'http.noProxy';
const OTHER_SETTINGS: readonly OtherSetting[] = ['files.exclude', 'http.proxy', 'http.noProxy'];

/**
 * The one typed accessor of CertLens's settings: each read at the scope package.json declares it with
 * (SCOPES), window settings for the window and resource settings for `scope`'s workspace folder.
 * Without a scope, only the window's settings (and the workspace's rules) are typed as readable.
 */
export function readConfig(): WindowConfig;
export function readConfig(scope: vscode.ConfigurationScope | undefined): CertLensConfig;
export function readConfig(scope?: vscode.ConfigurationScope): CertLensConfig {
  const window = vscode.workspace.getConfiguration(SECTION);
  const resource = scope === undefined ? window : vscode.workspace.getConfiguration(SECTION, scope);
  return configFrom((key, at) => (at === 'resource' ? resource : window).get(key));
}

/** Writes a setting to the workspace (folder settings for a single-folder workspace). */
export async function updateWorkspaceSetting<K extends SettingKey>(key: K, value: Settings[K] | undefined): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Workspace);
}

/** The `files.exclude` globs switched on for a folder (CertLens skips them too). */
export function readFilesExclude(scope?: vscode.ConfigurationScope): string[] {
  const filesExclude = vscode.workspace.getConfiguration('files', scope).get<Record<string, unknown>>('exclude', {});
  return Object.entries(filesExclude)
    .filter(([, on]) => on === true)
    .map(([glob]) => glob);
}

/** VS Code's proxy settings, which host checks honour. */
export function readProxySettings(): { proxyUrl: string | undefined; noProxy: string[] } {
  const http = vscode.workspace.getConfiguration('http');
  return { proxyUrl: http.get<string>('proxy') || undefined, noProxy: http.get<string[]>('noProxy', []) };
}

/** One `onDidChangeConfiguration` listener for every subscriber, made on the first and dropped with the last. */
let shared: { emitter: vscode.EventEmitter<vscode.ConfigurationChangeEvent>; listener: vscode.Disposable; subscribers: number } | undefined;

function sharedChanges(): NonNullable<typeof shared> {
  if (shared) return shared;
  const emitter = new vscode.EventEmitter<vscode.ConfigurationChangeEvent>();
  const sections = [SECTION, ...OTHER_SETTINGS];
  const listener = vscode.workspace.onDidChangeConfiguration((e) => {
    if (sections.some((s) => e.affectsConfiguration(s))) emitter.fire(e);
  });
  return (shared = { emitter, listener, subscribers: 0 });
}

const fullName = (key: SettingKey | OtherSetting): string => (key in DEFAULTS ? `${SECTION}.${key}` : key);

/**
 * Calls `handler` when any of `keys` changes (in any scope): CertLens keys without the `certlens.`
 * prefix, other sections' settings by their full name. Handlers run in the order they subscribed;
 * one that throws does not keep the others from running.
 */
export function onDidChangeConfig(
  keys: readonly (SettingKey | OtherSetting)[],
  handler: (e: vscode.ConfigurationChangeEvent) => void,
): vscode.Disposable {
  const names = keys.map(fullName);
  const changes = sharedChanges();
  changes.subscribers++;
  const subscription = changes.emitter.event((e) => {
    if (names.some((n) => e.affectsConfiguration(n))) handler(e);
  });
  let disposed = false;
  return new vscode.Disposable(() => {
    if (disposed) return;
    disposed = true;
    subscription.dispose();
    if (--changes.subscribers > 0) return;
    changes.listener.dispose();
    changes.emitter.dispose();
    if (shared === changes) shared = undefined;
  });
}

/**
 * The threshold settings the user set (in user, workspace or folder settings) for `scope`: they win
 * over a team config's values (docs/team-config.md), where defaults do not.
 */
export function explicitThresholds(scope: vscode.ConfigurationScope | undefined): Thresholds {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const out: Thresholds = {};
  for (const key of THRESHOLD_KEYS) {
    const i = config.inspect<number>(key);
    const value = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  }
  return out;
}
