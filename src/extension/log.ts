import * as vscode from 'vscode';
import { errorMessage, redactSecrets } from '../core/redact';

/**
 * CertLens's log: the "CertLens" channel of the Output panel (CertLens: Show Log), at the level the
 * user picks there. Every message is redacted (../core/redact.ts): no key material, no passwords.
 * Made once in activate() and handed to what logs; there is no global logger.
 */
export interface Log {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  /** `context: <the error's message>`; never its stack or attached data. */
  error(context: string, err?: unknown): void;
  /** Reveals the channel without taking focus. */
  show(): void;
}

export function createLog(): Log & vscode.Disposable {
  const channel = vscode.window.createOutputChannel('CertLens', { log: true });
  return {
    trace: (message) => channel.trace(redactSecrets(message)),
    debug: (message) => channel.debug(redactSecrets(message)),
    info: (message) => channel.info(redactSecrets(message)),
    warn: (message) => channel.warn(redactSecrets(message)),
    error: (context, err) => channel.error(err === undefined ? redactSecrets(context) : `${redactSecrets(context)}: ${errorMessage(err)}`),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}
