import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  certificateFileReferences, type CertificateFileReference, discoverHosts, groupTargets, type HostReference, type HostTarget,
  HostMatcher, hostFindings, hostPortKey, parseHostPort, type ProbeResult, type ProbeTarget, probeTargetFor, Prober, proxyFor,
} from '../core/hosts';
import type { Finding } from '../core/model';
import { readConfig, type HostSettings } from './config';
import type { CertificateStore, TextListener } from './store';
import { keyToUri } from './uris';

const CACHE_KEY = 'certlens.hostCache';

export interface HostState {
  target: HostTarget;
  result?: ProbeResult;
  /** Why there is no result: checks off, Restricted Mode, or not checked yet. */
  reason?: 'disabled' | 'restricted' | 'pending';
}

/**
 * Host checks in the editor: the hosts and certificate files that config files name (kept current
 * from the store's scans and edits), and the certificates those hosts serve. No connection is ever
 * opened in an untrusted workspace or with `certlens.hosts.enabled` off; only hosts found in the
 * workspace, listed in settings or typed by the user are checked.
 */
export class HostChecks implements TextListener, vscode.Disposable {
  private references = new Map<string, HostReference[]>();
  private fileRefs = new Map<string, CertificateFileReference[]>();
  private next: Map<string, HostReference[]> | undefined;
  private nextFileRefs: Map<string, CertificateFileReference[]> | undefined;
  private results = new Map<string, ProbeResult>();
  private prober: Prober;
  private proberSettings = '';
  private controller = new AbortController();
  private readonly changed = new vscode.EventEmitter<{ files?: string[] }>();
  readonly onDidChange = this.changed.event;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly store: CertificateStore, private readonly state: vscode.Memento) {
    store.textListener = this;
    this.prober = this.makeProber();
    this.prober.importCache(state.get(CACHE_KEY));
  }

  dispose(): void {
    clearTimeout(this.checkTimer);
    this.controller.abort();
    this.store.textListener = undefined;
    this.changed.dispose();
  }

  private readonly settingsCache = new Map<string, HostSettings>();
  private readonly ignoreCache = new Map<string, HostMatcher | undefined>();

  /** Host settings, read once per folder until they change (discovery asks for every file). */
  private settings(scope?: vscode.Uri): HostSettings {
    const folder = scope ? vscode.workspace.getWorkspaceFolder(scope)?.uri.toString() ?? '' : '';
    let s = this.settingsCache.get(folder);
    if (!s) this.settingsCache.set(folder, (s = readConfig(scope).hosts));
    return s;
  }

  private ignoreFor(file: string): HostMatcher | undefined {
    const uri = keyToUri(file);
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() ?? '';
    if (!this.ignoreCache.has(folder)) {
      const list = this.settings(uri).ignore;
      this.ignoreCache.set(folder, list.length ? new HostMatcher(list) : undefined);
    }
    return this.ignoreCache.get(folder);
  }

  /** Host checks may open connections: only in a trusted workspace with the setting on. */
  allowed(): boolean {
    return vscode.workspace.isTrusted && this.settings().enabled;
  }

  private makeProber(): Prober {
    const s = this.settings();
    const http = vscode.workspace.getConfiguration('http');
    const proxyUrl = http.get<string>('proxy') || undefined;
    const noProxy = http.get<string[]>('noProxy', []);
    const env = noProxy.length ? { ...process.env, NO_PROXY: [process.env.NO_PROXY, ...noProxy].filter(Boolean).join(',') } : process.env;
    this.proberSettings = JSON.stringify([s.timeoutMs, s.concurrency, s.cacheHours, proxyUrl, noProxy]);
    return new Prober({
      timeoutMs: s.timeoutMs,
      concurrency: s.concurrency,
      ttlMs: s.cacheHours * 3_600_000,
      proxy: (t) => proxyFor(t.connectTo?.host ?? t.host, t.connectTo?.port ?? t.port, env, proxyUrl),
    });
  }

  /** Settings changed: rebuild the prober when its settings did, and re-evaluate. */
  reloadConfig(): void {
    this.settingsCache.clear();
    this.ignoreCache.clear();
    const s = this.settings();
    const http = vscode.workspace.getConfiguration('http');
    const now = JSON.stringify([s.timeoutMs, s.concurrency, s.cacheHours, http.get<string>('proxy') || undefined, http.get<string[]>('noProxy', [])]);
    if (now !== this.proberSettings) {
      const cache = this.prober.exportCache();
      this.prober = this.makeProber();
      this.prober.importCache(cache);
    }
    this.changed.fire({});
  }

  // TextListener: discovery follows the store's scans and edits.
  scanStarted(): void {
    this.next = new Map();
    this.nextFileRefs = new Map();
  }

  text(file: string, text: string): void {
    this.discovered(file, discoverHosts(file, text), certificateFileReferences(file, text));
  }

  discovered(file: string, found: HostReference[], fileRefs: CertificateFileReference[]): void {
    const ignore = this.ignoreFor(file);
    const refs = ignore ? found.filter((r) => !ignore.matches(r.host, r.port)) : found;
    const into = this.next ?? this.references;
    const intoFiles = this.nextFileRefs ?? this.fileRefs;
    if (refs.length) into.set(file, refs);
    else into.delete(file);
    if (fileRefs.length) intoFiles.set(file, fileRefs);
    else intoFiles.delete(file);
    if (!this.next) {
      this.changed.fire({ files: [file] });
      // A host added by an edit or a new file is checked shortly (cached hosts cost nothing).
      if (refs.length && this.settings().checkOnScan) this.scheduleCheck();
    }
  }

  gone(file: string): void {
    const under = file.endsWith('/') ? file : file + '/';
    for (const map of [this.references, this.fileRefs, this.next, this.nextFileRefs]) {
      if (!map) continue;
      for (const k of [...map.keys()]) if (k === file || k.startsWith(under)) map.delete(k);
    }
    this.changed.fire({ files: [file] });
  }

  scanFinished(): void {
    if (this.next) this.references = this.next;
    if (this.nextFileRefs) this.fileRefs = this.nextFileRefs;
    this.next = undefined;
    this.nextFileRefs = undefined;
    this.changed.fire({});
    if (this.settings().checkOnScan) void this.checkAll();
  }

  private checkTimer: NodeJS.Timeout | undefined;

  private scheduleCheck(): void {
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => {
      this.checkTimer = undefined;
      void this.checkAll();
    }, 300);
  }

  /** Every host to check: found in files (grouped by host:port) plus `certlens.hosts.extra`. */
  targets(): HostTarget[] {
    return groupTargets([...this.references.values()].flat(), { extra: this.settings().extra });
  }

  private probeTarget(t: { host: string; port: number; starttls?: ProbeTarget['starttls'] }): ProbeTarget {
    const resolve = this.settings().resolve;
    return probeTargetFor(t, (host, port) => {
      const to = resolve[hostPortKey(host, port)] ?? resolve[host];
      return to ? parseHostPort(to, port) : undefined;
    });
  }

  /** Checks every target (cached results are reused unless `force`). Nothing happens when not allowed. */
  checkAll(force = false): Promise<void> {
    if (!this.allowed()) return Promise.resolve();
    const targets = this.targets();
    const byKey = new Map(targets.map((t) => [hostPortKey(t.host, t.port), t]));
    const run = this.prober.probeAll(targets.map((t) => this.probeTarget(t)), {
      signal: this.controller.signal,
      force,
      onResult: (target, result) => {
        const key = hostPortKey(target.host, target.port);
        this.results.set(key, result);
        const t = byKey.get(key);
        this.changed.fire({ files: [...new Set(t?.references.map((r) => r.file) ?? [])] });
      },
    }).then(() => this.persist());
    this.running = run;
    return run;
  }

  /** One host, typed by the user or picked from the tree. */
  async check(spec: string, force = true): Promise<ProbeResult | undefined> {
    if (!this.allowed()) return undefined;
    const cleaned = spec.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[/?#].*$/, '');
    const hp = parseHostPort(cleaned);
    if (!hp) return undefined;
    const result = await this.prober.probe(this.probeTarget(hp), { signal: this.controller.signal, force });
    this.results.set(hostPortKey(hp.host, hp.port), result);
    await this.persist();
    const refs = this.targets().find((t) => t.host === hp.host && t.port === hp.port)?.references ?? [];
    this.changed.fire({ files: [...new Set(refs.map((r) => r.file))] });
    return result;
  }

  private async persist(): Promise<void> {
    await this.state.update(CACHE_KEY, this.prober.exportCache());
  }

  /** Resolves when running checks are done (tests, exports). */
  async settled(): Promise<void> {
    while (this.checkTimer) await new Promise((r) => setTimeout(r, 25));
    let current: Promise<void>;
    do {
      current = this.running;
      await current;
    } while (current !== this.running);
  }

  /** Every host with its latest result (or why there is none). */
  states(): HostState[] {
    const allowed = this.allowed();
    const reason: HostState['reason'] = !vscode.workspace.isTrusted ? 'restricted' : !this.settings().enabled ? 'disabled' : 'pending';
    return this.targets().map((target) => {
      const result = allowed ? this.results.get(hostPortKey(target.host, target.port)) : undefined;
      return result ? { target, result } : { target, reason };
    });
  }

  referencesIn(file: string): HostReference[] {
    return this.references.get(file) ?? [];
  }

  certificateFilesIn(file: string): CertificateFileReference[] {
    return this.fileRefs.get(file) ?? [];
  }

  resultFor(host: string, port: number): ProbeResult | undefined {
    return this.allowed() ? this.results.get(hostPortKey(host, port)) : undefined;
  }

  /** Findings at this file's host references, and for certificate files it names that do not exist. */
  findingsIn(file: string): Finding[] {
    const out: Finding[] = [];
    const rules = this.store.configFor(file).rules;
    const now = Date.now();
    for (const ref of this.referencesIn(file)) {
      const result = this.resultFor(ref.host, ref.port);
      if (result) out.push(...hostFindings([ref], result, now, rules));
    }
    for (const ref of this.certificateFilesIn(file)) {
      if (!fs.existsSync(ref.path)) {
        out.push({ file, range: ref.range, severity: 'info', code: 'referenced-file-missing', message: `${ref.key}: ${vscode.workspace.asRelativePath(ref.path)} does not exist in the workspace` });
      }
    }
    return out;
  }

  /** Files that have host references or certificate-file references. */
  files(): string[] {
    return [...new Set([...this.references.keys(), ...this.fileRefs.keys()])];
  }

  get connectionsAttempted(): number {
    return this.prober.connectionsAttempted;
  }
}
