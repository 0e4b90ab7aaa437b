// The web bundle beside the desktop one (bench/run.mjs section "web"): sizes as `npm run package`
// builds them (minified, and gzip'd as a download), and activation and first scan as the extension
// logs them ("Activated in N ms", "Scan: ... N ms" in its Output channel), each entry in its own
// extension host of the offline workbench: the Node one for `main`, the web-worker one for `browser`
// (a staged copy without `main`, as scripts/lib/web-check.mjs loads it).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { openPage, startServer, stopAll } from '../scripts/lib/code-server.mjs';
import { stageWebOnly } from '../scripts/lib/web-check.mjs';
import { makeWorkspace } from '../scripts/make-workspace.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Sizes of the production bundles (rebuilds dist/ with --production, as npm run package does). */
export function bundleSizes(root) {
  execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: root, stdio: 'inherit' });
  const size = (rel) => {
    const bytes = fs.readFileSync(path.join(root, rel));
    return { bytes: bytes.length, gzipBytes: zlib.gzipSync(bytes, { level: 9 }).length };
  };
  return {
    desktop: {
      'dist/extension.js': size('dist/extension.js'),
      'dist/readWorker.js': size('dist/readWorker.js'),
      'dist/forge.js': size('dist/forge.js'),
    },
    web: { 'dist/web/extension.js': size('dist/web/extension.js') },
  };
}

/** The CertLens log as the Output panel shows it, after CertLens: Show Log. */
async function readLog(page, until, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  let opened = false;
  // The command is in the palette once the extension's contributions are: its view container is there.
  await page.waitForSelector('.part.activitybar li.action-item[aria-label^="CertLens"]', { timeout: timeoutMs });
  while (Date.now() < deadline) {
    if (!opened) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 10_000 });
      await page.keyboard.type('CertLens: Show Log');
      await page.waitForTimeout(800);
      await page.keyboard.press('Enter');
      opened = true;
    }
    await page.waitForTimeout(500);
    text = await page.evaluate(() =>
      // eslint-disable-next-line no-undef -- runs in the page
      [...document.querySelectorAll('.output-view .view-lines .view-line')]
        .map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' '))
        .join(' '),
    );
    if (until.test(text)) return text;
  }
  await page.screenshot({ path: path.join(os.tmpdir(), 'certlens-bench-web-log.png') });
  throw new Error(`the CertLens log did not show ${until} (it shows: ${text.slice(0, 300)})`);
}

/** Activation and first-scan times of each entry, `runs` fresh workbenches each; medians. */
export async function hostTimes(root, { runs = 3, log = () => {} } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-bench-web-'));
  try {
    const manifest = makeWorkspace(path.join(tmp, 'workspace'), { extras: true });
    const webOnly = stageWebOnly(root, path.join(tmp, 'web-extension'));
    const out = {};
    for (const [name, extensionDevelopmentPath, extensionDevelopmentKind] of [
      ['desktop', root, undefined],
      ['web', webOnly, 'web'],
    ]) {
      const each = [];
      for (let i = 0; i < runs; i++) {
        const server = await startServer({ workspace: manifest.workspace, trusted: true });
        try {
          const { page } = await openPage(server, { extensionDevelopmentPath, extensionDevelopmentKind });
          await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 60_000 });
          const text = await readLog(page, /Scan: [^[]*?(\d+) ms/);
          const activationMs = Number(/Activated in ([\d.]+) ms/.exec(text)?.[1]);
          const scanMs = Number(/Scan: [^[]*?(\d+) ms/.exec(text)?.[1]);
          each.push({ activationMs, scanMs });
          log(`${name} run ${i + 1}: activation ${activationMs} ms, first scan ${scanMs} ms`);
        } finally {
          await stopAll();
        }
      }
      out[name] = {
        activationMs: median(each.map((e) => e.activationMs)),
        firstScanMs: median(each.map((e) => e.scanMs)),
        activationMsEachRun: each.map((e) => e.activationMs),
        files: manifest.files.length + manifest.otherFiles.length,
      };
    }
    return out;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
