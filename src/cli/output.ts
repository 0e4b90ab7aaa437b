import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes `text` to `file` through a temporary file in the same folder and a rename, so a reader
 * (node_exporter's textfile collector, a CI step) sees the old file or the new one, never half of one.
 */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
  } catch (e) {
    fs.rmSync(temporary, { force: true });
    throw e;
  }
}
