import * as fs from 'node:fs';
import * as path from 'node:path';
import { type FileResult, placeCertificate } from '../model';
import { CERTIFICATE_EXTENSIONS, type ParseOptions, parseFile } from '../formats/parse-file';
import { FILE_START } from '../formats/lines';
import { DEFAULT_EXCLUDES, isSkippedByExtension, PathFilter } from './filters';
import type { ParseMemo } from './memo';
import type { ReadPool } from './readPool';

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

export interface ScanOptions extends ParseOptions {
  roots: readonly string[];
  include?: readonly string[];
  exclude?: readonly string[];
  maxFileSize?: number;
  /** Files read at once. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called as each file completes, before the scan ends. */
  onFile?: (result: FileResult) => void;
  /** Called with the text of each file read that `wantsText` accepts; never for binary files. */
  onText?: (file: string, text: string) => void;
  wantsText?: (file: string) => boolean;
  /** Read files synchronously: fastest for a command-line run, wrong for an editor's event loop. */
  syncReads?: boolean;
  /** Shares parse results between identical files (kept across scans by the caller). */
  memo?: ParseMemo;
  /** With syncReads: read and sniff files on this worker pool, parsing here (see ReadPool). */
  pool?: ReadPool;
}

export interface ScanStats {
  files: number;
  read: number;
  skipped: number;
  ms: number;
}

export interface ScanResult {
  results: FileResult[];
  stats: ScanStats;
}

/** Walks the roots and parses every candidate file, reading with bounded concurrency. */
export async function scanPaths(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const maxSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const results: FileResult[] = [];
  const stats: ScanStats = { files: 0, read: 0, skipped: 0, ms: 0 };
  /** Parses what one read gave and records the result. */
  const accept = async (file: string, bytes: ReadOutcome, read: ReadFile) => {
    deliverText(file, bytes, options);
    const result = await resultFor(file, bytes, maxSize, options, read);
    if (!result) {
      stats.skipped++;
      return;
    }
    stats.read++;
    results.push(result);
    options.onFile?.(result);
  };
  const done = () => {
    stats.ms = Math.round(performance.now() - started);
    return { results, stats };
  };
  if (options.syncReads && options.pool) {
    // The walk is quick; the worker reads and sniffs every file while this thread parses candidates.
    const files = options.roots.flatMap((root) => [...walkSync(path.resolve(root), options)]);
    stats.files = files.length;
    const candidates: [string, ReadOutcome][] = [];
    let wake: (() => void) | undefined;
    let reading = true;
    let failed: unknown;
    const reader = options.pool.read(files, maxSize, (file, outcome) => {
      if (outcome === 'nothing') {
        stats.read++;
        return;
      }
      if (typeof outcome === 'object' && 'parsed' in outcome) return; // not asked for: parseAbove unset
      candidates.push([file, outcome]);
      wake?.();
    }, { configFiles: !!options.onText }).catch((e) => (failed = e)).finally(() => {
      reading = false;
      wake?.();
    });
    let next = 0;
    while (reading || next < candidates.length) {
      options.signal?.throwIfAborted();
      if (next >= candidates.length) {
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      const [file, bytes] = candidates[next];
      candidates[next++] = undefined as unknown as [string, ReadOutcome]; // let the bytes go
      await accept(file, bytes, readBoundedSync);
    }
    await reader;
    if (failed) throw failed;
    return done();
  }
  if (options.syncReads) {
    for (const root of options.roots) {
      for (const file of walkSync(path.resolve(root), options)) {
        options.signal?.throwIfAborted();
        stats.files++;
        await accept(file, await readBoundedSync(file, maxSize), readBoundedSync);
      }
    }
    return done();
  }
  const queue: string[] = [];
  let walking = true;
  let waiters: (() => void)[] = [];
  const wakeAll = () => {
    const w = waiters;
    waiters = [];
    for (const r of w) r();
  };

  const walker = (async () => {
    try {
      for (const root of options.roots) {
        await walk(path.resolve(root), options, (file) => {
          queue.push(file);
          wakeAll();
        });
      }
    } finally {
      walking = false;
      wakeAll();
    }
  })();

  const worker = async () => {
    for (;;) {
      options.signal?.throwIfAborted();
      const file = queue.shift();
      if (file === undefined) {
        if (!walking) return;
        await new Promise<void>((r) => waiters.push(r));
        continue;
      }
      stats.files++;
      await accept(file, await readBounded(file, maxSize), readBounded);
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 16 }, worker);
  await Promise.all([walker, ...workers]);
  return done();
}

/** Hands a file's text to `onText`, unless it is binary (a NUL byte in its first 8 KB). */
function deliverText(file: string, bytes: ReadOutcome, options: ScanOptions): void {
  if (!options.onText || !(bytes instanceof Uint8Array) || (options.wantsText && !options.wantsText(file))) return;
  if (bytes.subarray(0, 8192).indexOf(0) !== -1) return;
  options.onText(file, textDecoder.decode(bytes));
}

const textDecoder = new TextDecoder('utf-8');

/** How the scanner reads: Node's fs in the CLI, `workspace.fs` in VS Code. */
export type ReadFile = (file: string, maxSize: number) => Promise<ReadOutcome>;

/** Parses bytes already read (or the read's failure) into a file result. */
export async function resultFor(file: string, bytes: ReadOutcome, maxSize: number, options: ParseOptions & { memo?: ParseMemo }, read: ReadFile = readBounded): Promise<FileResult | undefined> {
  if (bytes === 'gone') return undefined;
  if (bytes === 'too-large' || bytes instanceof Error) {
    const isCertFile = CERTIFICATE_EXTENSIONS.has(path.extname(file).toLowerCase());
    if (bytes === 'too-large' && !isCertFile) return undefined;
    const message = bytes === 'too-large'
      ? `Skipped: larger than the ${Math.round(maxSize / 1024 / 1024)} MB limit (certlens.maxFileSize)`
      : `Could not read this file: ${bytes.message}`;
    return {
      file, certificates: [], privateKeys: [], references: [],
      problems: [{ file, range: FILE_START, severity: bytes === 'too-large' ? 'info' : 'warning', code: bytes === 'too-large' ? 'file-too-large' : 'read-error', message }],
    };
  }
  const result = options.memo ? options.memo.parse(file, bytes, options) : parseFile(file, bytes, options);
  for (const ref of result.references) {
    const target = await read(ref.target, maxSize);
    if (!(target instanceof Uint8Array)) {
      result.problems.push({ file, range: ref.range, severity: 'info', code: 'referenced-file-missing', message: `Referenced certificate file ${ref.target} ${target === 'gone' ? 'does not exist' : 'could not be read'}` });
      continue;
    }
    const inner = parseFile(ref.target, target, options);
    for (const c of inner.certificates) {
      result.certificates.push(placeCertificate(c, { file, range: ref.range, source: ref.source, index: result.certificates.length, role: c.role, chain: c.chain }));
    }
    for (const p of inner.problems) result.problems.push({ ...p, file, range: ref.range, message: `${ref.target}: ${p.message}` });
  }
  return result;
}

export type ReadOutcome = Uint8Array | 'too-large' | 'gone' | Error;

/**
 * Read-only and non-blocking: opening a FIFO (named pipe) blocks until a writer appears, so a
 * kubeconfig naming one hung the scan for good. Non-blocking, the open returns and fstat says
 * it is no regular file. Regular files read the same either way.
 */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * A name that is not valid UTF-8 reaches us from readdir with U+FFFD in place of the bad bytes, and
 * then cannot be opened: say so (a read error) rather than skip the file as if it had been deleted.
 */
function goneOrUnnamable(file: string): ReadOutcome {
  return path.basename(file).includes('\uFFFD') ? new Error('its name is not valid UTF-8, so it cannot be opened by name') : 'gone';
}

/** Reads a file unless it exceeds `maxSize`; never loads more than that into memory. */
export async function readBounded(file: string, maxSize: number): Promise<ReadOutcome> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, OPEN_FLAGS);
    const { size, isFile } = await handle.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) return 'gone';
    if (size > maxSize) return 'too-large';
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await handle.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return goneOrUnnamable(file);
    return e instanceof Error ? e : new Error(String(e));
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** readBounded without the event loop: open, fstat, read, close. */
export function readBoundedSync(file: string, maxSize: number): Promise<ReadOutcome> {
  const read = readScratchSync(file, maxSize);
  return Promise.resolve(read instanceof Uint8Array ? Buffer.from(read) : read);
}

let scratch = Buffer.allocUnsafe(1 << 16);

/**
 * readBoundedSync into one reused buffer: most files of a tree hold no certificate, and reading
 * each into a fresh allocation showed as garbage-collector time. The view is valid until the next
 * call; copy what must be kept.
 */
export function readScratchSync(file: string, maxSize: number): ReadOutcome {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return 'gone';
    if (st.size > maxSize) return 'too-large';
    if (st.size > scratch.length) scratch = Buffer.allocUnsafe(Math.max(st.size, scratch.length * 2));
    let off = 0;
    while (off < st.size) {
      const n = fs.readSync(fd, scratch, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return scratch.subarray(0, off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? goneOrUnnamable(file) : e instanceof Error ? e : new Error(String(e));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The files a scan reads under `root`, walked synchronously (command line). Same rules as walk(). */
export function* walkSync(root: string, options: Pick<ScanOptions, 'include' | 'exclude'>): Generator<string> {
  const filter = new PathFilter(options.include, options.exclude ?? DEFAULT_EXCLUDES);
  let rootStat: fs.Stats | undefined;
  try {
    rootStat = fs.statSync(root);
  } catch {
    return;
  }
  if (rootStat.isFile()) {
    yield root;
    return;
  }
  const realRoot = safe(() => fs.realpathSync(root)) ?? root;
  const followed = new Set<string>();
  const stack: [string, string][] = [[root, '']];
  while (stack.length) {
    const [dir, rel] = stack.pop()!;
    const entries = safe(() => fs.readdirSync(dir, { withFileTypes: true })) ?? [];
    // Concatenation, not path.join: dir is already normal and a name has no separator.
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const full = prefix + e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const target = safe(() => fs.statSync(full));
        isFile = !!target?.isFile();
        if (target?.isDirectory()) {
          const real = safe(() => fs.realpathSync(full));
          isDir = !!real && !isInside(real, realRoot) && !followed.has(real);
          if (isDir) followed.add(real!);
        }
      }
      if (isDir) {
        if (!filter.skipsDirectory(childRel)) stack.push([full, childRel]);
      } else if (isFile && !isSkippedByExtension(e.name) && filter.acceptsInAcceptedFolder(childRel)) {
        yield full;
      }
    }
  }
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function isInside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

async function walk(root: string, options: ScanOptions, emit: (file: string) => void): Promise<void> {
  const filter = new PathFilter(options.include, options.exclude ?? DEFAULT_EXCLUDES);
  const rootStat = await fs.promises.stat(root).catch(() => undefined);
  if (!rootStat) return;
  if (rootStat.isFile()) {
    emit(root);
    return;
  }
  const realRoot = await fs.promises.realpath(root).catch(() => root);
  // Only symlinks can make a directory appear twice or loop: remember where followed links lead.
  const followed = new Set<string>();
  const visit = async (dir: string, rel: string): Promise<void> => {
    options.signal?.throwIfAborted();
    const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
    const subdirs: Promise<void>[] = [];
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!filter.skipsDirectory(childRel)) subdirs.push(visit(full, childRel));
      } else if (e.isFile()) {
        if (!isSkippedByExtension(e.name) && filter.accepts(childRel)) emit(full);
      } else if (e.isSymbolicLink()) {
        const target = await fs.promises.stat(full).catch(() => undefined);
        if (target?.isFile()) {
          if (!isSkippedByExtension(e.name) && filter.accepts(childRel)) emit(full);
        } else if (target?.isDirectory() && !filter.skipsDirectory(childRel)) {
          const real = await fs.promises.realpath(full).catch(() => undefined);
          // Skip links back into the tree (it is walked anyway, or it is a loop) and links seen before.
          if (!real || isInside(real, realRoot) || followed.has(real)) continue;
          followed.add(real);
          subdirs.push(visit(full, childRel));
        }
      }
    }
    await Promise.all(subdirs);
  };
  await visit(root, '');
}
