import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeKey, type KeyOptions, type TestKey } from '../support/certs';
import { parseFile } from '../../src/core/formats/parse-file';
import { type CertificateRecord, DAY_MS, type FileResult } from '../../src/core/model';
import { DEFAULT_EXCLUDES } from '../../src/core/scan/filters';
import { DEFAULT_MAX_FILE_SIZE, readBounded, readBoundedSync } from '../../src/core/scan/files';
import { runScan, type ScanRequest, type ScanStats } from '../../src/core/scan/pipeline';
import { ReadPool } from '../../src/core/scan/readPool';

const keys = new Map<string, TestKey>();

/** Keys are slow to make (RSA, DSA): tests share one per kind. */
export function sharedKey(opts: KeyOptions): TestKey {
  const id = JSON.stringify(opts);
  let k = keys.get(id);
  if (!k) keys.set(id, (k = makeKey(opts)));
  return k;
}

export function tempDir(prefix = 'certlens-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function parseText(name: string, text: string): FileResult {
  return parseFile(`/ws/${name}`, Buffer.from(text, 'utf8'));
}

/** openssl's own reading of a certificate's notAfter, as epoch ms: the reference the engine must match. */
export function opensslNotAfter(pem: string): number {
  const out = execFileSync('openssl', ['x509', '-noout', '-enddate'], { input: pem }).toString().trim();
  return parseOpensslDate(out.replace(/^notAfter=/, ''));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Jun  7 12:00:00 2030 GMT" -> epoch ms (years 1..9999). */
export function parseOpensslDate(s: string): number {
  const m = /^(\w{3})\s+(\d+)\s+(\d\d):(\d\d):(\d\d)(?:\.\d+)?\s+(\d+)\s+GMT$/.exec(s.trim());
  if (!m) return NaN;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[6]), MONTHS.indexOf(m[1]), Number(m[2]));
  d.setUTCHours(Number(m[3]), Number(m[4]), Number(m[5]), 0);
  return d.getTime();
}

/** Text position (0-based line/character) of the n-th occurrence of `needle`. */
export function positionOf(text: string, needle: string, occurrence = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" occurs fewer than ${occurrence + 1} times`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** How a test scan reads: as the editor without a worker, as the CLI on one or two threads, or as the editor with its worker. */
export type ScanMode = 'async' | 'sync' | 'shared' | 'worker';

export interface TreeScanOptions extends Omit<ScanRequest, 'sources' | 'read' | 'maxFileSize' | 'pool' | 'thisThread'> {
  roots: string[];
  include?: string[];
  exclude?: string[];
  maxFileSize?: number;
  mode?: ScanMode;
  /** The worker script for 'shared' and 'worker' (default: the transpiled readWorker.js). */
  workerFile?: string;
}

/** Runs the scan pipeline over folders (or files) as one of its callers does; collects what onFile delivers. */
export async function scanTree(options: TreeScanOptions): Promise<{ results: FileResult[]; stats: ScanStats }> {
  const {
    roots,
    include,
    exclude = DEFAULT_EXCLUDES,
    maxFileSize = DEFAULT_MAX_FILE_SIZE,
    mode = 'async',
    workerFile = WORKER_FILE,
    onFile,
    ...rest
  } = options;
  const results: FileResult[] = [];
  const pool = mode === 'shared' || mode === 'worker' ? new ReadPool(workerFile) : undefined;
  try {
    const stats = await runScan({
      ...rest,
      sources: roots.map((root) => ({ root, include, exclude })),
      maxFileSize,
      pool,
      read: mode === 'async' || mode === 'worker' ? readBounded : readBoundedSync,
      thisThread: mode === 'sync' || mode === 'shared' ? 'share' : 'leave',
      onFile: (r) => {
        results.push(r);
        onFile?.(r);
      },
    });
    return { results, stats };
  } finally {
    pool?.dispose();
  }
}

export const WORKER_FILE = path.join(__dirname, '..', '..', 'src', 'core', 'scan', 'readWorker.js');

/**
 * A certificate record with plausible fields around `now` (valid for 120 days past, 200 ahead), for
 * rule tests: a lifetime long enough that a notAfter set within the info window (90 days) is judged
 * by the day thresholds, not by the shares of the lifetime (rules.ts withinBand).
 */
export function fakeCertificate(now: number, over: Partial<CertificateRecord> = {}): CertificateRecord {
  return {
    subject: 'CN=t',
    subjectCN: 't',
    issuer: 'CN=ca',
    issuerCN: 'ca',
    sans: { dns: [], ip: [], email: [], uri: [] },
    serial: '01',
    notBefore: now - 120 * DAY_MS,
    notAfter: now + 200 * DAY_MS,
    sha256: 'aa',
    sha1: 'bb',
    spkiSha256: 'cc',
    keyType: 'EC',
    keyBits: 256,
    curve: 'P-256',
    signatureAlgorithm: 'ecdsa-with-SHA256',
    signatureAlgorithmOid: '1.2.840.10045.4.3.2',
    isCA: false,
    selfSigned: false,
    keyUsage: [],
    extendedKeyUsage: [],
    subjectRaw: 's',
    issuerRaw: 'i',
    file: '/ws/a.pem',
    range: { start: { line: 0, character: 0 }, end: { line: 9, character: 25 } },
    source: 'pem',
    index: 0,
    role: 'leaf',
    der: new Uint8Array(),
    ...over,
  };
}
