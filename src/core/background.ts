import { errorMessage } from './redact';

/**
 * Work nobody awaits (fire-and-forget) starts here and only here: `runInBackground(log, what, promise)`
 * instead of `void promise`, so a failure reaches a log rather than vanishing or surfacing as an
 * unhandled rejection. Lint enforces it: no-floating-promises with ignoreVoid off and thenables
 * checked (eslint.config.mjs) rejects a bare `void promise`.
 */

/** Where a background failure is told: the editor's Log (src/extension/log.ts) fits as it is. */
export interface FailureLog {
  error(context: string, err?: unknown): void;
}

/** For core objects made without a log (tests, the CLI): one line on stderr, as the CLI says things. */
export const STDERR_LOG: FailureLog = {
  error: (context, err) => {
    process.stderr.write(`certlens: ${context}${err === undefined ? '' : `: ${errorMessage(err)}`}\n`);
  },
};

/** Lets `task` run on its own; if it fails, `log` gets `<what> failed` and the error. */
export function runInBackground(log: FailureLog | undefined, what: string, task: PromiseLike<unknown>): void {
  Promise.resolve(task).then(undefined, (err: unknown) => {
    try {
      (log ?? STDERR_LOG).error(`${what} failed`, err);
    } catch {
      // The log itself failed (a disposed output channel): nothing is left to tell.
    }
  });
}
