import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { daysFromNow, makeCert } from '../support/certs';
import { sharedKey, tempDir } from './helpers';

/** Ctrl-C (SIGINT) on the built CLI: exit code 130, and an --output file is left as it was (no temporary file either). */

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function start(args: string[]): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  // CERTLENS_TIMINGS: a 'start' line on stderr once the Ctrl-C handler is in place and the scan begins.
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CERTLENS_TIMINGS: '1', NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

function until(what: string, test: () => boolean, exit: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    exit.then(() => {
      if (!done) reject(new Error(`the CLI ended before ${what}`));
    }, reject);
    const poll = () => {
      if (done) return;
      if (test()) {
        done = true;
        resolve();
      } else setTimeout(poll, 5);
    };
    poll();
  });
}

/** The folder's names, but for the scanned tree (no report, no `.report.json.<pid>.tmp` beside it). */
function leftIn(dir: string, tree: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n !== path.basename(tree))
    .sort();
}

describe('CLI: Ctrl-C', () => {
  let pem: string;
  before(() => {
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    pem = makeCert({
      cn: 'cancel.certlens.dev',
      key: sharedKey({ type: 'ec' }),
      notBefore: daysFromNow(-10),
      notAfter: daysFromNow(5),
    }).pem;
  });

  it('during the scan: exits 130 and writes no --output file (nor leaves its temporary file)', async function () {
    this.timeout(120_000);
    const dir = tempDir();
    try {
      // 4,000 files of 20 certificates each: more than a second of scanning on an idle machine, so
      // the signal, sent as soon as the scan starts, lands in the middle of it even on a loaded one.
      const tree = path.join(dir, 'tree');
      for (let d = 0; d < 20; d++) {
        fs.mkdirSync(path.join(tree, `d${d}`), { recursive: true });
        for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(tree, `d${d}`, `c${i}.pem`), `# ${d}/${i}\n${pem.repeat(20)}`);
      }
      const output = path.join(dir, 'report.json');
      const run = start(['scan', tree, '--format', 'json', '--output', output]);
      await until('the scan started', () => /^start /m.test(run.stderr()), run.exit);
      assert.ok(run.child.kill('SIGINT'));
      const code = await run.exit;
      assert.doesNotMatch(run.stderr(), /^scanned /m, 'the signal came before the scan ended');
      assert.equal(code, 130, run.stderr());
      assert.match(run.stderr(), /^certlens: cancelled$/m);
      assert.deepEqual(leftIn(dir, tree), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('during host checks, after the scan: exits 130 and leaves an existing --output file as it was (scan and baseline)', async function () {
    this.timeout(60_000);
    const dir = tempDir();
    // A TLS server that never answers: the probe waits (up to --timeout), and its connection says the checks have begun.
    const sockets: net.Socket[] = [];
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      sockets.push(s);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const tree = path.join(dir, 'tree');
      fs.mkdirSync(path.join(tree, 'config'), { recursive: true });
      fs.writeFileSync(path.join(tree, 'config', 'app.env'), 'API_URL=https://hang.certlens.dev/v1\n');
      fs.writeFileSync(path.join(tree, 'soon.pem'), pem);
      const output = path.join(dir, 'report.txt');
      for (const command of [['scan', '--format', 'table'], ['scan', '--format', 'json'], ['baseline']]) {
        fs.writeFileSync(output, 'the report of the run before\n');
        const before = connections;
        const run = start([
          command[0],
          tree,
          ...command.slice(1),
          '--output',
          output,
          '--hosts',
          '--timeout',
          '50000',
          '--resolve',
          `hang.certlens.dev:443=127.0.0.1:${port}`,
        ]);
        await until('the host check began', () => connections > before, run.exit);
        assert.ok(run.child.kill('SIGINT'));
        const code = await run.exit;
        assert.equal(code, 130, `${command.join(' ')}: ${run.stderr()}`);
        assert.equal(fs.readFileSync(output, 'utf8'), 'the report of the run before\n', command.join(' '));
        assert.deepEqual(leftIn(dir, tree), ['report.txt'], command.join(' '));
      }
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
