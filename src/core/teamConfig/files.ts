/**
 * Finding and reading team configs on disk (the CLI): one per folder, at each scanned root and in
 * the folders below it that the scan walks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { walkSync } from '../scan/files';
import { DEFAULT_EXCLUDES } from '../scan/filters';
import { emptyTeamConfig, parseTeamConfig, TEAM_CONFIG_NAMES, type TeamConfig } from './load';

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
  return parseTeamConfig(file, text);
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
