#!/usr/bin/env node
// `npm run demo`: builds, regenerates the demo workspace (.vscode-test/demo-workspace, dates relative
// to today), then opens it with the extension under development:
//   - desktop VS Code when `code` is on PATH (unless --offline);
//   - otherwise the offline code-server host: prints a URL to open and runs until Ctrl-C.
//
//   npm run demo [-- --offline] [-- --port N]
//   npm run demo -- --screenshot FILE.png [--open RELATIVE/FILE]
//     headless: opens the CertLens view (and optionally a file) at 1400x900, saves a PNG, exits.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitOnSignals, hostInstalled, installHost, openPage, receivedSignal, startServer, stopAll, workbenchUrl } from './lib/code-server.mjs';
import { makeWorkspace } from './make-workspace.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspace = path.join(root, '.vscode-test', 'demo-workspace');
const manifestPath = path.join(root, '.vscode-test', 'demo-manifest.json');
const say = (msg) => process.stdout.write(`[demo] ${msg}\n`);

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const screenshot = option('--screenshot');
const openFile = option('--open');
const port = option('--port') ? Number(option('--port')) : undefined;
const forceOffline = args.includes('--offline');

function onPath(cmd) {
  try { execFileSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }); return true; } catch { return false; }
}

function prepare() {
  say('building (node esbuild.js --tests)');
  execFileSync(process.execPath, ['esbuild.js', '--tests'], { cwd: root, stdio: 'inherit' });
  const m = makeWorkspace(workspace, { extras: true, overwrite: true, manifestPath });
  say(`demo workspace: ${m.certificateCount} certificates in ${m.files.length} files at ${workspace}`);
  for (const f of m.files) say(`  ${f.path.padEnd(28)} ${f.format.padEnd(18)} days left: ${f.certificates.map((c) => c.daysLeft).join(', ')}`);
}

function ensureHost() {
  if (!hostInstalled()) { say('installing the offline VS Code host (one time, ~4 minutes)'); installHost(); }
}

/** The extension development window ignores user settings, so pick the theme through the UI. */
async function pickDarkTheme(page) {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await page.locator('.monaco-workbench.vs-dark').count()) return;
    await page.waitForTimeout(1500); // let the workbench settle before keyboard input
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T'); // Preferences: Color Theme
    await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 5000 }).catch(() => {});
    await page.keyboard.type('Dark Modern');
    await page.waitForTimeout(700);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(700);
  }
  if (!(await page.locator('.monaco-workbench.vs-dark').count())) say('could not switch to the dark theme');
}

async function takeScreenshot(file) {
  ensureHost();
  const server = await startServer({ workspace, trusted: true });
  const { page } = await openPage(server, { extensionDevelopmentPath: root, viewport: { width: 1400, height: 900 } });
  await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 60_000 });
  await pickDarkTheme(page);
  // The activity bar item appears once the development extension is registered.
  // Click the whole item: its badge (if the extension sets one) sits over the icon.
  const item = page.locator('.part.activitybar li.action-item[aria-label^="CertLens"]').first();
  let problem;
  try {
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    await page.mouse.move(700, 850); // away from the activity bar, so its tooltip goes
    await page.waitForSelector('[id="workbench.view.extension.certlens"]', { timeout: 15_000 });
  } catch (e) {
    problem = `could not open the CertLens view from the activity bar (did the extension load?): ${String(e?.message ?? e).split('\n')[0]}`;
  }
  if (!problem) {
    // Give the tree time to fill; it is fine if it stays empty.
    await page.waitForSelector('[id="workbench.view.extension.certlens"] .monaco-list-row', { timeout: 10_000 }).catch(() => say('the CertLens tree has no rows'));
    if (openFile) {
      await page.keyboard.press('Control+P');
      await page.keyboard.type(openFile);
      await page.waitForTimeout(800);
      await page.keyboard.press('Enter');
    }
    await page.waitForTimeout(3000);
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await page.screenshot({ path: file });
  say(`screenshot saved to ${file}`);
  await stopAll();
  if (problem) throw new Error(problem);
}

async function serveOffline() {
  ensureHost();
  const server = await startServer({ workspace, trusted: true, port });
  const url = workbenchUrl(server, { extensionDevelopmentPath: root });
  say(`offline VS Code (code-server) is running with CertLens loaded from ${root}`);
  say(`open this URL in a browser on this machine:\n\n  ${url}\n`);
  say(`server log: ${server.logFile}`);
  say('press Ctrl-C to stop');
  const e = await server.exited;
  if (receivedSignal()) await new Promise(() => {}); // Ctrl-C: the signal handler exits
  throw new Error(`code-server exited (code ${e.code}, signal ${e.signal})\n${server.logTail(30)}`);
}

exitOnSignals(() => say('stopping'));
try {
  prepare();
  if (screenshot) {
    await takeScreenshot(screenshot);
  } else if (!forceOffline && onPath('code')) {
    say(`opening desktop VS Code: code --extensionDevelopmentPath=${root} ${workspace}`);
    spawn('code', [`--extensionDevelopmentPath=${root}`, workspace], { stdio: 'inherit', detached: true }).unref();
  } else {
    await serveOffline();
  }
} catch (e) {
  console.error(`[demo] ${e instanceof Error ? e.message : e}`);
  await stopAll();
  process.exit(1);
}
