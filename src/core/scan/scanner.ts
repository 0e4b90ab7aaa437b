import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileResult } from '../model';
import { CERTIFICATE_EXTENSIONS, type ParseOptions, parseFile } from '../formats/parse-file';
import { FILE_START } from '../formats/lines';
import { DEFAULT_EXCLUDES, isSkippedByExtension, PathFilter } from './filters';

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
      const result = await scanOneFile(file, maxSize, options);
      if (!result) {
        stats.skipped++;
        continue;
      }
      stats.read++;
      results.push(result);
      options.onFile?.(result);
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 16 }, worker);
  await Promise.all([walker, ...workers]);
  stats.ms = Math.round(performance.now() - started);
  return { results, stats };
}

/** How the scanner reads: Node's fs in the CLI, `workspace.fs` in VS Code. */
export type ReadFile = (file: string, maxSize: number) => Promise<ReadOutcome>;

/**
 * Reads and parses one file, resolving the certificate files it names. Returns undefined when the file
 * is skipped (too large and not a certificate file, or gone); read errors become problems.
 */
export async function scanOneFile(file: string, maxSize: number, options: ParseOptions = {}, read: ReadFile = readBounded): Promise<FileResult | undefined> {
  return resultFor(file, await read(file, maxSize), maxSize, options, read);
}

/** Parses bytes already read (or the read's failure) into a file result. */
export async function resultFor(file: string, bytes: ReadOutcome, maxSize: number, options: ParseOptions, read: ReadFile = readBounded): Promise<FileResult | undefined> {
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
  const result = parseFile(file, bytes, options);
  for (const ref of result.references) {
    const target = await read(ref.target, maxSize);
    if (!(target instanceof Uint8Array)) {
      result.problems.push({ file, range: ref.range, severity: 'info', code: 'referenced-file-missing', message: `Referenced certificate file ${ref.target} ${target === 'gone' ? 'does not exist' : 'could not be read'}` });
      continue;
    }
    const inner = parseFile(ref.target, target, options);
    for (const c of inner.certificates) {
      result.certificates.push({ ...c, file, range: ref.range, source: ref.source, index: result.certificates.length });
    }
    for (const p of inner.problems) result.problems.push({ ...p, file, range: ref.range, message: `${ref.target}: ${p.message}` });
  }
  return result;
}

export type ReadOutcome = Uint8Array | 'too-large' | 'gone' | Error;

/** Reads a file unless it exceeds `maxSize`; never loads more than that into memory. */
export async function readBounded(file: string, maxSize: number): Promise<ReadOutcome> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, 'r');
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
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'gone';
    return e instanceof Error ? e : new Error(String(e));
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function walk(root: string, options: ScanOptions, emit: (file: string) => void): Promise<void> {
  const filter = new PathFilter(options.include, options.exclude ?? DEFAULT_EXCLUDES);
  const seenDirs = new Set<string>();
  const rootStat = await fs.promises.stat(root).catch(() => undefined);
  if (!rootStat) return;
  if (rootStat.isFile()) {
    emit(root);
    return;
  }
  const visit = async (dir: string, rel: string): Promise<void> => {
    options.signal?.throwIfAborted();
    const st = await fs.promises.stat(dir).catch(() => undefined);
    if (!st) return;
    const id = `${st.dev}:${st.ino}`;
    if (seenDirs.has(id)) return; // symlink loop or a directory reached twice
    seenDirs.add(id);
    const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
    const subdirs: Promise<void>[] = [];
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const target = await fs.promises.stat(full).catch(() => undefined);
        isDir = !!target?.isDirectory();
        isFile = !!target?.isFile();
      }
      if (isDir) {
        if (!filter.skipsDirectory(childRel)) subdirs.push(visit(full, childRel));
      } else if (isFile && !isSkippedByExtension(e.name) && filter.accepts(childRel)) {
        emit(full);
      }
    }
    await Promise.all(subdirs);
  };
  await visit(root, '');
}
