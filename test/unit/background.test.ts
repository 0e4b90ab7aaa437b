import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { runInBackground, STDERR_LOG } from '../../src/core/background';

/** Fire-and-forget work: one helper that logs failures, and lint that refuses a bare `void promise`. */

const ROOT = path.resolve(__dirname, '../../..');

/** Lets queued promise reactions run (and Node notice unhandled rejections). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('runInBackground', () => {
  let unhandled: unknown[];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => process.off('unhandledRejection', onUnhandled));

  it('logs a failure as "<what> failed" with the error, and nothing for a success; no rejection goes unhandled', async () => {
    const logged: [string, unknown][] = [];
    const log = { error: (context: string, err?: unknown) => logged.push([context, err]) };
    const boom = new Error('boom');
    runInBackground(log, 'Checking hosts', Promise.reject(boom));
    runInBackground(log, 'A scan', Promise.resolve(42));
    // A thenable that is not a Promise (VS Code's Thenable) too.
    const thenable: PromiseLike<never> = { then: (_ok, fail) => Promise.resolve(fail?.('refused')) as never };
    runInBackground(log, 'Setting a context', thenable);
    await settle();
    assert.deepEqual(logged, [
      ['Checking hosts failed', boom],
      ['Setting a context failed', 'refused'],
    ]);
    assert.deepEqual(unhandled, []);
  });

  it('swallows a log that throws, and without a log writes one line to stderr', async () => {
    runInBackground(
      {
        error: () => {
          throw new Error('the channel is disposed');
        },
      },
      'Late work',
      Promise.reject(new Error('x')),
    );
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array) => written.push(String(chunk)) > 0;
    try {
      runInBackground(undefined, 'Stopping the worker', Promise.reject(new Error('it was gone')));
      await settle();
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(written, ['certlens: Stopping the worker failed: it was gone\n']);
    assert.deepEqual(unhandled, []);
    assert.equal(typeof STDERR_LOG.error, 'function');
  });

  it('is what lint asks for: a bare `void` on a promise or thenable is an error', async function () {
    this.timeout(60_000);
    const eslint = new ESLint({ cwd: ROOT });
    // Linted as if it were this file (the type-aware rules need a file the project knows).
    const code = [
      "import { runInBackground } from '../../src/core/background';",
      'export function f(p: Promise<number>, t: PromiseLike<void>): void {',
      '  void p;',
      '  void t;',
      "  runInBackground(undefined, 'p', p);",
      '}',
      '',
    ].join('\n');
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, 'test', 'unit', 'background.test.ts') });
    assert.deepEqual(
      result.messages.map((m) => [m.ruleId, m.line]),
      [
        ['@typescript-eslint/no-floating-promises', 3],
        ['@typescript-eslint/no-floating-promises', 4],
      ],
    );
  });
});
