import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_EXCLUDES, isSkippedByExtension, PathFilter } from './filters';
import type { UnreadableFolder } from '../model';

/** Walking a tree and reading its files, bounded in size, on any thread. */

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

/** How the scanner reads: Node's fs in the CLI, `workspace.fs` in VS Code. */
export type ReadFile = (file: string, maxSize: number) => Promise<ReadOutcome>;

export type ReadOutcome = Uint8Array | 'too-large' | 'gone' | Error;

/** Text, not binary: no NUL byte in the first 8 KB (as git and ripgrep decide). */
export function isText(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).indexOf(0) === -1;
}

/**
 * Read-only and non-blocking: opening a FIFO (named pipe) blocks until a writer appears, so a
 * kubeconfig naming one hung the scan for good. Non-blocking, the open returns and fstat says
 * it is no regular file. Regular files read the same either way.
 */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * A name that is not valid UTF-8 reaches us from readdir with U+FFFD in place of the bad bytes, and
 * then cannot be opened: say so (a read error) rather than skip the file as if it had been deleted.
 */
function goneOrUnnamable(file: string): ReadOutcome {
  return path.basename(file).includes('\uFFFD') ? new Error('its name is not valid UTF-8, so it cannot be opened by name') : 'gone';
}

/** Reads a file unless it exceeds `maxSize`; never loads more than that into memory. */
export async function readBounded(file: string, maxSize: number): Promise<ReadOutcome> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, OPEN_FLAGS);
    const { size, isFile } = await handle.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) return 'gone';
    if (size > maxSize) return 'too-large';
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await handle.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return goneOrUnnamable(file);
    return e instanceof Error ? e : new Error(String(e));
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** readBounded without the event loop: open, fstat, read, close. */
export function readBoundedSync(file: string, maxSize: number): Promise<ReadOutcome> {
  const read = readScratchSync(file, maxSize);
  return Promise.resolve(read instanceof Uint8Array ? Buffer.from(read) : read);
}

let scratch = Buffer.allocUnsafe(1 << 16);

/**
 * readBoundedSync into one reused buffer: most files of a tree hold no certificate, and reading
 * each into a fresh allocation showed as garbage-collector time. The view is valid until the next
 * call; copy what must be kept.
 */
export function readScratchSync(file: string, maxSize: number, walked = false): ReadOutcome {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
    // `walked`: the walk saw a regular file here, so a read that does not fill the buffer read it
    // all (a regular file reads short only at its end), and only one that does is measured: most
    // files take three system calls, not four.
    if (walked && maxSize > 0) {
      const n = fs.readSync(fd, scratch, 0, scratch.length, 0);
      if (n < scratch.length) return n <= maxSize ? scratch.subarray(0, n) : 'too-large';
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return 'gone';
    if (st.size > maxSize) return 'too-large';
    if (st.size > scratch.length) scratch = Buffer.allocUnsafe(Math.max(st.size, scratch.length * 2));
    let off = 0;
    while (off < st.size) {
      const n = fs.readSync(fd, scratch, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return scratch.subarray(0, off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // EISDIR: a walked file replaced by a folder.
    return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR'
      ? goneOrUnnamable(file)
      : e instanceof Error
        ? e
        : new Error(String(e));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export interface WalkOptions {
  include?: readonly string[];
  exclude?: readonly string[];
  /**
   * Each folder that cannot be listed, and each symbolic link that cannot be followed (a loop, no
   * permission): what the walk could not look into. A folder or link that is gone (ENOENT) held nothing.
   */
  onUnreadable?: (folder: UnreadableFolder) => void;
  /** Lists a folder (tests inject failures; default fs.readdirSync with file types). */
  readdir?: (dir: string) => fs.Dirent[];
}

/** The files a scan reads under `root` (include/exclude globs relative to it, symlinks followed once), lazily. */
export function* walkSync(root: string, options: WalkOptions): Generator<string> {
  const filter = new PathFilter(options.include, options.exclude ?? DEFAULT_EXCLUDES);
  const readdir = options.readdir ?? ((dir: string) => fs.readdirSync(dir, { withFileTypes: true }));
  /** Runs a listing or a link's resolution; its failure (but ENOENT) is reported for `at`. */
  const attempt = <T>(at: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') options.onUnreadable?.({ path: at, error: systemError(e) });
      return undefined;
    }
  };
  const rootStat = attempt(root, () => fs.statSync(root));
  if (!rootStat) return;
  if (rootStat.isFile()) {
    yield root;
    return;
  }
  const realRoot = safe(() => fs.realpathSync(root)) ?? root;
  const followed = new Set<string>();
  const stack: [string, string][] = [[root, '']];
  while (stack.length) {
    const [dir, rel] = stack.pop()!;
    const entries = attempt(dir, () => readdir(dir)) ?? [];
    // Concatenation, not path.join: dir is already normal and a name has no separator.
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const full = prefix + e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const target = attempt(full, () => fs.statSync(full));
        isFile = !!target?.isFile();
        if (target?.isDirectory()) {
          const real = attempt(full, () => fs.realpathSync(full));
          isDir = !!real && !isInside(real, realRoot) && !followed.has(real);
          if (isDir) followed.add(real!);
        }
      }
      if (isDir) {
        if (!filter.skipsDirectory(childRel)) stack.push([full, childRel]);
      } else if (isFile && !isSkippedByExtension(e.name) && filter.acceptsInAcceptedFolder(childRel)) {
        yield full;
      }
    }
  }
}

/** A system error without the path Node appends: `EACCES: permission denied`. */
export function systemError(e: unknown): string {
  return e instanceof Error ? e.message.replace(/, \w+ '.*'$/s, '') : String(e);
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function isInside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}
