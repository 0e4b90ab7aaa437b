import * as fs from 'node:fs';
import * as path from 'node:path';

/** A report that cannot be written where --output says: said in one line, without a stack. */
export class OutputError extends Error {}

/** Fails early (before a scan) when --output names a file in a folder that is not there. */
export function checkOutputPath(file: string): void {
  const folder = path.dirname(path.resolve(file));
  let isFolder = false;
  try {
    isFolder = fs.statSync(folder).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) throw new OutputError(`cannot write ${file}: no such folder ${folder}`);
}

/** Runs a file-system step of writing `file`, saying which file when it fails. */
function writing<T>(file: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    throw new OutputError(`cannot write ${file}: ${e instanceof Error ? e.message.replace(/, open '.*'$/, '') : String(e)}`);
  }
}

/** An output file being written: `commit` makes it visible, `abort` leaves what was there. */
export interface OutputFile {
  fd: number;
  /** A regular file, written through a temporary one: writes may go to any position. */
  seekable: boolean;
  commit(): void;
  abort(): void;
}

/**
 * Opens `file` for a report. A regular file (or a new one) is written through a temporary file in
 * the same folder and a rename, so a reader (node_exporter's textfile collector, a CI step) sees the
 * old file or the new one, never half of one. Anything else (/dev/null, a pipe, /dev/stdout) is
 * written in place: a rename would replace the device or the pipe with a file.
 */
export function openOutput(file: string): OutputFile {
  let existing: fs.Stats | undefined;
  try {
    existing = fs.statSync(file);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isFile()) {
    const fd = writing(file, () => fs.openSync(file, 'w'));
    return { fd, seekable: false, commit: () => fs.closeSync(fd), abort: () => fs.closeSync(fd) };
  }
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = writing(file, () => fs.openSync(temporary, 'w'));
  return {
    fd,
    seekable: true,
    commit: () => {
      fs.closeSync(fd);
      try {
        writing(file, () => fs.renameSync(temporary, file));
      } catch (e) {
        fs.rmSync(temporary, { force: true });
        throw e;
      }
    },
    abort: () => {
      fs.closeSync(fd);
      fs.rmSync(temporary, { force: true });
    },
  };
}

/** Writes `text` to `file` as openOutput does: whole or not at all. */
export function writeFileAtomically(file: string, text: string): void {
  const out = openOutput(file);
  try {
    writing(file, () => fs.writeFileSync(out.fd, text));
  } catch (e) {
    out.abort();
    throw e;
  }
  out.commit();
}
