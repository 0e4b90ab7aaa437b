import * as path from 'node:path';
import type { FileResult } from '../model';
import { mayHoldCertificates } from '../formats/parse-file';
import { BLOCK_CACHE_LIMIT } from './memo';
import type { PooledOutcome, ReadPool } from './readPool';
import { DEFAULT_MAX_FILE_SIZE, type ReadOutcome, readBoundedSync, readScratchSync, resultFor, scanPaths, type ScanOptions, type ScanResult, type ScanStats, walkSync } from './scanner';

/** Files per request to the worker, and files this thread reads between looking at the worker's replies. */
const WORKER_CHUNK = 256;
const OWN_SLICE = 32;

/**
 * A command-line scan on two threads: this one walks the tree, then it and the read worker both take
 * files from the walked list — the worker a chunk at a time, this thread a slice between the worker's
 * replies — and each reads, sniffs and parses its own. Results come back in walk order, so the output
 * does not depend on which thread read what. If the worker fails, its unfinished files are read here.
 * Host discovery (onText) needs every text on this thread: that scan is left to scanPaths.
 */
export async function scanSharingWork(options: ScanOptions & { pool: ReadPool }): Promise<ScanResult> {
  if (options.onText) return scanPaths(options);
  const started = performance.now();
  const { pool } = options;
  const maxSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const stats: ScanStats = { files: 0, read: 0, skipped: 0, ms: 0 };
  const results: FileResult[] = [];
  const blockCache = options.blockCache ?? new Map();
  const parseOptions = { ...options, blockCache };
  pool.warm(); // its start-up overlaps the walk
  const release = pool.hold();
  try {
    const files = options.roots.flatMap((root) => [...walkSync(path.resolve(root), options)]);
    stats.files = files.length;
    const record = (result: FileResult | undefined) => {
      if (!result) stats.skipped++;
      else {
        stats.read++;
        results.push(result);
      }
    };
    const fromWorker: [string, ReadOutcome][] = [];
    const retry: string[] = [];
    let workerFailed = false;
    let outstanding = 0;
    let wake: (() => void) | undefined;
    let next = 0;

    const post = () => {
      while (!workerFailed && outstanding < 2 && next < files.length) {
        const unanswered = new Set(files.slice(next, (next += WORKER_CHUNK)));
        outstanding++;
        pool
          .read([...unanswered], maxSize, (file, outcome: PooledOutcome) => {
            unanswered.delete(file);
            if (outcome === 'nothing') stats.read++;
            else if (typeof outcome === 'object' && 'parsed' in outcome) record(outcome.parsed);
            else fromWorker.push([file, outcome]);
          }, { parseAbove: 0, parseContainersExcept: [], maxCertificates: options.maxCertificates })
          .catch(() => {
            workerFailed = true;
            retry.push(...unanswered);
          })
          .finally(() => {
            outstanding--;
            wake?.();
          });
      }
    };
    const readHere = async (file: string) => {
      const read = readScratchSync(file, maxSize);
      if (read instanceof Uint8Array && !mayHoldCertificates(file, read)) {
        stats.read++;
        return;
      }
      if (blockCache.size > BLOCK_CACHE_LIMIT) blockCache.clear();
      record(await resultFor(file, read instanceof Uint8Array ? new Uint8Array(read) : read, maxSize, parseOptions, readBoundedSync));
    };
    const drain = async () => {
      for (let item = fromWorker.shift(); item; item = fromWorker.shift()) record(await resultFor(item[0], item[1], maxSize, parseOptions, readBoundedSync));
      for (let file = retry.shift(); file !== undefined; file = retry.shift()) await readHere(file);
    };

    while (next < files.length) {
      options.signal?.throwIfAborted();
      post();
      const end = Math.min(next + OWN_SLICE, files.length);
      while (next < end) await readHere(files[next++]);
      await drain();
      // Let the worker's replies in.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    while (outstanding > 0) {
      options.signal?.throwIfAborted();
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      await drain();
    }
    await drain();

    const order = new Map(files.map((f, i) => [f, i]));
    results.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
    for (const r of results) options.onFile?.(r);
    stats.ms = Math.round(performance.now() - started);
    return { results, stats };
  } finally {
    release();
  }
}
