/**
 * The workspace as the editor shows it, free of `vscode`: files → parse results → findings (the one
 * findings path, core/findings) → summaries, kept current as results arrive, re-evaluated by the
 * clock whenever something shown would change (a notAfter, a band, a snooze end, local midnight).
 * What it needs of the editor comes in through WorkspaceHost: each file's settings (per folder) and
 * its path relative to its folder. The extension's CertificateStore is its VS Code adapter (watchers,
 * documents, workspace folders, reading files, events); unit tests drive it with a fake clock.
 */
import picomatch from 'picomatch';
import { type Clock, nextChangeOf, nextChangeOfCrl, nextExpiryChange, nextLocalMidnight, WallClockAlarm } from './clock';
import { ContextClassifier, contextOfFile, type ContextGlobs, type ContextVerdict, type FileContext } from '../context';
import { EvidenceIndex, type Mention } from '../deployment';
import { movable, mover, type TextEdit } from '../formats/shift';
import { fileFindingParts, joinParts, policyOfMode, withContextPolicy } from '../findings/fileFindings';
import type { CertificateRecord, CrlRecord, FileExpiry, FileLocation, FileResult, Finding } from '../model';
import { nextRenewalChange } from '../rules/renewal';
import { countUrgencies, noUrgencies, URGENCY_ORDER, type RuleSettings, type Urgency } from '../rules/rules';
import { Inventory } from '../scan/inventory';
import { byNextUpdate } from '../order';
import { partitionIgnored, type TeamConfigs } from '../teamConfig/apply';

/**
 * Day counts in texts step at each certificate's own moment; across a big workspace that would be a
 * re-evaluation every few seconds. They are refreshed on the hour instead (urgency, severity and
 * expiry changes are exact, and everything is re-evaluated at midnight).
 */
export const TEXT_ROUNDING_MS = 3_600_000;

/** The settings the model reads for a file (the extension's CertLensConfig has them all). */
export interface ModelSettings {
  rules: RuleSettings;
  /** How findings in test, example, documentation and vendored files are reported. */
  nonProduction: 'hint' | 'normal' | 'hide';
  /** Globs that put files in a context, overriding the built-in conventions. */
  context: ContextGlobs;
  /** Files whose certificates are left out (their parse problems stay). */
  'ignore.paths': string[];
  /**
   * The team configs (.certlens.yaml) of the file's folder: the findings their ignore entries cover
   * are left out until the entry's date (the clock wakes then). Their context globs and thresholds
   * are in `context` and `rules` already (the host joins them to the settings).
   */
  team?: TeamConfigs;
}

/** What the model asks of its host (the editor). */
export interface WorkspaceHost {
  clock: Clock;
  /**
   * The settings of a file's workspace folder, asked often (keep them cached). Files of one folder
   * should get the same object: the model keeps a context classifier per settings object.
   */
  settingsFor(file: string): ModelSettings;
  /** The file's path relative to its workspace folder; undefined when it is in none (it is production then). */
  relativePath(file: string): string | undefined;
  /** Results changed: of these files, or of everything (a scan, a settings change, midnight). */
  onChange(change: { files?: string[] }): void;
  /** The clock re-evaluated what changed with time (after onChange). */
  onTick?(now: number): void;
  /** The wall clock jumped (suspend or clock change). */
  onClockJump?(jumpMs: number): void;
}

/** Per file: visible certificates and CRLs, all findings and the count of certificates by urgency. */
export interface FileState {
  certs: CertificateRecord[];
  crls: CrlRecord[];
  findings: Finding[];
  counts: Record<Urgency, number>;
  /** When anything computed here changes with time alone. */
  nextChange: number;
  /** A test, example, documentation or vendored file whose certificates are counted apart. */
  apart: boolean;
}

export interface UrgencySummary {
  /** Visible certificates by urgency, at the store's evaluation time; production files only unless certlens.nonProduction is normal. */
  counts: Record<Urgency, number>;
  /** The same for tests, examples, docs and vendored files, counted apart. */
  nonProduction: Record<Urgency, number>;
  /** The most urgent state of each production file holding a visible certificate. */
  worst: Map<string, Urgency>;
}

export class WorkspaceModel {
  private readonly inventory = new Inventory();
  private readonly alarm: WallClockAlarm;
  /** The local midnight the alarm waits for at the latest (day counts and "today" change then). */
  private midnight = 0;
  private readonly contexts = new Map<string, ContextVerdict>();
  private evidence = new EvidenceIndex();
  private evidenceKey = '';
  private readonly classifiers = new Map<ModelSettings, ContextClassifier>();
  private readonly ignoreMatchers = new Map<string, (p: string) => boolean>();
  /** Per file, computed on demand and kept until the file (or the time) changes. */
  private readonly perFile = new Map<string, FileState>();
  private sorted: CertificateRecord[] | undefined;
  private summaryCache: UrgencySummary | undefined;
  /** What cert-manager renewal reads of the workspace's Certificate manifests, as of the last invalidation. */
  private manifestsKey = '[]';

  constructor(private readonly host: WorkspaceHost) {
    this.alarm = new WallClockAlarm(host.clock, (now) => this.tick(now), { onJump: (j) => host.onClockJump?.(j.jumpMs) });
  }

  dispose(): void {
    this.alarm.dispose();
  }

  now(): number {
    return this.host.clock.now();
  }

  /** When the alarm rings next (the next moment anything shown changes), if armed. */
  get nextChangeAt(): number | undefined {
    return this.alarm.dueAt;
  }

  /** Settings of a file's folder (the host's). */
  settingsFor(file: string): ModelSettings {
    return this.host.settingsFor(file);
  }

  /** What a file is: production, or a test, example, documentation or vendored file (by convention and certlens.context.*). */
  contextOf(file: string): FileContext {
    return this.contextVerdict(file).context;
  }

  /** Why a file has its context (the hover, the details). */
  contextReason(file: string): string {
    return this.contextVerdict(file).reason;
  }

  /** A file's context by its path, its certificates' own word and deployment evidence (contextOfFile). */
  private contextVerdict(file: string): ContextVerdict {
    let v = this.contexts.get(file);
    if (v) return v;
    const evidence = this.evidence.explain(file, (f) => this.host.relativePath(f) ?? f);
    v = contextOfFile(file, this.pathVerdict(file), this.inventory.get(file)?.certificates, evidence);
    this.contexts.set(file, v);
    return v;
  }

  /** A file's context by its path alone (conventions and certlens.context.*). */
  private pathVerdict(file: string): ContextVerdict {
    const settings = this.settingsFor(file);
    let classifier = this.classifiers.get(settings);
    if (!classifier) this.classifiers.set(settings, (classifier = new ContextClassifier(settings.context)));
    const rel = this.host.relativePath(file);
    return rel !== undefined ? classifier.explain(rel) : { context: 'production', reason: '' };
  }

  /**
   * What deployment files name (discovery's mentions; `undefined`: the file is gone or names none).
   * Only production files count as evidence. With `all`, these are every file's (a whole scan; the
   * caller evaluates next). When the evidence changed, every context is found again and, without
   * `all`, everything re-evaluated (rare: a Dockerfile or server config edited). Returns what changed.
   */
  setMentions(files: ReadonlyMap<string, readonly Mention[] | undefined>, all = false): string[] {
    if (all) this.evidence = new EvidenceIndex();
    for (const [f, mentions] of files) this.evidence.set(f, mentions && this.pathVerdict(f).context === 'production' ? mentions : []);
    const key = this.evidence.key();
    if (key === this.evidenceKey) return [];
    this.evidenceKey = key;
    this.contexts.clear();
    if (all) {
      this.perFile.clear();
      return [];
    }
    this.invalidate();
    return this.inventory.fileNames();
  }

  /** Whether a file's findings are set apart (hints, grouped in the tree) under certlens.nonProduction. */
  setApart(file: string): boolean {
    return this.settingsFor(file).nonProduction !== 'normal' && this.contextOf(file) !== 'production';
  }

  /** Workspace folders may have changed: each file's context is found again (nothing re-evaluated). */
  foldersChanged(): void {
    this.contexts.clear();
  }

  /** Settings changed (the host's lookup answers anew): everything is re-evaluated (rules) without rescanning. */
  settingsChanged(): void {
    this.contexts.clear();
    this.classifiers.clear();
    this.invalidate();
  }

  private pathIgnored(file: string, settings: ModelSettings): boolean {
    if (!settings['ignore.paths'].length) return false;
    const key = settings['ignore.paths'].join('\0');
    let m = this.ignoreMatchers.get(key);
    if (!m) this.ignoreMatchers.set(key, (m = picomatch(settings['ignore.paths'], { dot: true })));
    return m(this.host.relativePath(file) ?? file);
  }

  /**
   * A full scan's results replace everything known, except `newer`: files changed since the scan
   * read them, with their current results (undefined: gone). Nothing is evaluated or announced: see
   * evaluateAll and announceAll.
   */
  replaceAll(found: Iterable<FileResult>, newer: readonly (readonly [string, FileResult | undefined])[] = []): void {
    this.inventory.clear();
    for (const r of found) this.inventory.set(r);
    for (const [k, r] of newer) {
      if (r) this.inventory.set(r);
      else this.inventory.delete(k);
    }
    this.perFile.clear();
    this.dropSummaries();
  }

  /**
   * Evaluates every file's findings a slice of `sliceMs` at a time (yielding between slices), so that
   * listeners that summarise the workspace find the work done. Stops when `signal` aborts.
   */
  async evaluateAll(signal?: AbortSignal, sliceMs = 8): Promise<void> {
    const names = this.inventory.fileNames();
    for (let i = 0; i < names.length && !signal?.aborted;) {
      const until = performance.now() + sliceMs;
      while (i < names.length && performance.now() < until) this.fileState(names[i++]);
      await new Promise((r) => setImmediate(r));
    }
  }

  /** After replaceAll: everyone is told everything changed, and the clock is set. */
  announceAll(): void {
    this.dropSummaries();
    this.host.onChange({});
    this.rearm();
  }

  /**
   * Results of files read again: `results` has what each of `files` holds now (a file missing from
   * it is gone, with everything under it if it was a folder). Returns the files whose results
   * changed, after telling everyone (see invalidate).
   */
  applyResults(files: readonly string[], results: ReadonlyMap<string, FileResult>): string[] {
    const changed: string[] = [];
    for (const k of files) {
      const r = results.get(k);
      if (r) this.inventory.set(r);
      else changed.push(...this.inventory.deleteUnder(k)); // gone, or no longer anything to read
      changed.push(k);
    }
    return this.invalidate(changed);
  }

  /** Files or folders gone: they and everything under them leave, with their alarms. Returns what changed. */
  remove(files: readonly string[]): string[] {
    return this.invalidate([...files, ...this.forget(files)]);
  }

  /** Drops files or folders and everything under them, telling no one yet (see invalidate); returns the files that went. */
  forget(files: readonly string[]): string[] {
    return files.flatMap((f) => this.inventory.deleteUnder(f));
  }

  /**
   * An edit that moved a file's places and nothing else: `shifted` replaces `before` (the result the
   * file holds), and the file's evaluation moves with it (the same findings a few lines down) when
   * the edit can move its findings (see shift.ts).
   */
  applyMove(file: string, before: FileResult, shifted: FileResult, edit: TextEdit): string[] {
    this.inventory.set(shifted);
    const state = this.perFile.get(file);
    const move = mover(edit);
    const moved = state && move && movable(state.findings) ? movedState(state, before, shifted, move) : undefined;
    return this.invalidate([file], moved && new Map([[file, moved]]));
  }

  /**
   * Drops what is known of these files' evaluation (everything's, without `files`) and tells everyone.
   * `evaluated`: new states of some of them, known without evaluating them again. Returns the files
   * that changed, the files of cert-manager-managed Secrets included when Certificate manifests did.
   */
  invalidate(files?: string[], evaluated?: ReadonlyMap<string, FileState>): string[] {
    if (files) files = this.withManagedSecrets(files);
    this.dropSummaries();
    if (files) {
      for (const f of files) {
        this.perFile.delete(f);
        this.contexts.delete(f);
      }
    } else {
      this.perFile.clear();
      this.contexts.clear();
    }
    if (files) for (const [f, state] of evaluated ?? []) this.perFile.set(f, state);
    this.host.onChange({ files });
    this.rearm();
    return files ?? [];
  }

  /**
   * Changed files, plus the files of cert-manager-managed Secrets when the Certificate manifests
   * changed, appeared or went (their renewBefore decides those files' findings).
   */
  private withManagedSecrets(files: string[]): string[] {
    const manifests = this.inventory.certManagerCertificates();
    const key = JSON.stringify(manifests.map((m) => [m.name, m.namespace, m.renewBeforeMs, m.renewBeforePercentage]));
    if (key === this.manifestsKey) return files;
    this.manifestsKey = key;
    const managed = this.inventory.fileNames().filter((f) => this.inventory.get(f)?.certificates.some((c) => c.managedBy));
    return [...new Set([...files, ...managed])];
  }

  /**
   * The clock's moment came: the files whose results changed with time are re-evaluated (all of
   * them at midnight, when day counts change everywhere) and every surface is told.
   */
  private tick(now: number): void {
    this.dropSummaries();
    if (now >= this.midnight) {
      this.perFile.clear();
      this.host.onChange({});
    } else {
      const due = [...this.perFile].filter(([, st]) => st.nextChange <= now).map(([f]) => f);
      for (const f of due) this.perFile.delete(f);
      this.host.onChange({ files: due });
    }
    this.host.onTick?.(now);
    this.rearm();
  }

  /** Sets the one alarm to the next moment anything shown changes (over files holding certificates, and local midnight). */
  private rearm(): void {
    const now = this.host.clock.now();
    this.midnight = nextLocalMidnight(now);
    let next = this.midnight;
    for (const file of this.inventory.fileNames()) next = Math.min(next, this.fileState(file).nextChange);
    this.alarm.arm(next);
  }

  private dropSummaries(): void {
    this.sorted = undefined;
    this.summaryCache = undefined;
  }

  /**
   * Certificates by urgency over the workspace, and the most urgent per file: what the status bar,
   * the tree's badge and Explorer decorations show. Summed over files (each counted once when it
   * changes), so a workspace-wide summary after an edit costs a pass over files, not certificates.
   */
  summary(): UrgencySummary {
    if (this.summaryCache) return this.summaryCache;
    const counts = noUrgencies();
    const apart = noUrgencies();
    const worst = new Map<string, Urgency>();
    for (const file of this.inventory.fileNames()) {
      const state = this.fileState(file);
      if (!state.certs.length) continue;
      const into = state.apart ? apart : counts;
      for (const u of URGENCY_ORDER) into[u] += state.counts[u];
      if (state.apart) continue;
      const w = URGENCY_ORDER.find((u) => state.counts[u] > 0);
      if (w) worst.set(file, w);
    }
    return (this.summaryCache = { counts, nonProduction: apart, worst });
  }

  /** A file's evaluation: its findings through the one findings path, its counts and when they change. */
  fileState(file: string): FileState {
    let state = this.perFile.get(file);
    if (state) return state;
    const now = this.host.clock.now();
    const result = this.inventory.get(file);
    const settings = this.settingsFor(file);
    const rules = settings.rules;
    // cert-manager's Certificate manifests may sit in other files: they decide when a managed Secret is due.
    const manifests = result?.certificates.some((c) => c.managedBy) ? this.inventory.certManagerCertificates() : [];
    const parts = result && fileFindingParts({ result, now, rules, manifests, pathIgnored: this.pathIgnored(file, settings) });
    const { certificates: certs, crls, expiries } = parts?.visible ?? { certificates: [], crls: [], expiries: undefined };
    const found = parts ? joinParts(parts) : [];
    const apart = this.setApart(file);
    // Tests, examples, docs and vendored files keep every fact; their findings are hints (or hidden).
    const kept = settings.team && !settings.team.empty ? partitionIgnored(found, settings.team, now).shown : found;
    const findings = apart ? withContextPolicy(kept, () => this.contextOf(file), policyOfMode(settings.nonProduction)) : kept;
    const counts = countUrgencies(certs, now, () => rules);
    const rounding = { textRoundingMs: TEXT_ROUNDING_MS };
    let nextChange = Infinity;
    for (const c of certs) nextChange = Math.min(nextChange, nextChangeOf(c, now, rules, rounding));
    nextChange = Math.min(nextChange, nextExpiryChange(expiries, now, rules, rounding));
    if (certs.some((c) => c.managedBy)) nextChange = Math.min(nextChange, nextRenewalChange(certs, manifests, now));
    for (const c of crls) nextChange = Math.min(nextChange, nextChangeOfCrl(c, now, rules, rounding));
    // A team ignore's date: the findings it covers come back then.
    if (settings.team && found.length) nextChange = Math.min(nextChange, settings.team.nextIgnoreChange(file, now));
    this.perFile.set(file, (state = { certs, crls, findings, counts, nextChange, apart }));
    return state;
  }

  /** Visible (not ignored) certificates of one file. */
  certificatesIn(file: string): CertificateRecord[] {
    return this.fileState(file).certs;
  }

  /** Visible (not ignored) CRLs of one file. */
  crlsIn(file: string): CrlRecord[] {
    return this.fileState(file).crls;
  }

  /** Visible CRLs of the workspace, by nextUpdate (none last). */
  crls(): CrlRecord[] {
    const out: CrlRecord[] = [];
    for (const file of this.inventory.fileNames()) out.push(...this.crlsIn(file));
    return out.sort(byNextUpdate);
  }

  /** The files' own expiries (SAML metadata validUntil) outside ignored paths, soonest first. */
  fileExpiries(): (FileExpiry & { file: string })[] {
    const out: (FileExpiry & { file: string })[] = [];
    for (const file of this.inventory.fileNames()) out.push(...this.fileExpiriesIn(file));
    return out.sort((a, b) => a.notAfter - b.notAfter);
  }

  /** One file's own expiries, unless its path is ignored. */
  fileExpiriesIn(file: string): (FileExpiry & { file: string })[] {
    const expiries = this.inventory.get(file)?.expiries;
    return expiries?.length && !this.pathIgnored(file, this.settingsFor(file)) ? expiries.map((e) => ({ ...e, file })) : [];
  }

  /** Findings (parse problems and rules) of one file. */
  findingsIn(file: string): Finding[] {
    return this.fileState(file).findings;
  }

  /** Visible (not ignored) certificates, sorted by notAfter. */
  certificates(): CertificateRecord[] {
    if (this.sorted) return this.sorted;
    // The inventory's list is sorted (and paired with private keys) already: leaving out what is
    // ignored keeps the order, so an edit costs no sort of the whole workspace.
    const all = this.inventory.certificates();
    let hidden: Set<CertificateRecord> | undefined;
    for (const file of this.inventory.fileNames()) {
      const visible = this.certificatesIn(file);
      const every = this.inventory.get(file)?.certificates ?? [];
      if (visible.length === every.length) continue;
      const shown = new Set(visible);
      hidden ??= new Set();
      for (const c of every) if (!shown.has(c)) hidden.add(c);
    }
    return (this.sorted = hidden ? all.filter((c) => !hidden.has(c)) : all);
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const file of this.inventory.fileNames()) for (const f of this.findingsIn(file)) out.push(f);
    return out;
  }

  /** Every certificate known, ignored ones included (for details and un-ignore). */
  allCertificates(): CertificateRecord[] {
    return this.inventory.certificates();
  }

  /** A file's parse result. */
  resultOf(file: string): FileResult | undefined {
    return this.inventory.get(file);
  }

  files(): string[] {
    return this.inventory.fileNames();
  }

  bySha256(sha256: string): CertificateRecord | undefined {
    return this.inventory.certificates().find((c) => c.sha256 === sha256);
  }
}

/** A file's state after an edit that moved its places (`move`) and nothing else: the new result's records in the old ones' stead. */
export function movedState(
  state: FileState,
  before: FileResult,
  after: FileResult,
  move: <T extends FileLocation>(p: T) => T,
): FileState | undefined {
  const counterpart = new Map<object, object>();
  before.certificates.forEach((c, i) => counterpart.set(c, after.certificates[i]));
  before.crls.forEach((c, i) => counterpart.set(c, after.crls[i]));
  const certs = state.certs.map((c) => counterpart.get(c) as CertificateRecord | undefined);
  const crls = state.crls.map((c) => counterpart.get(c) as CrlRecord | undefined);
  // Evaluated from another result than `before`: evaluate again.
  if (certs.includes(undefined) || crls.includes(undefined)) return undefined;
  return { ...state, certs: certs as CertificateRecord[], crls: crls as CrlRecord[], findings: state.findings.map(move) };
}
