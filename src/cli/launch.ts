/**
 * The `certlens` command. A scan's read worker is started here, before the CLI's bundle is loaded:
 * the worker's start (~0.1 s: a thread, Node's own modules, its bundle) then overlaps the bundle's
 * compilation and the walk, instead of following them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { startReadWorker, type StartedWorker } from '../core/scan/readPool';
import type * as Cli from './main';

// A CLI run is short: at V8's default interrupt budget it optimised dozens of functions twice (once
// per thread) and spent more compiling them than their optimised code saved. A larger budget
// leaves only the really hot ones to the optimising compiler: on the 20k-file benchmark ~15% less
// CPU and ~10% less time, the same on a scan three times as large. Set before any code warms up
// (the worker's included).
setFlagsFromString('--interrupt-budget=1000000');

const argv = process.argv.slice(2);
const workerFile = path.join(__dirname, 'readWorker.js');

/**
 * Whether a scan's arguments name a folder, or no file at all (the default is `.`). Option values
 * count as paths here: at worst a worker is started for nothing, and main() stops it.
 */
function scansAFolder(args: readonly string[]): boolean {
  const kinds = args.filter((a) => !a.startsWith('-')).map((a) => {
    try {
      return fs.statSync(a).isDirectory() ? 'folder' : 'file';
    } catch {
      return 'none';
    }
  });
  return kinds.includes('folder') || !kinds.includes('file');
}

// main() takes it or discards it (a keystore password: this thread reads everything; a few files).
let started: StartedWorker | undefined;
if ((argv[0] === 'scan' || argv[0] === 'baseline') && !argv.some((a) => a.startsWith('--keystore-password')) && scansAFolder(argv.slice(1)) && fs.existsSync(workerFile)) {
  try {
    started = startReadWorker(workerFile, { oneScan: true });
  } catch {
    // The scan starts its own, or reads on this thread.
  }
}

// A reader that stops early (`certlens scan | head`) closes the pipe: what is left of the output
// has nowhere to go, which is not an error (the pending write's callback still runs).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') process.stderr.write(`certlens: cannot write the output: ${e.message}\n`);
});

// Not bundled into this file: loading it is what the worker's start overlaps.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = require(path.join(__dirname, 'cliMain.js')) as typeof Cli;
void cli.main(argv, started).then((code) => {
  process.exitCode = code;
});
