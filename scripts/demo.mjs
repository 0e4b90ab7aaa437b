#!/usr/bin/env node
/* global document -- page.evaluate callbacks run in the page */
// `npm run demo`: installs what is missing (npm ci; for the offline host also Debian packages and
// code-server), builds, regenerates the demo workspace (.vscode-test/demo-workspace, dates relative
// to today), then opens it with the extension under development:
//   - desktop VS Code when `code` is on PATH (unless --offline);
//   - otherwise the offline code-server host: prints a URL to open and runs until Ctrl-C.
//
//   npm run demo [-- --offline] [-- --port N] [-- --folder DIR]
//     --folder opens DIR (your repository) instead of the generated demo workspace; it is not changed.
//   npm run demo -- --screenshot FILE.png [--show overview|problems|hover|tree|host|workflow] [--open RELATIVE/FILE]
//                   [--theme dark|light] [--size WIDTHxHEIGHT]
//     headless (offline host): opens the CertLens view, sets up what --show asks for, saves a PNG, exits.
//       overview  (default) Expirations tree, a bundle open with CodeLens and squiggles, status bar
//       problems  the Problems panel (Ctrl+Shift+M) listing CertLens diagnostics
//       hover     the hover table over a certificate (mouse over a PEM body line)
//       tree      the Expirations tree only (plus --open FILE if given)
//       host      CertLens: Check Host… asking for a host, over the config that names one (walkthrough)
//       workflow  CertLens: Add GitHub Actions Workflow: the proposed workflow in an editor (walkthrough)
//     --open picks the file (defaults: overview/hover tls/fullchain.pem, problems certs/legacy-expired.pem,
//     host config/server.yaml);
//     --theme defaults to dark, --size to 1400x900.
//
// Only node: built-ins and scripts/lib/bootstrap.mjs (dependency-free) are imported statically:
// npm runs this before node_modules exists. The rest is loaded after the bootstrap.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrap } from './lib/bootstrap.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const folderOption = process.argv.includes('--folder') ? process.argv[process.argv.indexOf('--folder') + 1] : undefined;
const workspace = folderOption ? path.resolve(folderOption) : path.join(root, '.vscode-test', 'demo-workspace');
const manifestPath = path.join(root, '.vscode-test', 'demo-manifest.json');
const say = (msg) => process.stdout.write(`[demo] ${msg}\n`);

const SHOWS = ['overview', 'problems', 'hover', 'tree', 'host', 'workflow'];
const DEFAULT_OPEN = {
  overview: 'tls/fullchain.pem',
  hover: 'tls/fullchain.pem',
  problems: 'certs/legacy-expired.pem',
  tree: undefined,
  host: 'config/server.yaml',
  workflow: undefined,
};
const THEMES = { dark: { name: 'Dark Modern', css: 'vs-dark' }, light: { name: 'Light Modern', css: 'vs' } };

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
function usage(problem) {
  if (problem) console.error(`[demo] ${problem}`);
  console.error(
    'usage: npm run demo [-- --offline] [-- --port N] [-- --folder DIR]\n' +
      '       npm run demo -- --screenshot FILE.png [--show overview|problems|hover|tree|host|workflow] [--open RELATIVE/FILE] [--theme dark|light] [--size WxH] [--folder DIR]',
  );
  process.exit(2);
}
if (args.includes('--help') || args.includes('-h')) usage();
const screenshot = option('--screenshot');
const show = option('--show') ?? 'overview';
const theme = option('--theme') ?? 'dark';
const sizeText = option('--size') ?? '1400x900';
const port = option('--port') ? Number(option('--port')) : undefined;
const forceOffline = args.includes('--offline');
if (!SHOWS.includes(show)) usage(`--show must be one of ${SHOWS.join(', ')}`);
if (!THEMES[theme]) usage('--theme must be dark or light');
const size = /^(\d+)x(\d+)$/.exec(sizeText);
if (!size) usage('--size must look like 1400x900');
const viewport = { width: Number(size[1]), height: Number(size[2]) };
// In a folder of yours, nothing is opened unless --open names it.
const openFile = option('--open') ?? (folderOption ? undefined : DEFAULT_OPEN[show]);
if (folderOption && !fs.statSync(workspace, { throwIfNoEntry: false })?.isDirectory()) usage(`--folder: no such folder: ${workspace}`);
if (screenshot && !screenshot.endsWith('.png')) usage('--screenshot needs a .png file name');

function onPath(cmd) {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const desktop = !screenshot && !forceOffline && onPath('code');
try {
  // The desktop path needs only node_modules; the offline host also needs Debian packages and code-server.
  bootstrap({ system: !desktop, deps: true, host: !desktop, say: (m) => say(m) });
} catch (e) {
  console.error(`[demo] setup failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}

const { exitOnSignals, openPage, receivedSignal, startServer, stopAll, workbenchUrl } = await import('./lib/code-server.mjs');
const { openCertLensView, VIEWLET } = await import('./lib/ui-check.mjs');
const { makeWorkspace } = await import('./make-workspace.mjs');
const { recompressPng } = await import('./lib/png.mjs');

function prepare() {
  say('building (node esbuild.js --tests)');
  execFileSync(process.execPath, ['esbuild.js', '--tests'], { cwd: root, stdio: 'inherit' });
  if (folderOption) return say(`opening ${workspace}`);
  const m = makeWorkspace(workspace, { extras: true, overwrite: true, manifestPath });
  say(`demo workspace: ${m.certificateCount} certificates in ${m.files.length} files at ${workspace}`);
  for (const f of m.files)
    say(`  ${f.path.padEnd(28)} ${f.format.padEnd(18)} days left: ${f.certificates.map((c) => c.daysLeft).join(', ')}`);
}

/** The extension development window ignores user settings, so pick the theme through the UI. */
async function pickTheme(page) {
  const { name, css } = THEMES[theme];
  const isOn = async () => (await page.locator('.monaco-workbench').getAttribute('class'))?.split(/\s+/).includes(css);
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.waitForTimeout(1500); // let the workbench settle before keyboard input
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T'); // Preferences: Color Theme
    if (await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 5000 }).catch(() => null)) {
      await page.keyboard.type(name);
      await page.waitForTimeout(700);
      await page.keyboard.press('Enter');
      await page.waitForTimeout(700);
      if (await isOn()) return;
    }
  }
  if (!(await isOn())) say(`could not switch to the ${theme} theme`);
}

/** Runs a command from the command palette by its title. */
async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 5000 });
  await page.keyboard.type(title);
  await page.waitForTimeout(800);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
}

/** Opens a workspace file with Quick Open and waits for its editor. */
async function openInEditor(page, rel) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 5000 });
  await page.keyboard.type(rel);
  await page.waitForTimeout(1000);
  await page.keyboard.press('Enter');
  const base = path.basename(rel);
  await page.waitForSelector(`.tabs-container .tab[aria-label*="${base}"]`, { timeout: 15_000 });
  await page.waitForSelector('.editor-instance .monaco-editor .view-lines .view-line', { timeout: 15_000 });
}

/** Drags a sash (the splitter under the mouse) from one point to another. */
async function drag(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

/** Widens the side bar so the tree's descriptions ("expired 12 days ago · date") fit. */
async function widenSideBar(page, width) {
  const sash = await page.evaluate(() => {
    const bar = document.querySelector('.part.sidebar')?.getBoundingClientRect();
    if (!bar) return undefined;
    const s = [...document.querySelectorAll('.monaco-sash.vertical')]
      .map((e) => e.getBoundingClientRect())
      .find((r) => Math.abs(r.left + r.width / 2 - bar.right) <= 4 && r.height > bar.height / 2);
    return s && { x: s.left + s.width / 2, y: s.top + s.height / 2, left: bar.left, current: bar.width };
  });
  if (!sash) {
    say('could not find the side bar splitter; keeping its width');
    return;
  }
  if (sash.current >= width) return;
  await drag(page, sash, { x: sash.left + width, y: sash.y });
}

/** Makes the hover tall enough for its whole table (it opens at most ~250 px high): drags its bottom edge. */
async function growHover(page, hover) {
  const m = await hover.evaluate((h) => {
    const content = h.querySelector('.monaco-hover-content');
    const sash = h.parentElement?.querySelector('.monaco-sash.horizontal.orthogonal-edge-south:not(.disabled)')?.getBoundingClientRect();
    const editor = h.closest('.monaco-editor')?.getBoundingClientRect();
    return {
      need: (content?.scrollHeight ?? 0) - h.clientHeight,
      sash: sash && { x: sash.left + sash.width / 2, y: sash.top + sash.height / 2 },
      bottom: editor?.bottom ?? 0,
    };
  });
  if (m.need <= 0) return;
  if (!m.sash) {
    say('the hover cannot be resized downwards; its table is cut off');
    return;
  }
  await drag(page, m.sash, { x: m.sash.x, y: Math.min(m.sash.y + m.need + 12, m.bottom - 8) });
}

/** Each --show: what to set up, then what must be on screen before the picture is taken. */
async function setUp(page) {
  const editor = '.editor-instance .monaco-editor';
  if (show === 'tree') {
    if (openFile) await openInEditor(page, openFile);
    return;
  }
  if (show === 'host') {
    await runCommand(page, 'Notifications: Clear All Notifications');
    if (openFile) await openInEditor(page, openFile);
    await runCommand(page, 'CertLens: Check Host');
    await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 5000 });
    await page.keyboard.type('api.example.test:8443');
    return;
  }
  if (show === 'workflow') {
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, 'CertLens: Add GitHub Actions Workflow');
    await page.waitForSelector('.tabs-container .tab[aria-label*="certificates.yml"]', { timeout: 15_000 });
    await page.waitForSelector(`${editor} .view-lines .view-line`, { timeout: 15_000 });
    return;
  }
  if (show === 'problems') {
    await runCommand(page, 'Notifications: Clear All Notifications');
    if (openFile) await openInEditor(page, openFile);
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 20_000 });
    const rows = await page.locator('.markers-panel .monaco-list-row').count();
    say(`Problems panel: ${rows} rows visible`);
    return;
  }
  if (!openFile) throw new Error(`--show ${show} needs --open FILE in a folder of yours`);
  await openInEditor(page, openFile);
  if (show === 'overview') {
    await page.waitForSelector(`${editor} .codelens-decoration a`, { timeout: 20_000 });
    await page.waitForSelector(`${editor} :is(.squiggly-error, .squiggly-warning, .squiggly-info)`, { timeout: 20_000 });
    return;
  }
  // hover: the mouse over a body line of the first PEM block.
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.waitForSelector(`${editor} .codelens-decoration a`, { timeout: 20_000 }).catch(() => {}); // lenses shift lines: wait for them first
  await page.waitForTimeout(500);
  const lines = page.locator(`${editor} .view-lines .view-line`);
  const count = await lines.count();
  let target;
  for (let i = 0; i < count && !target; i++) {
    const text = (await lines.nth(i).textContent())?.replace(/\u00a0/g, ' ').trim() ?? '';
    if (/^[A-Za-z0-9+/]{40,}={0,2}$/.test(text)) target = lines.nth(i);
  }
  if (!target) throw new Error(`no PEM body line visible in ${openFile}`);
  const box = await target.boundingBox();
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.move(box.x + 120, box.y + box.height / 2, { steps: 5 });
  const hover = page.locator('.monaco-hover').filter({ hasText: 'SHA-256' }).first();
  await hover.waitFor({ state: 'visible', timeout: 15_000 });
  await growHover(page, hover);
  await hover.waitFor({ state: 'visible', timeout: 2_000 });
}

async function takeScreenshot(file) {
  const park = [24, Math.round(viewport.height * 0.6)]; // empty activity bar space: no tooltip there
  const server = await startServer({ workspace, trusted: true });
  const { page } = await openPage(server, { extensionDevelopmentPath: root, viewport, colorScheme: theme });
  await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 60_000 });
  await pickTheme(page);
  let problem;
  try {
    await openCertLensView(page, say);
    await widenSideBar(page, 440);
    await page.mouse.move(...park); // away from the activity bar item, so its tooltip goes
    await page.waitForSelector(`${VIEWLET} .monaco-list-row`, { timeout: 20_000 }).catch(() => say('the CertLens tree has no rows'));
  } catch (e) {
    problem = `could not open the CertLens view (did the extension load?): ${String(e?.message ?? e).split('\n')[0]}`;
  }
  if (!problem) {
    try {
      await setUp(page);
      if (show !== 'hover') await page.mouse.move(...park);
      await page.waitForTimeout(show === 'hover' ? 800 : 2000);
    } catch (e) {
      problem = `could not set up --show ${show}: ${String(e?.message ?? e).split('\n')[0]}`;
    }
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await page.screenshot({ path: file });
  const { before, after } = recompressPng(file); // lossless: same pixels, smaller file
  const kb = (n) => `${Math.round(n / 1024)} KB`;
  say(
    `screenshot (${show}, ${theme} theme, ${viewport.width}x${viewport.height}) saved to ${file} (${kb(after)}${after < before ? `, recompressed from ${kb(before)}` : ''})`,
  );
  await stopAll();
  if (problem) throw new Error(problem);
}

async function serveOffline() {
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
  } else if (desktop) {
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
