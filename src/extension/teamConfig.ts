import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import { parseTeamConfig, TEAM_CONFIG_NAMES, TeamConfigs, type TeamConfig } from '../core/teamConfig';
import { FINDING_CODES } from '../core/report/findingCodes';
import type { Log } from './log';
import { fileKey, toVsRange } from './uris';

/** The team config files, in any folder of a workspace folder. */
const GLOB = '**/.certlens.{yaml,yml,json}';
/** The source and code of a bad entry's diagnostic (as the CLI's finding). */
export const TEAM_CONFIG_SOURCE = 'CertLens';
export const TEAM_CONFIG_CODE = 'team-config-invalid';

const slashes = (p: string): string => (p.includes('\\') ? p.replace(/\\/g, '/') : p);
const nameOf = (uri: vscode.Uri): string => uri.path.slice(uri.path.lastIndexOf('/') + 1);
const dirOf = (uri: vscode.Uri): string => uri.path.slice(0, uri.path.lastIndexOf('/'));

/**
 * The team configs (.certlens.yaml, core/teamConfig) of each workspace folder, read from disk (a
 * change applies once saved), watched, and re-read when one is created, changed, saved or deleted;
 * each bad entry is a diagnostic on its range in the file. The store joins them to the settings.
 */
export class TeamConfigWatcher implements vscode.Disposable {
  private byFolder = new Map<string, TeamConfigs>();
  /** Every config file read, by URI string (for the quick fixes: which file to write). */
  private files = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** The configs changed (after the first read too): everything is judged again. */
  readonly onDidChange = this.changed.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('certlens-team-config');
  private readonly subscriptions: vscode.Disposable[] = [];
  private loading: Promise<void>;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly log: Log) {
    const watcher = vscode.workspace.createFileSystemWatcher(GLOB);
    const soon = () => this.reloadSoon();
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate(soon),
      watcher.onDidChange(soon),
      watcher.onDidDelete(soon),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if ((TEAM_CONFIG_NAMES as readonly string[]).includes(nameOf(doc.uri))) soon();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(soon),
    );
    this.loading = this.load();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.diagnostics.dispose();
    this.changed.dispose();
  }

  /** Resolves once the configs known now have been read. */
  ready(): Promise<void> {
    return this.loading;
  }

  /** The team configs of a workspace folder (undefined when it has none). */
  configsFor(folder: vscode.Uri | undefined): TeamConfigs | undefined {
    return folder ? this.byFolder.get(folder.toString()) : undefined;
  }

  /**
   * The config file the quick fixes write for a file: the deepest one read in its folders (up to
   * its workspace folder), else `.certlens.yaml` at the workspace folder's root (made when written).
   */
  targetFor(file: vscode.Uri): { uri: vscode.Uri; folder: vscode.Uri } | undefined {
    const ws = vscode.workspace.getWorkspaceFolder(file);
    if (!ws) return undefined;
    for (let dir = dirOf(file); dir.length >= ws.uri.path.length; dir = dir.slice(0, dir.lastIndexOf('/'))) {
      for (const name of TEAM_CONFIG_NAMES) {
        const uri = file.with({ path: `${dir}/${name}` });
        if (this.files.has(uri.toString())) return { uri, folder: file.with({ path: dir }) };
      }
      if (dir === ws.uri.path) break;
    }
    return { uri: vscode.Uri.joinPath(ws.uri, '.certlens.yaml'), folder: ws.uri };
  }

  private reloadSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.loading = this.loading.then(() => this.load());
      runInBackground(this.log, 'Reading the team config', this.loading);
    }, 100);
  }

  private async load(): Promise<void> {
    const byFolder = new Map<string, TeamConfigs>();
    const files = new Set<string>();
    const diagnostics: [vscode.Uri, vscode.Diagnostic[]][] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      let found: vscode.Uri[];
      try {
        found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, GLOB), '**/node_modules/**');
      } catch (e) {
        this.log.error(`Cannot list the team configs of ${folder.name}`, e);
        continue;
      }
      // One per folder: the first of TEAM_CONFIG_NAMES; the others are said not to be read.
      const byDir = new Map<string, vscode.Uri[]>();
      for (const uri of found) byDir.set(dirOf(uri), [...(byDir.get(dirOf(uri)) ?? []), uri]);
      const configs: TeamConfig[] = [];
      for (const list of byDir.values()) {
        list.sort((a, b) => TEAM_CONFIG_NAMES.indexOf(nameOf(a) as never) - TEAM_CONFIG_NAMES.indexOf(nameOf(b) as never));
        const uri = list[0];
        let config: TeamConfig;
        try {
          config = parseTeamConfig(slashes(fileKey(uri)), new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), {
            codes: Object.keys(FINDING_CODES),
          });
        } catch (e) {
          this.log.error(`Cannot read the team config ${uri.toString()}`, e);
          continue;
        }
        for (const other of list.slice(1))
          config.problems.push({
            severity: 'warning',
            message: vscode.l10n.t('{0} in the same folder is not read: {1} is.', nameOf(other), nameOf(uri)),
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          });
        configs.push(config);
        files.add(uri.toString());
        diagnostics.push([
          uri,
          config.problems.map((p) => {
            const d = new vscode.Diagnostic(
              toVsRange(p.range),
              p.message,
              p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
            );
            d.source = TEAM_CONFIG_SOURCE;
            d.code = TEAM_CONFIG_CODE;
            return d;
          }),
        ]);
        if (config.problems.length) this.log.info(`${uri.toString()}: ${config.problems.length} problem(s) in the team config`);
      }
      const root = slashes(fileKey(folder.uri)).replace(/\/+$/, '');
      if (configs.length)
        byFolder.set(
          folder.uri.toString(),
          new TeamConfigs(configs, (file) => (file.startsWith(root + '/') ? file.slice(root.length + 1) : file)),
        );
    }
    this.byFolder = byFolder;
    this.files = files;
    this.diagnostics.clear();
    for (const [uri, list] of diagnostics) this.diagnostics.set(uri, list);
    this.changed.fire();
  }
}
