import * as vscode from 'vscode';
import picomatch from 'picomatch';
import type { CertificateFields, CertificateRecord, FileResult, Finding } from '../core/model';
import { evaluate, urgencyOf, type Urgency } from '../core/rules/rules';
import { Inventory } from '../core/scan/inventory';
import { isSkippedByExtension, PathFilter } from '../core/scan/filters';
import { readBounded, resultFor, type ReadFile, type ReadOutcome } from '../core/scan/scanner';
import { ParseMemo } from '../core/scan/memo';
import { ReadPool, type WalkSpec } from '../core/scan/readPool';
import { type CertificateFileReference, type HostReference, mayBeConfigFile } from '../core/hosts';
import { parseFile } from '../core/formats/parse-file';
import { onDidChangeConfig, readConfig, readFilesExclude, SETTING_KEYS, type CertLensConfig } from './config';
import { fileKey, keyToUri } from './uris';

const READ_CONCURRENCY = 16;
/** Files larger than this are parsed on the read worker (about 25 certificates' worth of PEM). */
const PARSE_IN_WORKER_ABOVE = 32 * 1024;

/** Reads through Node's fs for local files (fast) and `workspace.fs` for remote and virtual ones. */
const readFile: ReadFile = async (file, maxSize): Promise<ReadOutcome> => {
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

/** What host discovery needs from scans: the text of every config file read. */
export interface TextListener {
  scanStarted(): void;
  text(file: string, text: string): void;
  /** What discovery already found in a config file (on the read worker). */
  discovered(file: string, hosts: HostReference[], fileRefs: CertificateFileReference[]): void;
  gone(file: string): void;
  scanFinished(): void;
}

const textDecoder = new TextDecoder('utf-8');

export interface StoreChange {
  /** Files whose results changed; undefined means everything. */
  files?: string[];
}

/**
 * The workspace's certificates and findings, kept current from scans, the file watcher and unsaved
 * edits. Everything the editor shows reads from here.
 */
export class CertificateStore implements vscode.Disposable {
  /** Reads local files on a worker thread when given (see ReadPool); otherwise on this thread. */
  constructor(private readonly pool?: ReadPool) {
    this.configSubscription = onDidChangeConfig(SETTING_KEYS, () => this.reloadConfig());
  }

  private readonly configSubscription: vscode.Disposable;

  private readonly inventory = new Inventory();
  private readonly changed = new vscode.EventEmitter<StoreChange>();
  readonly onDidChange = this.changed.event;
  private readonly scanState = new vscode.EventEmitter<boolean>();
  readonly onDidChangeScanning = this.scanState.event;
  /** PKCS#12 passwords for this session, by file; never written anywhere by the store. */
  readonly passwords = new Map<string, string>();
  private scanSource: vscode.CancellationTokenSource | undefined;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private configs = new Map<string, CertLensConfig>();
  scanned = false;
  lastScan = { files: 0, ms: 0 };

  dispose(): void {
    this.configSubscription.dispose();
    this.pool?.dispose();
    this.scanSource?.cancel();
    this.changed.dispose();
    this.scanState.dispose();
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
    this.maxCertificates = undefined;
    this.invalidate();
  }

  private maxCertificates: number | undefined;

  /** Identical contents are parsed once, across scans too (vendored CA bundles, unchanged files). */
  private readonly memo = new ParseMemo();

  private parseOptions() {
    this.maxCertificates ??= readConfig().maxCertificatesPerFile;
    return { pkcs12Password: (file: string) => this.passwords.get(file), memo: this.memo, maxCertificates: this.maxCertificates };
  }

  /**
   * Scans every workspace folder, replacing what was known. A running scan is cancelled; a scan that
   * gets cancelled resolves when the scan that replaced it is done, so every caller sees fresh results.
   */
  scanAll(): Promise<void> {
    this.scanSource?.cancel();
    this.configByFile.clear(); // workspace folders may have changed, and files gone
    const source = (this.scanSource = new vscode.CancellationTokenSource());
    const run: Promise<void> = this.runScan(source).then((): Promise<void> | undefined => (source.token.isCancellationRequested && this.latestScan !== run ? this.latestScan : undefined));
    this.latestScan = run;
    return run;
  }

  private latestScan: Promise<void> = Promise.resolve();

  /** Files updated by the watcher or edits since the running scan started. */
  private readonly touchedDuringScan = new Set<string>();

  /** Receives the text of config files as scans and edits read them (host discovery). */
  textListener: TextListener | undefined;

  /** Hands config files' text to the listener; a file that went away is reported gone. */
  private deliverText(file: string, outcome: ReadOutcome): void {
    if (!this.textListener) return;
    if (outcome === 'gone') this.textListener.gone(file);
    else if (outcome instanceof Uint8Array && mayBeConfigFile(file) && outcome.subarray(0, 8192).indexOf(0) === -1) this.textListener.text(file, textDecoder.decode(outcome));
  }

  private runScan(source: vscode.CancellationTokenSource): Promise<void> {
    this.touchedDuringScan.clear();
    this.textListener?.scanStarted();
    return this.track(async () => {
      const started = Date.now();
      const token = source.token;
      const found = new Map<string, FileResult>();
      let files = 0;
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        if (token.isCancellationRequested) return;
        const cfg = readConfig(folder.uri);
        // Local folders are walked by the read worker itself: a 20k-URI findFiles answer costs the
        // extension host a long task just to receive.
        const walkLocally = this.pool && folder.uri.scheme === 'file';
        const uris = walkLocally ? [] : await this.listFiles(folder, cfg, token);
        files += uris.length;
        const read = async (file: string, outcome: ReadOutcome, discoveredInWorker = false) => {
          if (!discoveredInWorker) this.deliverText(file, outcome);
          const result = await resultFor(file, outcome, cfg.maxFileSize, this.parseOptions(), readFile).catch(() => undefined);
          if (result) found.set(file, result);
        };
        const local: string[] | WalkSpec = walkLocally ? { root: folder.uri.fsPath, include: cfg.include, exclude: this.excludesFor(folder, cfg) } : uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath);
        const other = uris.filter((u) => u.scheme !== 'file').map(fileKey);
        if (this.pool && (!Array.isArray(local) || local.length)) {
          // The worker reads and sniffs; this thread parses what may hold certificates, a few ms at a time.
          const queue: [string, ReadOutcome][] = [];
          const listener = this.textListener;
          let wake: (() => void) | undefined;
          let reading = true;
          const reader = this.pool.read(local, cfg.maxFileSize, (file, outcome, discovered) => {
            if (discovered && listener) listener.discovered(file, discovered.hosts ?? [], discovered.fileRefs ?? []);
            if (outcome === 'nothing') return;
            // Large files arrive parsed by the worker: a 500-certificate bundle never blocks this thread.
            if (typeof outcome === 'object' && 'parsed' in outcome) {
              found.set(file, outcome.parsed);
              return;
            }
            queue.push([file, outcome]);
            wake?.();
          }, { discover: !!listener, parseAbove: PARSE_IN_WORKER_ABOVE, maxCertificates: this.parseOptions().maxCertificates, parseContainersExcept: [...this.passwords.keys()] }).then((count) => {
            if (walkLocally) files += count;
          }, async () => {
            // The worker failed: read what is left on this thread.
            const list = Array.isArray(local) ? local : (await this.listFiles(folder, cfg, token)).map((u) => u.fsPath);
            other.push(...list.filter((f) => !found.has(f)));
          }).finally(() => {
            reading = false;
            wake?.();
          });
          while (!token.isCancellationRequested && (reading || queue.length)) {
            if (!queue.length) {
              await new Promise<void>((r) => (wake = r));
              wake = undefined;
              continue;
            }
            const until = performance.now() + 4;
            while (queue.length && performance.now() < until) {
              const [file, outcome] = queue.shift()!;
              await read(file, outcome, !!listener);
            }
            await new Promise((r) => setImmediate(r));
          }
          await reader;
        } else if (Array.isArray(local)) {
          other.push(...local);
        }
        let next = 0;
        const worker = async () => {
          while (next < other.length && !token.isCancellationRequested) {
            const key = other[next++];
            await read(key, await readFile(key, cfg.maxFileSize));
          }
        };
        await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
      }
      if (token.isCancellationRequested) return;
      // Files changed, created or deleted while the scan ran are newer than what it read: keep them.
      const newer = [...this.touchedDuringScan].map((k) => [k, this.inventory.get(k)] as const);
      this.inventory.clear();
      for (const r of found.values()) this.inventory.set(r);
      for (const [k, r] of newer) {
        if (r) this.inventory.set(r);
        else this.inventory.delete(k);
      }
      this.scanned = true;
      // Evaluate every file's findings a slice at a time before telling anyone, so listeners that
      // summarise the workspace (tree, diagnostics, status bar) find the work done.
      this.perFile.clear();
      this.dropSummaries();
      const names = this.inventory.fileNames();
      for (let i = 0; i < names.length && !token.isCancellationRequested; ) {
        const until = performance.now() + 8;
        while (i < names.length && performance.now() < until) this.fileState(names[i++]);
        await new Promise((r) => setImmediate(r));
      }
      this.lastScan = { files, ms: Date.now() - started };
      this.dropSummaries();
      this.textListener?.scanFinished();
      this.changed.fire({});
    });
  }

  /** certlens.exclude plus the folder's files.exclude globs that are on. */
  private excludesFor(folder: vscode.WorkspaceFolder, cfg: CertLensConfig): string[] {
    return [...cfg.exclude, ...readFilesExclude(folder.uri)];
  }

  private async listFiles(folder: vscode.WorkspaceFolder, cfg: CertLensConfig, token: vscode.CancellationToken): Promise<vscode.Uri[]> {
    const excludes = this.excludesFor(folder, cfg);
    const glob = (list: string[]) => (list.length === 1 ? list[0] : `{${list.join(',')}}`);
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob(cfg.include.length ? cfg.include : ['**/*'])), excludes.length ? glob(excludes) : null, undefined, token);
    return uris.filter((u) => !isSkippedByExtension(u.path));
  }

  /** Whether a file (by URI) is one the scan would read. */
  isCandidate(uri: vscode.Uri): boolean {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || isSkippedByExtension(uri.path)) return false;
    const cfg = this.configFor(fileKey(uri));
    const rel = vscode.workspace.asRelativePath(uri, false);
    return new PathFilter(cfg.include, cfg.exclude).accepts(rel);
  }

  /** Re-reads files from disk (watcher events, saves, closes without saving). */
  updateFiles(uris: readonly vscode.Uri[]): Promise<void> {
    return this.track(async () => {
      const changed: string[] = [];
      const pending = [...uris];
      for (let i = 0; i < pending.length; i++) {
        const uri = pending[i];
        const key = fileKey(uri);
        const cfg = this.configFor(key);
        const outcome = await readFile(key, cfg.maxFileSize);
        // A created or changed directory reads as 'gone' but still exists: nothing under it went away.
        // A created or changed directory reads as 'gone' but still exists. File watchers can miss files
        // created right after their folder, so read what the folder holds now.
        if (outcome === 'gone' && (await isDirectory(uri))) {
          const folder = vscode.workspace.getWorkspaceFolder(uri);
          const excludes = folder ? this.excludesFor(folder, cfg) : cfg.exclude;
          const inside = await vscode.workspace.findFiles(new vscode.RelativePattern(uri, '**/*'), `{${excludes.join(',')}}`, 10_000);
          for (const f of inside) if (!uris.some((u) => u.toString() === f.toString()) && this.isCandidate(f)) pending.push(f);
          continue;
        }
        this.deliverText(key, outcome);
        const result = await resultFor(key, outcome, cfg.maxFileSize, this.parseOptions(), readFile).catch(() => undefined);
        if (result) this.inventory.set(result);
        else changed.push(...this.inventory.deleteUnder(key));
        changed.push(key);
      }
      this.invalidate(changed);
    });
  }

  /** Parses an open document's unsaved text. */
  updateDocument(doc: vscode.TextDocument): Promise<void> {
    return this.track(async () => {
      const key = fileKey(doc.uri);
      const cfg = this.configFor(key);
      const text = doc.getText();
      if (text.length > cfg.maxFileSize) return;
      const bytes = Buffer.from(text, 'utf8');
      if (mayBeConfigFile(key)) this.textListener?.text(key, text);
      // Unsaved text rarely repeats as a whole (no memo), but most of its PEM blocks do: a block
      // cache per document means an edit re-decodes only the blocks it touched.
      const blockCache = this.blockCacheFor(key);
      const result = await resultFor(key, bytes, cfg.maxFileSize, { ...this.parseOptions(), memo: undefined, blockCache }, readFile).catch(() => parseFile(key, bytes));
      if (result) this.inventory.set(result);
      this.invalidate([key]);
    });
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
    for (const u of uris) this.textListener?.gone(fileKey(u));
    const gone = uris.flatMap((u) => this.inventory.deleteUnder(fileKey(u)));
    this.invalidate([...uris.map(fileKey), ...gone]);
  }

  private invalidate(files?: string[]): void {
    if (files) for (const f of files) this.touchedDuringScan.add(f);
    this.dropSummaries();
    if (files) for (const f of files) this.perFile.delete(f);
    else this.perFile.clear();
    this.changed.fire({ files });
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
   * Certificates by urgency over the workspace, and the most urgent per file: what the status bar,
   * the tree's badge and Explorer decorations show. Summed over files (each counted once when it
   * changes), so a workspace-wide summary after an edit costs a pass over files, not certificates.
   */
  summary(): UrgencySummary {
    this.freshness();
    if (this.summaryCache) return this.summaryCache;
    const counts = noCounts();
    const worst = new Map<string, Urgency>();
    let warningDays = 0;
    for (const file of this.inventory.fileNames()) {
      const state = this.fileState(file);
      if (!state.certs.length) continue;
      warningDays = Math.max(warningDays, this.configFor(file).rules.warningDays);
      for (const u of URGENCIES) counts[u] += state.counts[u];
      const w = URGENCIES.find((u) => state.counts[u] > 0);
      if (w) worst.set(file, w);
    }
    return (this.summaryCache = { counts, worst, warningDays });
  }

  private evaluatedAt = 0;
  private readonly ignoreMatchers = new Map<string, (p: string) => boolean>();

  /** Results are re-evaluated at least once a minute, so "days left" stays true across midnight. */
  private freshness(): number {
    const now = Date.now();
    if (now - this.evaluatedAt >= 60_000) {
      this.perFile.clear();
      this.dropSummaries();
      this.evaluatedAt = now;
    }
    return this.evaluatedAt;
  }

  private pathIgnored(file: string, cfg: CertLensConfig): boolean {
    if (!cfg.ignorePaths.length) return false;
    const key = cfg.ignorePaths.join('\0');
    let m = this.ignoreMatchers.get(key);
    if (!m) this.ignoreMatchers.set(key, (m = picomatch(cfg.ignorePaths, { dot: true })));
    return m(vscode.workspace.asRelativePath(keyToUri(file), false));
  }

  private fileState(file: string): FileState {
    const now = this.freshness();
    let state = this.perFile.get(file);
    if (state) return state;
    const result = this.inventory.get(file);
    const cfg = this.configFor(file);
    const certs = !result || this.pathIgnored(file, cfg) ? [] : result.certificates.filter((c) => !cfg.rules.ignore.has(c.sha256));
    const findings = result ? [...result.problems, ...evaluate(certs, now, cfg.rules)] : [];
    const counts = noCounts();
    for (const c of certs) counts[urgencyOf(c, now, cfg.rules)]++;
    this.perFile.set(file, (state = { certs, findings, counts }));
    return state;
  }

  /** Visible (not ignored) certificates of one file. */
  certificatesIn(file: string): CertificateRecord[] {
    return this.fileState(file).certs;
  }

  /** Findings (parse problems and rules) of one file. */
  findingsIn(file: string): Finding[] {
    return this.fileState(file).findings;
  }

  /** Visible (not ignored) certificates, sorted by notAfter. */
  certificates(): CertificateRecord[] {
    this.freshness();
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
    return this.inventory.get(fileKey(uri));
  }

  files(): string[] {
    return this.inventory.fileNames();
  }

  bySha256(sha256: string): CertificateRecord | undefined {
    return this.inventory.certificates().find((c) => c.sha256 === sha256);
  }
}

interface FileState {
  certs: CertificateRecord[];
  findings: Finding[];
  counts: Record<Urgency, number>;
}

function noCounts(): Record<Urgency, number> {
  return { 'expired': 0, 'not-yet-valid': 0, 'critical': 0, 'warning': 0, 'info': 0, 'later': 0 };
}

/** Urgencies by how soon they call for action; a certificate not valid yet calls for none. */
const URGENCIES: readonly Urgency[] = ['expired', 'critical', 'warning', 'info', 'later', 'not-yet-valid'];

export interface UrgencySummary {
  /** Visible certificates by urgency, at the store's evaluation time. */
  counts: Record<Urgency, number>;
  /** The most urgent state of each file holding a visible certificate. */
  worst: Map<string, Urgency>;
  /** The largest warningDays of the folders holding certificates. */
  warningDays: number;
}
