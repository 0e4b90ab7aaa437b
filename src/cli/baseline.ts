import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Baseline, parseBaseline } from '../core/report/baseline';

/** The git work tree holding `dir` (the nearest folder up with a .git folder or file), if any. */
export function repositoryRoot(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * What SARIF locations and baseline entries are relative to: the repository the first PATH scanned
 * is in (GitHub code scanning resolves paths against the repository root), else `fallback`.
 */
export function sourceRootFor(roots: readonly string[], fallback: string): string {
  const first = path.resolve(roots[0] ?? '.');
  return repositoryRoot(fs.statSync(first).isDirectory() ? first : path.dirname(first)) ?? fallback;
}

/** Reads a --baseline file; a missing or corrupt one is an error naming it. */
export function readBaselineFile(file: string, usageError: (message: string) => Error): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw usageError(
      `cannot read the baseline ${file}: ${code === 'ENOENT' ? 'no such file (write one with "certlens baseline --output FILE")' : (e as Error).message}`,
    );
  }
  try {
    return parseBaseline(text);
  } catch (e) {
    throw usageError(`the baseline ${file} is not valid: ${(e as Error).message}`);
  }
}
