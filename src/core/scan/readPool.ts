import { Worker } from 'node:worker_threads';
import type { ReadOutcome } from './files';
import type { FileResult, UnreadableFolder } from '../model';
import type { Mention } from '../deployment';
import type { CertificateFileReference, HostReference } from '../hosts/discover';
import type { Pairing } from '../hosts/pairing';
import type { FragmentSpec, ReportFragment } from '../report/stream';
import { type FailureLog, runInBackground } from '../background';

/** A folder for the worker to walk itself (the same rules as the scanner's walk). */
export interface WalkSpec {
  root: string;
  include?: string[];
  exclude: string[];
}

export interface ReadRequest {
  id: number;
  files?: string[];
  walk?: WalkSpec;
  maxSize: number;
  /** Run host discovery on config files in the worker and return what it found. */
  discover?: DiscoverMode;
  /**
   * With discover: config files up to this size are not discovered here but handed to the caller
   * (their text in Discovered.undiscovered), whose thread may be idle while this one is the bound.
   */
  discoverHereAbove?: number;
  /** Files larger than this many bytes are parsed in the worker (a long parse never blocks the caller). */
  parseAbove?: number;
  /** Passed to parseFile for files parsed in the worker. */
  maxCertificates?: number;
  /** Also parse PKCS#7 and PKCS#12 files in the worker (their decoding is slow JavaScript), except these. */
  parseContainersExcept?: string[];
  /** Set to 1 by the caller to cancel: the worker checks it between files (a message would wait for its loop). */
  cancel?: Int32Array;
  /** The files came from a walk, which saw each as a regular file (see readScratchSync). */
  walked?: boolean;
  /** Benchmarks: every file is read and sniffed, none kept or parsed (ScanRequest.sniffOnly). */
  sniffOnly?: boolean;
  /** Files the worker parses become fragments of the JSON report (a 'fragment' result, or 'nothing'). */
  report?: FragmentSpec;
  /**
   * The request is read by whoever claims it first: the worker sets CLAIMED_BY_WORKER when it
   * starts on it, the caller CLAIMED_BY_CALLER when it takes it back (the worker then answers
   * `done` with nothing read).
   */
  claim?: Int32Array;
}

export const CLAIMED_BY_WORKER = 1;
export const CLAIMED_BY_CALLER = 2;

/**
 * What discovery looks for: everything (`true`: hosts, certificate paths, deployment evidence), or
 * only the certificate files deployment files name (`'mentions'`: the CLI without --hosts).
 */
export type DiscoverMode = boolean | 'mentions';

/** Host discovery results for a config file, when the request asked for discovery. */
export interface Discovered {
  hosts?: HostReference[];
  fileRefs?: CertificateFileReference[];
  /** Certificate files a deployment file names (deployment evidence, core/deployment.ts). */
  mentions?: Mention[];
  /** Hosts the file serves with a certificate it names, and the Secrets it declares (drift). */
  pairing?: Pairing;
  /** Why discovery failed on this file (it found nothing then). */
  error?: string;
  /** The file's text, left for the caller to discover (ReadRequest.discoverHereAbove). */
  undiscovered?: Uint8Array;
}

export type WorkerResult =
  | ({ file: string; kind: 'bytes'; bytes: Uint8Array } & Discovered)
  | ({ file: string; kind: 'nothing' } & Discovered)
  | ({ file: string; kind: 'parsed'; result: FileResult } & Discovered)
  | ({ file: string; kind: 'fragment'; fragment: ReportFragment } & Discovered)
  | { file: string; kind: 'too-large' | 'gone' }
  | { file: string; kind: 'error'; message: string };

export interface ReadReply {
  id: number;
  results: WorkerResult[];
  done: boolean;
  /** With done: how many files were read (walked, for a WalkSpec). */
  count?: number;
  /** A walk's folders that could not be listed since the last reply. */
  unreadable?: UnreadableFolder[];
}

/** What a read through the pool gives: the bytes (or why not), 'nothing' when no certificate can be inside, or a result parsed in the worker. */
export type PooledOutcome = ReadOutcome | 'nothing' | { parsed: FileResult } | { fragment: ReportFragment };

/**
 * Reads files on a worker thread (readWorker.js), returning bytes only for files that may hold
 * certificates. One worker: reading is I/O plus a native substring search, and a second core is
 * what the parsing thread needs. Falls back to the caller's reader when the worker cannot start.
 */
export class ReadPool {
  private worker: Worker | undefined;
  private nextId = 1;
  /** While held, an idle worker is kept (a caller about to send more work). */
  private holds = 0;
  private readonly pending = new Map<
    number,
    {
      onResult: (file: string, outcome: PooledOutcome, found?: Discovered) => void;
      onUnreadable?: (u: UnreadableFolder) => void;
      resolve: (count: number) => void;
      reject: (e: Error) => void;
    }
  >();
  /** Requests cancelled so far, and how many files the worker had read of them when it stopped. */
  readonly cancelled: { requests: number; filesRead: number } = { requests: 0, filesRead: 0 };
  /** Ids of cancelled requests the worker has not finished yet. */
  private readonly stopping = new Set<number>();
  /** Called when the worker fails or stops unexpectedly (for the caller's log). */
  onFailure: ((e: Error) => void) | undefined;

  /** background: the worker runs at a lower CPU priority, so the thread it serves (an editor's
   * extension host) wins the CPU whenever both want it. oneScan: it serves one scan (the CLI), so
   * it keeps parse results only of contents it sees more than once (ParseMemo's repeatedOnly). */
  constructor(
    private readonly workerFile: string,
    private readonly options: { background?: boolean; oneScan?: boolean; log?: FailureLog } = {},
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile, {
      workerData: { background: this.options.background ?? false, oneScan: this.options.oneScan ?? false },
    });
    w.unref();
    w.on('message', (reply: ReadReply) => {
      const job = this.pending.get(reply.id);
      if (!job) {
        if (reply.done && this.stopping.delete(reply.id)) this.cancelled.filesRead += reply.count ?? 0;
        return;
      }
      for (const u of reply.unreadable ?? []) job.onUnreadable?.(u);
      for (const r of reply.results) {
        const found =
          r.kind === 'bytes' || r.kind === 'nothing' || r.kind === 'parsed' || r.kind === 'fragment'
            ? r.hosts || r.fileRefs || r.mentions || r.error || r.undiscovered
              ? { hosts: r.hosts, fileRefs: r.fileRefs, mentions: r.mentions, error: r.error, undiscovered: r.undiscovered }
              : undefined
            : undefined;
        job.onResult(
          r.file,
          r.kind === 'bytes'
            ? r.bytes
            : r.kind === 'parsed'
              ? { parsed: r.result }
              : r.kind === 'fragment'
                ? { fragment: r.fragment }
                : r.kind === 'error'
                  ? new Error(r.message)
                  : r.kind,
          found,
        );
      }
      if (reply.done) {
        this.pending.delete(reply.id);
        job.resolve(reply.count ?? 0);
        // An idle worker holds its heap and the buffers it read: let it go until the next scan.
        if (this.pending.size === 0 && this.holds === 0) this.dispose();
      }
    });
    w.on('error', (e) => this.fail(e));
    w.on('exit', () => {
      // An intended stop (dispose) has already let go of the worker; anything else fails its jobs.
      if (this.worker !== w) return;
      this.worker = undefined;
      this.fail(new Error('the read worker stopped'));
    });
    return (this.worker = w);
  }

  private fail(e: Error): void {
    this.onFailure?.(e);
    for (const job of this.pending.values()) job.reject(e);
    this.pending.clear();
  }

  /**
   * Reads `files` (or the files of a folder the worker walks), calling `onResult` as results arrive
   * (in batches); resolves with the number of files read when all have.
   */
  read(
    source: readonly string[] | WalkSpec,
    maxSize: number,
    onResult: (file: string, outcome: PooledOutcome, found?: Discovered) => void,
    options: Pick<
      ReadRequest,
      | 'discover'
      | 'discoverHereAbove'
      | 'parseAbove'
      | 'maxCertificates'
      | 'parseContainersExcept'
      | 'report'
      | 'claim'
      | 'walked'
      | 'sniffOnly'
    > & { signal?: AbortSignal; onUnreadable?: (u: UnreadableFolder) => void } = {},
  ): Promise<number> {
    const files = Array.isArray(source) ? [...(source as readonly string[])] : undefined;
    const { signal, onUnreadable, ...request } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (files?.length === 0) return Promise.resolve(0);
    let worker: Worker;
    try {
      worker = this.start();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const id = this.nextId++;
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    return new Promise<number>((resolve, reject) => {
      const onAbort = () => {
        // The worker stops at its next file; nothing it still sends for this request is delivered.
        Atomics.store(cancel, 0, 1);
        if (!this.pending.delete(id)) return;
        this.cancelled.requests++;
        this.stopping.add(id);
        reject(abortError(signal!));
        if (this.pending.size === 0 && this.holds === 0) this.dispose();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        onResult,
        onUnreadable,
        resolve: (n) => (done(), resolve(n)),
        reject: (e) => (done(), reject(e)),
      });
      worker.postMessage({ id, ...(files ? { files } : { walk: source as WalkSpec }), maxSize, ...request, cancel } satisfies ReadRequest);
    });
  }

  /** Keeps the worker between requests until the returned function is called. */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0 && this.pending.size === 0) this.dispose();
    };
  }

  /** Starts the worker ahead of the first request (its start-up overlaps the caller's walk). */
  warm(): void {
    try {
      this.start();
    } catch {
      // read() reports it
    }
  }

  dispose(): void {
    if (this.worker) runInBackground(this.options.log, 'Stopping the read worker', this.worker.terminate());
    this.worker = undefined;
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The scan was cancelled', 'AbortError');
}
