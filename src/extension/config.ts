import * as vscode from 'vscode';
import { DEFAULT_RULES, type RuleSettings } from '../core/rules/rules';
import { DEFAULT_EXCLUDES } from '../core/scan/filters';
import { DEFAULT_MAX_FILE_SIZE } from '../core/scan/files';
import type { Severity } from '../core/model';

export const SECTION = 'certlens';

export type SeverityName = 'Error' | 'Warning' | 'Information' | 'Hint' | 'None';

/** Every setting CertLens reads, typed; mirrors `contributes.configuration` in package.json. */
export interface CertLensConfig {
  rules: RuleSettings;
  include: string[];
  exclude: string[];
  maxFileSize: number;
  maxCertificatesPerFile: number;
  scanOnStartup: boolean;
  codeLensEnabled: boolean;
  diagnosticsEnabled: boolean;
  diagnosticsSeverity: Record<Severity, SeverityName>;
  statusBarEnabled: boolean;
  statusBarHideWhenClean: boolean;
  notificationsEnabled: boolean;
  ignorePaths: string[];
  calendarAlarmDays: number;
  hosts: HostSettings;
}

export interface HostSettings {
  enabled: boolean;
  checkOnScan: boolean;
  ignore: string[];
  extra: string[];
  /** host:port -> address:port to connect to instead. */
  resolve: Record<string, string>;
  timeoutMs: number;
  concurrency: number;
  cacheHours: number;
}

export function readConfig(scope?: vscode.ConfigurationScope): CertLensConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const snoozes = c.get<Record<string, string>>('snoozes', {});
  const severity = c.get<Partial<Record<Severity, SeverityName>>>('diagnostics.severity', {});
  return {
    rules: {
      ...DEFAULT_RULES,
      criticalDays: c.get('criticalDays', DEFAULT_RULES.criticalDays),
      warningDays: c.get('warningDays', DEFAULT_RULES.warningDays),
      infoDays: c.get('infoDays', DEFAULT_RULES.infoDays),
      lifetimeShare: c.get('lifetimeShare', DEFAULT_RULES.lifetimeShare),
      shortLivedMaxDays: c.get('shortLivedMaxDays', DEFAULT_RULES.shortLivedMaxDays),
      ignore: new Set(c.get<string[]>('ignore.fingerprints', []).map((f) => f.toLowerCase().replace(/:/g, ''))),
      snoozed: new Map(Object.entries(snoozes).map(([k, v]) => [k.toLowerCase(), Date.parse(v)] as const).filter(([, v]) => Number.isFinite(v))),
    },
    include: c.get<string[]>('include', ['**/*']),
    exclude: c.get<string[]>('exclude', DEFAULT_EXCLUDES),
    maxFileSize: c.get('maxFileSize', DEFAULT_MAX_FILE_SIZE),
    maxCertificatesPerFile: c.get('maxCertificatesPerFile', 1000),
    scanOnStartup: c.get('scanOnStartup', true),
    codeLensEnabled: c.get('codeLens.enabled', true),
    diagnosticsEnabled: c.get('diagnostics.enabled', true),
    diagnosticsSeverity: { error: 'Error', warning: 'Warning', info: 'Information', hint: 'Hint', ...severity },
    statusBarEnabled: c.get('statusBar.enabled', true),
    statusBarHideWhenClean: c.get('statusBar.hideWhenClean', false),
    notificationsEnabled: c.get('notifications.enabled', true),
    ignorePaths: c.get<string[]>('ignore.paths', []),
    calendarAlarmDays: c.get('calendar.alarmDays', 30),
    hosts: {
      enabled: c.get('hosts.enabled', true),
      checkOnScan: c.get('hosts.checkOnScan', true),
      ignore: c.get<string[]>('hosts.ignore', []),
      extra: c.get<string[]>('hosts.extra', []),
      resolve: c.get<Record<string, string>>('hosts.resolve', {}),
      timeoutMs: c.get('hosts.timeoutMs', 5000),
      concurrency: c.get('hosts.concurrency', 8),
      cacheHours: c.get('hosts.cacheHours', 6),
    },
  };
}

/** Writes a setting to the workspace (folder settings for a single-folder workspace). */
export async function updateWorkspaceSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Workspace);
}
