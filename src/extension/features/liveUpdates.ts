import * as vscode from 'vscode';
import { runInBackground } from '../../core/background';
import type { TextEdit } from '../../core/formats/shift';
import type { CertificateStore } from '../store';
import { fileKey } from '../uris';

export const FILE_DEBOUNCE_MS = 300;
export const EDIT_DEBOUNCE_MS = 250;

/** One file watcher and the document events that keep the store current, debounced. */
export class LiveUpdates implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pendingFiles = new Map<string, vscode.Uri>();
  private readonly pendingDeletes = new Map<string, vscode.Uri>();
  private fileTimer: NodeJS.Timeout | undefined;
  private readonly editTimers = new Map<string, NodeJS.Timeout>();
  private readonly editsWaiting = new Set<string>();
  /** The last few edits handled at once: when (performance.now()) and how long until the store had applied them, for the benchmark. */
  readonly editsHandled: { at: number; ms: number }[] = [];

  constructor(private readonly store: CertificateStore) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => this.queueFile(u)),
      watcher.onDidChange((u) => this.queueFile(u)),
      watcher.onDidDelete((u) => this.queueDelete(u)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.queueEdit(e.document, e.contentChanges.length === 1 ? e.contentChanges[0] : undefined);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        // A document opened again starts its versions anew: its next edit does not follow the text kept.
        this.store.forgetText(doc.uri);
        // Closed without saving: the file on disk is the truth again.
        if (this.store.fileResult(doc.uri) && this.store.isCandidate(doc.uri)) this.queueFile(doc.uri);
      }),
    );
  }

  dispose(): void {
    clearTimeout(this.fileTimer);
    this.editTimers.forEach((t) => clearTimeout(t));
    this.disposables.forEach((d) => d.dispose());
  }

  private queueFile(uri: vscode.Uri): void {
    if (!this.store.isCandidate(uri) && !this.store.fileResult(uri)) return;
    this.pendingDeletes.delete(fileKey(uri));
    this.pendingFiles.set(fileKey(uri), uri);
    this.schedule();
  }

  private queueDelete(uri: vscode.Uri): void {
    this.pendingFiles.delete(fileKey(uri));
    this.pendingDeletes.set(fileKey(uri), uri);
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.fileTimer);
    this.fileTimer = setTimeout(() => runInBackground(this.store.log, 'Updating changed files', this.flush()), FILE_DEBOUNCE_MS);
  }

  private async flush(): Promise<void> {
    this.fileTimer = undefined;
    const deletes = [...this.pendingDeletes.values()];
    const files = [...this.pendingFiles.values()].filter(
      (u) => !vscode.workspace.textDocuments.some((d) => d.isDirty && d.uri.toString() === u.toString()),
    );
    this.pendingDeletes.clear();
    this.pendingFiles.clear();
    if (deletes.length) this.store.remove(deletes);
    if (files.length) await this.store.updateFiles(files);
  }

  /**
   * Edits are throttled, not just debounced: the first edit after a quiet spell is parsed at once
   * (a pasted certificate shows immediately), further edits within EDIT_DEBOUNCE_MS are folded into
   * one update at the end of it.
   */
  private queueEdit(doc: vscode.TextDocument, edit?: TextEdit): void {
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && !vscode.workspace.getWorkspaceFolder(doc.uri)) return;
    if (doc.uri.scheme !== 'untitled' && !this.store.isCandidate(doc.uri)) return;
    const key = doc.uri.toString();
    if (this.editTimers.has(key)) {
      // Within the throttle window: an edit that only moves results is applied at once (typing
      // between a bundle's blocks); others wait for the window's end.
      if (!this.editsWaiting.has(key) && edit && this.store.moveWithEdit(doc, edit)) return;
      this.editsWaiting.add(key);
      return;
    }
    const at = performance.now();
    runInBackground(
      this.store.log,
      'Updating an edited document',
      this.store.updateDocument(doc, edit).then(() => {
        this.editsHandled.push({ at, ms: performance.now() - at });
        if (this.editsHandled.length > 32) this.editsHandled.shift();
      }),
    );
    const quiet = () => {
      if (this.editsWaiting.delete(key)) {
        runInBackground(this.store.log, 'Updating an edited document', this.store.updateDocument(doc));
        this.editTimers.set(key, setTimeout(quiet, EDIT_DEBOUNCE_MS));
      } else {
        this.editTimers.delete(key);
      }
    };
    this.editTimers.set(key, setTimeout(quiet, EDIT_DEBOUNCE_MS));
  }

  /** True while debounced work is waiting to run. */
  get pending(): boolean {
    return this.fileTimer !== undefined || this.editsWaiting.size > 0;
  }

  /** Resolves once debounced work has run and the store is idle. */
  async settled(): Promise<void> {
    for (;;) {
      while (this.pending) await new Promise((r) => setTimeout(r, 25));
      await this.store.whenIdle();
      if (!this.pending) return;
    }
  }
}
