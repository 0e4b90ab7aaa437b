import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import {
  type CertificateFileReference,
  type CertificateIndex,
  driftFindings,
  type DriftResult,
  driftResults,
  groupTargets,
  type HostReference,
  type HostTarget,
  HostMatcher,
  hostFindings,
  hostPortKey,
  pairCertificates,
  type Pairing,
  parseHostPort,
  type ProbeResult,
  type ProbeTarget,
  probeTargetFor,
  Prober,
  proxyFor,
  type ServedPair,
} from '../core/hosts';
import type { CertificateRecord, Finding } from '../core/model';
import { type Clock, nextHostChange, WallClockAlarm } from '../core/workspace/clock';
import { onDidChangeConfig, readConfig, readProxySettings, SETTING_KEYS, type HostSettings } from './config';
import type { Log } from './log';
import { canProbe } from './platform';
import type { CertificateStore, DiscoveryChange } from './store';
import { keyToUri } from './uris';

const CACHE_KEY = 'certlens.hostCache';

export interface HostState {
  target: HostTarget;
  result?: ProbeResult;
  /** Why there is no result: checks off, Restricted Mode, or not checked yet. */
  reason?: 'disabled' | 'restricted' | 'web' | 'pending';
}

/**
 * Host checks in the editor: the hosts and certificate files that config files name (kept current
 * from the store's scans and edits), and the certificates those hosts serve. No connection is ever
 * opened in an untrusted workspace or with `certlens.hosts.enabled` off; only hosts found in the
 * workspace, listed in settings or typed by the user are checked.
 */
export class HostChecks implements vscode.Disposable {
  private references = new Map<string, HostReference[]>();
  private fileRefs = new Map<string, CertificateFileReference[]>();
  /** What each config file pairs (a served host and its certificate) and the Secrets it declares: drift. */
  private pairings = new Map<string, Pairing>();
  private results = new Map<string, ProbeResult>();
  private prober: Prober;
  private proberSettings = '';
  private controller = new AbortController();
  private readonly changed = new vscode.EventEmitter<{ files?: string[] }>();
  readonly onDidChange = this.changed.event;
  private running: Promise<void> = Promise.resolve();

  private readonly subscription: vscode.Disposable;
  private readonly alarm: WallClockAlarm;

  constructor(
    private readonly store: CertificateStore,
    private readonly state: vscode.Memento,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {
    this.subscription = store.onDidDiscover((change) => this.apply(change));
    this.storeSubscription = store.onDidChange((change) => this.certificatesChanged(change.files));
    this.prober = this.makeProber();
    this.prober.importCache(state.get(CACHE_KEY));
    // Served certificates expire while cached, and cached results grow old: both follow the clock.
    this.alarm = new WallClockAlarm(clock, () => this.tick());
    this.configSubscription = onDidChangeConfig([...SETTING_KEYS, 'http.proxy', 'http.noProxy'], () => this.reloadConfig());
  }

  private readonly configSubscription: vscode.Disposable;
  private readonly storeSubscription: vscode.Disposable;

  dispose(): void {
    clearTimeout(this.checkTimer);
    this.storeSubscription.dispose();
    this.configSubscription.dispose();
    this.controller.abort();
    this.alarm.dispose();
    this.subscription.dispose();
    this.changed.dispose();
  }

  private readonly settingsCache = new Map<string, HostSettings>();
  private readonly ignoreCache = new Map<string, HostMatcher | undefined>();

  /** Host settings, read once per folder until they change (discovery asks for every file). */
  private settings(scope?: vscode.Uri): HostSettings {
    const folder = scope ? (vscode.workspace.getWorkspaceFolder(scope)?.uri.toString() ?? '') : '';
    let s = this.settingsCache.get(folder);
    if (!s) this.settingsCache.set(folder, (s = readConfig(scope).hosts));
    return s;
  }

  private ignoreFor(file: string): HostMatcher | undefined {
    const uri = keyToUri(file);
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() ?? '';
    if (!this.ignoreCache.has(folder)) {
      // The settings' and the team config's (hosts.skip) patterns.
      const list = [...this.settings(uri).ignore, ...(this.store.configFor(file).team?.hosts().skip ?? [])];
      this.ignoreCache.set(folder, list.length ? new HostMatcher(list) : undefined);
    }
    return this.ignoreCache.get(folder);
  }

  /** Host checks may open connections: only in a trusted workspace with the setting on. */
  allowed(): boolean {
    return canProbe() && vscode.workspace.isTrusted && this.settings().enabled;
  }

  private makeProber(): Prober {
    const s = this.settings();
    const { proxyUrl, noProxy } = readProxySettings();
    const env = noProxy.length ? { ...process.env, NO_PROXY: [process.env.NO_PROXY, ...noProxy].filter(Boolean).join(',') } : process.env;
    this.proberSettings = JSON.stringify([s.timeoutMs, s.concurrency, s.cacheHours, proxyUrl, noProxy]);
    return new Prober({
      log: this.log,
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
    this.grouped = undefined; // hosts.extra may have changed
    const s = this.settings();
    const { proxyUrl, noProxy } = readProxySettings();
    const now = JSON.stringify([s.timeoutMs, s.concurrency, s.cacheHours, proxyUrl, noProxy]);
    if (now !== this.proberSettings) {
      const cache = this.prober.exportCache();
      this.prober = this.makeProber();
      this.prober.importCache(cache);
    }
    this.changed.fire({});
  }

  /** Discovery follows the store's reads: a full scan replaces everything, updates replace their files. */
  private apply(change: DiscoveryChange): void {
    if (change.all) {
      this.references = new Map();
      this.fileRefs = new Map();
      this.pairings = new Map();
      this.grouped = undefined;
      this.pairs = undefined;
      for (const [file, found] of change.all) this.set(file, found.hosts ?? [], found.fileRefs ?? [], found.pairing);
      this.changed.fire({});
      if (this.settings().checkOnScan) runInBackground(this.log, 'Checking hosts', this.checkAll());
      return;
    }
    let added = false;
    const changed: string[] = [];
    for (const [file, found] of change.files ?? []) {
      const before = this.references.has(file) || this.fileRefs.has(file) || this.pairings.has(file);
      if (found) added = this.set(file, found.hosts ?? [], found.fileRefs ?? [], found.pairing) || added;
      else this.forget(file);
      // A file that named nothing and still names nothing changes no host result (an edit of a bundle).
      if (before || this.references.has(file) || this.fileRefs.has(file) || this.pairings.has(file)) changed.push(file);
    }
    if (changed.length) changed.push(...this.invalidatePairs());
    if (changed.length) this.changed.fire({ files: changed });
    // A host added by an edit or a new file is checked shortly (cached hosts cost nothing).
    if (added && this.settings().checkOnScan) this.scheduleCheck();
  }

  /** Records what a file names; true when it names a host. */
  private set(file: string, found: HostReference[], fileRefs: CertificateFileReference[], pairing?: Pairing): boolean {
    if (pairing?.pairs.length || pairing?.secrets.length) this.pairings.set(file, pairing);
    else this.pairings.delete(file);
    const ignore = this.ignoreFor(file);
    // Endpoints are what production files connect to: links in tests, examples and docs are not checked unless asked.
    const counted = this.settings(keyToUri(file)).includeNonProduction || this.store.contextOf(file) === 'production';
    const refs = !counted ? [] : ignore ? found.filter((r) => !ignore.matches(r.host, r.port)) : found;
    if (refs.length || this.references.has(file)) this.grouped = undefined;
    if (refs.length) this.references.set(file, refs);
    else this.references.delete(file);
    if (fileRefs.length) this.fileRefs.set(file, fileRefs);
    else this.fileRefs.delete(file);
    return refs.length > 0;
  }

  /** A file, or a folder and everything under it, is gone or names nothing now. */
  private forget(file: string): void {
    const under = file.endsWith('/') ? file : file + '/';
    for (const k of [...this.references.keys()]) {
      if (k === file || k.startsWith(under)) {
        this.references.delete(k);
        this.grouped = undefined;
      }
    }
    for (const k of [...this.fileRefs.keys()]) if (k === file || k.startsWith(under)) this.fileRefs.delete(k);
    for (const k of [...this.pairings.keys()]) if (k === file || k.startsWith(under)) this.pairings.delete(k);
  }

  /** The clock's moment for host results came: re-evaluate, and re-check what the cache let go stale. */
  private tick(): void {
    this.changed.fire({});
    if (this.allowed()) runInBackground(this.log, 'Checking hosts', this.checkAll());
    this.rearm();
  }

  /** Arms the clock for the next change of any host result: a served certificate's band or expiry, or its cache age. */
  private rearm(): void {
    const now = this.clock.now();
    const cacheMs = this.settings().cacheHours * 3_600_000;
    let next = Infinity;
    for (const st of this.states()) {
      if (st.result)
        next = Math.min(next, nextHostChange(st.result, now, this.store.configFor(st.target.references[0]?.file ?? '').rules, cacheMs));
    }
    this.alarm.arm(next);
  }

  private checkTimer: NodeJS.Timeout | undefined;

  private scheduleCheck(): void {
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => {
      this.checkTimer = undefined;
      runInBackground(this.log, 'Checking hosts', this.checkAll());
    }, 300);
  }

  /** Every host to check: found in files (grouped by host:port) plus `certlens.hosts.extra`. */
  targets(): HostTarget[] {
    if (this.grouped) return this.grouped.targets;
    const targets = groupTargets([...this.references.values()].flat(), { extra: this.settings().extra });
    const byFirstFile = new Map<string, HostTarget[]>();
    for (const t of targets) {
      // Production references first: a host's one finding sits where production code names it.
      t.references.sort(
        (a, b) => Number(this.store.contextOf(a.file) !== 'production') - Number(this.store.contextOf(b.file) !== 'production'),
      );
      const first = t.references[0]?.file;
      if (first === undefined) continue;
      const list = byFirstFile.get(first);
      if (list) list.push(t);
      else byFirstFile.set(first, [t]);
    }
    this.grouped = { targets, byFirstFile };
    return targets;
  }

  /** Hosts grouped from the references, and by the file of their first reference; dropped when references change. */
  private grouped: { targets: HostTarget[]; byFirstFile: Map<string, HostTarget[]> } | undefined;

  private probeTarget(t: { host: string; port: number; starttls?: ProbeTarget['starttls'] }): ProbeTarget {
    // The settings' resolves win over the team configs' (hosts.resolve).
    const resolve = { ...this.store.teamHostResolves(), ...this.settings().resolve };
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
    const run = this.prober
      .probeAll(
        targets.map((t) => this.probeTarget(t)),
        {
          signal: this.controller.signal,
          force,
          onResult: (target, result) => {
            const key = hostPortKey(target.host, target.port);
            this.results.set(key, result);
            if (result.error) this.log.info(`Host ${key}: ${result.error}`);
            const t = byKey.get(key);
            this.changed.fire({ files: [...new Set([...(t?.references.map((r) => r.file) ?? []), ...this.driftFilesOf(key)])] });
          },
        },
      )
      .then(() => this.persist())
      .catch((err: unknown) => this.log.error('Host checks failed', err))
      .finally(() => this.rearm());
    this.running = run;
    return run;
  }

  /** One host, typed by the user or picked from the tree. */
  async check(spec: string, force = true): Promise<ProbeResult | undefined> {
    if (!this.allowed()) return undefined;
    const cleaned = spec
      .trim()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .replace(/[/?#].*$/, '');
    const hp = parseHostPort(cleaned);
    if (!hp) return undefined;
    const result = await this.prober.probe(this.probeTarget(hp), { signal: this.controller.signal, force });
    this.results.set(hostPortKey(hp.host, hp.port), result);
    if (result.error) this.log.info(`Host ${hostPortKey(hp.host, hp.port)}: ${result.error}`);
    await this.persist();
    this.rearm();
    const refs = this.targets().find((t) => t.host === hp.host && t.port === hp.port)?.references ?? [];
    this.changed.fire({ files: [...new Set([...refs.map((r) => r.file), ...this.driftFilesOf(hostPortKey(hp.host, hp.port))])] });
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
    const reason: HostState['reason'] = !canProbe()
      ? 'web'
      : !vscode.workspace.isTrusted
        ? 'restricted'
        : !this.settings().enabled
          ? 'disabled'
          : 'pending';
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

  /** Findings at this file's host references. */
  /**
   * Findings about the hosts whose first reference is in this file: one per host and issue, the
   * other references as related locations. Unreachable is information by default in the editor
   * (offline laptops, VPNs): certlens.hosts.unreachableSeverity.
   */
  findingsIn(file: string): Finding[] {
    this.targets();
    const out: Finding[] = [];
    const cfg = this.store.configFor(file);
    const now = this.clock.now();
    for (const t of this.grouped?.byFirstFile.get(file) ?? []) {
      const result = this.resultFor(t.host, t.port);
      if (result) out.push(...hostFindings(t.references, result, now, cfg.rules, { unreachable: cfg.hosts.unreachableSeverity }));
    }
    for (const r of this.driftAt(file)) {
      const rules = this.store.configFor(r.certificate.file).rules;
      for (const f of driftFindings([r], now, rules)) if (f.file === file) out.push(f);
    }
    return out;
  }

  /** Repository certificates paired with endpoints (by configuration, else by SAN); dropped when files or certificates change. */
  private pairs: ServedPair[] | undefined;

  private servedPairs(): ServedPair[] {
    if (this.pairs) return this.pairs;
    const byFile = new Map<string, CertificateRecord[]>();
    for (const c of this.store.certificates()) {
      const list = byFile.get(c.file);
      if (list) list.push(c);
      else byFile.set(c.file, [c]);
    }
    for (const list of byFile.values()) list.sort((a, b) => a.index - b.index);
    const index: CertificateIndex = {
      files: () => byFile.keys(),
      certificatesIn: (file) => byFile.get(file) ?? [],
      isProduction: (file) => this.store.contextOf(file) === 'production',
    };
    const pairings = [...this.pairings.values()];
    this.pairs = pairCertificates(
      pairings.flatMap((p) => p.pairs),
      pairings.flatMap((p) => p.secrets),
      [...this.references.values()].flat(),
      index,
    );
    return this.pairs;
  }

  /** Drops the pairs; the files the old ones touched (their findings may go). */
  private invalidatePairs(): string[] {
    const files = (this.pairs ?? []).flatMap((p) => [p.certificate.file, ...p.references.map((r) => r.file)]);
    this.pairs = undefined;
    return files;
  }

  /**
   * Certificates changed: pairs are made again, and the other side of each pair, before or after,
   * that touched a changed file refreshes (the config file of a renewed certificate, or the other way).
   */
  private certificatesChanged(files: readonly string[] | undefined): void {
    const before = this.pairs ?? [];
    this.pairs = undefined;
    if (!this.pairings.size || !this.results.size || !this.allowed()) return;
    const touched = files ? new Set(files) : undefined;
    const others = new Set<string>();
    for (const p of [...before, ...this.servedPairs()]) {
      const sides = [p.certificate.file, ...p.references.map((r) => r.file)];
      if (!touched || sides.some((f) => touched.has(f))) for (const f of sides) if (!touched?.has(f)) others.add(f);
    }
    if (others.size) this.changed.fire({ files: [...others] });
  }

  /** The files of the pairs with this endpoint: a result for it changes their drift. */
  private driftFilesOf(key: string): string[] {
    return this.servedPairs()
      .filter((p) => hostPortKey(p.host, p.port) === key)
      .flatMap((p) => [p.certificate.file, ...p.references.map((r) => r.file)]);
  }

  /** Drift of the pairs at this file (its certificate, or a reference to the host), for what the host last served. */
  driftAt(file: string): DriftResult[] {
    if (!this.allowed()) return [];
    const pairs = this.servedPairs().filter((p) => p.certificate.file === file || p.references.some((r) => r.file === file));
    return driftResults(pairs, (host, port) => this.resultFor(host, port));
  }

  /** Drift of every pair whose host answered (the tree's Drift group, exports). */
  drift(): DriftResult[] {
    if (!this.allowed()) return [];
    return driftResults(this.servedPairs(), (host, port) => this.resultFor(host, port));
  }

  /** Files that have host references or certificate-file references, or pair a host with a certificate. */
  files(): string[] {
    const certificateFiles = this.allowed() && this.pairings.size ? this.servedPairs().map((p) => p.certificate.file) : [];
    return [...new Set([...this.references.keys(), ...this.fileRefs.keys(), ...this.pairings.keys(), ...certificateFiles])];
  }

  get connectionsAttempted(): number {
    return this.prober.connectionsAttempted;
  }
}
