import * as path from 'node:path';
import { type FileReference, type FileResult, type Finding, placeCertificate, type Range, type UnreadableFolder } from '../model';
import { CERTIFICATE_EXTENSIONS, mayHoldCertificates, type ParseOptions, parseFile } from '../formats/parse-file';
import { FILE_START } from '../formats/lines';
import { discoverIn, wantsDiscovery } from './discovery';
import { isText, type ReadFile, type ReadOutcome, readScratchSync, walkSync } from './files';
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
export interface WalkSource { root: string; include?: readonly string[]; exclude: readonly string[] }
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
  /** Run host discovery on config files, where they are read. */
  discover?: boolean;
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

export async function runScan(req: ScanRequest): Promise<ScanStats> {
  const started = performance.now();
  const stats: ScanStats = { files: 0, read: 0, skipped: 0, ms: 0, unreadableFolders: [] };
  const unreadable = (u: UnreadableFolder) => {
    if (!stats.unreadableFolders.some((k) => k.path === u.path)) stats.unreadableFolders.push(u);
  };
  const blockCache = req.blockCache ?? new Map();
  const parseOptions: ParseOptions & { memo?: ParseMemo } = { ...req.parse, blockCache, memo: req.memo };
  const signal = req.signal;
  const live = () => !signal?.aborted;
  // Two threads read at once only with a pool: their results are put back in walk order.
  const ordered = req.thisThread === 'share' && !!req.pool;
  /** With 'share': results by their place in walk order. */
  const inOrder: [number, FileResult | undefined, ReportFragment | undefined][] = [];

  const deliverFragment = (fragment: ReportFragment | undefined, at: number) => {
    stats.read++;
    if (!live() || !fragment) return;
    if (ordered) inOrder.push([at, undefined, fragment]);
    else req.onFragment?.(fragment);
  };
  /** The report text of the fragments made here, as UTF-8 outside the heap until it is written. */
  const texts = req.report && new TextBlocks();
  const deliver = (result: FileResult, at: number) => {
    if (req.report) {
      const fragment = reportFragment(result, req.report);
      if (fragment) packTexts([fragment], texts);
      return deliverFragment(fragment, at);
    }
    stats.read++;
    if (!live()) return;
    if (ordered) inOrder.push([at, result, undefined]);
    else req.onFile?.(result);
  };
  const announce = (file: string, outcome: PooledOutcome, found: Discovered | undefined) => {
    if (!req.onRead || !live()) return;
    if (outcome === 'gone') req.onRead({ file, gone: true });
    else if (found) req.onRead({ file, discovered: found });
    if (found?.error) req.onTrouble?.(`Host discovery failed on ${file}: ${found.error}`);
  };
  /** What this thread does with one file's outcome, wherever it was read; `at` is its place in walk order when sharing. */
  const accept = async (file: string, outcome: PooledOutcome, found?: Discovered, at = -1) => {
    // The worker leaves small config files to this thread (discoverHereAbove): their text, or the bytes it sent.
    if (req.discover && found?.undiscovered) found = discoverIn(file, found.undiscovered);
    else if (req.discover && !found && outcome instanceof Uint8Array && wantsDiscovery(file) && isText(outcome)) found = discoverIn(file, outcome);
    let result: FileResult | undefined;
    if (outcome === 'nothing') stats.read++;
    else if (typeof outcome === 'object' && 'fragment' in outcome) deliverFragment(outcome.fragment, at);
    else if (typeof outcome === 'object' && 'parsed' in outcome) result = outcome.parsed;
    else {
      if (blockCache.size > BLOCK_CACHE_LIMIT) blockCache.clear();
      result = await resultFor(file, outcome, req.maxFileSize, parseOptions, req.read).catch((e: unknown) => failedResult(file, e));
      if (!result) stats.skipped++;
    }
    if (found?.fileRefs?.length) result = await checkNamedFiles(file, found.fileRefs, req.maxFileSize, req.read, result);
    announce(file, outcome, found);
    if (result) deliver(result, at);
  };
  /**
   * A local file read on this thread: sniffed in the reused buffer, copied only when it may hold
   * something. Most files hold nothing: they are counted without a promise.
   */
  const readHereSync = (file: string, at = -1, walked = false): Promise<void> | undefined => {
    const read = readScratchSync(file, req.maxFileSize, walked);
    if (!(read instanceof Uint8Array)) return accept(file, read, undefined, at);
    const found = req.discover && wantsDiscovery(file) && isText(read) ? discoverIn(file, read) : undefined;
    if (mayHoldCertificates(file, read) && !req.sniffOnly) return accept(file, new Uint8Array(read), found, at);
    if (found) return accept(file, 'nothing', found, at);
    stats.read++;
    return undefined;
  };
  const readAllHere = async (files: readonly string[]) => {
    let next = 0;
    const reader = async () => {
      while (next < files.length && live()) {
        const file = files[next++];
        await accept(file, await req.read(file, req.maxFileSize));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, req.concurrency ?? 16) }, reader));
  };

  /**
   * The worker reads `source` (a list, or a folder it walks) while this thread parses what comes back,
   * `sliceMs` at a time. Returns the files the worker did not answer when it failed.
   */
  const readOnWorker = async (pool: ReadPool, source: readonly string[] | (WalkSource)): Promise<string[] | undefined> => {
    const queue: [string, PooledOutcome, Discovered | undefined][] = [];
    const answered = new Set<string>();
    let wake: (() => void) | undefined;
    let reading = true;
    let failure: Error | undefined;
    const spec = isWalk(source) ? { root: source.root, include: source.include && [...source.include], exclude: [...source.exclude] } : source;
    const reader = pool.read(spec, req.maxFileSize, (file, outcome, found) => {
      answered.add(file);
      queue.push([file, outcome, found]);
      wake?.();
    }, {
      discover: req.discover, discoverHereAbove: req.discoverOnWorkerAbove, signal, maxCertificates: req.parse?.maxCertificates, onUnreadable: unreadable,
      parseAbove: req.parseOnWorker?.above, parseContainersExcept: req.parseOnWorker ? [...req.parseOnWorker.containersExcept] : undefined,
    }).then((count) => {
      if (isWalk(source)) stats.files += count;
    }, (e: Error) => {
      if (live()) failure = e;
    }).finally(() => {
      reading = false;
      wake?.();
    });
    while (live() && (reading || queue.length)) {
      if (!queue.length) {
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      const until = performance.now() + (req.sliceMs ?? 4);
      while (queue.length && performance.now() < until && live()) {
        const [file, outcome, found] = queue.shift()!;
        await accept(file, outcome, found);
      }
      await new Promise((r) => setImmediate(r));
    }
    await reader;
    if (!failure || !live()) return undefined;
    req.onTrouble?.(`The read worker failed (${failure.message}); reading the rest on this thread`);
    const all = isWalk(source) ? await (req.list ?? ((w: WalkSource) => listSync(w, unreadable)))(source) : source;
    if (isWalk(source)) stats.files += all.length - answered.size;
    return all.filter((f) => !answered.has(f));
  };

  /**
   * This thread and the worker share the files as they are walked: the worker gets requests of
   * WORKER_CHUNK files from the front of the list (WORKER_AHEAD at a time, from the start of the
   * walk, while it is still starting), this thread reads slices from the back, and at the end it
   * takes back the requests the worker has not started, so neither waits for the other.
   */
  const share = async (pool: ReadPool, walk: Iterable<string>, fromWalks: boolean) => {
    const files: string[] = [];
    /** files[0, front) went to the worker. */
    let front = 0;
    interface Request { start: number; end: number; claim: Int32Array; answered: number }
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
      pool.read(files.slice(request.start, end), req.maxFileSize, (file, outcome, found) => {
        fromWorker.push([file, outcome, found, request.start + request.answered++]);
      }, { discover: req.discover, signal, parseAbove: 0, maxCertificates: req.parse?.maxCertificates, report: req.report, claim: request.claim, walked: fromWalks, sniffOnly: req.sniffOnly })
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
        const parsing = readHereSync(files[i], i, fromWalks);
        if (parsing) await parsing;
      }
    };
    const drain = async () => {
      for (let item = fromWorker.shift(); item && live(); item = fromWorker.shift()) {
        if (item[1] === 'nothing' && !item[2]) stats.read++; // most files: nothing to parse, nothing found
        else await accept(...item);
      }
      for (let i = retry.shift(); i !== undefined && live(); i = retry.shift()) await readHereSync(files[i], i, fromWalks);
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
        while (withWorker && !workerFailed && requests.size < WORKER_AHEAD && files.length - front >= WORKER_CHUNK) post(front + WORKER_CHUNK);
        if (count % (4 * WORKER_CHUNK) !== 0) continue;
        await letRepliesIn();
        await drain();
      }
      let back = files.length;
      sharing.walkedMs = Math.round(performance.now() - started);
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
  };

  /** The files of all sources, in walk order, counted as they come. */
  function* allFiles(): Generator<string> {
    for (const source of req.sources) {
      if (!live()) return;
      for (const file of 'root' in source ? walkSync(path.resolve(source.root), { ...source, onUnreadable: unreadable }) : source.files) {
        stats.files++;
        yield file;
      }
    }
  }

  if (req.pool && ordered) {
    // The worker starts while this thread walks: at once, or (shareFromFiles) once the walk reaches
    // that many files, so that a smaller tree never starts it.
    if (!req.shareFromFiles) req.pool.warm();
    await share(req.pool, allFiles(), req.sources.every((source) => 'root' in source));
  } else for (const source of req.sources) {
    if (!live()) break;
    const walk = 'root' in source ? source : undefined;
    if (walk && req.pool) {
      // The worker walks too: a 20k-name answer would cost this thread a long task just to receive.
      const rest = await readOnWorker(req.pool, walk);
      if (rest) await readAllHere(rest);
      continue;
    }
    const files: string[] = walk ? [] : [...(source as { files: readonly string[] }).files];
    if (walk) for (const f of walkSync(path.resolve(walk.root), { ...walk, onUnreadable: unreadable })) files.push(f);
    stats.files += files.length;
    if (req.pool && files.length) {
      const rest = await readOnWorker(req.pool, files);
      if (rest) await readAllHere(rest);
    } else if (req.thisThread === 'share') for (const f of files) {
      if (!live()) break;
      const parsing = readHereSync(f, -1, !!walk);
      if (parsing) await parsing;
    } else await readAllHere(files);
  }
  signal?.throwIfAborted();
  if (ordered) {
    // Walk order, whichever thread read what: the output does not depend on threads.
    inOrder.sort((a, b) => a[0] - b[0]);
    for (const [, result, fragment] of inOrder) {
      if (result) req.onFile?.(result);
      else if (fragment) req.onFragment?.(fragment);
    }
  }
  stats.ms = Math.round(performance.now() - started);
  return stats;
}

function isWalk(source: readonly string[] | WalkSource): source is WalkSource {
  return !Array.isArray(source);
}

function listSync(source: WalkSource, onUnreadable: (u: UnreadableFolder) => void): Promise<string[]> {
  return Promise.resolve([...walkSync(path.resolve(source.root), { ...source, onUnreadable })]);
}

function failedResult(file: string, e: unknown): FileResult {
  const message = `Could not read this file: ${e instanceof Error ? e.message : String(e)}`;
  return { file, certificates: [], privateKeys: [], references: [], crls: [], problems: [{ file, range: FILE_START, severity: 'warning', code: 'read-error', message }] };
}

/** Parses bytes already read (or the read's failure) into a file result, resolving the files it references. */
export async function resultFor(file: string, bytes: ReadOutcome, maxSize: number, options: ParseOptions & { memo?: ParseMemo }, read: ReadFile): Promise<FileResult | undefined> {
  if (bytes === 'gone') return undefined;
  if (bytes === 'too-large' || bytes instanceof Error) {
    const isCertFile = CERTIFICATE_EXTENSIONS.has(path.extname(file).toLowerCase());
    if (bytes === 'too-large' && !isCertFile) return undefined;
    const message = bytes === 'too-large'
      ? `Skipped: larger than the ${Math.round(maxSize / 1024 / 1024)} MB limit (certlens.maxFileSize)`
      : `Could not read this file: ${bytes.message}`;
    return {
      file, certificates: [], privateKeys: [], references: [], crls: [],
      problems: [{ file, range: FILE_START, severity: bytes === 'too-large' ? 'info' : 'warning', code: bytes === 'too-large' ? 'file-too-large' : 'read-error', message }],
    };
  }
  const result = options.memo ? options.memo.parse(file, bytes, options) : parseFile(file, bytes, options);
  for (const ref of result.references) {
    const target = await read(ref.target, maxSize);
    ref.exists = target instanceof Uint8Array;
    if (!(target instanceof Uint8Array)) {
      result.problems.push(missingReference(ref, target));
      continue;
    }
    const inner = parseFile(ref.target, target, options);
    for (const c of inner.certificates) {
      result.certificates.push(placeCertificate(c, { file, range: ref.range, source: ref.source ?? 'pem', index: result.certificates.length, role: c.role, chain: c.chain, alias: c.alias, keystore: c.keystore }));
    }
    for (const p of inner.problems) result.problems.push({ ...p, file, range: ref.range, message: `${ref.target}: ${p.message}` });
  }
  return result;
}

/** The one finding for a certificate file that a file names and that cannot be read. */
function missingReference(ref: FileReference, outcome: Exclude<ReadOutcome, Uint8Array>): Finding {
  const message = `Referenced certificate file ${ref.target} ${outcome === 'gone' ? 'does not exist' : 'could not be read'}`;
  return { file: ref.file, range: ref.range, severity: 'info', code: 'referenced-file-missing', message };
}

/**
 * Checks the certificate files a config names (discovery's references) through the scan's reader,
 * marking each with whether it exists; those that do not become findings of the naming file.
 */
async function checkNamedFiles(file: string, refs: readonly FileReference[], maxSize: number, read: ReadFile, result: FileResult | undefined): Promise<FileResult | undefined> {
  const missing: Finding[] = [];
  for (const ref of refs) {
    const target = await read(ref.target, maxSize);
    ref.exists = target instanceof Uint8Array;
    const reported = result?.problems.some((p) => p.code === 'referenced-file-missing' && sameRange(p.range, ref.range));
    if (!ref.exists && !reported) missing.push(missingReference(ref, target as Exclude<ReadOutcome, Uint8Array>));
  }
  if (!missing.length) return result;
  if (!result) return { file, certificates: [], privateKeys: [], references: [], crls: [], problems: missing };
  result.problems.push(...missing);
  return result;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}
