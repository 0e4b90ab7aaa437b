import type { Report } from '../core/report/schema';
import type { LanguageModelTools } from './features/lmTools';
import type { RenewalFeature } from './features/renewal';

export interface TreeItemSnapshot {
  label: string;
  description?: string;
  contextValue?: string;
  children: TreeItemSnapshot[];
}

/** What activate() returns: integration tests (and other extensions) observe CertLens through it. */
export interface CertLensApi {
  /** Resolves once scans, file-watcher updates and debounced edits have all run. */
  settled(): Promise<void>;
  /** Runs a full scan and resolves when it is done. */
  scan(): Promise<void>;
  /** The current state in the CLI's JSON schema (with `hosts` when any were found). */
  report(): Report;
  /** TCP connections host checks have opened in this session (Restricted Mode must keep it at 0). */
  connectionsAttempted(): number;
  /** The Expirations tree as rendered (labels and descriptions). */
  tree(): TreeItemSnapshot[];
  /** The message shown at the top of the tree (scanning, filter, Restricted Mode). */
  treeMessage(): string | undefined;
  /** The status bar text, or undefined while it is hidden. */
  statusBar(): string | undefined;
  /** The Explorer badge CertLens gives a file (by URI string): '!' expired, '!!' critical, '~' warning. */
  fileDecoration(uri: string): string | undefined;
  /** Waits for the running scan and resolves with the number of certificates. */
  whenScanned(): Promise<number>;
  /** Notifications shown so far in this session (for tests). */
  notifications(): number;
  /** The chat tools, when this VS Code has vscode.lm.registerTool (tests call them directly too). */
  languageModelTools(): LanguageModelTools | undefined;
  /** Renewal from the editor (tests answer its modal questions through `confirm`). */
  renewal(): RenewalFeature;
  /** Timings for benchmarks: activate() itself, activation to the first complete scan, the last scan. */
  metrics(): {
    activationMs: number;
    firstScanMs?: number;
    lastScanMs: number;
    lastScanFiles: number;
    codeLensRequests: readonly { at: number; ms: number }[];
    editsMovedWithoutParse: number;
    editsHandled: readonly { at: number; ms: number }[];
  };
}
