import * as path from 'node:path';

/**
 * CODEOWNERS, as GitHub and GitLab read it.
 *
 * GitHub: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS; gitignore-style patterns
 * (a leading or inner `/` anchors the pattern at the repository root, a pattern without one
 * matches at any depth, a trailing `/` matches directories only, `*` stays within a path segment
 * and `**` crosses them, `dir/*` matches the files directly in dir but not deeper ones); the LAST
 * matching line wins, and a matching line without owners leaves the path unowned. `!` negation and
 * `[ ]` ranges are not supported (such lines are skipped); `\#` and `\ ` are literal.
 *
 * GitLab: also .gitlab/CODEOWNERS; `[Section]`, `^[Optional section]`, `[Section][2]` headers with
 * default owners after them (`[Section] @team`): a line without owners in a section takes the
 * section's defaults. Each section (the lines before the first header form an unnamed one; headers
 * with the same name, in any case, form one) applies its own last match, and the owners of all
 * sections are combined. A pattern that does not start with `/` matches at any depth (GitLab
 * treats `a/b` as `**\/a/b`), and `!pattern` (GitLab 17.10+) excludes a path within its section.
 */
export type CodeOwnersFlavor = 'github' | 'gitlab';

/** Where GitHub looks (in order, the first found is used), then GitLab's own location. */
export const CODEOWNERS_LOCATIONS: readonly string[] = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS'];

interface Rule {
  /** Matches a path relative to the repository root ('/' separators, no leading '/'). */
  matches: (relativePath: string) => boolean;
  owners: string[];
  /** 1-based line in the CODEOWNERS file. */
  line: number;
  /** Lower-cased section name; '' for the lines before the first section. */
  section: string;
  exclusion: boolean;
}

const SECTION_HEADER = /^\^?\[([^\]]+)\](?:\[\d+\])?(?:\s+(.*))?$/;

export class CodeOwners {
  private constructor(
    private readonly rules: readonly Rule[],
    readonly flavor: CodeOwnersFlavor,
  ) {}

  /**
   * Parses a CODEOWNERS file. `flavor` defaults to GitLab when the file has section headers (GitHub
   * has none), else GitHub.
   */
  static parse(text: string, flavor?: CodeOwnersFlavor): CodeOwners {
    const lines = text.split(/\r?\n/);
    const chosen = flavor ?? (lines.some((l) => SECTION_HEADER.test(l.trim())) ? 'gitlab' : 'github');
    const rules: Rule[] = [];
    let section = '';
    let sectionDefaults: string[] = [];
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const header = chosen === 'gitlab' ? SECTION_HEADER.exec(line) : null;
      if (header) {
        section = header[1].trim().toLowerCase();
        sectionDefaults = ownerTokens(splitUnescaped(header[2] ?? ''), chosen);
        return;
      }
      const [pattern, ...rest] = splitUnescaped(line);
      const exclusion = chosen === 'gitlab' && pattern.startsWith('!');
      const body = exclusion ? pattern.slice(1) : pattern;
      // GitHub does not support negation or character ranges: such lines match nothing.
      if (chosen === 'github' && (/^!/.test(body) || /(^|[^\\])\[/.test(body))) return;
      const matches = compilePattern(body, chosen);
      if (!matches) return;
      const own = ownerTokens(rest, chosen);
      rules.push({
        matches,
        owners: exclusion ? [] : own.length || chosen === 'github' ? own : sectionDefaults,
        line: i + 1,
        section,
        exclusion,
      });
    });
    return new CodeOwners(rules, chosen);
  }

  /** The owners of a path relative to the repository root ('/' or '\' separators); [] when unowned. */
  ownersOf(relativePath: string): string[] {
    const p = relativePath.replace(/\\/g, '/').replace(/^\.?\//, '');
    const lastBySection = new Map<string, Rule>();
    for (const rule of this.rules) if (rule.matches(p)) lastBySection.set(rule.section, rule);
    if (this.flavor === 'github') {
      // One list: the last matching line of the whole file.
      let last: Rule | undefined;
      for (const r of lastBySection.values()) if (!last || r.line > last.line) last = r;
      return last ? [...last.owners] : [];
    }
    const owners: string[] = [];
    for (const rule of lastBySection.values()) for (const o of rule.owners) if (!owners.includes(o)) owners.push(o);
    return owners;
  }

  /** Number of pattern lines understood. */
  get size(): number {
    return this.rules.length;
  }
}

/** Splits on whitespace that is not escaped with a backslash. */
function splitUnescaped(s: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      current += c + s[++i];
    } else if (/\s/.test(c)) {
      if (current) out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Owners after the pattern: GitHub stops at an inline `#` comment; GitLab keeps whatever looks like an owner. */
function ownerTokens(tokens: string[], flavor: CodeOwnersFlavor): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t.startsWith('#')) {
      if (flavor === 'github') break;
      continue;
    }
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

/**
 * A gitignore-style pattern as a test over root-relative paths. A path matches when the pattern
 * matches it or one of its parent directories (a directory's owners own what it holds), except that
 * `dir/*` (and `/*`) match only what is directly in dir.
 */
function compilePattern(pattern: string, flavor: CodeOwnersFlavor): ((p: string) => boolean) | undefined {
  let p = pattern;
  const directoryOnly = p.endsWith('/') && !p.endsWith('\\/');
  if (directoryOnly) p = p.replace(/\/+$/, '');
  const rootAnchored = p.startsWith('/');
  const anchored = rootAnchored || (flavor === 'github' && p.includes('/'));
  p = p.replace(/^\/+/, '');
  if (!p) {
    // "/" alone: the whole repository.
    return directoryOnly || pattern === '/' ? () => true : undefined;
  }
  const segments = p.split('/');
  // `docs/*` and `/*`: the files directly there; a lone `*` is everything.
  const onlyDirectChildren = segments[segments.length - 1] === '*' && (segments.length > 1 || rootAnchored);
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      // a/**/b: zero or more directories; a/**: everything inside; **/b: at any depth.
      source += last ? '.*' : '(?:[^/]*/)*';
      return;
    }
    source += segmentSource(segment) + (last ? '' : '/');
  });
  const regex = new RegExp(`${anchored ? '^' : '^(?:.*/)?'}${source}$`);
  return (file) => {
    if (!directoryOnly && regex.test(file)) return true;
    if (onlyDirectChildren && !directoryOnly) return false;
    // Parent directories, nearest first.
    for (let end = file.lastIndexOf('/'); end > 0; end = file.lastIndexOf('/', end - 1)) {
      if (regex.test(file.slice(0, end))) return true;
    }
    return false;
  };
}

function segmentSource(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '\\' && i + 1 < segment.length) out += escapeRegex(segment[++i]);
    else if (c === '*') {
      // Within a segment, ** is a plain * (gitignore).
      while (segment[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else out += escapeRegex(c);
  }
  return out;
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Reads a file relative to a root, or undefined when it does not exist or cannot be read. */
export type ReadText = (absolutePath: string) => string | undefined;

/** The CODEOWNERS file of a repository root: the first of CODEOWNERS_LOCATIONS that exists. */
export function loadCodeOwners(root: string, read: ReadText): { file: string; owners: CodeOwners } | undefined {
  for (const location of CODEOWNERS_LOCATIONS) {
    const file = path.join(root, location);
    const text = read(file);
    if (text === undefined) continue;
    return { file, owners: CodeOwners.parse(text, location.startsWith('.gitlab/') ? 'gitlab' : undefined) };
  }
  return undefined;
}

/** A file's owners, given by its path as the scan knows it. */
export type OwnersOf = (file: string) => string[];

/**
 * Owners of files under any of `roots` (repository roots or scanned folders: each uses the
 * CODEOWNERS found at it, paths relative to it; the deepest root holding a file wins). Files
 * outside every root with a CODEOWNERS are unowned. Undefined when no root has a CODEOWNERS file.
 */
export function ownersByRoot(roots: readonly string[], read: ReadText): OwnersOf | undefined {
  const loaded = [...new Set(roots.map((r) => path.resolve(r)))]
    .map((root) => ({ root, codeOwners: loadCodeOwners(root, read)?.owners }))
    .filter((r): r is { root: string; codeOwners: CodeOwners } => !!r.codeOwners)
    .sort((a, b) => b.root.length - a.root.length);
  if (!loaded.length) return undefined;
  return (file) => {
    const abs = path.resolve(file);
    for (const { root, codeOwners } of loaded) {
      const rel = path.relative(root, abs);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return codeOwners.ownersOf(rel.split(path.sep).join('/'));
    }
    return [];
  };
}

/** The repository root holding `folder` (the nearest ancestor with a .git entry), or `folder` itself. */
export function repositoryRoot(folder: string, exists: (p: string) => boolean): string {
  let dir = path.resolve(folder);
  for (;;) {
    if (exists(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(folder);
    dir = parent;
  }
}
