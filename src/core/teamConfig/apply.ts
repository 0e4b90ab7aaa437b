/**
 * What the team configs of a tree say about one file: the configs in its folder and every folder
 * above it apply, the outer first, a deeper one adding to (lists) or overriding (single values) what
 * its parents say. Settings and command-line flags that the user set beat them all
 * (docs/team-config.md). Both the editor and the CLI ask this, so both judge a tree alike.
 */
import picomatch from 'picomatch';
import { ContextClassifier, contextByFolder, FILE_CONTEXTS, type ContextGlobs, type ContextOf } from '../context';
import type { Finding } from '../model';
import type { RuleSettings } from '../rules/rules';
import type { FailOnLevel, TeamConfig, TeamIgnore, Thresholds } from './load';

/** Why a finding is not shown: the team config's ignore entry that covers it. */
export interface TeamIgnored {
  /** The config file, relative to the scanned root or workspace folder when it is inside. */
  by: string;
  reason: string;
  /** YYYY-MM-DD: the finding comes back the day after. */
  until?: string;
}

function slashes(p: string): string {
  return p.includes('\\') ? p.replace(/\\/g, '/') : p;
}

interface Compiled {
  config: TeamConfig;
  ignores: { entry: TeamIgnore; path?: picomatch.Matcher }[];
  overrides: { matches: picomatch.Matcher; thresholds: Thresholds }[];
}

const FAIL_ORDER: readonly FailOnLevel[] = ['hint', 'info', 'warning', 'error', 'expired', 'never'];

export class TeamConfigs {
  private readonly compiled: Compiled[];

  /** `configs` of any folders (several roots too); `displayRoot` makes `by` relative (the scanned root). */
  constructor(
    configs: readonly TeamConfig[],
    private readonly displayRoot?: (file: string) => string,
  ) {
    // Outer folders first: a deeper config's entries come after (and override) its parents'.
    this.compiled = [...configs]
      .sort((a, b) => a.folder.length - b.folder.length)
      .map((config) => ({
        config,
        ignores: config.ignore.map((entry) => ({ entry, path: entry.path ? picomatch(entry.path, { dot: true }) : undefined })),
        overrides: config.overrides.map((o) => ({ matches: picomatch(o.paths, { dot: true }), thresholds: o.thresholds })),
      }));
  }

  get configs(): TeamConfig[] {
    return this.compiled.map((c) => c.config);
  }

  get empty(): boolean {
    return this.compiled.length === 0;
  }

  /** The configs that apply to `file` (its folder's and its parents'), outer first, with the file's path relative to each. */
  private applying(file: string): { c: Compiled; rel: string }[] {
    const f = slashes(file);
    const out: { c: Compiled; rel: string }[] = [];
    for (const c of this.compiled) {
      const folder = c.config.folder;
      if (folder === '' ? !f.startsWith('/') : f.startsWith(folder + '/'))
        out.push({ c, rel: folder === '' ? f : f.slice(folder.length + 1) });
    }
    return out;
  }

  /**
   * The context globs of every config under `root`, as globs relative to `root` (a subfolder's
   * globs prefixed with its path), to join the user's globs in one ContextClassifier.
   */
  contextGlobs(root: string, base: ContextGlobs = {}): ContextGlobs {
    const r = slashes(root).replace(/\/+$/, '');
    const out: ContextGlobs = {};
    for (const ctx of FILE_CONTEXTS) if (base[ctx]?.length) out[ctx] = [...base[ctx]];
    for (const { config } of this.compiled) {
      const folder = config.folder;
      if (folder !== r && !folder.startsWith(r + '/')) continue;
      const prefix = folder === r ? '' : folder.slice(r.length + 1) + '/';
      for (const ctx of FILE_CONTEXTS) {
        const globs = config.context[ctx];
        if (globs?.length) (out[ctx] ??= []).push(...globs.map((g) => prefix + g));
      }
    }
    return out;
  }

  /**
   * The thresholds for `file`: `base` (the defaults, or the folder's settings), then each config's
   * thresholds and matching overrides from the outermost folder in, then `explicit` (what the user
   * set in settings or on the command line: it wins).
   */
  rulesFor(file: string, base: RuleSettings, explicit: Thresholds = {}): RuleSettings {
    const applying = this.applying(file);
    if (!applying.length) return base;
    const t: Thresholds = {};
    for (const { c } of applying) Object.assign(t, c.config.thresholds);
    for (const { c, rel } of applying) for (const o of c.overrides) if (o.matches(rel)) Object.assign(t, o.thresholds);
    Object.assign(t, explicit);
    return Object.keys(t).length ? { ...base, ...t } : base;
  }

  /** The ignore entry that covers a finding at `now`, if any (the deepest config's first match). */
  ignoreOf(f: { file: string; code: string; sha256?: string }, now: number): TeamIgnored | undefined {
    const applying = this.applying(f.file);
    for (let i = applying.length - 1; i >= 0; i--) {
      const { c, rel } = applying[i];
      for (const { entry, path } of c.ignores) {
        if (entry.untilMs !== undefined && now >= entry.untilMs) continue;
        if (entry.fingerprint && entry.fingerprint !== f.sha256) continue;
        if (path && !path(rel)) continue;
        if (entry.code && entry.code !== f.code) continue;
        return {
          by: c.config.shown ?? (this.displayRoot ? this.displayRoot(c.config.file) : c.config.file),
          reason: entry.reason,
          ...(entry.until ? { until: entry.until } : {}),
        };
      }
    }
    return undefined;
  }

  /** When an ignore that covers something in `file` ends next (after `now`): the findings come back then. */
  nextIgnoreChange(file: string, now: number): number {
    let next = Infinity;
    for (const { c } of this.applying(file))
      for (const { entry } of c.ignores) if (entry.untilMs !== undefined && entry.untilMs > now) next = Math.min(next, entry.untilMs);
    return next;
  }

  /** failOn of the configs at `roots` (the deepest that says it; the strictest when roots differ). */
  failOn(roots: readonly string[]): FailOnLevel | undefined {
    let strictest: FailOnLevel | undefined;
    for (const root of roots) {
      const r = slashes(root).replace(/\/+$/, '');
      const said = this.compiled.filter((c) => c.config.failOn && (r === c.config.folder || r.startsWith(c.config.folder + '/'))).pop()
        ?.config.failOn;
      if (said && (!strictest || FAIL_ORDER.indexOf(said) < FAIL_ORDER.indexOf(strictest))) strictest = said;
    }
    return strictest;
  }

  /** Host patterns to skip and host:port addresses to connect to instead, from every config. */
  hosts(): { skip: string[]; resolve: Record<string, string> } {
    const skip: string[] = [];
    const resolve: Record<string, string> = {};
    for (const { config } of this.compiled) {
      skip.push(...config.hosts.skip);
      Object.assign(resolve, config.hosts.resolve);
    }
    return { skip, resolve };
  }

  /** Every config's problems as findings in the config file (code team-config-invalid). */
  problemFindings(): Finding[] {
    return this.compiled.flatMap(({ config }) => teamConfigFindings(config));
  }
}

/** A config's problems as findings on their exact ranges in its file. */
export function teamConfigFindings(config: TeamConfig, file: string = config.file): Finding[] {
  return config.problems.map((p) => ({
    file,
    range: p.range,
    severity: p.severity,
    code: 'team-config-invalid' as const,
    message: `${p.message}`,
  }));
}

/** Splits findings into those shown and those a team config ignores (with why). */
export function partitionIgnored<F extends { file: string; code: string; sha256?: string }>(
  findings: readonly F[],
  team: TeamConfigs,
  now: number,
): { shown: F[]; ignored: [F, TeamIgnored][] } {
  const shown: F[] = [];
  const ignored: [F, TeamIgnored][] = [];
  for (const f of findings) {
    const by = team.ignoreOf(f, now);
    if (by) ignored.push([f, by]);
    else shown.push(f);
  }
  return { shown, ignored };
}

/** The folders from `file`'s folder up to `root`, the deepest first (where a config may sit). */
export function foldersUpTo(file: string, root: string): string[] {
  const f = slashes(file);
  const r = slashes(root).replace(/\/+$/, '');
  const out: string[] = [];
  for (
    let dir = f.slice(0, f.lastIndexOf('/'));
    dir.length >= r.length && (dir === r || dir.startsWith(r + '/'));
    dir = dir.slice(0, dir.lastIndexOf('/'))
  )
    out.push(dir);
  return out;
}

/**
 * Contexts with team configs: each root's files by their path under it, with the context globs of
 * the configs at and under that root (and above it, as if written at the root) joined to the flags'.
 */
export function contextByRoots(team: TeamConfigs, flags: ContextGlobs, folders: readonly string[], cwd: string): ContextOf {
  const roots = [...folders].sort((a, b) => b.length - a.length);
  const withAbove = (root: string): ContextGlobs => {
    const r = slashes(root);
    const globs = team.contextGlobs(r, flags);
    // Configs above the root: their globs, from their folder, reach into it when they start with the root's path.
    for (const c of team.configs) {
      if (!r.startsWith(c.folder + '/')) continue;
      const under = r.slice(c.folder.length + 1) + '/';
      for (const [ctx, list] of Object.entries(c.context) as [keyof ContextGlobs, string[]][])
        for (const g of list) {
          if (g.startsWith(under)) (globs[ctx] ??= []).push(g.slice(under.length));
          else if (g.startsWith('**/')) (globs[ctx] ??= []).push(g);
        }
    }
    return globs;
  };
  const perRoot = roots.map((r) => ({ root: slashes(r), of: contextByFolder(new ContextClassifier(withAbove(r)), [r], cwd) }));
  const fallback = contextByFolder(new ContextClassifier(withAbove(cwd)), [cwd], cwd);
  const pick = (file: string) => perRoot.find((p) => slashes(file).startsWith(p.root + '/'))?.of ?? fallback;
  const contextOf = (file: string) => pick(file)(file);
  contextOf.reason = (file: string) => pick(file).reason(file);
  return contextOf;
}
