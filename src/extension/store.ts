import * as vscode from 'vscode';
import type { CertificateFields, CertificateRecord, CrlRecord, FileExpiry, FileResult, Finding, UnreadableFolder } from '../core/model';
import type { FileContext } from '../core/context';
import { isSkippedByExtension, PathFilter } from '../core/scan/filters';
import { readBounded, type ReadFile, type ReadOutcome } from '../core/scan/files';
import { type FileSource, runScan, type ScanRequest } from '../core/scan/pipeline';
import { ParseMemo } from '../core/scan/memo';
import { wantsDiscovery } from '../core/scan/discovery';
import { type ListedEntry, walkListing } from '../core/scan/walkListing';
import { shiftResult, type TextEdit } from '../core/formats/shift';
import type { Discovered, ReadPool } from '../core/scan/readPool';
import type { Clock } from '../core/workspace/clock';
import { type UrgencySummary, WorkspaceModel } from '../core/workspace/model';
import { explicitThresholds, onDidChangeConfig, readConfig, readFilesExclude, SETTING_KEYS, type CertLensConfig } from './config';
import type { TeamConfigs } from '../core/teamConfig';
import type { Log } from './log';
import { platform } from './platform';
import { fileKey, keyToUri } from './uris';

export type { UrgencySummary } from '../core/workspace/model';

/** Files larger than this are parsed on the read worker (about 25 certificates' worth of PEM). */
const PARSE_IN_WORKER_ABOVE = 32 * 1024;
/** Config files up to this size are read for hosts on the extension host's thread, in its slices (under 1 ms each). */
const DISCOVER_ON_WORKER_ABOVE = 16 * 1024;

/** Reads through Node's fs for local files (fast) and `workspace.fs` for remote and virtual ones. */
export const readFile: ReadFile = async (file, maxSize): Promise<ReadOutcome> => {
  const uri = keyToUri(file);
  if (uri.scheme === 'file' && !platform.web) return readBounded(uri.fsPath, maxSize);
  try {
    const st = await vscode.workspace.fs.stat(uri);
    if (st.type & vscode.FileType.Directory) return 'gone';
    if (st.size > maxSize) return 'too-large';
    return await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return 'gone';
    return e instanceof Error ? e : new Error(String(e));
  }
};

async function isDirectory(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) !== 0;
  } catch {
    return false;
  }
}

export interface StoreChange {
  /** Files whose results changed; undefined means everything (a scan, a settings change, the clock). */
  files?: string[];
}

/** What host discovery found in config files, as scans and updates read them. */
export interface DiscoveryChange {
  /** A full scan's findings, replacing everything known before. */
  all?: ReadonlyMap<string, Discovered>;
  /** Files read since: what each names now (undefined: nothing, or the file is gone). Folders gone are listed too. */
  files?: ReadonlyMap<string, Discovered | undefined>;
}

/** PKCS#12 passwords the user gave this session; the store only asks. */
export interface PasswordLookup {
  passwordFor(file: string): string | undefined;
  unlockedFiles(): readonly string[];
}

export interface StoreDependencies {
  /** Reads local files on a worker thread when given (see ReadPool); otherwise on this thread. */
  pool?: ReadPool;
  clock: Clock;
  passwords: PasswordLookup;
  log: Log;
  /** The team configs (.certlens.yaml) of each workspace folder, joined to its settings (see configFor). */
  team?: TeamConfigSource;
}

/** What the store reads of the team configs (TeamConfigWatcher). */
export interface TeamConfigSource {
  configsFor(folder: vscode.Uri | undefined): TeamConfigs | undefined;
  onDidChange: vscode.Event<void>;
}

/** A file's settings: its folder's, with its team config joined (ModelSettings.team: its ignores). */
export type FileConfig = CertLensConfig & { team?: TeamConfigs };

/**
 * The VS Code adapter of the workspace model (core/workspace/model.ts): scans the workspace folders,
 * reads what the file watcher and unsaved edits change (all through the core's one scan pipeline,
 * through vscode.workspace.fs where files are not local), gives the model each file's folder
 * settings and relative path, and turns its changes into events. Evaluation, the clock and the
 * summaries are the model's. Everything the editor shows reads from here.
 */
export class CertificateStore implements vscode.Disposable {
  private readonly pool?: ReadPool;
  private readonly clock: Clock;
  private readonly passwords: PasswordLookup;
  /** CertLens's log, for the features that hold the store (runInBackground's failures). */
  readonly log: Log;
  private readonly configSubscription: vscode.Disposable;

  constructor(deps: StoreDependencies) {
    this.pool = deps.pool;
    this.clock = deps.clock;
    this.passwords = deps.passwords;
    this.log = deps.log;
    this.configSubscription = onDidChangeConfig(SETTING_KEYS, () => this.reloadConfig());
    this.team = deps.team;
    this.teamSubscription = deps.team?.onDidChange(() => this.reloadConfig());
    this.model = new WorkspaceModel({
      clock: this.clock,
      settingsFor: (file) => this.configFor(file),
      relativePath: (file) => {
        const uri = keyToUri(file);
        return vscode.workspace.getWorkspaceFolder(uri) ? vscode.workspace.asRelativePath(uri, false) : undefined;
      },
      onChange: (change) => this.changed.fire(change),
      onTick: (now) => this.ticks.fire(now),
      onClockJump: (jumpMs) => this.log.info(`The wall clock jumped by ${Math.round(jumpMs / 1000)} s (suspend or clock change)`),
    });
    if (this.pool) this.pool.onFailure = (e) => this.log.error('Read worker failed', e);
  }

  /** Results, findings, summaries and the clock. */
  private readonly model: WorkspaceModel;
  private readonly changed = new vscode.EventEmitter<StoreChange>();
  readonly onDidChange = this.changed.event;
  private readonly discoveries = new vscode.EventEmitter<DiscoveryChange>();
  /** Host discovery's results, from the same reads as the certificates (host checks follow this). */
  readonly onDidDiscover = this.discoveries.event;
  private readonly scanState = new vscode.EventEmitter<boolean>();
  readonly onDidChangeScanning = this.scanState.event;
  private readonly ticks = new vscode.EventEmitter<number>();
  /** The clock re-evaluated everything (a notAfter, a band, a snooze end or midnight passed). */
  readonly onDidTick = this.ticks.event;
  private scanController: AbortController | undefined;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private configs = new Map<string, CertLensConfig>();
  scanned = false;
  /** The last full scan: files walked, time, and the folders it could not list (logged, in the scan summary and exported reports). */
  lastScan: { files: number; ms: number; unreadableFolders: UnreadableFolder[] } = { files: 0, ms: 0, unreadableFolders: [] };

  private readonly team?: TeamConfigSource;
  private readonly teamSubscription?: vscode.Disposable;

  dispose(): void {
    this.configSubscription.dispose();
    this.teamSubscription?.dispose();
    this.pool?.dispose();
    this.scanController?.abort();
    this.model.dispose();
    this.changed.dispose();
    this.discoveries.dispose();
    this.scanState.dispose();
    this.ticks.dispose();
  }

  /** The extension's one time source (replaceable in tests). */
  now(): number {
    return this.clock.now();
  }

  /** What a file is: production, or a test, example, documentation or vendored file (by convention and certlens.context.*). */
  contextOf(file: string): FileContext {
    return this.model.contextOf(file);
  }

  /** Why a file has its context. */
  contextReason(file: string): string {
    return this.model.contextReason(file);
  }

  /** Whether a file's findings are set apart (hints, grouped in the tree) under certlens.nonProduction. */
  setApart(file: string): boolean {
    return this.model.setApart(file);
  }

  get scanning(): boolean {
    return this.running > 0;
  }

  /** Resolves once no scan or update is running. */
  whenIdle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    if (this.running++ === 0) this.scanState.fire(true);
    try {
      return await work();
    } finally {
      if (--this.running === 0) {
        this.scanState.fire(false);
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        waiters.forEach((w) => w());
      }
    }
  }

  /**
   * Settings of the file's workspace folder, with the folder's team configs joined: their context
   * globs added to the settings', their thresholds (per glob too) under the ones the user set, their
   * ignores as `team`. Found once per file (every summary asks for every certificate); files with the
   * same thresholds share one object (the model keeps a context classifier per object).
   */
  configFor(file: string): FileConfig {
    let c = this.configByFile.get(file);
    if (c) return c;
    const folder = vscode.workspace.getWorkspaceFolder(keyToUri(file));
    const id = folder?.uri.toString() ?? '';
    let base = this.configs.get(id);
    if (!base) this.configs.set(id, (base = readConfig(folder?.uri)));
    c = base;
    const team = this.team?.configsFor(folder?.uri);
    if (folder && team && !team.empty) {
      let explicit = this.explicit.get(id);
      if (!explicit) this.explicit.set(id, (explicit = explicitThresholds(folder.uri)));
      const rules = team.rulesFor(file, base.rules, explicit);
      const key = `${id}\0${rules.criticalDays},${rules.warningDays},${rules.infoDays},${rules.criticalLifetimeShare},${rules.lifetimeShare},${rules.infoLifetimeShare}`;
      c = this.joined.get(key);
      if (!c) {
        const globs = team.contextGlobs(fileKey(folder.uri).replace(/\\/g, '/'), base.context);
        const context = { ...base.context, ...Object.fromEntries(Object.entries(globs).map(([k, v]) => [k, v ?? []])) };
        this.joined.set(key, (c = { ...base, rules, context, team }));
      }
    }
    this.configByFile.set(file, c);
    return c;
  }

  /** The team configs' hosts.resolve entries, over every workspace folder (the settings' win over them). */
  teamHostResolves(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of vscode.workspace.workspaceFolders ?? []) Object.assign(out, this.team?.configsFor(f.uri)?.hosts().resolve);
    return out;
  }

  private readonly configByFile = new Map<string, FileConfig>();
  /** Threshold settings the user set, per folder (they win over the team config's). */
  private readonly explicit = new Map<string, ReturnType<typeof explicitThresholds>>();
  /** Settings with the team config joined, by folder and thresholds. */
  private readonly joined = new Map<string, FileConfig>();

  /** Settings changed: re-read them and re-evaluate (rules) without rescanning. */
  reloadConfig(): void {
    this.configs.clear();
    this.configByFile.clear();
    this.explicit.clear();
    this.joined.clear();
    this.filters.clear();
    this.model.settingsChanged();
  }

  /** Identical contents are parsed once, across scans too (vendored CA bundles, unchanged files). */
  private readonly memo = new ParseMemo();
  /** Decoded PEM bodies, shared by scans (copies of one CA across a tree are decoded once). */
  private readonly blockCache = new Map<string, CertificateFields & { der: Uint8Array }>();

  private parseOptions(): NonNullable<ScanRequest['parse']> {
    return { pkcs12Password: (file: string) => this.passwords.passwordFor(file), maxCertificates: readConfig().maxCertificatesPerFile };
  }

  /**
   * Scans every workspace folder, replacing what was known. A running scan is cancelled (nothing it
   * read reaches anyone); a scan that gets cancelled resolves when the scan that replaced it is done,
   * so every caller sees fresh results.
   */
  scanAll(): Promise<void> {
    this.scanController?.abort();
    this.configByFile.clear(); // workspace folders may have changed, and files gone
    this.model.foldersChanged();
    this.filters.clear(); // and files.exclude with them
    const controller = (this.scanController = new AbortController());
    const run: Promise<void> = this.runFullScan(controller.signal).then((): Promise<void> | undefined =>
      controller.signal.aborted && this.latestScan !== run ? this.latestScan : undefined,
    );
    this.latestScan = run;
    return run;
  }

  private latestScan: Promise<void> = Promise.resolve();

  /** Files updated by the watcher or edits since the running scan started, with what discovery found in them. */
  private readonly touchedDuringScan = new Map<string, Discovered | undefined>();

  private runFullScan(signal: AbortSignal): Promise<void> {
    this.touchedDuringScan.clear();
    return this.track(async () => {
      const started = performance.now();
      const found = new Map<string, FileResult>();
      const discovered = new Map<string, Discovered>();
      let files = 0;
      const unreadableFolders: UnreadableFolder[] = [];
      try {
        for (const folder of vscode.workspace.workspaceFolders ?? []) {
          if (signal.aborted) return;
          const cfg = readConfig(folder.uri);
          const excludes = this.excludesFor(folder, cfg);
          const walk = !!this.pool && folder.uri.scheme === 'file';
          const sources: FileSource[] = walk
            ? [{ root: folder.uri.fsPath, include: cfg.include, exclude: excludes }]
            : [{ files: (await this.listFiles(folder, cfg, signal)).map(fileKey) }];
          const stats = await runScan({
            sources,
            maxFileSize: cfg.maxFileSize,
            parse: this.parseOptions(),
            memo: this.memo,
            blockCache: this.blockCache,
            pool: walk ? this.pool : undefined,
            read: readFile,
            discover: true,
            discoverOnWorkerAbove: DISCOVER_ON_WORKER_ABOVE,
            signal,
            sliceMs: 4,
            parseOnWorker: { above: PARSE_IN_WORKER_ABOVE, containersExcept: this.passwords.unlockedFiles() },
            list: async () => (await this.listFiles(folder, cfg, signal)).map(fileKey),
            onFile: (r) => {
              found.set(r.file, r);
              this.logReadErrors(r);
            },
            onRead: (e) => {
              if (e.discovered) discovered.set(e.file, e.discovered);
            },
            onTrouble: (m) => this.log.warn(m),
          });
          files += stats.files;
          unreadableFolders.push(...stats.unreadableFolders);
        }
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      if (signal.aborted) return;
      // Files changed, created or deleted while the scan ran are newer than what it read: keep them,
      // unless their folder left the workspace meanwhile.
      const newer = [...this.touchedDuringScan]
        .filter(([k]) => vscode.workspace.getWorkspaceFolder(keyToUri(k)))
        .map(([k, d]) => [k, this.model.resultOf(k), d] as const);
      this.model.replaceAll(
        found.values(),
        newer.map(([k, r]) => [k, r] as const),
      );
      for (const [k, , d] of newer) {
        if (d) discovered.set(k, d);
        else discovered.delete(k);
      }
      this.scanned = true;
      // What deployment files name, before any file's context is asked (deployment evidence).
      this.model.setMentions(new Map([...discovered].map(([k, d]) => [k, d.mentions])), true);
      // Evaluate every file's findings a slice at a time before telling anyone, so listeners that
      // summarise the workspace (tree, diagnostics, status bar) find the work done.
      await this.model.evaluateAll(signal);
      if (signal.aborted) return;
      this.lastScan = { files, ms: Math.round(performance.now() - started), unreadableFolders };
      this.log.info(
        `Scan: ${files} files, ${this.model.allCertificates().length} certificates in ${this.model.files().length} files, ${discovered.size} config files with hosts or certificate paths, ${this.lastScan.ms} ms`,
      );
      for (const u of unreadableFolders) this.log.warn(`Cannot read folder ${u.path}: ${u.error} (its files are not scanned)`);
      this.discoveries.fire({ all: discovered });
      this.model.announceAll();
    });
  }

  /** certlens.exclude plus the folder's files.exclude globs that are on. */
  private excludesFor(folder: vscode.WorkspaceFolder, cfg: CertLensConfig): string[] {
    return [...cfg.exclude, ...readFilesExclude(folder.uri)];
  }

  private async listFiles(folder: vscode.WorkspaceFolder, cfg: CertLensConfig, signal: AbortSignal): Promise<vscode.Uri[]> {
    const excludes = this.excludesFor(folder, cfg);
    const glob = (list: string[]) => (list.length === 1 ? list[0] : `{${list.join(',')}}`);
    const search = withToken(signal, (token) =>
      vscode.workspace.findFiles(
        new vscode.RelativePattern(folder, glob(cfg.include.length ? cfg.include : ['**/*'])),
        excludes.length ? glob(excludes) : null,
        undefined,
        token,
      ),
    );
    const uris = platform.web ? await Promise.resolve(search).catch((e: unknown) => this.noSearch(folder, e)) : await search;
    // On the web a file system may have no search provider, or one that sees only part of it
    // (github.dev searches committed files): walk its folders instead when search found nothing.
    if (platform.web && !uris.length && !signal.aborted) return this.walkFolder(folder, cfg, excludes, signal);
    return uris.filter((u) => !isSkippedByExtension(u.path));
  }

  private noSearch(folder: vscode.WorkspaceFolder, e: unknown): vscode.Uri[] {
    this.log.info(`Search is not available in ${folder.name} (${e instanceof Error ? e.message : String(e)}): listing its folders`);
    return [];
  }

  /** Lists a folder's files through workspace.fs.readDirectory, bounded (walkListing). */
  private async walkFolder(
    folder: vscode.WorkspaceFolder,
    cfg: CertLensConfig,
    excludes: string[],
    signal: AbortSignal,
  ): Promise<vscode.Uri[]> {
    const kind = (t: vscode.FileType): ListedEntry['kind'] =>
      t & vscode.FileType.SymbolicLink
        ? 'other'
        : t & vscode.FileType.Directory
          ? 'directory'
          : t & vscode.FileType.File
            ? 'file'
            : 'other';
    const root = folder.uri.with({ path: folder.uri.path.replace(/\/+$/, '') });
    const walk = await walkListing(
      root.path,
      async (dir) => (await vscode.workspace.fs.readDirectory(root.with({ path: dir }))).map(([name, t]) => ({ name, kind: kind(t) })),
      {
        include: cfg.include,
        exclude: excludes,
        signal,
        onUnreadable: (u) => this.log.warn(`Cannot list folder ${u.path}: ${u.error} (its files are not scanned)`),
      },
    );
    this.log.info(
      `Listed ${walk.files.length} files in ${folder.name} through workspace.fs${walk.truncated ? ' (stopped at the limit)' : ''}`,
    );
    return walk.files.map((p) => root.with({ path: p }));
  }

  private readonly filters = new Map<CertLensConfig, PathFilter>();

  /** Whether a file (by URI) is one the scan would read: the same include, exclude and files.exclude. */
  isCandidate(uri: vscode.Uri): boolean {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || isSkippedByExtension(uri.path)) return false;
    const cfg = this.configFor(fileKey(uri));
    let filter = this.filters.get(cfg);
    if (!filter) this.filters.set(cfg, (filter = new PathFilter(cfg.include, this.excludesFor(folder, cfg))));
    return filter.accepts(vscode.workspace.asRelativePath(uri, false));
  }

  /** Re-reads files from disk (watcher events, saves, closes without saving). */
  updateFiles(uris: readonly vscode.Uri[]): Promise<void> {
    return this.track(async () => {
      const keys: string[] = [];
      const seen = new Set(uris.map((u) => u.toString()));
      for (const uri of uris) {
        // A created or changed directory still exists: file watchers can miss files created right
        // after their folder, so read what the folder holds now (nothing under it went away).
        if (await isDirectory(uri)) {
          const folder = vscode.workspace.getWorkspaceFolder(uri);
          if (!folder) continue;
          const cfg = this.configFor(fileKey(uri));
          const excludes = this.excludesFor(folder, cfg);
          const inside = await vscode.workspace.findFiles(
            new vscode.RelativePattern(uri, '**/*'),
            excludes.length ? `{${excludes.join(',')}}` : null,
            10_000,
          );
          for (const f of inside) if (!seen.has(f.toString()) && this.isCandidate(f)) keys.push(fileKey(f));
          continue;
        }
        keys.push(fileKey(uri));
      }
      await this.readThrough(keys, readFile);
    });
  }

  /**
   * Reads files through the scan pipeline and applies what it found: results, files gone, discoveries.
   * Grouped by settings (each folder has its own size limit).
   */
  private async readThrough(keys: readonly string[], read: ReadFile, blockCache?: ScanRequest['blockCache']): Promise<void> {
    const groups = new Map<CertLensConfig, string[]>();
    for (const k of keys) {
      const cfg = this.configFor(k);
      const g = groups.get(cfg);
      if (g) g.push(k);
      else groups.set(cfg, [k]);
    }
    const results = new Map<string, FileResult>();
    const found = new Map<string, Discovered | undefined>();
    for (const [cfg, files] of groups) {
      await runScan({
        sources: [{ files }],
        maxFileSize: cfg.maxFileSize,
        parse: this.parseOptions(),
        read,
        discover: true,
        memo: blockCache ? undefined : this.memo,
        blockCache: blockCache ?? this.blockCache,
        onFile: (r) => {
          results.set(r.file, r);
          this.logReadErrors(r);
        },
        onRead: (e) => found.set(e.file, e.discovered),
        onTrouble: (m) => this.log.warn(m),
      });
    }
    for (const k of keys) if (!found.has(k)) found.set(k, undefined);
    this.touched(this.model.applyResults(keys, results));
    this.announceDiscoveries(found);
  }

  private logReadErrors(r: FileResult): void {
    for (const p of r.problems) if (p.code === 'read-error') this.log.warn(`${r.file}: ${p.message}`);
  }

  private announceDiscoveries(files: Map<string, Discovered | undefined>): void {
    if (this.scanning) for (const [k, d] of files) this.touchedDuringScan.set(k, d);
    else this.model.setMentions(new Map([...files].map(([k, d]) => [k, d?.mentions])));
    this.discoveries.fire({ files });
  }

  /**
   * Parses an open document's unsaved text. `edit`: the one change that made this version, when
   * known: an edit between a PEM file's blocks moves its results without a parse (shiftResult).
   */
  updateDocument(doc: vscode.TextDocument, edit?: TextEdit): Promise<void> {
    const version = doc.version;
    if (edit && this.moveWithEdit(doc, edit)) return Promise.resolve();
    return this.track(async () => {
      const key = fileKey(doc.uri);
      const cfg = this.configFor(key);
      const text = doc.getText();
      if (text.length > cfg.maxFileSize) return;
      const bytes = Buffer.from(text, 'utf8');
      // Unsaved text rarely repeats as a whole (no memo), but most of its PEM blocks do: a block
      // cache per document means an edit re-decodes only the blocks it touched.
      const fromEditor: ReadFile = (file, maxSize) => (file === key ? Promise.resolve(bytes) : readFile(file, maxSize));
      await this.readThrough([key], fromEditor, this.blockCacheFor(key));
      const result = this.model.resultOf(key);
      if (result && doc.version === version) this.rememberText(key, version, text, result);
      else this.editedTexts.delete(key);
    });
  }

  /**
   * Applies an edit that only moves a document's results (shiftResult), now; false when the edit
   * needs a parse (or its document's last parsed text is not the one before it).
   */
  moveWithEdit(doc: vscode.TextDocument, edit: TextEdit): boolean {
    const key = fileKey(doc.uri);
    const last = this.editedTexts.get(key);
    if (last?.version !== doc.version - 1 || this.model.resultOf(key) !== last.result || wantsDiscovery(key)) return false;
    const shifted = shiftResult(last.result, last.text, edit);
    if (!shifted) return false;
    this.editsMovedWithoutParse++;
    this.rememberText(key, doc.version, doc.getText(), shifted);
    if (shifted === last.result) return true; // nothing moved
    // The file's evaluation moves with it: the same certificates, the same findings a few lines down.
    this.touched(this.model.applyMove(key, last.result, shifted, edit));
    return true;
  }

  /** Forgets the text a document was last parsed from (it was closed). */
  forgetText(uri: vscode.Uri): void {
    this.editedTexts.delete(fileKey(uri));
  }

  /** Edits whose results were moved, not parsed again (for tests and benchmarks). */
  editsMovedWithoutParse = 0;

  /** The text each of a few documents was last parsed from, its version and its result: what the next edit starts from. */
  private readonly editedTexts = new Map<string, { version: number; text: string; result: FileResult }>();

  private rememberText(key: string, version: number, text: string, result: FileResult): void {
    this.editedTexts.delete(key); // re-inserted as the most recent
    this.editedTexts.set(key, { version, text, result });
    while (this.editedTexts.size > 8) this.editedTexts.delete(this.editedTexts.keys().next().value!);
  }

  private readonly blockCaches = new Map<string, Map<string, CertificateFields & { der: Uint8Array }>>();

  /** The block cache of a document being edited; a few documents, a bounded number of blocks each. */
  private blockCacheFor(file: string): Map<string, CertificateFields & { der: Uint8Array }> {
    let cache = this.blockCaches.get(file);
    if (cache) this.blockCaches.delete(file); // re-inserted below as the most recent
    if (!cache || cache.size > 5_000) {
      cache = new Map();
      // Seeded with what the scan decoded from this file: its first edit re-decodes only what it touched.
      for (const c of (this.model.resultOf(file)?.certificates ?? []).slice(0, 5_000))
        cache.set(Buffer.from(c.der.buffer, c.der.byteOffset, c.der.byteLength).toString('base64'), c);
    }
    this.blockCaches.set(file, cache);
    while (this.blockCaches.size > 8) this.blockCaches.delete(this.blockCaches.keys().next().value!);
    return cache;
  }

  remove(uris: readonly vscode.Uri[]): void {
    const keys = uris.map(fileKey);
    const gone = this.model.forget(keys);
    this.announceDiscoveries(new Map(keys.map((k) => [k, undefined])));
    this.touched(this.model.invalidate([...keys, ...gone]));
  }

  /** Files changed while a scan runs are newer than what it read (see runFullScan). */
  private touched(files: readonly string[]): void {
    if (this.scanning) for (const f of files) if (!this.touchedDuringScan.has(f)) this.touchedDuringScan.set(f, undefined);
  }

  /** Certificates by urgency over the workspace, and the most urgent per file (see WorkspaceModel.summary). */
  summary(): UrgencySummary {
    return this.model.summary();
  }

  /** Visible (not ignored) certificates of one file. */
  certificatesIn(file: string): CertificateRecord[] {
    return this.model.certificatesIn(file);
  }

  /** Visible (not ignored) CRLs of one file. */
  crlsIn(file: string): CrlRecord[] {
    return this.model.crlsIn(file);
  }

  /** Visible CRLs of the workspace, by nextUpdate (none last). */
  crls(): CrlRecord[] {
    return this.model.crls();
  }

  /** The files' own expiries (SAML metadata validUntil) outside ignored paths, soonest first. */
  fileExpiries(): (FileExpiry & { file: string })[] {
    return this.model.fileExpiries();
  }

  /** One file's own expiries, unless its path is ignored. */
  fileExpiriesIn(file: string): (FileExpiry & { file: string })[] {
    return this.model.fileExpiriesIn(file);
  }

  /** Findings (parse problems and rules) of one file. */
  findingsIn(file: string): Finding[] {
    return this.model.findingsIn(file);
  }

  /** Visible (not ignored) certificates, sorted by notAfter. */
  certificates(): CertificateRecord[] {
    return this.model.certificates();
  }

  findings(): Finding[] {
    return this.model.findings();
  }

  /** Every certificate known, ignored ones included (for details and un-ignore). */
  allCertificates(): CertificateRecord[] {
    return this.model.allCertificates();
  }

  fileResult(uri: vscode.Uri): FileResult | undefined {
    return this.resultOf(fileKey(uri));
  }

  /** A file's parse result, by its key (see files()). */
  resultOf(file: string): FileResult | undefined {
    return this.model.resultOf(file);
  }

  files(): string[] {
    return this.model.files();
  }

  bySha256(sha256: string): CertificateRecord | undefined {
    return this.model.bySha256(sha256);
  }
}

/** Runs `work` with a CancellationToken that follows `signal`; the token source is disposed after. */
async function withToken<T>(signal: AbortSignal, work: (token: vscode.CancellationToken) => Thenable<T>): Promise<T> {
  const source = new vscode.CancellationTokenSource();
  const cancel = () => source.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    if (signal.aborted) source.cancel();
    return await work(source.token);
  } finally {
    signal.removeEventListener('abort', cancel);
    source.dispose();
  }
}
