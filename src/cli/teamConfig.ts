/**
 * The CLI's team configs (.certlens.yaml): which files it reads, and the contexts they give. The
 * configs themselves are read and applied by the core (core/teamConfig), as the editor does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostPortKey, parseHostPort } from '../core/hosts';
import { repositoryRoot } from '../core/owners';
import { FINDING_CODES } from '../core/report/findingCodes';
import { walkSync } from '../core/scan/files';
import { DEFAULT_EXCLUDES } from '../core/scan/filters';
import { emptyTeamConfig, parseTeamConfig, TEAM_CONFIG_NAMES, TeamConfigs, type TeamConfig } from '../core/teamConfig';

const slashes = (p: string): string => p.replace(/\\/g, '/');

/** Reads one config file; a file that cannot be read is a config with that one problem. */
export function readTeamConfigFile(file: string): TeamConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const config = emptyTeamConfig(file);
    config.problems.push({
      severity: 'error',
      message: `The team config cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });
    return config;
  }
  return parseTeamConfig(file, text, { codes: Object.keys(FINDING_CODES) });
}

/**
 * The team configs under `root` (a folder): its own and its subfolders', skipping what the scan
 * skips (`exclude`). In a folder holding several, the first of TEAM_CONFIG_NAMES is read and the
 * others are said to be left unread.
 */
export function findTeamConfigs(root: string, exclude: readonly string[] = DEFAULT_EXCLUDES): TeamConfig[] {
  const byFolder = new Map<string, string[]>();
  for (const file of walkSync(root, { include: TEAM_CONFIG_NAMES.map((n) => `**/${n}`), exclude })) {
    const dir = path.dirname(file);
    const list = byFolder.get(dir);
    if (list) list.push(file);
    else byFolder.set(dir, [file]);
  }
  const out: TeamConfig[] = [];
  for (const files of byFolder.values()) {
    files.sort((a, b) => rank(a) - rank(b));
    const config = readTeamConfigFile(files[0]);
    for (const other of files.slice(1))
      config.problems.push({
        severity: 'warning',
        message: `${path.basename(other)} in the same folder is not read: ${path.basename(files[0])} is.`,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      });
    out.push(config);
  }
  return out;
}

function rank(file: string): number {
  return (TEAM_CONFIG_NAMES as readonly string[]).indexOf(path.basename(file));
}

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
      roots.map((r, i): TeamConfig => ({ ...one, folder: slashes(r), problems: i === 0 ? one.problems : [], shown: display(one.file) })),
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
    [...byFile.values()].map((c) => ({ ...c, file: slashes(c.file), folder: slashes(c.folder), shown: display(c.file) })),
  );
}

/** A team config's hosts.resolve entry as --resolve has it: [host:port key, address]. */
export function resolveSpec(from: string, to: string): [string, { host: string; port: number }] | undefined {
  const f = parseHostPort(from);
  const t = f && parseHostPort(to, f.port);
  return f && t ? [hostPortKey(f.host, f.port), t] : undefined;
}
