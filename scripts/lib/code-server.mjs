// Offline VS Code host: code-server (VS Code 1.99.3) on 127.0.0.1 plus headless Chromium via
// playwright-core. Shared by run-integration.mjs and demo.mjs. See shared/vscode-host.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cacheDir, chromiumPath, codeServerBin, hostInstalled, installHost } from '../vscode-host.mjs';

export { hostInstalled, installHost };

/** VS Code version bundled in the installed code-server, e.g. '1.99.3'. */
export function hostVersions() {
  const read = (p) => JSON.parse(fs.readFileSync(p, 'utf8')).version;
  const cs = path.join(cacheDir, 'node_modules', 'code-server');
  return { codeServer: read(path.join(cs, 'package.json')), vscode: read(path.join(cs, 'lib', 'vscode', 'package.json')) };
}

// Everything started here, so an exit or a signal can stop it.
const live = new Set();

/** Kills whatever is still running, synchronously (for process 'exit'). */
export function killAllSync() {
  for (const r of live) r.killSync();
}

/** Stops everything started here (browser first, then servers). */
export async function stopAll() {
  const all = [...live].sort((a, b) => a.order - b.order);
  for (const r of all) await r.stop().catch(() => {});
}

process.on('exit', killAllSync);

let signalled;
/** The signal that interrupted this process, if any, and the exit code that goes with it. */
export function receivedSignal() {
  return signalled;
}

/** Ctrl-C / SIGTERM: stop everything, then exit with 130 / 143. Call once per script. */
export function exitOnSignals(onSignal) {
  let stopping = false;
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.on(sig, () => {
      if (stopping) {
        killAllSync();
        process.exit(code);
      }
      stopping = true;
      signalled = { signal: sig, exitCode: code };
      onSignal?.(sig);
      const force = setTimeout(() => {
        killAllSync();
        process.exit(code);
      }, 5000);
      stopAll().finally(() => {
        clearTimeout(force);
        process.exit(code);
      });
    });
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts code-server on a free loopback port with throw-away user-data/extensions dirs.
 * trusted=false leaves workspace trust on, so the folder opens in Restricted Mode.
 * env: extra environment; the extension host inherits code-server's environment.
 * settings: user settings.json content (note: a window with extensionDevelopmentPath in its payload
 * ignores user settings, as VS Code's extension development host does). port: default a free one.
 */
export async function startServer({
  workspace,
  trusted = true,
  env = {},
  settings = {},
  port,
  startTimeoutMs = 90_000,
  keepTemp = false,
} = {}) {
  if (!hostInstalled()) throw new Error('the offline VS Code host is not installed: run `npm run vscode-host`');
  port ??= await freePort();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-host-'));
  const userData = path.join(tmp, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'extensions'));
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'git.openRepositoryInParentFolders': 'never',
        ...settings,
      },
      null,
      2,
    ),
  );
  // An explicit config file keeps code-server from writing ~/.config/code-server/config.yaml.
  const config = path.join(tmp, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const logFile = path.join(tmp, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');

  const args = [
    codeServerBin,
    '--config',
    config,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--user-data-dir',
    userData,
    '--extensions-dir',
    path.join(tmp, 'extensions'),
  ];
  if (trusted) args.push('--disable-workspace-trust');
  // Inside a VS Code/code-server terminal these make code-server hand the folder to that instance instead.
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE'));
  const proc = spawn(process.execPath, args, {
    detached: true, // own process group: stop() kills code-server and everything it forked
    stdio: ['ignore', logFd, logFd],
    env: { ...baseEnv, XDG_DATA_HOME: path.join(tmp, 'data'), XDG_CONFIG_HOME: path.join(tmp, 'config'), ...env },
  });
  fs.closeSync(logFd);
  let exitInfo = null;
  const exited = new Promise((resolve) =>
    proc.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    }),
  );

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const resource = {
    order: 2,
    killSync() {
      if (exitInfo === null)
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      if (!keepTemp) fs.rmSync(tmp, { recursive: true, force: true });
      live.delete(resource);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (exitInfo === null) {
        try {
          process.kill(-proc.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        const t = setTimeout(() => {
          try {
            process.kill(-proc.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 3000);
        await exited;
        clearTimeout(t);
      }
      // code-server's children may outlive it briefly; make sure the group is gone.
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      if (!keepTemp) fs.rmSync(tmp, { recursive: true, force: true });
      live.delete(resource);
    },
  };
  live.add(resource);

  const server = {
    port,
    url,
    workspace: workspace && path.resolve(workspace),
    trusted,
    tmp,
    logFile,
    process: proc,
    exited,
    /** Last lines of code-server's log. */
    logTail: (lines) => tail(logFile, lines),
    /** A vscode-remote:// URI for a path on this machine, as the payload needs. */
    remoteUri: (p) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`,
    stop: () => resource.stop(),
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exitInfo) {
      const why = `code-server exited during start-up (code ${exitInfo.code}, signal ${exitInfo.signal})`;
      const log = tail(logFile);
      await resource.stop();
      throw new Error(`${why}; log tail:\n${log}`);
    }
    if ((await httpStatus(`${url}/healthz`)) === 200) break;
    if (Date.now() > deadline) {
      const log = tail(logFile);
      await resource.stop();
      throw new Error(`code-server did not answer on ${url} within ${startTimeoutMs / 1000}s; log tail:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return server;
}

/**
 * The workbench URL: the server's folder plus a payload (extensionDevelopmentPath, optional
 * extensionTestsPath; extensionDevelopmentKind 'web' runs the extension's `browser` entry in the
 * workbench's web-worker extension host instead of its `main` in the Node one).
 */
export function workbenchUrl(server, { extensionDevelopmentPath, extensionTestsPath, extensionDevelopmentKind } = {}) {
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', server.remoteUri(extensionDevelopmentPath)]);
  if (extensionDevelopmentKind) payload.push(['extensionDevelopmentKind', extensionDevelopmentKind]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', server.remoteUri(extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  const q = [];
  if (server.workspace)
    q.push(`${server.workspace.endsWith('.code-workspace') ? 'workspace' : 'folder'}=${encodeURIComponent(server.workspace)}`);
  q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.url}/?${q.join('&')}`;
}

/**
 * Opens the workbench in headless Chromium. Returns { browser, page, url, exitCode }:
 * exitCode resolves when the workbench calls codeAutomationExit (extension tests finished).
 * onLog(type, args) receives what the workbench sends to codeAutomationLog. colorScheme picks the
 * theme VS Code web follows (default 'dark').
 */
export async function openPage(
  server,
  {
    extensionDevelopmentPath,
    extensionTestsPath,
    extensionDevelopmentKind,
    viewport = { width: 1400, height: 900 },
    colorScheme = 'dark',
    onLog,
  } = {},
) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false, // exitOnSignals() does it
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-default-apps',
    ],
  });
  const resource = {
    order: 1,
    killSync() {
      live.delete(resource); /* playwright kills its browsers on process exit */
    },
    async stop() {
      live.delete(resource);
      await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    },
  };
  live.add(resource);
  const page = await browser.newPage({ viewport, colorScheme });
  let reportExit;
  const exitCode = new Promise((resolve) => {
    reportExit = resolve;
  });
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code)));
  await page.exposeFunction('codeAutomationLog', (type, args) => onLog?.(type, args));
  const url = workbenchUrl(server, { extensionDevelopmentPath, extensionTestsPath, extensionDevelopmentKind });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return { browser, page, url, exitCode, close: () => resource.stop() };
}
