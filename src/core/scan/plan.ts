import { isContainerFile } from '../formats/extensions';
import { mayHoldCertificates } from '../formats/table';
import { type DiscoverMode, wantsDiscovery } from './discovery';
import { isText } from './files';

/**
 * What a scanning thread does with the bytes of one file it read — keep them for parsing (here, or
 * on the calling thread), run host discovery (here, or on the calling thread), or drop them — decided
 * in one place for the read worker (readWorker.ts) and the calling thread (pipeline.ts).
 */

/** How the thread that read a file treats it. */
export interface ReadPolicy {
  /** Host discovery runs on config files (or, 'mentions', deployment evidence alone on deployment files). */
  discover?: DiscoverMode;
  /** Benchmarks: every file is sniffed, none kept (ScanRequest.sniffOnly). */
  sniffOnly?: boolean;
  /** On the read worker: what it leaves to the calling thread. Without it, this thread does everything. */
  worker?: WorkerShare;
}

export interface WorkerShare {
  /** Files larger than this many bytes are parsed on the worker (undefined: none but containers). */
  parseAbove?: number;
  /**
   * Containers (the format table's 'container' formats: PKCS#7, PKCS#12, keystores) are parsed on
   * the worker, except these (unlocked with a password the calling thread holds); undefined: none.
   */
  parseContainersExcept?: readonly string[];
  /** Config files up to this size are discovered by the calling thread (undefined: all on the worker). */
  discoverHereAbove?: number;
}

export interface BytesPlan {
  /** The bytes may hold certificates (the format table's sniff): they are kept for parsing. */
  keep: boolean;
  /** With keep: this thread parses them (otherwise the calling thread does). */
  parseHere: boolean;
  /** Host discovery reads them: on this thread, or on the calling thread (a worker's small config files). */
  discover?: 'here' | 'caller';
}

/** The plan for a file's bytes (a view into a reused buffer: the caller copies what it keeps). */
export function planBytes(file: string, bytes: Uint8Array, policy: ReadPolicy): BytesPlan {
  const config = discoversHere(file, bytes, policy);
  const keep = mayHoldCertificates(file, bytes) && !policy.sniffOnly;
  const worker = policy.worker;
  const parseHere = keep && (!worker || parsedOnWorker(file, bytes.length, worker));
  if (!config) return { keep, parseHere };
  // A small config file is left to the calling thread, unless this thread parses it anyway.
  const toCaller = worker?.discoverHereAbove !== undefined && bytes.length <= worker.discoverHereAbove && !parseHere;
  return { keep, parseHere, discover: toCaller ? 'caller' : 'here' };
}

/** Whether host discovery reads this file: a config file's text, when the scan discovers. */
export function discoversHere(file: string, bytes: Uint8Array, policy: Pick<ReadPolicy, 'discover'>): boolean {
  return !!policy.discover && wantsDiscovery(file, policy.discover) && isText(bytes);
}

/** Whether the worker parses a file it keeps, by its format's `worker` field in the format table. */
function parsedOnWorker(file: string, size: number, share: WorkerShare): boolean {
  if (isContainerFile(file)) return !!share.parseContainersExcept && !share.parseContainersExcept.includes(file);
  return share.parseAbove !== undefined && size > share.parseAbove;
}
