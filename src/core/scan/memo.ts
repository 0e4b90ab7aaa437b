import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { type FileResult, placeCertificate } from '../model';
import { parseFile, type ParseOptions, reportsBrokenBlocks } from '../formats/parse-file';
import { mayHoldCertificates } from '../formats/table';

const MAX_ENTRIES = 20_000;

/** Distinct PEM bodies a scanning thread keeps decoded (ParseOptions.blockCache); cleared when full. */
export const BLOCK_CACHE_LIMIT = 20_000;

/**
 * Parses identical file contents once: monorepos carry many copies of the same CA bundle or
 * keystore. Keyed by content hash, extension and whether broken blocks are reported (a name
 * decides it: package.json and app.json differ); files that name other files are not memoised.
 */
export class ParseMemo {
  private readonly results = new Map<string, FileResult>();
  /** With repeatedOnly: samples (see sample()) of the contents seen. */
  private readonly seen = new Set<string>();
  hits = 0;

  /**
   * repeatedOnly: keep a content's result once it has been seen twice. For a scan made once (the
   * CLI): most contents are seen once, and keeping every result cost garbage-collector time.
   */
  constructor(private readonly options: { repeatedOnly?: boolean } = {}) {}

  parse(file: string, bytes: Uint8Array, options: ParseOptions): FileResult {
    if (!mayHoldCertificates(file, bytes) || options.pkcs12Password?.(file) !== undefined) return parseFile(file, bytes, options);
    const kind = `${path.extname(file).toLowerCase()}:${reportsBrokenBlocks(file) ? 1 : 0}:`;
    // A content seen for the first time is not hashed: only its length and a sample of its bytes are kept.
    if (this.options.repeatedOnly && this.firstSight(kind + sample(bytes))) return parseFile(file, bytes, options);
    const key = kind + createHash('sha1').update(bytes).digest('base64');
    const hit = this.results.get(key);
    if (hit) {
      this.hits++;
      return rebind(hit, file);
    }
    const result = parseFile(file, bytes, options);
    if (result.references.length === 0) {
      if (this.results.size >= MAX_ENTRIES) this.results.clear();
      this.results.set(key, rebind(result, file));
    }
    return result;
  }

  /** Whether this sample is new (and now seen). */
  private firstSight(sampled: string): boolean {
    if (this.seen.has(sampled)) return false;
    if (this.seen.size >= MAX_ENTRIES) this.seen.clear();
    this.seen.add(sampled);
    return true;
  }
}

/** The length and a hash of 64 bytes spread over the content: equal for equal contents, rarely for others. */
function sample(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  const step = Math.max(1, Math.floor(bytes.length / 64));
  for (let i = 0; i < bytes.length; i += step) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `${bytes.length}:${h >>> 0}`;
}

/** A copy of a result as if it had been read from `file`. */
function rebind(r: FileResult, file: string): FileResult {
  return {
    file,
    certificates: r.certificates.map((c) =>
      placeCertificate(c, {
        file,
        range: c.range,
        source: c.source,
        index: c.index,
        role: c.role,
        chain: c.chain,
        alias: c.alias,
        keystore: c.keystore,
        managedBy: c.managedBy,
      }),
    ),
    problems: r.problems.map((p) => ({ ...p, file })),
    privateKeys: r.privateKeys.map((k) => ({ ...k, file })),
    references: [],
    ...(r.expiries ? { expiries: r.expiries } : {}),
    ...(r.certManagerCertificates ? { certManagerCertificates: r.certManagerCertificates.map((m) => ({ ...m, file })) } : {}),
    crls: r.crls.map((c) => ({ ...c, file })),
  };
}
