import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import * as path from 'node:path';
import { CODEOWNERS_LOCATIONS, CodeOwners } from '../core/owners';
import { gitCli, LastChangeCache, type LastChange } from '../core/lastChange';
import type { Log } from './log';
import { platform } from './platform';
import { keyToUri } from './uris';

/**
 * Code owners of the workspace's files: each folder's CODEOWNERS (the first of
 * CODEOWNERS_LOCATIONS), read with workspace.fs and read again when a CODEOWNERS file changes.
 */
export class WorkspaceOwners implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a CODEOWNERS file was read again. */
  readonly onDidChange = this.changed.event;
  private readonly byFolder = new Map<string, CodeOwners>();
  private readonly disposables: vscode.Disposable[] = [];
  private loading: Promise<void>;

  constructor(private readonly log?: Log) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/CODEOWNERS');
    const reload = () => runInBackground(this.log, 'Reading CODEOWNERS again', this.reload());
    this.disposables.push(
      this.changed,
      watcher,
      watcher.onDidChange(reload),
      watcher.onDidCreate(reload),
      watcher.onDidDelete(reload),
      vscode.workspace.onDidChangeWorkspaceFolders(reload),
    );
    this.loading = this.load();
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  /** Resolves once every folder's CODEOWNERS has been read. */
  ready(): Promise<void> {
    return this.loading;
  }

  /** Owners of a file (a path or URI string, as the store names files); [] when unowned or unknown. */
  ownersOf(file: string): string[] {
    const uri = keyToUri(file);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const codeOwners = folder && this.byFolder.get(folder.uri.toString());
    if (!codeOwners) return [];
    const relative = path.posix.relative(folder.uri.path, uri.path);
    return relative && !relative.startsWith('..') ? codeOwners.ownersOf(relative) : [];
  }

  /** Whether any folder has a CODEOWNERS file. */
  get any(): boolean {
    return this.byFolder.size > 0;
  }

  private async reload(): Promise<void> {
    this.loading = this.load();
    await this.loading;
    this.changed.fire();
  }

  private async load(): Promise<void> {
    const loaded = new Map<string, CodeOwners>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const location of CODEOWNERS_LOCATIONS) {
        const uri = vscode.Uri.joinPath(folder.uri, location);
        const bytes = await vscode.workspace.fs.readFile(uri).then(
          (b) => b,
          () => undefined,
        );
        if (!bytes) continue;
        loaded.set(
          folder.uri.toString(),
          CodeOwners.parse(Buffer.from(bytes).toString('utf8'), location.startsWith('.gitlab/') ? 'gitlab' : undefined),
        );
        this.log?.debug(`Code owners of ${folder.name} from ${location}`);
        break;
      }
    }
    this.byFolder.clear();
    for (const [k, v] of loaded) this.byFolder.set(k, v);
  }
}

/** The parts of the built-in git extension's API (vscode.git, getAPI(1)) used here. */
interface GitApi {
  readonly git: { readonly path: string };
  getRepository(uri: vscode.Uri): { readonly state: { readonly onDidChange: vscode.Event<void> } } | null;
}

/**
 * The commit that last changed a certificate's lines, from the built-in git extension (its git
 * executable, for files in a repository it has opened), asked when details are opened and cached
 * until the repository changes. Nothing without the git extension, outside a repository, in a
 * shallow clone, or in an untrusted workspace (git reads the repository's configuration).
 */
export class EditorLastChange implements vscode.Disposable {
  private cache: LastChangeCache | undefined;
  private readonly watched = new Set<object>();
  private readonly disposables: vscode.Disposable[] = [];

  async lastChange(file: string, startLine: number, endLine: number): Promise<LastChange | undefined> {
    if (!vscode.workspace.isTrusted || platform.web) return undefined;
    const uri = keyToUri(file);
    if (uri.scheme !== 'file') return undefined;
    const api = await gitApi();
    const repository = api?.getRepository(uri);
    if (!api || !repository) return undefined;
    this.cache ??= new LastChangeCache(gitCli(api.git.path));
    if (!this.watched.has(repository)) {
      this.watched.add(repository);
      // A commit, checkout or pull can change every answer.
      this.disposables.push(repository.state.onDidChange(() => this.cache?.clear()));
    }
    return this.cache.lastChange(uri.fsPath, startLine, endLine);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

/** How long the details wait for the git extension to start before doing without the last change. */
const GIT_ACTIVATION_LIMIT_MS = 3000;

async function gitApi(): Promise<GitApi | undefined> {
  const extension = vscode.extensions.getExtension<{ enabled?: boolean; getAPI(version: 1): GitApi }>('vscode.git');
  if (!extension) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const exports = extension.isActive
      ? extension.exports
      : await Promise.race([
          Promise.resolve(extension.activate()),
          new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), GIT_ACTIVATION_LIMIT_MS))),
        ]);
    return !exports || exports.enabled === false ? undefined : exports.getAPI(1);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** "a1b2c3d, Alice, 2026-01-02" for the details. */
export function lastChangeText(change: LastChange): string {
  return `${change.commit} · ${change.author} · ${change.date.slice(0, 10)}`;
}
