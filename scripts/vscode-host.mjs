#!/usr/bin/env node
// Installs (once, into a git-ignored cache) and locates the offline VS Code host:
// code-server 4.99.4 (= VS Code 1.99.3) from npm, driven by Debian's Chromium.
// See ../shared/vscode-host.md for why each step is needed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.99.4';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = process.env.CERTLENS_HOST_CACHE || path.join(root, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const codeServerBin = path.join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function hostInstalled() {
  return fs.existsSync(codeServerBin) && fs.existsSync(path.join(cacheDir, '.complete'));
}

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function log(msg) {
  process.stderr.write(`[vscode-host] ${msg}\n`);
}

/** Debian packages the project needs that are not installed (chromium, ripgrep, libkrb5-dev, openssl, prometheus for promtool, a JRE for keytool). */
export function missingSystemPackages() {
  const missing = [];
  if (!fs.existsSync(chromiumPath)) missing.push('chromium');
  if (!which('rg')) missing.push('ripgrep');
  if (!fs.existsSync('/usr/include/gssapi.h') && !fs.existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (!which('openssl')) missing.push('openssl');
  // promtool checks the metrics output and tests the alert rules (test/unit/metrics.test.ts).
  if (!which('promtool')) missing.push('prometheus');
  // keytool makes the JKS/JCEKS fixtures of the unit tests and is the keystore conformance reference.
  if (!which('keytool')) missing.push('default-jre-headless');
  return missing;
}

/** Installs the missing system packages with apt-get (through sudo unless root). Idempotent. */
export function ensureSystemPackages() {
  const missing = missingSystemPackages();
  if (missing.length === 0) return;
  if (!which('apt-get')) {
    throw new Error(
      `missing system packages: ${missing.join(' ')}; apt-get is not available here, so install them yourself (Debian names)`,
    );
  }
  const root = process.getuid && process.getuid() === 0;
  if (!root && !which('sudo')) {
    throw new Error(
      `missing system packages: ${missing.join(' ')}; not root and no sudo: run \`apt-get install ${missing.join(' ')}\` as root`,
    );
  }
  log(`installing system packages: ${missing.join(' ')}${root ? '' : ' (through sudo)'}`);
  const run = (args) =>
    execFileSync(root ? args[0] : 'sudo', root ? args.slice(1) : ['env', 'DEBIAN_FRONTEND=noninteractive', ...args], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', ...missing]);
  const still = missingSystemPackages();
  if (still.length) throw new Error(`apt-get finished but these are still missing: ${still.join(' ')}`);
}

export function installHost() {
  if (hostInstalled()) {
    log(`code-server ${CODE_SERVER_VERSION} already in ${cacheDir}`);
    return;
  }
  ensureSystemPackages();
  fs.mkdirSync(cacheDir, { recursive: true });
  // @vscode/ripgrep downloads rg from GitHub in its postinstall; give it Debian's rg as its cached archive.
  const rgCache = path.join(os.tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const archive = path.join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (!fs.existsSync(archive)) {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-stage-'));
    fs.copyFileSync(which('rg'), path.join(stage, 'rg'));
    fs.mkdirSync(rgCache, { recursive: true });
    execFileSync('tar', ['czf', archive, '-C', stage, 'rg']);
  }
  fs.writeFileSync(path.join(cacheDir, 'package.json'), JSON.stringify({ name: 'certlens-vscode-host', private: true }));
  log(`installing code-server ${CODE_SERVER_VERSION} into ${cacheDir} (about 4 minutes)`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--unsafe-perm', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: cacheDir,
    stdio: 'inherit',
    env: { ...process.env, npm_config_yes: 'true' },
  });
  if (!fs.existsSync(codeServerBin)) throw new Error(`code-server did not install: ${codeServerBin} is missing`);
  fs.writeFileSync(path.join(cacheDir, '.complete'), new Date().toISOString());
  log('installed');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2] || 'install';
  if (cmd === 'install') installHost();
  else if (cmd === 'path') console.log(codeServerBin);
  else if (cmd === 'system') ensureSystemPackages();
  else {
    console.error('usage: vscode-host.mjs install|path|system');
    process.exit(2);
  }
}
