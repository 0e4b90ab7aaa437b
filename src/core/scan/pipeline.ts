import * as path from 'node:path';
import { type FileReference, type FileResult, type Finding, placeCertificate, type Range, type UnreadableFolder } from '../model';
import { type ParseOptions, parseFile } from '../formats/parse-file';
import { CERTIFICATE_EXTENSIONS } from '../formats/extensions';
import { FILE_START } from '../formats/lines';
import { type DiscoverMode, discoverIn } from './discovery';
import { type ReadFile, type ReadOutcome, readScratchSync, walkSync } from './files';
import { discoversHere, planBytes, type ReadPolicy } from './plan';
import { BLOCK_CACHE_LIMIT, type ParseMemo } from './memo';
import { CLAIMED_BY_CALLER, type Discovered, type PooledOutcome, type ReadPool } from './readPool';
import { type FragmentSpec, packTexts, type ReportFragment, reportFragment, TextBlocks } from '../report/stream';

/**
 * The one scan: every file CertLens reads — the CLI's, the editor's full scans, watcher events and
 * unsaved edits — goes through runScan. It takes where the files come from (a folder walk or a
 * list), how they are read (the read worker, this thread's reader, or both) and an AbortSignal, and
 * reports each file's parse result and each file read (what host discovery needs).
 */

/** A folder to walk (globs relative to it), or a list of files. */
export interface WalkSource {
  root: string;
  include?: readonly string[];
  exclude: readonly string[];
}
export type FileSource = WalkSource | { files: readonly string[] };

/** A file was read: it is gone, or discovery found what it names (config files only). */
export interface FileRead {
  file: string;
  gone?: boolean;
  discovered?: Discovered;
}

export interface ScanStats {
  /** Files walked or listed. */
  files: number;
  read: number;
  /** Gone before they were read, or too large to matter. */
  skipped: number;
  ms: number;
  /** Folders the walks could not list (and links they could not follow), once each: what the scan did not read. */
  unreadableFolders: UnreadableFolder[];
  /**
   * With 'share' and a pool: when the walk ended, files offered to the worker (some may be taken
   * back), files read on this thread, and its wait for the worker at the end.
   */
  sharing?: { walkedMs: number; offered: number; readHere: number; waitedMs: number };
}

export interface ScanRequest {
  sources: readonly FileSource[];
  maxFileSize: number;
  parse?: Omit<ParseOptions, 'blockCache'>;
  /** Decoded PEM bodies shared across files and scans (bounded here). */
  blockCache?: NonNullable<ParseOptions['blockCache']>;
  /** Identical contents are parsed once (kept across scans by the caller). */
  memo?: ParseMemo;
  /** Reads files on a worker thread (walking local folders itself). */
  pool?: ReadPool;
  /**
   * Reads a file on this thread: the files the worker does not take, referenced files, and the
   * worker's share when it fails. Node's fs in the CLI, `workspace.fs` for remote editors.
   */
  read: ReadFile;
  /**
   * 'share': this thread also reads local files with synchronous reads, a slice at a time between
   * the worker's replies (the CLI: two threads, results in walk order). 'leave' (default): the
   * worker reads alone and this thread only parses, a few ms at a time (an editor's event loop).
   */
  thisThread?: 'share' | 'leave';
  /**
   * With 'share': the worker joins only once the walk has found this many files (default 0); a
   * smaller tree is read by this thread alone, sooner than a worker starts and warms up.
   */
  shareFromFiles?: number;
  /** Files read at once by `read` when it is asynchronous. */
  concurrency?: number;
  /** Run host discovery on config files, where they are read ('mentions': deployment evidence alone). */
  discover?: DiscoverMode;
  /**
   * Benchmarks, with 'share' (the CLI): walk, read and sniff every file as usual, but parse none
   * (each counts as holding nothing): the reading pipeline's own cost, beside the whole scan's.
   */
  sniffOnly?: boolean;
  /**
   * With a pool that reads for this thread (not 'share'): config files up to this size are
   * discovered here, in this thread's slices, rather than on the worker. The editor's thread waits
   * for the worker most of a scan, while the worker (at a lower priority) is the bound.
   */
  discoverOnWorkerAbove?: number;
  /** Files larger than this are parsed on the worker; PKCS#7/PKCS#12 always are, except the listed ones (unlocked with a password this thread holds). */
  parseOnWorker?: { above: number; containersExcept: readonly string[] };
  /** Lists a walk source's files on this thread when the worker failed (default: a synchronous walk). */
  list?: (source: WalkSource) => Promise<string[]>;
  signal?: AbortSignal;
  /** Each file that may hold certificates, parsed; never called after the signal aborts. */
  onFile?: (result: FileResult) => void;
  /**
   * Instead of onFile: each file's share of the JSON report, made on the thread that parsed the
   * file (files with nothing to report are left out).
   */
  report?: FragmentSpec;
  onFragment?: (fragment: ReportFragment) => void;
  /** Each file read that is gone or that discovery read; never called after the signal aborts. */
  onRead?: (event: FileRead) => void;
  /** Longest stretch of parsing on this thread before it yields to the event loop (editor). */
  sliceMs?: number;
  /** Failures that lose no result but someone should know about (worker fallback, discovery errors). */
  onTrouble?: (message: string) => void;
}

/**
 * Sharing: files per request to the worker, requests it may have at once, and files this thread
 * reads between looking at its replies.
 */
const WORKER_CHUNK = 128;
const WORKER_AHEAD = 3;
const OWN_SLICE = 64;

/**
 * How a scan reads its files, named; runScan picks one per request (or per source):
 * - 'shared': the CLI. This thread and the read worker share the walked files; results in walk order.
 * - 'worker-walks': an editor's full scan of a local folder. The worker walks and reads; this thread parses.
 * - 'worker-reads-list': the same for a list of files.
 * - 'here-sync': no worker, synchronous reads on this thread (the CLI with a keystore password or a few files).
 * - 'here-async': no worker, the scan's `read` with `concurrency` reads at once (watcher events, edits, remote folders).
 * A worker that fails leaves its unanswered files to 'here-async'. Whichever reads a file, what is done
 * with its bytes is plan.ts's planBytes, and what becomes of the outcome is Scan.accept.
 */
export type ScanStrategy = 'shared' | 'worker-walks' | 'worker-reads-list' | 'here-sync' | 'here-async';

/** The strategy for a source of a request that does not share (with 'share' and a pool, all sources are 'shared'). */
function strategyFor(req: ScanRequest, source: FileSource): Exclude<ScanStrategy, 'shared'> {
  if (req.pool) return 'root' in source ? 'worker-walks' : 'worker-reads-list';
  return req.thisThread === 'share' ? 'here-sync' : 'here-async';
}

export async function runScan(req: ScanRequest): Promise<ScanStats> {
  const scan = new Scan(req);
  if (req.pool && scan.ordered) {
    // The worker starts while this thread walks: at once, or (shareFromFiles) once the walk reaches
    // that many files, so that a smaller tree never starts it.
    if (!req.shareFromFiles) req.pool.warm();
    await shareWithWorker(
      scan,
      req.pool,
      scan.allFiles(),
      req.sources.every((source) => 'root' in source),
    );
  } else
    for (const source of req.sources) {
      if (!scan.live()) break;
      const walk = 'root' in source ? source : undefined;
      const strategy = strategyFor(req, source);
      if (strategy === 'worker-walks') {
        // The worker walks too: a 20k-name answer would cost this thread a long task just to receive.
        const rest = await readOnWorker(scan, req.pool!, walk!);
        if (rest) await scan.readAllHere(rest);
        continue;
      }
      const files: string[] = walk ? [] : [...(source as { files: readonly string[] }).files];
      if (walk) for (const f of walkSync(path.resolve(walk.root), { ...walk, onUnreadable: scan.unreadable })) files.push(f);
      scan.stats.files += files.length;
      if (strategy === 'worker-reads-list') {
        if (!files.length) continue;
        const rest = await readOnWorker(scan, req.pool!, files);
        if (rest) await scan.readAllHere(rest);
      } else if (strategy === 'here-sync')
        for (const f of files) {
          if (!scan.live()) break;
          const parsing = scan.readHereSync(f, -1, !!walk);
          if (parsing) await parsing;
        }
      else await scan.readAllHere(files);
    }
  return scan.finish();
}

/** One scan's state and what it does with each file's outcome, whichever strategy read it. */
class Scan {
  private readonly started = performance.now();
  readonly stats: ScanStats = { files: 0, read: 0, skipped: 0, ms: 0, unreadableFolders: [] };
  /** Records a folder a walk could not list, once. */
  readonly unreadable = (u: UnreadableFolder): void => {
    if (!this.stats.unreadableFolders.some((k) => k.path === u.path)) this.stats.unreadableFolders.push(u);
  };
  private readonly blockCache: NonNullable<ParseOptions['blockCache']>;
  private readonly parseOptions: ParseOptions & { memo?: ParseMemo };
  /** How this thread treats the files it reads itself (see plan.ts). */
  private readonly policy: ReadPolicy;
  readonly signal: AbortSignal | undefined;
  /** Two threads read at once only with a pool: their results are put back in walk order. */
  readonly ordered: boolean;
  /** With 'share': results by their place in walk order. */
  private readonly inOrder: [number, FileResult | undefined, ReportFragment | undefined][] = [];
  /** The report text of the fragments made here, as UTF-8 outside the heap until it is written. */
  private readonly texts: TextBlocks | undefined;

  constructor(readonly req: ScanRequest) {
    this.blockCache = req.blockCache ?? new Map();
    this.parseOptions = { ...req.parse, blockCache: this.blockCache, memo: req.memo };
    this.policy = { discover: req.discover, sniffOnly: req.sniffOnly };
    this.signal = req.signal;
    this.ordered = req.thisThread === 'share' && !!req.pool;
    this.texts = req.report && new TextBlocks();
  }

  live(): boolean {
    return !this.signal?.aborted;
  }

  /** Milliseconds since the scan started. */
  elapsed(): number {
    return performance.now() - this.started;
  }

  private deliverFragment(fragment: ReportFragment | undefined, at: number): void {
    this.stats.read++;
    if (!this.live() || !fragment) return;
    if (this.ordered) this.inOrder.push([at, undefined, fragment]);
    else this.req.onFragment?.(fragment);
  }

  private deliver(result: FileResult, at: number): void {
    if (this.req.report) {
      const fragment = reportFragment(result, this.req.report);
      if (fragment) packTexts([fragment], this.texts);
      return this.deliverFragment(fragment, at);
    }
    this.stats.read++;
    if (!this.live()) return;
    if (this.ordered) this.inOrder.push([at, result, undefined]);
    else this.req.onFile?.(result);
  }

  private announce(file: string, outcome: PooledOutcome, found: Discovered | undefined): void {
    const req = this.req;
    if (!req.onRead || !this.live()) return;
    if (outcome === 'gone') req.onRead({ file, gone: true });
    else if (found) req.onRead({ file, discovered: found });
    if (found?.error) req.onTrouble?.(`Host discovery failed on ${file}: ${found.error}`);
  }

  /** What this thread does with one file's outcome, wherever it was read; `at` is its place in walk order when sharing. */
  async accept(file: string, outcome: PooledOutcome, found?: Discovered, at = -1): Promise<void> {
    const req = this.req;
    // The worker leaves small config files to this thread (discoverHereAbove): their text, or the bytes it sent.
    if (req.discover && found?.undiscovered) found = discoverIn(file, found.undiscovered, req.discover);
    else if (!found && outcome instanceof Uint8Array && discoversHere(file, outcome, this.policy))
      found = discoverIn(file, outcome, req.discover);
    let result: FileResult | undefined;
    if (outcome === 'nothing') this.stats.read++;
    else if (typeof outcome === 'object' && 'fragment' in outcome) this.deliverFragment(outcome.fragment, at);
    else if (typeof outcome === 'object' && 'parsed' in outcome) result = outcome.parsed;
    else {
      if (this.blockCache.size > BLOCK_CACHE_LIMIT) this.blockCache.clear();
      result = await resultFor(file, outcome, req.maxFileSize, this.parseOptions, req.read).catch((e: unknown) => failedResult(file, e));
      if (!result) this.stats.skipped++;
    }
    if (found?.fileRefs?.length) result = await checkNamedFiles(file, found.fileRefs, req.maxFileSize, req.read, result);
    this.announce(file, outcome, found);
    if (result) this.deliver(result, at);
  }

  /**
   * A local file read on this thread: sniffed in the reused buffer, copied only when it may hold
   * something. Most files hold nothing: they are counted without a promise.
   */
  readHereSync(file: string, at = -1, walked = false): Promise<void> | undefined {
    const read = readScratchSync(file, this.req.maxFileSize, walked);
    if (!(read instanceof Uint8Array)) return this.accept(file, read, undefined, at);
    const plan = planBytes(file, read, this.policy);
    const found = plan.discover ? discoverIn(file, read, this.req.discover) : undefined;
    if (plan.keep) return this.accept(file, new Uint8Array(read), found, at);
    if (found) return this.accept(file, 'nothing', found, at);
    this.stats.read++;
    return undefined;
  }

  /** Reads files with the scan's `read`, `concurrency` at once. */
  async readAllHere(files: readonly string[]): Promise<void> {
    let next = 0;
    const reader = async () => {
      while (next < files.length && this.live()) {
        const file = files[next++];
        await this.accept(file, await this.req.read(file, this.req.maxFileSize));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.req.concurrency ?? 16) }, reader));
  }

  /** The files of all sources, in walk order, counted as they come. */
  *allFiles(): Generator<string> {
    for (const source of this.req.sources) {
      if (!this.live()) return;
      for (const file of 'root' in source
        ? walkSync(path.resolve(source.root), { ...source, onUnreadable: this.unreadable })
        : source.files) {
        this.stats.files++;
        yield file;
      }
    }
  }

  /** Delivers what sharing put in walk order, and the stats. */
  finish(): ScanStats {
    this.signal?.throwIfAborted();
    if (this.ordered) {
      // Walk order, whichever thread read what: the output does not depend on threads.
      this.inOrder.sort((a, b) => a[0] - b[0]);
      for (const [, result, fragment] of this.inOrder) {
        if (result) this.req.onFile?.(result);
        else if (fragment) this.req.onFragment?.(fragment);
      }
    }
    this.stats.ms = Math.round(this.elapsed());
    return this.stats;
  }
}

/**
 * 'worker-walks' and 'worker-reads-list': the worker reads `source` (a list, or a folder it walks)
 * while this thread parses what comes back, `sliceMs` at a time. Returns the files the worker did
 * not answer when it failed.
 */
async function readOnWorker(scan: Scan, pool: ReadPool, source: readonly string[] | WalkSource): Promise<string[] | undefined> {
  const { req, stats, signal } = scan;
  const queue: [string, PooledOutcome, Discovered | undefined][] = [];
  const answered = new Set<string>();
  let wake: (() => void) | undefined;
  let reading = true;
  let failure: Error | undefined;
  const spec = isWalk(source)
    ? { root: source.root, include: source.include && [...source.include], exclude: [...source.exclude] }
    : source;
  const reader = pool
    .read(
      spec,
      req.maxFileSize,
      (file, outcome, found) => {
        answered.add(file);
        queue.push([file, outcome, found]);
        wake?.();
      },
      {
        discover: req.discover,
        discoverHereAbove: req.discoverOnWorkerAbove,
        signal,
        maxCertificates: req.parse?.maxCertificates,
        onUnreadable: scan.unreadable,
        parseAbove: req.parseOnWorker?.above,
        parseContainersExcept: req.parseOnWorker ? [...req.parseOnWorker.containersExcept] : undefined,
      },
    )
    .then(
      (count) => {
        if (isWalk(source)) stats.files += count;
      },
      (e: Error) => {
        if (scan.live()) failure = e;
      },
    )
    .finally(() => {
      reading = false;
      wake?.();
    });
  while (scan.live() && (reading || queue.length)) {
    if (!queue.length) {
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
      continue;
    }
    const until = performance.now() + (req.sliceMs ?? 4);
    while (queue.length && performance.now() < until && scan.live()) {
      const [file, outcome, found] = queue.shift()!;
      await scan.accept(file, outcome, found);
    }
    await new Promise((r) => setImmediate(r));
  }
  await reader;
  if (!failure || !scan.live()) return undefined;
  req.onTrouble?.(`The read worker failed (${failure.message}); reading the rest on this thread`);
  const all = isWalk(source) ? await (req.list ?? ((w: WalkSource) => listSync(w, scan.unreadable)))(source) : source;
  if (isWalk(source)) stats.files += all.length - answered.size;
  return all.filter((f) => !answered.has(f));
}

/**
 * 'shared': this thread and the worker share the files as they are walked: the worker gets requests
 * of WORKER_CHUNK files from the front of the list (WORKER_AHEAD at a time, from the start of the
 * walk, while it is still starting), this thread reads slices from the back, and at the end it
 * takes back the requests the worker has not started, so neither waits for the other.
 */
async function shareWithWorker(scan: Scan, pool: ReadPool, walk: Iterable<string>, fromWalks: boolean): Promise<void> {
  const { req, stats, signal } = scan;
  const live = () => scan.live();
  const files: string[] = [];
  /** files[0, front) went to the worker. */
  let front = 0;
  interface Request {
    start: number;
    end: number;
    claim: Int32Array;
    answered: number;
  }
  const requests = new Set<Request>();
  let workerFailed = false;
  let wake: (() => void) | undefined;
  const fromWorker: [string, PooledOutcome, Discovered | undefined, number][] = [];
  const retry: number[] = [];
  const sharing = (stats.sharing = { walkedMs: 0, offered: 0, readHere: 0, waitedMs: 0 });
  const shareFrom = req.shareFromFiles ?? 0;
  /** Whether the tree is large enough for the worker (it starts on the first request). */
  let withWorker = false;
  const post = (end: number) => {
    const request: Request = { start: front, end, claim: new Int32Array(new SharedArrayBuffer(4)), answered: 0 };
    sharing.offered += end - front;
    front = end;
    requests.add(request);
    // The worker parses every file but containers (PKCS#7, PKCS#12), which come here: their decoder
    // (node-forge) is large to load and warm, and copies of one keystore are parsed once per thread.
    pool
      .read(
        files.slice(request.start, end),
        req.maxFileSize,
        (file, outcome, found) => {
          fromWorker.push([file, outcome, found, request.start + request.answered++]);
        },
        {
          discover: req.discover,
          signal,
          parseAbove: 0,
          maxCertificates: req.parse?.maxCertificates,
          report: req.report,
          claim: request.claim,
          walked: fromWalks,
          sniffOnly: req.sniffOnly,
        },
      )
      .catch((e: Error) => {
        if (!live()) return;
        if (!workerFailed) req.onTrouble?.(`The read worker failed (${e.message}); reading its files on this thread`);
        workerFailed = true;
        // Unless this thread took the request back, what the worker did not answer is read here.
        if (Atomics.compareExchange(request.claim, 0, 0, CLAIMED_BY_CALLER) !== CLAIMED_BY_CALLER) {
          for (let i = request.start + request.answered; i < request.end; i++) retry.push(i);
        }
      })
      .finally(() => {
        requests.delete(request);
        wake?.();
      });
  };
  const readHere = async (from: number, to: number) => {
    sharing.readHere += to - from;
    for (let i = from; i < to && live(); i++) {
      const parsing = scan.readHereSync(files[i], i, fromWalks);
      if (parsing) await parsing;
    }
  };
  const drain = async () => {
    for (let item = fromWorker.shift(); item && live(); item = fromWorker.shift()) {
      if (item[1] === 'nothing' && !item[2])
        stats.read++; // most files: nothing to parse, nothing found
      else await scan.accept(...item);
    }
    for (let i = retry.shift(); i !== undefined && live(); i = retry.shift()) await scan.readHereSync(files[i], i, fromWalks);
  };
  const letRepliesIn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const release = pool.hold();
  try {
    for (const file of walk) {
      if (!live()) break;
      // Every WORKER_CHUNK files, as many requests as the worker may have; now and then, its replies.
      const count = files.push(file);
      if (count % WORKER_CHUNK !== 0) continue;
      withWorker ||= count >= shareFrom;
      while (withWorker && !workerFailed && requests.size < WORKER_AHEAD && files.length - front >= WORKER_CHUNK) {
        post(front + WORKER_CHUNK);
      }
      if (count % (4 * WORKER_CHUNK) !== 0) continue;
      await letRepliesIn();
      await drain();
    }
    let back = files.length;
    sharing.walkedMs = Math.round(scan.elapsed());
    withWorker ||= files.length >= shareFrom;
    while (front < back && live()) {
      while (withWorker && !workerFailed && requests.size < WORKER_AHEAD && front < back) post(Math.min(front + WORKER_CHUNK, back));
      const start = Math.max(front, back - OWN_SLICE);
      await readHere(start, back);
      back = start;
      await drain();
      await letRepliesIn();
    }
    for (const request of [...requests]) {
      if (Atomics.compareExchange(request.claim, 0, 0, CLAIMED_BY_CALLER) === 0) await readHere(request.start, request.end);
    }
    const waiting = performance.now();
    while (requests.size > 0 && live()) {
      await drain();
      if (requests.size > 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    sharing.waitedMs = Math.round(performance.now() - waiting);
    await drain();
  } finally {
    release();
  }
}

function isWalk(source: readonly string[] | WalkSource): source is WalkSource {
  return !Array.isArray(source);
}

function listSync(source: WalkSource, onUnreadable: (u: UnreadableFolder) => void): Promise<string[]> {
  return Promise.resolve([...walkSync(path.resolve(source.root), { ...source, onUnreadable })]);
}

function failedResult(file: string, e: unknown): FileResult {
  return problemResult(file, 'warning', 'read-error', `Could not read this file: ${e instanceof Error ? e.message : String(e)}`);
}

/** A file that gave nothing but one problem about the whole file. */
function problemResult(file: string, severity: Finding['severity'], code: Finding['code'], message: string): FileResult {
  return {
    file,
    certificates: [],
    privateKeys: [],
    references: [],
    crls: [],
    problems: [{ file, range: FILE_START, severity, code, message }],
  };
}

/** Parses bytes already read (or the read's failure) into a file result, resolving the files it references. */
export async function resultFor(
  file: string,
  bytes: ReadOutcome,
  maxSize: number,
  options: ParseOptions & { memo?: ParseMemo },
  read: ReadFile,
): Promise<FileResult | undefined> {
  if (bytes === 'gone') return undefined;
  if (bytes === 'too-large') {
    if (!CERTIFICATE_EXTENSIONS.has(path.extname(file).toLowerCase())) return undefined;
    const limit = Math.round(maxSize / 1024 / 1024);
    return problemResult(file, 'info', 'file-too-large', `Skipped: larger than the ${limit} MB limit (certlens.maxFileSize)`);
  }
  if (bytes instanceof Error) return failedResult(file, bytes);
  const result = options.memo ? options.memo.parse(file, bytes, options) : parseFile(file, bytes, options);
  for (const ref of result.references) {
    const target = await read(ref.target, maxSize);
    ref.exists = target instanceof Uint8Array;
    if (!(target instanceof Uint8Array)) {
      if (resolvedInWorkspace(ref)) result.problems.push(missingReference(ref, target));
      continue;
    }
    const inner = parseFile(ref.target, target, options);
    for (const c of inner.certificates) {
      result.certificates.push(
        placeCertificate(c, {
          file,
          range: ref.range,
          source: ref.source ?? 'pem',
          index: result.certificates.length,
          role: c.role,
          chain: c.chain,
          alias: c.alias,
          keystore: c.keystore,
        }),
      );
    }
    for (const p of inner.problems)
      result.problems.push({ ...p, file, range: ref.range, message: `${ref.written ?? ref.target}: ${p.message}` });
  }
  return result;
}

/** The one finding for a certificate file that a file names and that cannot be read (the path as written). */
function missingReference(ref: FileReference, outcome: Exclude<ReadOutcome, Uint8Array>): Finding {
  const message = `Referenced certificate file ${ref.written ?? ref.target} ${outcome === 'gone' ? 'does not exist' : 'could not be read'}`;
  return { file: ref.file, range: ref.range, severity: 'info', code: 'referenced-file-missing', message };
}

/**
 * Checks the certificate files a config names (discovery's references) through the scan's reader,
 * marking each with whether it exists; those that do not become findings of the naming file.
 */
async function checkNamedFiles(
  file: string,
  refs: readonly FileReference[],
  maxSize: number,
  read: ReadFile,
  result: FileResult | undefined,
): Promise<FileResult | undefined> {
  const missing: Finding[] = [];
  for (const ref of refs) {
    const target = await read(ref.target, maxSize);
    ref.exists = target instanceof Uint8Array;
    const reported = result?.problems.some((p) => p.code === 'referenced-file-missing' && sameRange(p.range, ref.range));
    if (!ref.exists && !reported && resolvedInWorkspace(ref))
      missing.push(missingReference(ref, target as Exclude<ReadOutcome, Uint8Array>));
  }
  if (!missing.length) return result;
  if (!result) return { file, certificates: [], privateKeys: [], references: [], crls: [], problems: missing };
  result.problems.push(...missing);
  return result;
}

/**
 * Whether a missing file a config names is the workspace's to hold: a kubeconfig's paths and
 * explicit ./ and ../ paths resolve beside the naming file, and so do relative paths with a folder
 * in server configs (nginx, Apache, HAProxy, .env, properties). Absolute and home paths name the
 * target host or a container image; a bare name in YAML or JSON is a Secret's key or a name the
 * program joins to its own certificate folder (`ca.pem`, `etcd/ca.crt` under a role's cert dir).
 */
export function resolvedInWorkspace(ref: FileReference): boolean {
  const written = ref.written;
  if (written === undefined) return true;
  if (/^(?:\/|~|[A-Za-z]:[\\/]|\\\\|[a-z][a-z0-9+.-]*:)/i.test(written) || written.includes('{{') || written.includes('${')) return false;
  if (ref.source === 'kubeconfig') return true;
  if (written.startsWith('./') || written.startsWith('../') || written.startsWith('.\\') || written.startsWith('..\\')) return true;
  if (!/[\\/]/.test(written)) return false;
  return !STRUCTURED_CONFIG.test(ref.file);
}

/** YAML and JSON (also as templates): their values are read by a program, from its own working directory. */
const STRUCTURED_CONFIG = /\.(?:ya?ml|json|j2|jinja2|tpl|gotmpl)$/i;

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}
