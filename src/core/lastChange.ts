import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { isoTime } from './dates';

/** The commit that last changed some lines of a file. */
export interface LastChange {
  /** Short hash. */
  commit: string;
  author: string;
  /** Author date, ISO-8601 in UTC. */
  date: string;
}

/** Runs git with arguments (never a shell) in a folder; returns stdout, or throws. */
export type RunGit = (args: readonly string[], cwd: string) => string;

const runGitCli: RunGit = (args, cwd) =>
  execFileSync('git', args as string[], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000, maxBuffer: 4 * 1024 * 1024 });

/**
 * Asks git, lazily and once per question, which commit last changed a file's lines
 * (`git log -1 -L start,end:file`). Anything git cannot answer — git missing, no repository, an
 * untracked file, a shallow clone (whose oldest commit would take the blame for history it does not
 * have) — is undefined, never an error.
 */
export class LastChangeCache {
  private readonly answers = new Map<string, LastChange | undefined>();
  /** Per folder: the repository is usable (a full clone). */
  private readonly folders = new Map<string, boolean>();

  constructor(private readonly runGit: RunGit = runGitCli) {}

  /** Lines are 0-based and inclusive, as in a Range. */
  lastChange(file: string, startLine: number, endLine: number): LastChange | undefined {
    const key = `${file}\0${startLine}\0${endLine}`;
    if (this.answers.has(key)) return this.answers.get(key);
    const answer = this.ask(file, startLine, endLine);
    this.answers.set(key, answer);
    return answer;
  }

  private ask(file: string, startLine: number, endLine: number): LastChange | undefined {
    const dir = path.dirname(file);
    if (!this.usable(dir)) return undefined;
    try {
      const out = this.runGit(['log', '-1', '--no-color', '--format=%h%x00%an%x00%aI', '--no-patch', `-L${startLine + 1},${Math.max(startLine, endLine) + 1}:${path.basename(file)}`, '--'], dir).trim();
      const [commit, author, date] = out.split('\n')[0].split('\0');
      const when = Date.parse(date ?? '');
      return commit && author !== undefined && Number.isFinite(when) ? { commit, author, date: isoTime(when) } : undefined;
    } catch {
      return undefined;
    }
  }

  private usable(dir: string): boolean {
    let usable = this.folders.get(dir);
    if (usable === undefined) {
      try {
        usable = this.runGit(['rev-parse', '--is-shallow-repository'], dir).trim() === 'false';
      } catch {
        usable = false;
      }
      this.folders.set(dir, usable);
    }
    return usable;
  }
}
