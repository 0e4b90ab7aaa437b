import type { CertificateRecord, FileResult, Finding } from '../model';
import { evaluate, type RuleSettings } from '../rules/rules';

/**
 * The workspace's certificates, file by file, updated one file at a time. Pairs certificates
 * with private keys found anywhere in it.
 */
export class Inventory {
  private readonly files = new Map<string, FileResult>();
  private cache: CertificateRecord[] | undefined;

  set(result: FileResult): void {
    const empty = result.certificates.length === 0 && result.problems.length === 0 && result.privateKeys.length === 0;
    if (empty) this.files.delete(result.file);
    else this.files.set(result.file, result);
    this.cache = undefined;
  }

  delete(file: string): boolean {
    this.cache = undefined;
    return this.files.delete(file);
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
  }

  get(file: string): FileResult | undefined {
    return this.files.get(file);
  }

  fileNames(): string[] {
    return [...this.files.keys()];
  }

  /** All certificates, sorted by notAfter, each with its matching private key where one is known. */
  certificates(): CertificateRecord[] {
    if (this.cache) return this.cache;
    const keys = new Map<string, { file: string; range: CertificateRecord['range'] }>();
    for (const r of this.files.values()) for (const k of r.privateKeys) if (!keys.has(k.spkiSha256)) keys.set(k.spkiSha256, { file: k.file, range: k.range });
    const all: CertificateRecord[] = [];
    for (const r of this.files.values()) {
      for (const c of r.certificates) {
        c.privateKey = keys.get(c.spkiSha256);
        all.push(c);
      }
    }
    // Ties by file in code-unit order: localeCompare was most of this sort's time on a large tree.
    all.sort((a, b) => a.notAfter - b.notAfter || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.index - b.index));
    return (this.cache = all);
  }

  problems(): Finding[] {
    const out: Finding[] = [];
    for (const r of this.files.values()) out.push(...r.problems);
    return out;
  }

  /** Parse problems plus rule findings at time `now`. */
  findings(now: number, rules: RuleSettings): Finding[] {
    return [...this.problems(), ...evaluate(this.certificates(), now, rules)];
  }
}
