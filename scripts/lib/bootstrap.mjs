// Self-install for the entry scripts (`npm test`, `npm run demo`, `npm run screenshots`), which
// npm starts before node_modules may exist. Dependency-free on purpose: only node: built-ins and
// ../vscode-host.mjs (also built-ins only). Entry scripts call these first and load anything that
// needs node_modules afterwards, with dynamic import().
//
//   node scripts/lib/bootstrap.mjs [--system] [--deps] [--host]   (no flag = all three)
//     --system  Debian packages when missing: chromium, ripgrep, libkrb5-dev, openssl, prometheus (promtool), default-jre-headless (keytool) (sudo unless root)
//     --deps    `npm ci` when node_modules is missing or older than package-lock.json
//     --host    the offline VS Code host (code-server, into .vscode-test/ or $CERTLENS_HOST_CACHE)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, ensureSystemPackages, hostInstalled, installHost, missingSystemPackages } from '../vscode-host.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const defaultSay = (msg) => process.stdout.write(`[setup] ${msg}\n`);

/** Fails early, with a clear message, on a Node older than the project supports. */
export function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) throw new Error(`Node ${process.versions.node} is too old: this project needs Node 20 or newer`);
}

/** Installs missing Debian packages (see vscode-host.mjs). Returns the names it installed. */
export function ensureSystem({ say = defaultSay } = {}) {
  const missing = missingSystemPackages();
  if (missing.length === 0) return [];
  say(`system packages missing: ${missing.join(' ')} — installing with apt-get`);
  ensureSystemPackages();
  return missing;
}

/**
 * Why node_modules needs `npm ci`, or undefined when it is up to date. npm writes
 * node_modules/.package-lock.json at the end of every install, so its modification time says when
 * node_modules last matched a lockfile; a package-lock.json changed since then (git pull,
 * checkout) is newer.
 */
export function nodeModulesStale() {
  const lock = path.join(root, 'package-lock.json');
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(path.join(root, 'node_modules'))) return 'node_modules is missing';
  if (!fs.existsSync(installed)) return 'node_modules is incomplete (no node_modules/.package-lock.json)';
  if (fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

/** The npm that started us (npm_execpath) when there is one, else `npm` from PATH. */
function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.js$/.test(cli) && fs.existsSync(cli)) return [process.execPath, [cli]];
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
}

/** Runs `npm ci` when node_modules is missing or stale. Returns true when it ran. */
export function ensureNodeModules({ say = defaultSay } = {}) {
  const why = nodeModulesStale();
  if (!why) return false;
  // A node_modules shared through a symbolic link (a git worktree using another checkout's) belongs
  // to that checkout: `npm ci` here would empty it under everyone using it.
  const modules = path.join(root, 'node_modules');
  if (fs.existsSync(modules) && fs.lstatSync(modules).isSymbolicLink()) {
    say(`${why}, but node_modules is a link to ${fs.realpathSync(modules)}: not running npm ci (run it there)`);
    return false;
  }
  say(`${why}: running npm ci`);
  const [cmd, pre] = npmCommand();
  const started = Date.now();
  const r = spawnSync(cmd, [...pre, 'ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.error) throw new Error(`could not run npm ci: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`npm ci failed (exit code ${r.status ?? r.signal})`);
  const still = nodeModulesStale();
  if (still) throw new Error(`npm ci finished but ${still}`);
  say(`npm ci done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  return true;
}

/** Installs the offline VS Code host when it is not in its cache yet. Returns true when it installed. */
export function ensureHost({ say = defaultSay } = {}) {
  if (hostInstalled()) return false;
  say(`offline VS Code host not found in ${path.relative(process.cwd(), cacheDir) || cacheDir}: installing it (one time, about 4 minutes)`);
  installHost(); // installs missing system packages first
  return true;
}

/** Everything an entry script needs before it may import from node_modules. Throws on failure. */
export function bootstrap({ system = true, deps = true, host = false, say = defaultSay } = {}) {
  checkNode();
  if (system) ensureSystem({ say });
  if (deps) ensureNodeModules({ say });
  if (host) ensureHost({ say });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flags = new Set(process.argv.slice(2));
  const unknown = [...flags].filter((f) => !['--system', '--deps', '--host'].includes(f));
  if (unknown.length) {
    console.error(`unknown option ${unknown[0]}\nusage: bootstrap.mjs [--system] [--deps] [--host]`);
    process.exit(2);
  }
  const all = flags.size === 0;
  try {
    bootstrap({ system: all || flags.has('--system'), deps: all || flags.has('--deps'), host: all || flags.has('--host') });
  } catch (e) {
    console.error(`[setup] FAILED: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
