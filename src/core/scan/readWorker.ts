/**
 * Worker thread: reads files and keeps only those that may hold certificates, so the thread that
 * parses (the editor's extension host, the CLI) never spends time on the thousands that cannot.
 */
import { parentPort } from 'node:worker_threads';
import { mayHoldCertificates } from '../formats/parse-file';
import { mayBeConfigFile } from '../hosts/text';
import { readBoundedSync } from './scanner';
import type { ReadReply, ReadRequest, WorkerResult } from './readPool';

const BATCH = 64;

parentPort?.on('message', async (req: ReadRequest) => {
  let batch: WorkerResult[] = [];
  let transfer: ArrayBuffer[] = [];
  const flush = (done: boolean) => {
    parentPort!.postMessage({ id: req.id, results: batch, done } satisfies ReadReply, transfer);
    batch = [];
    transfer = [];
  };
  for (const file of req.files) {
    const outcome = await readBoundedSync(file, req.maxSize);
    if (outcome instanceof Uint8Array) {
      if (mayHoldCertificates(file, outcome) || (req.configFiles && mayBeConfigFile(file))) {
        // A private copy, so the buffer can be transferred rather than cloned.
        const copy = new Uint8Array(outcome);
        batch.push({ file, kind: 'bytes', bytes: copy });
        transfer.push(copy.buffer);
      } else {
        batch.push({ file, kind: 'nothing' });
      }
    } else if (outcome instanceof Error) {
      batch.push({ file, kind: 'error', message: outcome.message });
    } else {
      batch.push({ file, kind: outcome });
    }
    if (batch.length >= BATCH) flush(false);
  }
  flush(true);
});
