// Globals the core expects from Node, for the web bundle (esbuild's `inject`: each free use of these
// names in the bundle is bound to this module; nothing is set on the worker's global object).
import { Buffer } from 'buffer';

export { Buffer };

/** setImmediate: the next macrotask (a MessageChannel message runs before any timer's minimum delay). */
const channel = new MessageChannel();
const queue: (() => void)[] = [];
// Typed as Node's MessagePort here; in a Web Worker it is the DOM's, which has onmessage.
(channel.port1 as unknown as { onmessage: () => void }).onmessage = () => queue.shift()?.();
// Under Node (the engine's test build) an open port would keep the process alive; browsers have no unref.
(channel.port1 as unknown as { unref?: () => void }).unref?.();
export function setImmediate(fn: (...args: unknown[]) => void, ...args: unknown[]): number {
  queue.push(() => fn(...args));
  channel.port2.postMessage(0);
  return 0;
}

/** process: no environment, no standard streams (errors nobody logged go to the console). */
export const process = {
  browser: true,
  env: {} as Record<string, string | undefined>,
  platform: 'browser',
  version: '',
  versions: {} as Record<string, string>,
  stderr: { write: (s: string) => console.error(s.trimEnd()) },
  stdout: { write: (s: string) => console.log(s.trimEnd()) },
  cwd: () => '/',
  nextTick: (fn: (...args: unknown[]) => void, ...args: unknown[]) => queueMicrotask(() => fn(...args)),
};
