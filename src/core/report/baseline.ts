import * as path from 'node:path';

/**
 * A baseline: the findings a team accepted when it adopted CertLens (`certlens baseline`), which
 * `certlens scan --baseline FILE` then leaves out of --fail-on. A finding about a certificate is
 * the same finding wherever the certificate moves (its SHA-256 and code); one about an endpoint, its
 * host:port, code and the certificate it served; any other (a file CertLens could not read), its
 * file and code.
 */
export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  code: string;
  /** The certificate's SHA-256, on findings about a certificate. */
  sha256?: string;
  /** host:port, on findings about an endpoint (with the sha256 of the certificate it served, if any). */
  host?: string;
  /** Relative to the repository root, with / separators (absolute when outside it). */
  file: string;
}

export interface Baseline {
  version: number;
  entries: BaselineEntry[];
}

/** What a baseline identifies a finding by: Finding and FindingJson both have these. */
export interface FindingIdentity {
  code: string;
  file: string;
  sha256?: string;
  host?: string;
}

/** `file` relative to `root` with / separators, or undefined when it is not inside root. */
export function relativeToRoot(file: string, root: string): string | undefined {
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

function entryFile(file: string, root: string): string {
  return relativeToRoot(file, root) ?? file.split(path.sep).join('/');
}

function entryKey(e: BaselineEntry): string {
  // An endpoint's finding names the certificate it served when there was one: a renewed certificate is a new finding.
  if (e.host) return `host\0${e.host}\0${e.sha256 ?? ''}\0${e.code}`;
  if (e.sha256) return `cert\0${e.sha256}\0${e.code}`;
  return `file\0${e.file}\0${e.code}`;
}

function entryOf(f: FindingIdentity, root: string): BaselineEntry {
  return { code: f.code, ...(f.sha256 ? { sha256: f.sha256 } : {}), ...(f.host ? { host: f.host } : {}), file: entryFile(f.file, root) };
}

/** The baseline of `findings`: one entry per distinct finding, sorted, so a regenerated file diffs well. */
export function createBaseline(findings: readonly FindingIdentity[], sourceRoot: string): Baseline {
  const byKey = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const entry = entryOf(f, sourceRoot);
    const key = entryKey(entry);
    if (!byKey.has(key)) byKey.set(key, entry);
  }
  const entries = [...byKey.values()].sort(
    (a, b) => a.file.localeCompare(b.file) || a.code.localeCompare(b.code) || entryKey(a).localeCompare(entryKey(b)),
  );
  return { version: BASELINE_VERSION, entries };
}

export function baselineJson(baseline: Baseline): string {
  const lines = baseline.entries.map((e) => `    ${JSON.stringify(e)}`);
  // One entry a line: a review sees which findings were added to or dropped from the baseline.
  return `{\n  "version": ${baseline.version},\n  "entries": [${lines.length ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
}

/** Reads a baseline file's text; throws an Error saying what is wrong with it. */
export function parseBaseline(text: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error('not a CertLens baseline (expected an object with "version" and "entries")');
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (version !== BASELINE_VERSION)
    throw new Error(`version ${JSON.stringify(version)} is not supported (this CertLens reads version ${BASELINE_VERSION})`);
  if (!Array.isArray(entries)) throw new Error('"entries" is not a list');
  const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  return {
    version,
    entries: entries.map((e: unknown, i) => {
      const { code, sha256, host, file } = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
      if (!isString(code) || !isString(file)) throw new Error(`entry ${i + 1} needs "code" and "file"`);
      if (sha256 !== undefined && !(isString(sha256) && /^[0-9a-f]{64}$/.test(sha256)))
        throw new Error(`entry ${i + 1}: "sha256" is not a SHA-256 fingerprint`);
      if (host !== undefined && !isString(host)) throw new Error(`entry ${i + 1}: "host" is not a host:port`);
      return { code, ...(sha256 ? { sha256 } : {}), ...(host ? { host } : {}), file };
    }),
  };
}

/** Whether a finding is in a baseline (see the top of this file for what makes two findings the same). */
export class BaselineMatcher {
  private readonly keys: Set<string>;

  constructor(
    baseline: Baseline,
    private readonly sourceRoot: string,
  ) {
    this.keys = new Set(baseline.entries.map(entryKey));
  }

  matches(f: FindingIdentity): boolean {
    return this.keys.has(entryKey(entryOf(f, this.sourceRoot)));
  }
}
