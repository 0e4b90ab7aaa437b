import { execFile } from 'node:child_process';
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

/** Runs git with arguments (never a shell) in a folder; resolves to stdout, or rejects. */
export type RunGit = (args: readonly string[], cwd: string) => Promise<string>;

/** git from PATH, or the executable the editor's git extension uses. */
export function gitCli(executable = 'git'): RunGit {
  return (args, cwd) =>
    new Promise((resolve, reject) => {
      execFile(
        executable,
        args as string[],
        { cwd, encoding: 'utf8', timeout: 20_000, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
        (err, stdout) => (err ? reject(err instanceof Error ? err : new Error('git failed')) : resolve(stdout)),
      );
    });
}

/**
 * Asks git, lazily and once per question, which commit last changed a file's lines
 * (`git log -1 -L start,end:file`). Anything git cannot answer — git missing, no repository, an
 * untracked file, a shallow clone (whose oldest commit would take the blame for history it does not
 * have) — is undefined, never an error.
 */
export class LastChangeCache {
  /** In-flight and settled answers, shared by everyone who asks the same question. */
  private readonly answers = new Map<string, Promise<LastChange | undefined>>();
  /** Per folder: the repository is usable (a full clone). */
  private readonly folders = new Map<string, Promise<boolean>>();

  constructor(private readonly runGit: RunGit = gitCli()) {}

  /** Lines are 0-based and inclusive, as in a Range. Never rejects. */
  lastChange(file: string, startLine: number, endLine: number): Promise<LastChange | undefined> {
    const key = `${file}\0${startLine}\0${endLine}`;
    let answer = this.answers.get(key);
    if (!answer) this.answers.set(key, (answer = this.ask(file, startLine, endLine)));
    return answer;
  }

  /** Forgets every answer (after a commit, a checkout). */
  clear(): void {
    this.answers.clear();
    this.folders.clear();
  }

  private async ask(file: string, startLine: number, endLine: number): Promise<LastChange | undefined> {
    const dir = path.dirname(file);
    if (!(await this.usable(dir))) return undefined;
    try {
      const out = (
        await this.runGit(
          [
            'log',
            '-1',
            '--no-color',
            '--format=%h%x00%an%x00%aI',
            '--no-patch',
            `-L${startLine + 1},${Math.max(startLine, endLine) + 1}:${path.basename(file)}`,
            '--',
          ],
          dir,
        )
      ).trim();
      const [commit, author, date] = out.split('\n')[0].split('\0');
      const when = Date.parse(date ?? '');
      return commit && author !== undefined && Number.isFinite(when) ? { commit, author, date: isoTime(when) } : undefined;
    } catch {
      return undefined;
    }
  }

  private usable(dir: string): Promise<boolean> {
    let usable = this.folders.get(dir);
    if (!usable) {
      usable = this.runGit(['rev-parse', '--is-shallow-repository'], dir).then(
        (out) => out.trim() === 'false',
        () => false,
      );
      this.folders.set(dir, usable);
    }
    return usable;
  }
}

/**
 * The last change of each certificate, asked a few at a time (git runs a process per question).
 * Keys are `file\0index`.
 */
export async function lastChangesOf(
  certs: readonly { file: string; index: number; range: { start: { line: number }; end: { line: number } } }[],
  cache: LastChangeCache,
  parallel = 4,
): Promise<Map<string, LastChange>> {
  const out = new Map<string, LastChange>();
  let next = 0;
  const worker = async () => {
    while (next < certs.length) {
      const c = certs[next++];
      const change = await cache.lastChange(c.file, c.range.start.line, c.range.end.line);
      if (change) out.set(`${c.file}\0${c.index}`, change);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, certs.length) }, worker));
  return out;
}
