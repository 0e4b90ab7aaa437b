/**
 * The CLI's team configs (.certlens.yaml): which files it reads, and the contexts they give. The
 * configs themselves are read and applied by the core (core/teamConfig), as the editor does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextClassifier, contextByFolder, type ContextGlobs, type ContextOf } from '../core/context';
import { hostPortKey, parseHostPort } from '../core/hosts';
import { repositoryRoot } from '../core/owners';
import { findTeamConfigs, readTeamConfigFile } from '../core/teamConfig/files';
import { TEAM_CONFIG_NAMES, TeamConfigs, type TeamConfig } from '../core/teamConfig';

const slashes = (p: string): string => p.replace(/\\/g, '/');

/** The first config file in `dir`, if any. */
function configIn(dir: string): string | undefined {
  for (const n of TEAM_CONFIG_NAMES) {
    const f = path.join(dir, n);
    if (fs.existsSync(f) && fs.statSync(f).isFile()) return f;
  }
  return undefined;
}

/**
 * The team configs of a scan: `config` (--config) applied at each scanned root, none with `none`
 * (--no-config); otherwise those under each root folder, those in the folders above it up to its
 * repository's root, and for files named on their own (a pre-commit hook's), those in the folders
 * from the working directory's repository root down to each file.
 */
export function teamConfigsFor(o: {
  folders: readonly string[];
  namedFiles: readonly string[];
  cwd: string;
  exclude: readonly string[];
  config?: string;
  none?: boolean;
}): TeamConfigs {
  const roots = o.folders.length ? o.folders : [o.cwd];
  const display = (file: string) => {
    const root = roots.find((r) => slashes(file).startsWith(slashes(r) + '/'));
    return slashes(path.relative(root ?? o.cwd, file)) || path.basename(file);
  };
  if (o.none) return new TeamConfigs([]);
  if (o.config !== undefined) {
    const one = readTeamConfigFile(path.resolve(o.config));
    // The named file applies at each root, as if it were there (its globs start at the root); its problems are said once.
    return new TeamConfigs(
      roots.map((r, i): TeamConfig => ({ ...one, folder: slashes(r), problems: i === 0 ? one.problems : [] })),
      display,
    );
  }
  const byFile = new Map<string, TeamConfig>();
  const add = (file: string | undefined) => {
    if (file && !byFile.has(file)) byFile.set(file, readTeamConfigFile(file));
  };
  const above = (from: string) => {
    const top = repositoryRoot(from, fs.existsSync) ?? from;
    for (let dir = path.dirname(from); dir.length >= top.length && dir !== path.dirname(dir); dir = path.dirname(dir)) {
      add(configIn(dir));
      if (dir === top) break;
    }
  };
  for (const root of o.folders) {
    for (const c of findTeamConfigs(root, o.exclude)) if (!byFile.has(c.file)) byFile.set(c.file, c);
    above(root);
  }
  if (o.namedFiles.length) {
    const top = repositoryRoot(o.cwd, fs.existsSync) ?? o.cwd;
    for (const file of o.namedFiles) {
      for (let dir = path.dirname(file); dir.length >= top.length; dir = path.dirname(dir)) {
        add(configIn(dir));
        if (dir === top || dir === path.dirname(dir)) break;
      }
    }
  }
  return new TeamConfigs(
    [...byFile.values()].map((c) => ({ ...c, file: slashes(c.file), folder: slashes(c.folder) })),
    display,
  );
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
  return (file) => (perRoot.find((p) => slashes(file).startsWith(p.root + '/'))?.of ?? fallback)(file);
}

/** A team config's hosts.resolve entry as --resolve has it: [host:port key, address]. */
export function resolveSpec(from: string, to: string): [string, { host: string; port: number }] | undefined {
  const f = parseHostPort(from);
  const t = f && parseHostPort(to, f.port);
  return f && t ? [hostPortKey(f.host, f.port), t] : undefined;
}
