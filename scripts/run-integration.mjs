#!/usr/bin/env node
// Runs the integration suite (out/test/integration) inside a real VS Code. Builds nothing: run
// `node esbuild.js --tests` first. Generates a fresh fixture workspace in a temp dir each run.
//
//   node scripts/run-integration.mjs [--restricted | --all | --ui | --web] [--json FILE]
//     (default)     trusted workspace: every *.test.js except *.restricted.test.js
//     --restricted  Restricted Mode (workspace trust on): only *.restricted.test.js
//     --multiroot   a trusted two-folder .code-workspace made for the run: only *.multiroot.test.js
//     --all         trusted pass, then a restricted pass if there are restricted tests, then the
//                   UI check (scripts/lib/ui-check.mjs: the rendered Expirations tree read from
//                   the DOM in Chromium; offline host only, skipped and not counted on electron)
//                   and the web check (scripts/lib/web-check.mjs: the browser bundle in the
//                   workbench's web-worker extension host, its tree, Problems, CodeLens and
//                   walkthrough; the walkthrough's host step in Restricted Mode; offline host only)
//     --ui          the UI check only
//     --web         the web check only
//     --json FILE   write { host, vscodeVersion, passes, failures, skipped } for scripts/test.mjs
//
// Environment:
//   CERTLENS_TEST_HOST        electron | offline | auto (default). auto = electron when
//                             VSCODE_EXECUTABLE is set or a desktop VS Code was downloaded into
//                             .vscode-test/, else the offline code-server host (installed if missing)
//   VSCODE_EXECUTABLE         desktop VS Code binary for the electron runner
//   CERTLENS_TEST_GREP        regex on test file paths (relative to out/test/integration); the UI
//                             check runs when it matches 'ui/expirations-tree'
//   CERTLENS_TEST_TIMEOUT_MS  hard limit for the whole run, default 600000 (10 min)
//   CERTLENS_TEST_VERBOSE=1   print the workbench log (offline host) as it comes
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  exitOnSignals,
  hostInstalled,
  hostVersions,
  installHost,
  killAllSync,
  openPage,
  receivedSignal,
  startServer,
  stopAll,
} from './lib/code-server.mjs';
import { runTreeUiCheck, UI_CHECK_GREP_NAME, UI_CHECK_NAME } from './lib/ui-check.mjs';
import { runWebCheck, WEB_CHECK_GREP_NAME, WEB_CHECK_NAME } from './lib/web-check.mjs';
import { makeMultiRootWorkspace, makeWorkspace } from './make-workspace.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testsDir = path.join(root, 'out', 'test', 'integration');
const testsEntry = path.join(testsDir, 'index');

const say = (msg) => process.stdout.write(`[integration] ${msg}\n`);

class TimeoutError extends Error {}
let limitMs = 0;
const limitText = () => `the time limit of ${Math.round(limitMs / 1000)}s (CERTLENS_TEST_TIMEOUT_MS)`;

/** A desktop VS Code that @vscode/test-electron already downloaded into .vscode-test/, if any. */
function downloadedDesktopVSCode() {
  const dir = path.join(root, '.vscode-test');
  if (!fs.existsSync(dir)) return undefined;
  for (const name of fs.readdirSync(dir).sort().reverse()) {
    if (!/^vscode-(linux|darwin|win32)/.test(name)) continue;
    const candidates = [
      path.join(dir, name, 'code'),
      path.join(dir, name, 'Code.exe'),
      path.join(dir, name, 'Visual Studio Code.app', 'Contents', 'MacOS', 'Electron'),
    ];
    const found = candidates.find((p) => fs.existsSync(p));
    if (found) return found;
  }
  return undefined;
}

function chooseHost() {
  const wanted = process.env.CERTLENS_TEST_HOST || 'auto';
  if (wanted === 'offline') return { host: 'offline' };
  const executable = process.env.VSCODE_EXECUTABLE || downloadedDesktopVSCode();
  if (wanted === 'electron') return { host: 'electron', executable };
  if (wanted !== 'auto') throw new Error(`CERTLENS_TEST_HOST must be electron, offline or auto, not "${wanted}"`);
  return executable ? { host: 'electron', executable } : { host: 'offline' };
}

/** Whether any compiled integration test file ends with `suffix` (and matches the grep). */
function hasTests(suffix, grep) {
  const walk = (d) =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  return walk(testsDir).some((f) => f.endsWith(suffix) && (!grep || new RegExp(grep).test(path.relative(testsDir, f))));
}

function readReport(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Runs one pass in the offline code-server host; resolves with the suite's report. */
async function runOffline({ workspace, trusted, env, deadline, verbose }) {
  const workbenchLog = [];
  let server;
  try {
    server = await startServer({ workspace, trusted, env });
    const page = await openPage(server, {
      extensionDevelopmentPath: root,
      extensionTestsPath: testsEntry,
      onLog: (type, args) => {
        const line = `[${type}] ${(Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`;
        workbenchLog.push(line);
        if (verbose) process.stdout.write(`  workbench ${line}\n`);
      },
    });
    let crashed;
    const pageCrash = new Promise((resolve) => {
      crashed = resolve;
    });
    page.page.on('crash', () => crashed('the browser page crashed'));
    page.page.on('close', () => crashed('the browser page closed'));
    const remaining = deadline - Date.now();
    let timer;
    const outcome = await Promise.race([
      page.exitCode.then((code) => ({ code })),
      server.exited.then((e) => ({ died: `code-server exited (code ${e.code}, signal ${e.signal}) before the tests reported back` })),
      pageCrash.then((why) => ({ died: why })),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve({ timeout: true }), Math.max(remaining, 0));
      }),
    ]);
    clearTimeout(timer);
    const logs = () =>
      `--- code-server log (tail) ---\n${server.logTail(40)}\n--- workbench log (tail) ---\n${workbenchLog.slice(-40).join('\n') || '(empty)'}`;
    if (outcome.timeout || outcome.died) {
      // Show what the suite got through (it writes a partial report after each test).
      const partial = readReport(env.CERTLENS_TEST_REPORT);
      if (partial?.output) process.stdout.write(`${partial.output}\n\n(the suite did not finish; output so far above)\n`);
      const why = outcome.timeout ? `timed out: VS Code did not report a result within ${limitText()}; the run was stopped.` : outcome.died;
      const err = outcome.timeout ? new TimeoutError(`${why}\n${logs()}`) : new Error(`${why}\n${logs()}`);
      err.partial = partial;
      throw err;
    }
    const report = readReport(env.CERTLENS_TEST_REPORT);
    if (!report)
      throw new Error(
        `VS Code exited with code ${outcome.code} but the suite wrote no report (did out/test/integration/index.js load?)\n${logs()}`,
      );
    process.stdout.write(`${report.output}\n`);
    if (outcome.code !== 0 && report.failures === 0) report.failures = 1;
    return report;
  } finally {
    await stopAll();
  }
}

/** Runs one pass with @vscode/test-electron and a desktop VS Code (its output goes to our stdout). */
async function runElectron({ executable, workspace, trusted, env, deadline }) {
  if (!executable) throw new Error('CERTLENS_TEST_HOST=electron needs VSCODE_EXECUTABLE or a VS Code downloaded into .vscode-test/');
  const { runTests } = await import('@vscode/test-electron');
  const launchArgs = [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes'];
  if (trusted) launchArgs.push('--disable-workspace-trust');
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(deadline - Date.now(), 0));
  });
  const run = runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: root,
    extensionTestsPath: testsEntry,
    launchArgs,
    extensionTestsEnv: env,
  }).then(
    () => 0,
    (e) => (typeof e?.code === 'number' ? e.code : 1),
  );
  const result = await Promise.race([run, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    // Kill the VS Code that runTests spawned (our child processes).
    const require = createRequire(import.meta.url);
    const { killTree } = require('@vscode/test-electron/out/util.js');
    const kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map(Number)
      .filter((p) => p > 0);
    await Promise.all(kids.map((p) => killTree(p, true).catch(() => {})));
    const err = new TimeoutError(`timed out: VS Code did not report a result within ${limitText()}; the run was stopped.`);
    err.partial = readReport(env.CERTLENS_TEST_REPORT);
    throw err;
  }
  const report = readReport(env.CERTLENS_TEST_REPORT);
  if (!report) throw new Error(`VS Code exited with code ${result} but the suite wrote no report`);
  if (result !== 0 && report.failures === 0) report.failures = 1;
  return report;
}

/** Runs the suite; returns { host, vscodeVersion, passes, failures }. Never throws: errors count as a failure. */
export async function runIntegration({
  mode = 'trusted',
  grep = process.env.CERTLENS_TEST_GREP,
  timeoutMs,
  verbose = !!process.env.CERTLENS_TEST_VERBOSE,
  watchdog = false,
  workspace: givenWorkspace,
  extraEnv = {},
} = {}) {
  timeoutMs ??= Number(process.env.CERTLENS_TEST_TIMEOUT_MS || 600_000);
  limitMs = timeoutMs;
  const result = { host: undefined, vscodeVersion: undefined, passes: 0, failures: 0, pending: 0, skipped: [] };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-integration-'));
  const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.on('exit', removeTmp); // also on Ctrl-C
  try {
    if (mode !== 'ui' && mode !== 'web' && !fs.existsSync(`${testsEntry}.js`))
      throw new Error(`${path.relative(root, testsEntry)}.js is missing: run \`node esbuild.js --tests\` first`);
    if (!fs.existsSync(path.join(root, 'dist', 'extension.js')))
      throw new Error('dist/extension.js is missing: run `node esbuild.js` first');
    const { host, executable } = chooseHost();
    result.host = host;
    if (host === 'offline') {
      if (!hostInstalled()) {
        say('offline VS Code host missing: installing it (one time, ~4 minutes)');
        installHost();
      }
      const v = hostVersions();
      result.vscodeVersion = v.vscode;
      say(`host: offline code-server ${v.codeServer} (VS Code ${v.vscode}) + Chromium, on 127.0.0.1`);
    } else {
      say(`host: desktop VS Code via @vscode/test-electron: ${executable ?? '(none)'}`);
    }

    const deadline = Date.now() + timeoutMs; // counted from here: a one-time host install is not part of it
    if (watchdog) {
      // Backstop for what the per-pass deadline does not cover (server start-up, teardown): exits the process.
      setTimeout(() => {
        say(`FAILED: hard time limit of ${Math.round(timeoutMs / 1000)}s (CERTLENS_TEST_TIMEOUT_MS) exceeded; stopping`);
        killAllSync();
        process.exit(1);
      }, timeoutMs + 30_000).unref();
    }

    // The workspace and the manifest (the oracle) are siblings: the manifest stays outside the workspace.
    // A given workspace (benchmarks) is used as it is, without a manifest.
    const workspace = givenWorkspace ?? path.join(tmp, 'workspace');
    const manifestPath = path.join(tmp, 'manifest.json');
    if (!givenWorkspace) {
      const manifest = makeWorkspace(workspace, { manifestPath });
      say(`fixture workspace: ${manifest.certificateCount} certificates in ${manifest.files.length} files, ${workspace}`);
    }

    const passes =
      mode === 'all'
        ? [
            'trusted',
            ...(hasTests('.restricted.test.js', grep) ? ['restricted'] : []),
            ...(hasTests('.multiroot.test.js', grep) && !givenWorkspace ? ['multiroot'] : []),
          ]
        : mode === 'ui' || mode === 'web'
          ? []
          : [mode];
    const uiCheck = (mode === 'all' || mode === 'ui') && (!grep || new RegExp(grep).test(UI_CHECK_GREP_NAME));
    const webCheck = (mode === 'all' || mode === 'web') && (!grep || new RegExp(grep).test(WEB_CHECK_GREP_NAME));
    for (const pass of passes) {
      const reportPath = path.join(tmp, `report-${pass}.json`);
      // The multi-root pass opens a .code-workspace of two folders made for it, trusted.
      const multiRoot =
        pass === 'multiroot'
          ? makeMultiRootWorkspace(path.join(tmp, 'multiroot'), { manifestPath: path.join(tmp, 'multiroot-manifest.json') })
          : undefined;
      const env = {
        CERTLENS_TEST_MANIFEST: multiRoot ? path.join(tmp, 'multiroot-manifest.json') : manifestPath,
        CERTLENS_TEST_REPORT: reportPath,
        ...(grep ? { CERTLENS_TEST_GREP: grep } : {}),
        ...extraEnv,
      };
      say(
        `running the ${pass === 'trusted' ? 'trusted-workspace' : pass === 'multiroot' ? 'multi-root workspace' : 'Restricted Mode'} pass${grep ? ` (files matching /${grep}/)` : ''}`,
      );
      const started = Date.now();
      const opts = { executable, workspace: multiRoot?.workspaceFile ?? workspace, trusted: pass !== 'restricted', env, deadline, verbose };
      let report;
      try {
        report = host === 'offline' ? await runOffline(opts) : await runElectron(opts);
      } catch (e) {
        // Count the tests that passed before a hang or crash; the failure itself is counted below.
        result.passes += e?.partial?.passes ?? 0;
        result.failures += e?.partial?.failures ?? 0;
        throw e;
      }
      result.vscodeVersion = report.vscodeVersion ?? result.vscodeVersion;
      result.passes += report.passes;
      result.failures += report.failures;
      result.pending += report.pending ?? 0;
      say(
        `${pass} pass: ${report.passes} passed, ${report.failures} failed in VS Code ${report.vscodeVersion} (${((Date.now() - started) / 1000).toFixed(1)}s)`,
      );
    }

    if (uiCheck && host !== 'offline') {
      // The electron runner has no page to drive; do not count what did not run as passed.
      const why = 'needs the offline code-server host and Chromium (the electron runner has no browser page to read); not counted';
      say(`SKIPPED ${UI_CHECK_NAME}: ${why}`);
      result.skipped.push('UI check (electron runner)');
    } else if (uiCheck) {
      // A fresh workspace: the passes above edit theirs (unsaved edits, settings, watcher tests).
      const uiWorkspace = path.join(tmp, 'ui-workspace');
      const uiManifest = makeWorkspace(uiWorkspace, { manifestPath: path.join(tmp, 'ui-manifest.json') });
      say(
        `running the UI check on a fresh fixture workspace (${uiManifest.certificateCount} certificates), trusted, extension loaded by extensionDevelopmentPath`,
      );
      const remaining = Math.max(deadline - Date.now(), 1000);
      const ui = await runTreeUiCheck({
        root,
        manifest: uiManifest,
        timeoutMs: Math.min(remaining, 180_000),
        log: (m) => say(`  ui: ${m}`),
      });
      if (ui.ok) {
        result.passes += 1;
        say(`PASS ${UI_CHECK_NAME}: ${ui.summary}`);
      } else {
        result.failures += 1;
        say(`FAIL ${UI_CHECK_NAME}: ${ui.summary}`);
        for (const d of ui.details ?? []) say(`  ${d}`);
      }
    }

    if (webCheck && host !== 'offline') {
      say(`SKIPPED ${WEB_CHECK_NAME}: needs the offline code-server host and Chromium; not counted`);
      result.skipped.push('web check (electron runner)');
    } else if (webCheck) {
      say('running the web check: the browser bundle in the web-worker extension host, then the walkthrough with the Node entry');
      const remaining = Math.max(deadline - Date.now(), 1000);
      const web = await runWebCheck({ root, tmp, timeoutMs: Math.min(remaining, 240_000), log: (m) => say(`  web: ${m}`) });
      for (const r of web.results) {
        if (r.ok) result.passes += 1;
        else result.failures += 1;
        say(`${r.ok ? 'PASS' : 'FAIL'} ${r.name}: ${r.summary}`);
        for (const d of r.details ?? []) say(`  ${d}`);
      }
    }
  } catch (e) {
    result.failures += 1;
    result.error = receivedSignal() ? `interrupted by ${receivedSignal().signal}` : e instanceof Error ? e.message : String(e);
    process.stdout.write(`[integration] FAILED: ${result.error}\n`);
  } finally {
    await stopAll();
    removeTmp();
    process.off('exit', removeTmp);
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  const mode = args.includes('--all')
    ? 'all'
    : args.includes('--restricted')
      ? 'restricted'
      : args.includes('--multiroot')
        ? 'multiroot'
        : args.includes('--ui')
          ? 'ui'
          : args.includes('--web')
            ? 'web'
            : 'trusted';
  exitOnSignals((sig) => say(`${sig}: stopping VS Code`));
  const result = await runIntegration({ mode, watchdog: true });
  if (jsonFile) fs.writeFileSync(jsonFile, JSON.stringify(result, null, 2));
  say(
    `${result.passes} passed, ${result.failures} failed${result.skipped.length ? `, ${result.skipped.length} skipped (${result.skipped.join('; ')})` : ''}`,
  );
  process.exit(receivedSignal()?.exitCode ?? (result.failures > 0 || (result.passes === 0 && result.skipped.length === 0) ? 1 : 0));
}
