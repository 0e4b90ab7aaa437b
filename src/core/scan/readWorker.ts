/**
 * Worker thread: reads files and keeps only those that may hold certificates, so the thread that
 * parses (the editor's extension host, the CLI) never spends time on the thousands that cannot.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { BLOCK_CACHE_LIMIT, ParseMemo } from './memo';
import { discoverIn } from './discovery';
import { readScratchSync, walkSync } from './files';
import { planBytes, type ReadPolicy } from './plan';
import type { CertificateFields, UnreadableFolder } from '../model';
import { CLAIMED_BY_WORKER, type ReadReply, type ReadRequest, type WorkerResult } from './readPool';
import { packTexts, reportFragment } from '../report/stream';

/** Results per message at most, and parsed certificates per message at most: a message is
 * deserialised in one go on the receiving thread, so a batch of big bundles would be a long task. */
const BATCH = 64;
const BATCH_CERTIFICATES = 200;
/** Certificates this worker decoded, by PEM body: copies of one CA across a tree are decoded once. */
const blockCache = new Map<string, CertificateFields & { der: Uint8Array }>();
/** Identical files (copies of one keystore or bundle) are parsed once. */
const memo = new ParseMemo({ repeatedOnly: !!workerData?.oneScan });

if (workerData?.background) lowerThreadPriority();

/** Nice 5 for this thread only (nice 10 slowed the scan at start-up, when the workbench takes the CPU, past 3 s): on Linux a thread has its own nice value, and its id is the last
 * part of /proc/thread-self. Elsewhere Node has no per-thread priority, and the thread keeps its own. */
function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) os.setPriority(tid, Math.max(os.getPriority(tid), 5));
  } catch {
    // No /proc or not permitted: the scan still runs, at the normal priority.
  }
}

parentPort?.on('message', (req: ReadRequest) => {
  if (req.claim && Atomics.compareExchange(req.claim, 0, 0, CLAIMED_BY_WORKER) !== 0) {
    // The caller read these itself.
    parentPort!.postMessage({ id: req.id, results: [], done: true, count: 0 } satisfies ReadReply);
    return;
  }
  let batch: WorkerResult[] = [];
  let transfer: ArrayBuffer[] = [];
  let certificates = 0;
  let unreadable: UnreadableFolder[] = [];
  const onUnreadable = (u: UnreadableFolder) => unreadable.push(u);
  const files: Iterable<string> =
    req.files ?? (req.walk ? walkSync(req.walk.root, { include: req.walk.include, exclude: req.walk.exclude, onUnreadable }) : []);
  let count = 0;
  const walked = !!req.walk || !!req.walked;
  const policy: ReadPolicy = {
    discover: req.discover,
    sniffOnly: req.sniffOnly,
    worker: { parseAbove: req.parseAbove, parseContainersExcept: req.parseContainersExcept, discoverHereAbove: req.discoverHereAbove },
  };
  const flush = (done: boolean) => {
    // Report text goes as UTF-8 in one buffer, transferred: no copy, and none of it on the receiver's heap.
    const fragments = batch.flatMap((r) => (r.kind === 'fragment' ? [r.fragment] : []));
    const texts = fragments.length ? packTexts(fragments) : undefined;
    if (texts) transfer.push(texts);
    parentPort!.postMessage(
      { id: req.id, results: batch, done, ...(done ? { count } : {}), ...(unreadable.length ? { unreadable } : {}) } satisfies ReadReply,
      transfer,
    );
    unreadable = [];
    batch = [];
    transfer = [];
    certificates = 0;
  };
  for (const file of files) {
    if (req.cancel && Atomics.load(req.cancel, 0) !== 0) break;
    count++;
    const read = readScratchSync(file, req.maxSize, walked);
    if (read instanceof Uint8Array) {
      // The read is a view into a reused buffer: only what is kept is copied. Keystores the user
      // unlocked stay with the caller, which holds their passwords (see plan.ts).
      const plan = planBytes(file, read, policy);
      const outcome = plan.keep ? new Uint8Array(read) : read;
      // Host discovery runs here too, so only its (small) results cross to the parsing thread; small
      // files may be left to the caller (discoverHereAbove), which discovers what it is sent.
      const found = plan.discover === 'here' ? discoverIn(file, outcome, req.discover) : undefined;
      if (plan.parseHere) {
        if (blockCache.size > BLOCK_CACHE_LIMIT) blockCache.clear();
        const result = memo.parse(file, outcome, { maxCertificates: req.maxCertificates, blockCache });
        // A file naming other files (kubeconfig) is resolved by the caller: send its bytes instead.
        if (result.references.length === 0) {
          // The certificate files a config names are checked by the caller, through its reader.
          if (req.report && !found?.fileRefs?.length) {
            const fragment = reportFragment(result, req.report);
            batch.push(fragment ? { file, kind: 'fragment', fragment, ...found } : { file, kind: 'nothing', ...found });
          } else {
            batch.push({ file, kind: 'parsed', result, ...found });
          }
          certificates += result.certificates.length;
          if (batch.length >= BATCH || certificates >= BATCH_CERTIFICATES) flush(false);
          continue;
        }
      }
      if (plan.keep) {
        // A private copy (made above), so the buffer can be transferred rather than cloned.
        batch.push({ file, kind: 'bytes', bytes: outcome, ...found });
        transfer.push(outcome.buffer as ArrayBuffer);
      } else if (plan.discover === 'caller') {
        const text = new Uint8Array(read);
        batch.push({ file, kind: 'nothing', undiscovered: text });
        transfer.push(text.buffer);
      } else {
        batch.push({ file, kind: 'nothing', ...found });
      }
    } else if (read instanceof Error) {
      batch.push({ file, kind: 'error', message: read.message });
    } else {
      batch.push({ file, kind: read });
    }
    if (batch.length >= BATCH) flush(false);
  }
  flush(true);
});
