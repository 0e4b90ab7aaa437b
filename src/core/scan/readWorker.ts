/**
 * Worker thread: reads files and keeps only those that may hold certificates, so the thread that
 * parses (the editor's extension host, the CLI) never spends time on the thousands that cannot.
 */
import { parentPort } from 'node:worker_threads';
import { mayHoldCertificates, parseFile } from '../formats/parse-file';
import { mayBeConfigFile } from '../hosts/text';
import { certificateFileReferences, discoverHosts } from '../hosts/discover';
import { readBoundedSync, walkSync } from './scanner';
import type { ReadReply, ReadRequest, WorkerResult } from './readPool';

const BATCH = 64;
const decoder = new TextDecoder('utf-8');

parentPort?.on('message', async (req: ReadRequest) => {
  let batch: WorkerResult[] = [];
  let transfer: ArrayBuffer[] = [];
  const files = req.files ?? (req.walk ? [...walkSync(req.walk.root, { include: req.walk.include, exclude: req.walk.exclude })] : []);
  const flush = (done: boolean) => {
    parentPort!.postMessage({ id: req.id, results: batch, done, ...(done ? { count: files.length } : {}) } satisfies ReadReply, transfer);
    batch = [];
    transfer = [];
  };
  for (const file of files) {
    const outcome = await readBoundedSync(file, req.maxSize);
    if (outcome instanceof Uint8Array) {
      const config = (req.configFiles || req.discover) && mayBeConfigFile(file) && outcome.subarray(0, 8192).indexOf(0) === -1;
      // Host discovery runs here too, so only its (small) results cross to the parsing thread.
      const found = config && req.discover ? discovered(file, decoder.decode(outcome)) : undefined;
      const candidate = mayHoldCertificates(file, outcome);
      // Keystores the user unlocked stay with the caller, which holds their passwords.
      const container = /\.(p12|pfx|p7b|p7c)$/i.test(file);
      const large = req.parseAbove !== undefined && outcome.length > req.parseAbove;
      const parseHere = container ? !!req.parseContainersExcept && !req.parseContainersExcept.includes(file) : large;
      if (candidate && parseHere) {
        const result = parseFile(file, outcome, { maxCertificates: req.maxCertificates });
        // A file naming other files (kubeconfig) is resolved by the caller: send its bytes instead.
        if (result.references.length === 0) {
          batch.push({ file, kind: 'parsed', result, ...found });
          if (batch.length >= BATCH) flush(false);
          continue;
        }
      }
      if (candidate || (config && req.configFiles)) {
        // A private copy, so the buffer can be transferred rather than cloned.
        const copy = new Uint8Array(outcome);
        batch.push({ file, kind: 'bytes', bytes: copy, ...found });
        transfer.push(copy.buffer);
      } else {
        batch.push({ file, kind: 'nothing', ...found });
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

function discovered(file: string, text: string): Pick<WorkerResult & { kind: 'nothing' }, 'hosts' | 'fileRefs'> {
  try {
    return { hosts: discoverHosts(file, text), fileRefs: certificateFileReferences(file, text) };
  } catch {
    return { hosts: [], fileRefs: [] };
  }
}
