/**
 * The team config, `.certlens.yaml` (or `.certlens.yml`, `.certlens.json`): what a repository says
 * once for the editor, the CLI, the GitHub Action and the pre-commit hook alike (docs/team-config.md).
 * Read here, free of `vscode` and of the file system: text in, a TeamConfig out, with every bad entry
 * a located problem (file, line, column) and never a throw. The keys it accepts are declared once
 * (TEAM_CONFIG_KEYS); schemas/certlens-config.schema.json says the same (a unit test compares them).
 */
import type * as YamlLib from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { FILE_CONTEXTS, type ContextGlobs, type FileContext } from '../context';
import type { FindingCode, Range } from '../model';

let yamlLib: typeof YamlLib | undefined;

/** The yaml package, loaded on first use (dist/yaml.js: a scan without a team config never needs it). */
function yaml(): typeof YamlLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlLib ??= require('yaml') as typeof YamlLib);
}

/** The file names a team config may have, in the order one is preferred when a folder holds several. */
export const TEAM_CONFIG_NAMES = ['.certlens.yaml', '.certlens.yml', '.certlens.json'] as const;

/** The team config's version this CertLens reads. */
export const TEAM_CONFIG_VERSION = 1;

export const THRESHOLD_KEYS = [
  'criticalDays',
  'warningDays',
  'infoDays',
  'criticalLifetimeShare',
  'lifetimeShare',
  'infoLifetimeShare',
] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];
export type Thresholds = Partial<Record<ThresholdKey, number>>;

export const FAIL_ON_LEVELS = ['expired', 'error', 'warning', 'info', 'hint', 'never'] as const;
export type FailOnLevel = (typeof FAIL_ON_LEVELS)[number];

/**
 * Every key the loader accepts, by where it may appear: the one declaration, which the JSON Schema
 * must match key for key (test/unit/team-config.test.ts).
 */
export const TEAM_CONFIG_KEYS = {
  '': ['version', 'context', 'ignore', 'thresholds', 'hosts', 'failOn'],
  context: [...FILE_CONTEXTS],
  'ignore[]': ['fingerprint', 'path', 'code', 'reason', 'until'],
  thresholds: [...THRESHOLD_KEYS, 'overrides'],
  'thresholds.overrides[]': ['paths', ...THRESHOLD_KEYS],
  hosts: ['skip', 'resolve'],
} as const;

/** One ignore entry: a certificate by fingerprint or files by glob, optionally one finding code, until a date. */
export interface TeamIgnore {
  /** SHA-256, lower-case hex without colons. */
  fingerprint?: string;
  /** A glob relative to the config's folder. */
  path?: string;
  code?: FindingCode;
  reason: string;
  /** The date as written (YYYY-MM-DD) and the moment the ignore ends: the start of the next day, UTC. */
  until?: string;
  untilMs?: number;
  /** Where the entry is written (for the quick fixes and messages). */
  range: Range;
}

export interface ThresholdOverride {
  /** Globs relative to the config's folder. */
  paths: string[];
  thresholds: Thresholds;
}

/** A bad or doubtful entry: an error is left out, a warning (an unknown key) only said. */
export interface TeamConfigProblem {
  severity: 'error' | 'warning';
  message: string;
  range: Range;
}

export interface TeamConfig {
  /** The config file (a path, or the editor's file key), '/' separators. */
  file: string;
  /** The folder it applies to (its own), '/' separators, no trailing '/'. */
  folder: string;
  context: ContextGlobs;
  ignore: TeamIgnore[];
  thresholds: Thresholds;
  overrides: ThresholdOverride[];
  hosts: { skip: string[]; resolve: Record<string, string> };
  failOn?: FailOnLevel;
  problems: TeamConfigProblem[];
  /** How reports name the file (`ignored.by`): relative to the scanned root; the path when not set. */
  shown?: string;
}

/** A config with nothing in it (a file that is empty, or broken beyond reading). */
export function emptyTeamConfig(file: string): TeamConfig {
  const f = slashes(file);
  return {
    file: f,
    folder: f.slice(0, Math.max(0, f.lastIndexOf('/'))),
    context: {},
    ignore: [],
    thresholds: {},
    overrides: [],
    hosts: { skip: [], resolve: {} },
    problems: [],
  };
}

export function isTeamConfigName(name: string): boolean {
  return (TEAM_CONFIG_NAMES as readonly string[]).includes(name);
}

function slashes(p: string): string {
  return p.includes('\\') ? p.replace(/\\/g, '/') : p;
}

/** Edit distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = here;
    }
  }
  return d[b.length];
}

function suggestion(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dd = distance(key, k);
    if (dd < bestD) [best, bestD] = [k, dd];
  }
  return best !== undefined && bestD <= Math.max(3, Math.floor(key.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

const FINGERPRINT = /^(?:[0-9a-f]{2}:){31}[0-9a-f]{2}$|^[0-9a-f]{64}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A share of the lifetime: a number from 0 to 1, or a fraction written "1/3". */
function shareValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v >= 0 && v <= 1 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
  const n = m ? Number(m[1]) / Number(m[2]) : NaN;
  return n >= 0 && n <= 1 ? n : undefined;
}

/**
 * Reads a team config's text. `file` names it (its folder is where its globs start); `.json` files
 * are read with the same parser (JSON is YAML), so their problems are located the same way.
 * `codes`: the finding codes an ignore entry may name (report/findingCodes.ts, a layer above this
 * one: callers pass FINDING_CODES's keys); without them any code-shaped name is taken.
 */
export function parseTeamConfig(file: string, text: string, options: { codes?: readonly string[] } = {}): TeamConfig {
  const codes = options.codes;
  const config = emptyTeamConfig(file);
  const lines = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (start: number, end: number): Range => {
    const s = lines.linePos(start);
    const e = lines.linePos(Math.max(start, end));
    return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: e.line - 1, character: e.col - 1 } };
  };
  const rangeOf = (n: Node | Pair | null | undefined): Range => {
    const node = n && 'range' in n ? n : ((n as Pair | null | undefined)?.key as Node | undefined);
    const r = node?.range;
    return r ? at(r[0], r[1]) : at(0, 0);
  };
  const problem = (severity: TeamConfigProblem['severity'], message: string, where: Node | Pair | null | undefined) =>
    config.problems.push({ severity, message, range: rangeOf(where) });
  for (const e of doc.errors) config.problems.push({ severity: 'error', message: e.message.split('\n')[0], range: at(e.pos[0], e.pos[1]) });
  for (const w of doc.warnings)
    config.problems.push({ severity: 'warning', message: w.message.split('\n')[0], range: at(w.pos[0], w.pos[1]) });
  if (doc.errors.length) return config;
  const root = doc.contents;
  if (root === null || (yaml().isScalar(root) && (root.value === null || root.value === ''))) return config;
  if (!yaml().isMap(root)) {
    problem('error', 'A team config is a mapping of keys (version, context, ignore, thresholds, hosts, failOn).', root);
    return config;
  }

  const keyOf = (p: Pair): string | undefined => (yaml().isScalar(p.key) ? String(p.key.value) : undefined);
  /** Each pair of a map with a known key; unknown ones are warnings. */
  const pairs = (map: YAMLMap, where: keyof typeof TEAM_CONFIG_KEYS, label: string): [string, Pair][] => {
    const known: readonly string[] = TEAM_CONFIG_KEYS[where];
    const out: [string, Pair][] = [];
    for (const p of map.items) {
      const k = keyOf(p);
      if (k !== undefined && known.includes(k)) out.push([k, p]);
      else problem('warning', `Unknown key "${k ?? '?'}" in ${label}${suggestion(k ?? '', known)}: it is not read.`, p.key as Node);
    }
    return out;
  };
  const stringList = (p: Pair, label: string): string[] => {
    const v = p.value as Node | null;
    if (yaml().isScalar(v) && typeof v.value === 'string' && v.value.trim() !== '') return [v.value];
    if (!yaml().isSeq(v)) {
      problem('error', `${label} must be a list of strings.`, v ?? p);
      return [];
    }
    const out: string[] = [];
    for (const item of v.items as (Node | null)[]) {
      if (yaml().isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') out.push(item.value);
      else problem('error', `${label}: each entry must be a non-empty string.`, item ?? p);
    }
    return out;
  };
  const thresholds = (list: [string, Pair][], label: string): Thresholds => {
    const t: Thresholds = {};
    for (const [k, p] of list) {
      if (!(THRESHOLD_KEYS as readonly string[]).includes(k)) continue;
      const v = p.value as Node | null;
      const value = yaml().isScalar(v) ? v.value : undefined;
      if (k.endsWith('Days')) {
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0) t[k as ThresholdKey] = value;
        else problem('error', `${label}.${k} must be a whole number of days (0 or more).`, v ?? p);
      } else {
        const n = shareValue(value);
        if (n !== undefined) t[k as ThresholdKey] = n;
        else problem('error', `${label}.${k} must be a share of the lifetime from 0 to 1, such as 0.25 or "1/3".`, v ?? p);
      }
    }
    return t;
  };

  for (const [key, pair] of pairs(root, '', 'the team config')) {
    const value = pair.value as Node | null;
    switch (key) {
      case 'version':
        if (!yaml().isScalar(value) || value.value !== TEAM_CONFIG_VERSION)
          problem('error', `version must be ${TEAM_CONFIG_VERSION} (the version this CertLens reads).`, value ?? pair);
        break;
      case 'context':
        if (!yaml().isMap(value)) {
          problem('error', 'context must map production, test, example, documentation or vendored to lists of globs.', value ?? pair);
          break;
        }
        for (const [ctx, p] of pairs(value, 'context', 'context')) {
          const globs = stringList(p, `context.${ctx}`);
          for (const g of globs)
            if (g.startsWith('/') || g.split('/').includes('..'))
              problem('error', `context.${ctx}: "${g}" leaves the config's folder; globs are relative to it.`, p.value as Node);
          const ok = globs.filter((g) => !g.startsWith('/') && !g.split('/').includes('..'));
          if (ok.length) (config.context[ctx as FileContext] ??= []).push(...ok);
        }
        break;
      case 'ignore': {
        if (!yaml().isSeq(value)) {
          problem('error', 'ignore must be a list of entries, each with a fingerprint or a path, and a reason.', value ?? pair);
          break;
        }
        for (const item of value.items as (Node | null)[]) {
          if (!yaml().isMap(item)) {
            problem('error', 'Each ignore entry is a mapping: {fingerprint or path, code?, reason, until?}.', item ?? pair);
            continue;
          }
          const entry: Partial<TeamIgnore> = { range: rangeOf(item) };
          let bad = false;
          const fail = (message: string, where: Node | Pair | null | undefined) => {
            problem('error', message, where);
            bad = true;
          };
          for (const [k, p] of pairs(item, 'ignore[]', 'an ignore entry')) {
            const v = p.value as Node | null;
            const s = yaml().isScalar(v) && typeof v.value === 'string' ? v.value.trim() : undefined;
            if (k === 'fingerprint') {
              if (s && FINGERPRINT.test(s)) entry.fingerprint = s.toLowerCase().replace(/:/g, '');
              else fail('ignore.fingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed).', v ?? p);
            } else if (k === 'path') {
              if (s && !s.startsWith('/') && !s.split('/').includes('..')) entry.path = s;
              else fail("ignore.path must be a glob relative to the config's folder.", v ?? p);
            } else if (k === 'code') {
              if (s && (codes ? codes.includes(s) : /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s))) entry.code = s as FindingCode;
              else
                fail(
                  `ignore.code must be a finding code such as expired or expires-warning${s ? suggestion(s, codes ?? []) : ''}.`,
                  v ?? p,
                );
            } else if (k === 'reason') {
              if (s) entry.reason = s;
              else fail('ignore.reason must say why (a non-empty text).', v ?? p);
            } else if (k === 'until') {
              const m = s ? DATE.exec(s) : null;
              const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1) : NaN;
              const valid = m && new Date(ms - 1).getUTCDate() === Number(m[3]);
              if (valid) [entry.until, entry.untilMs] = [s, ms];
              else fail('ignore.until must be a date written YYYY-MM-DD.', v ?? p);
            }
          }
          if (!entry.fingerprint && !entry.path && !bad) fail('An ignore entry needs a fingerprint or a path.', item);
          if (entry.reason === undefined && !bad) fail('An ignore entry needs a reason (why the team ignores it).', item);
          if (!bad) config.ignore.push(entry as TeamIgnore);
        }
        break;
      }
      case 'thresholds': {
        if (!yaml().isMap(value)) {
          problem('error', 'thresholds must be a mapping (criticalDays, warningDays, ..., overrides).', value ?? pair);
          break;
        }
        const list = pairs(value, 'thresholds', 'thresholds');
        config.thresholds = thresholds(list, 'thresholds');
        const overrides = list.find(([k]) => k === 'overrides')?.[1];
        if (!overrides) break;
        if (!yaml().isSeq(overrides.value)) {
          problem('error', 'thresholds.overrides must be a list of {paths, ...thresholds}.', (overrides.value as Node | null) ?? overrides);
          break;
        }
        for (const item of overrides.value.items as (Node | null)[]) {
          if (!yaml().isMap(item)) {
            problem('error', 'Each thresholds override is a mapping: {paths: [globs], criticalDays, ...}.', item ?? overrides);
            continue;
          }
          const keys = pairs(item, 'thresholds.overrides[]', 'a thresholds override');
          const pathsPair = keys.find(([k]) => k === 'paths')?.[1];
          const paths = pathsPair ? stringList(pathsPair, 'thresholds.overrides.paths') : [];
          if (!pathsPair) problem('error', 'A thresholds override needs paths (globs relative to the config folder).', item);
          const t = thresholds(keys, 'thresholds.overrides');
          if (paths.length) config.overrides.push({ paths, thresholds: t });
        }
        break;
      }
      case 'hosts':
        if (!yaml().isMap(value)) {
          problem('error', 'hosts must be a mapping: {skip: [patterns], resolve: {"host:port": "address[:port]"}}.', value ?? pair);
          break;
        }
        for (const [k, p] of pairs(value, 'hosts', 'hosts')) {
          if (k === 'skip') config.hosts.skip.push(...stringList(p, 'hosts.skip'));
          else if (!yaml().isMap(p.value))
            problem('error', 'hosts.resolve must map "host:port" to "address[:port]".', (p.value as Node | null) ?? p);
          else
            for (const r of p.value.items) {
              const from = keyOf(r);
              const to = yaml().isScalar(r.value) ? r.value.value : undefined;
              if (from === undefined || !/^[^\s:]+:\d+$|^\[[0-9a-f:.]+\]:\d+$/i.test(from))
                problem('error', `hosts.resolve: "${from ?? '?'}" must be written host:port.`, r.key as Node);
              else if (typeof to !== 'string' || !/^\S+$/.test(to))
                problem('error', `hosts.resolve.${from} must be an address, with a port when it differs.`, (r.value as Node | null) ?? r);
              else config.hosts.resolve[from] = to;
            }
        }
        break;
      case 'failOn': {
        const v = yaml().isScalar(value) ? value.value : undefined;
        if (typeof v === 'string' && (FAIL_ON_LEVELS as readonly string[]).includes(v)) config.failOn = v as FailOnLevel;
        else problem('error', `failOn must be one of ${FAIL_ON_LEVELS.join(', ')}.`, value ?? pair);
        break;
      }
    }
  }
  // In the file's order, as an editor lists them.
  config.problems.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return config;
}
