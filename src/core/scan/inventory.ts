import type { CertificateRecord, CertManagerCertificate, CrlRecord, FileResult, Finding } from '../model';
import type { RuleSettings } from '../rules/rules';
import { workspaceFindings } from '../findings/fileFindings';
import { byExpiry, byNextUpdate, keyComesFirst } from '../order';

/**
 * The workspace's certificates, file by file, updated one file at a time. Pairs certificates
 * with private keys found anywhere in it.
 */
export class Inventory {
  private readonly files = new Map<string, FileResult>();
  /** The sorted list last returned, and the files set or deleted since (an edit touches one). */
  private cache: CertificateRecord[] | undefined;
  private readonly changedSince = new Set<string>();
  /** Private keys by public-key hash, as of the cache. */
  private keys = new Map<string, { file: string; range: CertificateRecord['range'] }>();

  set(result: FileResult): void {
    const empty =
      result.certificates.length === 0 &&
      result.problems.length === 0 &&
      result.privateKeys.length === 0 &&
      result.crls.length === 0 &&
      !result.expiries?.length &&
      !result.certManagerCertificates?.length;
    const before = this.files.get(result.file);
    if (empty) this.files.delete(result.file);
    else this.files.set(result.file, result);
    this.changed(result.file, before, result);
  }

  delete(file: string): boolean {
    const before = this.files.get(file);
    this.changed(file, before, undefined);
    return this.files.delete(file);
  }

  /** Keeps the sorted list for an update in place, unless keys changed (their pairing is global) or many files did. */
  private changed(file: string, before: FileResult | undefined, after: FileResult | undefined): void {
    if (!this.cache) return;
    if (before?.privateKeys.length || after?.privateKeys.length || this.changedSince.size >= MAX_IN_PLACE) {
      this.cache = undefined;
      this.changedSince.clear();
    } else {
      this.changedSince.add(file);
    }
  }

  /** Removes a file, or every file under a folder (a deleted or renamed directory); returns what went. */
  deleteUnder(prefix: string): string[] {
    const under = prefix.endsWith('/') ? prefix : prefix + '/';
    const gone = [...this.files.keys()].filter((f) => f === prefix || f.startsWith(under));
    for (const f of gone) this.delete(f);
    return gone;
  }

  clear(): void {
    this.files.clear();
    this.cache = undefined;
    this.changedSince.clear();
  }

  get(file: string): FileResult | undefined {
    return this.files.get(file);
  }

  fileNames(): string[] {
    return [...this.files.keys()];
  }

  /**
   * All certificates, sorted by notAfter (ties by file in code-unit order, then position), each with
   * its matching private key where one is known. After an edit of a few files, only their
   * certificates are sorted and merged into the previous list: no sort of the whole workspace.
   */
  certificates(): CertificateRecord[] {
    if (this.cache && this.changedSince.size === 0) return this.cache;
    if (this.cache) {
      const kept = this.cache.filter((c) => !this.changedSince.has(c.file));
      const added: CertificateRecord[] = [];
      for (const file of this.changedSince) for (const c of this.files.get(file)?.certificates ?? []) added.push(this.paired(c));
      this.changedSince.clear();
      return (this.cache = mergeSorted(kept, added.sort(byExpiry)));
    }
    // A key held in several files pairs with the first by path and position, whatever order files came in.
    this.keys = new Map();
    for (const r of this.files.values()) {
      for (const k of r.privateKeys) {
        if (keyComesFirst(k, this.keys.get(k.spkiSha256))) this.keys.set(k.spkiSha256, { file: k.file, range: k.range });
      }
    }
    const all: CertificateRecord[] = [];
    for (const r of this.files.values()) for (const c of r.certificates) all.push(this.paired(c));
    // Ties by file in code-unit order: localeCompare was most of this sort's time on a large tree.
    return (this.cache = all.sort(byExpiry));
  }

  private paired(c: CertificateRecord): CertificateRecord {
    c.privateKey = this.keys.get(c.spkiSha256);
    return c;
  }

  /** All CRLs, by nextUpdate (those without one last), then file and position. */
  crls(): CrlRecord[] {
    const all: CrlRecord[] = [];
    for (const r of this.files.values()) all.push(...r.crls);
    return all.sort(byNextUpdate);
  }

  problems(): Finding[] {
    const out: Finding[] = [];
    for (const r of this.files.values()) out.push(...r.problems);
    return out;
  }

  /** cert-manager Certificate manifests in every file (renewal settings of managed Secrets). */
  certManagerCertificates(): CertManagerCertificate[] {
    const out: CertManagerCertificate[] = [];
    for (const r of this.files.values()) if (r.certManagerCertificates) out.push(...r.certManagerCertificates);
    return out;
  }

  /** Every file's findings at time `now` (see workspaceFindings: the one findings path, in the reports' order). */
  findings(now: number, rules: RuleSettings, rulesOf?: (file: string) => RuleSettings): Finding[] {
    return workspaceFindings(
      [...this.files.values()],
      this.certificates(),
      this.crls(),
      now,
      rules,
      this.certManagerCertificates(),
      rulesOf,
    );
  }
}

/** Files changed since the last sorted list, above which a full sort is cheaper than merging. */
const MAX_IN_PLACE = 256;

/** Merges two lists sorted by byExpiry into a new one. */
function mergeSorted(a: readonly CertificateRecord[], b: readonly CertificateRecord[]): CertificateRecord[] {
  if (!b.length) return a as CertificateRecord[];
  const out: CertificateRecord[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = byExpiry(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
