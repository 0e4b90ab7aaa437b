import * as vscode from 'vscode';
import picomatch from 'picomatch';
import type { CertificateFields, CertificateRecord, CrlRecord, FileExpiry, FileLocation, FileResult, Finding, UnreadableFolder } from '../core/model';
import { countUrgencies, evaluate, evaluateCrls, evaluateExpiries, noUrgencies, type Urgency } from '../core/rules/rules';
import { applyManagedRenewal, nextRenewalChange } from '../core/rules/renewal';
import { byNextUpdate, Inventory } from '../core/scan/inventory';
import { applyNonProductionPolicy, ContextClassifier, type FileContext } from '../core/context';
import { isSkippedByExtension, PathFilter } from '../core/scan/filters';
import { readBounded, type ReadFile, type ReadOutcome } from '../core/scan/files';
import { type FileSource, runScan, type ScanRequest } from '../core/scan/pipeline';
import { ParseMemo } from '../core/scan/memo';
import { wantsDiscovery } from '../core/scan/discovery';
import { movable, mover, shiftResult, type TextEdit } from '../core/formats/shift';
import type { Discovered, ReadPool } from '../core/scan/readPool';
import { type Clock, nextChangeOf, nextChangeOfCrl, nextExpiryChange, nextLocalMidnight, WallClockAlarm } from '../core/clock';
import { onDidChangeConfig, readConfig, readFilesExclude, SETTING_KEYS, type CertLensConfig } from './config';
import type { Log } from './log';
import { fileKey, keyToUri } from './uris';

/**
 * Day counts in texts step at each certificate's own moment; across a big workspace that would be a
 * re-evaluation every few seconds. They are refreshed on the hour instead (urgency, severity and
 * expiry changes are exact, and everything is re-evaluated at midnight).
 */
const TEXT_ROUNDING_MS = 3_600_000;

/** Files larger than this are parsed on the read worker (about 25 certificates' worth of PEM). */
const PARSE_IN_WORKER_ABOVE = 32 * 1024;
/** Config files up to this size are read for hosts on the extension host's thread, in its slices (under 1 ms each). */
const DISCOVER_ON_WORKER_ABOVE = 16 * 1024;

/** Reads through Node's fs for local files (fast) and `workspace.fs` for remote and virtual ones. */
export const readFile: ReadFile = async (file, maxSize): Promise<ReadOutcome> => {
  const uri = keyToUri(file);
  if (uri.scheme === 'file') return readBounded(uri.fsPath, maxSize);
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
}

/**
 * The workspace's certificates and findings, kept current from scans, the file watcher and unsaved
 * edits (all through the core's one scan pipeline), and re-evaluated by the clock whenever something
 * shown would change. Everything the editor shows reads from here.
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
    this.alarm = new WallClockAlarm(this.clock, (now) => this.tick(now), { onJump: (j) => this.log.info(`The wall clock jumped by ${Math.round(j.jumpMs / 1000)} s (suspend or clock change)`) });
    if (this.pool) this.pool.onFailure = (e) => this.log.error('Read worker failed', e);
  }

  private readonly inventory = new Inventory();
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
  private readonly alarm: WallClockAlarm;
  /** The local midnight the alarm waits for at the latest (day counts and "today" change then). */
  private midnight = 0;
  private scanController: AbortController | undefined;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private configs = new Map<string, CertLensConfig>();
  scanned = false;
  /** The last full scan: files walked, time, and the folders it could not list (logged, in the scan summary and exported reports). */
  lastScan: { files: number; ms: number; unreadableFolders: UnreadableFolder[] } = { files: 0, ms: 0, unreadableFolders: [] };

  dispose(): void {
    this.configSubscription.dispose();
    this.pool?.dispose();
    this.scanController?.abort();
    this.alarm.dispose();
    this.changed.dispose();
    this.discoveries.dispose();
    this.scanState.dispose();
    this.ticks.dispose();
  }

  /** The extension's one time source (replaceable in tests). */
  now(): number {
    return this.clock.now();
  }

  private readonly contexts = new Map<string, FileContext>();
  private readonly classifiers = new Map<CertLensConfig, ContextClassifier>();

  /** What a file is: production, or a test, example, documentation or vendored file (by convention and certlens.context.*). */
  contextOf(file: string): FileContext {
    let ctx = this.contexts.get(file);
    if (ctx) return ctx;
    const cfg = this.configFor(file);
    let classifier = this.classifiers.get(cfg);
    if (!classifier) this.classifiers.set(cfg, (classifier = new ContextClassifier(cfg.context)));
    const uri = keyToUri(file);
    ctx = vscode.workspace.getWorkspaceFolder(uri) ? classifier.classify(vscode.workspace.asRelativePath(uri, false)) : 'production';
    this.contexts.set(file, ctx);
    return ctx;
  }

  /** Whether a file's findings are set apart (hints, grouped in the tree) under certlens.nonProduction. */
  setApart(file: string): boolean {
    return this.configFor(file).nonProduction !== 'normal' && this.contextOf(file) !== 'production';
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

  /** Settings of the file's workspace folder; found once per file (every summary asks for every certificate). */
  configFor(file: string): CertLensConfig {
    let c = this.configByFile.get(file);
    if (c) return c;
    const folder = vscode.workspace.getWorkspaceFolder(keyToUri(file));
    const id = folder?.uri.toString() ?? '';
    c = this.configs.get(id);
    if (!c) this.configs.set(id, (c = readConfig(folder?.uri)));
    this.configByFile.set(file, c);
    return c;
  }

  private readonly configByFile = new Map<string, CertLensConfig>();

  /** Settings changed: re-read them and re-evaluate (rules) without rescanning. */
  reloadConfig(): void {
    this.configs.clear();
    this.configByFile.clear();
    this.contexts.clear();
    this.classifiers.clear();
    this.filters.clear();
    this.invalidate();
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
    this.contexts.clear();
    this.filters.clear(); // and files.exclude with them
    const controller = (this.scanController = new AbortController());
    const run: Promise<void> = this.runFullScan(controller.signal).then((): Promise<void> | undefined => (controller.signal.aborted && this.latestScan !== run ? this.latestScan : undefined));
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
            sources, maxFileSize: cfg.maxFileSize, parse: this.parseOptions(), memo: this.memo, blockCache: this.blockCache,
            pool: walk ? this.pool : undefined, read: readFile, discover: true, discoverOnWorkerAbove: DISCOVER_ON_WORKER_ABOVE, signal, sliceMs: 4,
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
      const newer = [...this.touchedDuringScan].filter(([k]) => vscode.workspace.getWorkspaceFolder(keyToUri(k))).map(([k, d]) => [k, this.inventory.get(k), d] as const);
      this.inventory.clear();
      for (const r of found.values()) this.inventory.set(r);
      for (const [k, r, d] of newer) {
        if (r) this.inventory.set(r);
        else this.inventory.delete(k);
        if (d) discovered.set(k, d);
        else discovered.delete(k);
      }
      this.scanned = true;
      // Evaluate every file's findings a slice at a time before telling anyone, so listeners that
      // summarise the workspace (tree, diagnostics, status bar) find the work done.
      this.perFile.clear();
      this.dropSummaries();
      const names = this.inventory.fileNames();
      for (let i = 0; i < names.length && !signal.aborted; ) {
        const until = performance.now() + 8;
        while (i < names.length && performance.now() < until) this.fileState(names[i++]);
        await new Promise((r) => setImmediate(r));
      }
      if (signal.aborted) return;
      this.lastScan = { files, ms: Math.round(performance.now() - started), unreadableFolders };
      this.log.info(`Scan: ${files} files, ${this.inventory.certificates().length} certificates in ${this.inventory.fileNames().length} files, ${discovered.size} config files with hosts or certificate paths, ${this.lastScan.ms} ms`);
      for (const u of unreadableFolders) this.log.warn(`Cannot read folder ${u.path}: ${u.error} (its files are not scanned)`);
      this.dropSummaries();
      this.discoveries.fire({ all: discovered });
      this.changed.fire({});
      this.rearm();
    });
  }

  /** certlens.exclude plus the folder's files.exclude globs that are on. */
  private excludesFor(folder: vscode.WorkspaceFolder, cfg: CertLensConfig): string[] {
    return [...cfg.exclude, ...readFilesExclude(folder.uri)];
  }

  private async listFiles(folder: vscode.WorkspaceFolder, cfg: CertLensConfig, signal: AbortSignal): Promise<vscode.Uri[]> {
    const excludes = this.excludesFor(folder, cfg);
    const glob = (list: string[]) => (list.length === 1 ? list[0] : `{${list.join(',')}}`);
    const uris = await withToken(signal, (token) => vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob(cfg.include.length ? cfg.include : ['**/*'])), excludes.length ? glob(excludes) : null, undefined, token));
    return uris.filter((u) => !isSkippedByExtension(u.path));
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
          const inside = await vscode.workspace.findFiles(new vscode.RelativePattern(uri, '**/*'), excludes.length ? `{${excludes.join(',')}}` : null, 10_000);
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
        sources: [{ files }], maxFileSize: cfg.maxFileSize, parse: this.parseOptions(), read, discover: true,
        memo: blockCache ? undefined : this.memo, blockCache: blockCache ?? this.blockCache,
        onFile: (r) => {
          results.set(r.file, r);
          this.logReadErrors(r);
        },
        onRead: (e) => found.set(e.file, e.discovered),
        onTrouble: (m) => this.log.warn(m),
      });
    }
    const changed: string[] = [];
    for (const k of keys) {
      const r = results.get(k);
      if (r) this.inventory.set(r);
      else changed.push(...this.inventory.deleteUnder(k)); // gone, or no longer anything to read
      changed.push(k);
      if (!found.has(k)) found.set(k, undefined);
    }
    this.invalidate(changed);
    this.announceDiscoveries(found);
  }

  private logReadErrors(r: FileResult): void {
    for (const p of r.problems) if (p.code === 'read-error') this.log.warn(`${r.file}: ${p.message}`);
  }

  private announceDiscoveries(files: Map<string, Discovered | undefined>): void {
    if (this.scanning) for (const [k, d] of files) this.touchedDuringScan.set(k, d);
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
      const result = this.inventory.get(key);
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
    if (last?.version !== doc.version - 1 || this.inventory.get(key) !== last.result || wantsDiscovery(key)) return false;
    const shifted = shiftResult(last.result, last.text, edit);
    if (!shifted) return false;
    this.editsMovedWithoutParse++;
    this.rememberText(key, doc.version, doc.getText(), shifted);
    if (shifted === last.result) return true; // nothing moved
    this.inventory.set(shifted);
    // The file's evaluation moves with it: the same certificates, the same findings a few lines down.
    const state = this.perFile.get(key);
    const move = mover(edit);
    const moved = state && move && movable(state.findings) ? movedState(state, last.result, shifted, move) : undefined;
    this.invalidate([key], moved && new Map([[key, moved]]));
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
      for (const c of (this.inventory.get(file)?.certificates ?? []).slice(0, 5_000)) cache.set(Buffer.from(c.der.buffer, c.der.byteOffset, c.der.byteLength).toString('base64'), c);
    }
    this.blockCaches.set(file, cache);
    while (this.blockCaches.size > 8) this.blockCaches.delete(this.blockCaches.keys().next().value!);
    return cache;
  }

  remove(uris: readonly vscode.Uri[]): void {
    const gone = uris.flatMap((u) => this.inventory.deleteUnder(fileKey(u)));
    this.announceDiscoveries(new Map(uris.map((u) => [fileKey(u), undefined])));
    this.invalidate([...uris.map(fileKey), ...gone]);
  }

  /** `evaluated`: new states of some of the files, known without evaluating them again (an edit that moved them). */
  private invalidate(files?: string[], evaluated?: ReadonlyMap<string, FileState>): void {
    if (files) files = this.withManagedSecrets(files);
    if (files && this.scanning) for (const f of files) if (!this.touchedDuringScan.has(f)) this.touchedDuringScan.set(f, undefined);
    this.dropSummaries();
    if (files) for (const f of files) this.perFile.delete(f);
    else this.perFile.clear();
    if (files) for (const [f, state] of evaluated ?? []) this.perFile.set(f, state);
    this.changed.fire({ files });
    this.rearm();
  }

  /** What cert-manager renewal reads of the workspace's Certificate manifests, as of the last invalidation. */
  private manifestsKey = '[]';

  /**
   * Changed files, plus the files of cert-manager-managed Secrets when the Certificate manifests
   * changed, appeared or went (their renewBefore decides those files' findings).
   */
  private withManagedSecrets(files: string[]): string[] {
    const key = JSON.stringify(this.inventory.certManagerCertificates().map((m) => [m.name, m.namespace, m.renewBeforeMs, m.renewBeforePercentage]));
    if (key === this.manifestsKey) return files;
    this.manifestsKey = key;
    const managed = this.inventory.fileNames().filter((f) => this.inventory.get(f)?.certificates.some((c) => c.managedBy));
    return [...new Set([...files, ...managed])];
  }

  /**
   * The clock's moment came: the files whose results changed with time are re-evaluated (all of
   * them at midnight, when day counts change everywhere) and every surface is told.
   */
  private tick(now: number): void {
    this.dropSummaries();
    if (now >= this.midnight) {
      this.perFile.clear();
      this.changed.fire({});
    } else {
      const due = [...this.perFile].filter(([, st]) => st.nextChange <= now).map(([f]) => f);
      for (const f of due) this.perFile.delete(f);
      this.changed.fire({ files: due });
    }
    this.ticks.fire(now);
    this.rearm();
  }

  /** Sets the one alarm to the next moment anything shown changes (over files holding certificates, and local midnight). */
  private rearm(): void {
    const now = this.clock.now();
    this.midnight = nextLocalMidnight(now);
    let next = this.midnight;
    for (const file of this.inventory.fileNames()) next = Math.min(next, this.fileState(file).nextChange);
    this.alarm.arm(next);
  }

  /** Per file: visible certificates, all findings and the count of certificates by urgency, computed
   * on demand and kept until the file changes. */
  private readonly perFile = new Map<string, FileState>();
  private sorted: CertificateRecord[] | undefined;
  private summaryCache: UrgencySummary | undefined;

  private dropSummaries(): void {
    this.sorted = undefined;
    this.summaryCache = undefined;
  }

  /**
   * Certificates by urgency over the workspace, and the most urgent per file: the certificates' part
   * of the workspace summary (core/summary.ts, extension/summary.ts) the status bar, the tree's badge,
   * notifications and Explorer decorations show. Summed over files (each counted once when it
   * changes), so a workspace-wide summary after an edit costs a pass over files, not certificates.
   */
  summary(): UrgencySummary {
    if (this.summaryCache) return this.summaryCache;
    const counts = noUrgencies();
    const apart = noUrgencies();
    const worst = new Map<string, Urgency>();
    for (const file of this.inventory.fileNames()) {
      const state = this.fileState(file);
      if (!state.certs.length) continue;
      const into = state.apart ? apart : counts;
      for (const u of URGENCIES) into[u] += state.counts[u];
      if (state.apart) continue;
      const w = URGENCIES.find((u) => state.counts[u] > 0);
      if (w) worst.set(file, w);
    }
    return (this.summaryCache = { counts, nonProduction: apart, worst });
  }

  private readonly ignoreMatchers = new Map<string, (p: string) => boolean>();

  private pathIgnored(file: string, cfg: CertLensConfig): boolean {
    if (!cfg['ignore.paths'].length) return false;
    const key = cfg['ignore.paths'].join('\0');
    let m = this.ignoreMatchers.get(key);
    if (!m) this.ignoreMatchers.set(key, (m = picomatch(cfg['ignore.paths'], { dot: true })));
    return m(vscode.workspace.asRelativePath(keyToUri(file), false));
  }

  private fileState(file: string): FileState {
    let state = this.perFile.get(file);
    if (state) return state;
    const now = this.clock.now();
    const result = this.inventory.get(file);
    const cfg = this.configFor(file);
    const ignored = !result || this.pathIgnored(file, cfg);
    const certs = ignored ? [] : result.certificates.filter((c) => !cfg.rules.ignore.has(c.sha256));
    const crls = ignored ? [] : result.crls.filter((c) => !cfg.rules.ignore.has(c.sha256));
    // The file's own expiries (SAML metadata validUntil) are judged like certificates.
    const expiries = ignored ? undefined : result.expiries;
    // cert-manager's Certificate manifests may sit in other files: they decide when a managed Secret is due.
    const manifests = certs.some((c) => c.managedBy) ? this.inventory.certManagerCertificates() : [];
    const found = result ? [...result.problems, ...applyManagedRenewal(evaluate(certs, now, cfg.rules), certs, manifests, now, cfg.rules), ...evaluateExpiries({ file, expiries }, now, cfg.rules), ...evaluateCrls(crls, now, cfg.rules)] : [];
    const apart = this.setApart(file);
    // Tests, examples, docs and vendored files keep every fact; their findings are hints (or hidden).
    const findings = apart ? applyNonProductionPolicy(found, () => this.contextOf(file), cfg.nonProduction === 'hide' ? 'exclude' : 'hint') : found;
    const counts = countUrgencies(certs, now, () => cfg.rules);
    let nextChange = Infinity;
    for (const c of certs) nextChange = Math.min(nextChange, nextChangeOf(c, now, cfg.rules, { textRoundingMs: TEXT_ROUNDING_MS }));
    nextChange = Math.min(nextChange, nextExpiryChange(expiries, now, cfg.rules, { textRoundingMs: TEXT_ROUNDING_MS }));
    if (manifests.length || certs.some((c) => c.managedBy)) nextChange = Math.min(nextChange, nextRenewalChange(certs, manifests, now));
    for (const c of crls) nextChange = Math.min(nextChange, nextChangeOfCrl(c, now, cfg.rules, { textRoundingMs: TEXT_ROUNDING_MS }));
    this.perFile.set(file, (state = { certs, crls, findings, counts, nextChange, apart }));
    return state;
  }

  /** Visible (not ignored) certificates of one file. */
  certificatesIn(file: string): CertificateRecord[] {
    return this.fileState(file).certs;
  }

  /** Visible (not ignored) CRLs of one file. */
  crlsIn(file: string): CrlRecord[] {
    return this.fileState(file).crls;
  }

  /** Visible CRLs of the workspace, by nextUpdate (none last). */
  crls(): CrlRecord[] {
    const out: CrlRecord[] = [];
    for (const file of this.inventory.fileNames()) out.push(...this.crlsIn(file));
    return out.sort(byNextUpdate);
  }

  /** The files' own expiries (SAML metadata validUntil) outside ignored paths, soonest first. */
  fileExpiries(): (FileExpiry & { file: string })[] {
    const out: (FileExpiry & { file: string })[] = [];
    for (const file of this.inventory.fileNames()) out.push(...this.fileExpiriesIn(file));
    return out.sort((a, b) => a.notAfter - b.notAfter);
  }

  /** One file's own expiries, unless its path is ignored. */
  fileExpiriesIn(file: string): (FileExpiry & { file: string })[] {
    const expiries = this.inventory.get(file)?.expiries;
    return expiries?.length && !this.pathIgnored(file, this.configFor(file)) ? expiries.map((e) => ({ ...e, file })) : [];
  }

  /** Findings (parse problems and rules) of one file. */
  findingsIn(file: string): Finding[] {
    return this.fileState(file).findings;
  }

  /** Visible (not ignored) certificates, sorted by notAfter. */
  certificates(): CertificateRecord[] {
    if (this.sorted) return this.sorted;
    // The inventory's list is sorted (and paired with private keys) already: leaving out what is
    // ignored keeps the order, so an edit costs no sort of the whole workspace.
    const all = this.inventory.certificates();
    let hidden: Set<CertificateRecord> | undefined;
    for (const file of this.inventory.fileNames()) {
      const visible = this.certificatesIn(file);
      const every = this.inventory.get(file)?.certificates ?? [];
      if (visible.length === every.length) continue;
      const shown = new Set(visible);
      hidden ??= new Set();
      for (const c of every) if (!shown.has(c)) hidden.add(c);
    }
    return (this.sorted = hidden ? all.filter((c) => !hidden.has(c)) : all);
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const file of this.inventory.fileNames()) for (const f of this.findingsIn(file)) out.push(f);
    return out;
  }

  /** Every certificate known, ignored ones included (for details and un-ignore). */
  allCertificates(): CertificateRecord[] {
    return this.inventory.certificates();
  }

  fileResult(uri: vscode.Uri): FileResult | undefined {
    return this.resultOf(fileKey(uri));
  }

  /** A file's parse result, by its key (see files()). */
  resultOf(file: string): FileResult | undefined {
    return this.inventory.get(file);
  }

  files(): string[] {
    return this.inventory.fileNames();
  }

  bySha256(sha256: string): CertificateRecord | undefined {
    return this.inventory.certificates().find((c) => c.sha256 === sha256);
  }
}

/** A file's state after an edit that moved its places (`move`) and nothing else: the new result's records in the old ones' stead. */
function movedState(state: FileState, before: FileResult, after: FileResult, move: <T extends FileLocation>(p: T) => T): FileState | undefined {
  const counterpart = new Map<object, object>();
  before.certificates.forEach((c, i) => counterpart.set(c, after.certificates[i]));
  before.crls.forEach((c, i) => counterpart.set(c, after.crls[i]));
  const certs = state.certs.map((c) => counterpart.get(c) as CertificateRecord | undefined);
  const crls = state.crls.map((c) => counterpart.get(c) as CrlRecord | undefined);
  // Evaluated from another result than `before`: evaluate again.
  if (certs.includes(undefined) || crls.includes(undefined)) return undefined;
  return { ...state, certs: certs as CertificateRecord[], crls: crls as CrlRecord[], findings: state.findings.map(move) };
}

interface FileState {
  certs: CertificateRecord[];
  crls: CrlRecord[];
  findings: Finding[];
  counts: Record<Urgency, number>;
  /** When anything computed here changes with time alone. */
  nextChange: number;
  /** A test, example, documentation or vendored file whose certificates are counted apart. */
  apart: boolean;
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


/** Urgencies by how soon they call for action; a certificate not valid yet calls for none. */
const URGENCIES: readonly Urgency[] = ['expired', 'critical', 'warning', 'info', 'later', 'not-yet-valid'];

export interface UrgencySummary {
  /** Visible certificates by urgency, at the store's evaluation time; production files only unless certlens.nonProduction is normal. */
  counts: Record<Urgency, number>;
  /** The same for tests, examples, docs and vendored files, counted apart. */
  nonProduction: Record<Urgency, number>;
  /** The most urgent state of each production file holding a visible certificate. */
  worst: Map<string, Urgency>;
}
