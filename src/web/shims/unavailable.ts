// node:fs, node:os, node:child_process, node:worker_threads for the web bundle. The web entry never
// reaches them (files are read through workspace.fs, there is no read worker, no git, no home folder);
// a call that gets here anyway fails with an error the caller already handles for a missing tool.
function unavailable(what: string): () => never {
  return () => {
    throw Object.assign(new Error(`${what} is not available on the web`), { code: 'ENOSYS' });
  };
}

// node:fs
export const readFile = unavailable('fs.readFile');
export const readFileSync = unavailable('fs.readFileSync');
export const writeFile = unavailable('fs.writeFile');
export const writeFileSync = unavailable('fs.writeFileSync');
export const chmodSync = unavailable('fs.chmodSync');
export const stat = unavailable('fs.stat');
export const statSync = unavailable('fs.statSync');
export const fstatSync = unavailable('fs.fstatSync');
export const openSync = unavailable('fs.openSync');
export const readSync = unavailable('fs.readSync');
export const closeSync = unavailable('fs.closeSync');
export const readdirSync = unavailable('fs.readdirSync');
export const readlinkSync = unavailable('fs.readlinkSync');
export const realpathSync = unavailable('fs.realpathSync');
export const createWriteStream = unavailable('fs.createWriteStream');
export const promises = { readFile, writeFile, stat, open: unavailable('fs.promises.open'), rename: unavailable('fs.promises.rename') };
export const constants = { O_RDONLY: 0, O_NOFOLLOW: 0, O_NONBLOCK: 0 };
export class Dirent {}

// node:os
export const homedir = (): string => '';
export const tmpdir = (): string => '/tmp';
export const cpus = (): unknown[] => [];
export const availableParallelism = (): number => 1;
export const getPriority = (): number => 0;
export const setPriority = (): void => {};
export const EOL = '\n';

// node:child_process
export const execFile = unavailable('Running a program');
export const spawn = unavailable('Running a program');

// node:worker_threads
export class Worker {
  constructor() {
    unavailable('A worker thread')();
  }
}
export const parentPort = null;
export const workerData = undefined;
export const isMainThread = true;

// node:url
export function pathToFileURL(p: string): URL {
  return new URL(`file://${p.split('/').map(encodeURIComponent).join('/')}`);
}
export function fileURLToPath(u: string | URL): string {
  return decodeURIComponent(new URL(u).pathname);
}
