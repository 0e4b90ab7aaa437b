/* global document -- page.evaluate callbacks run in the page */
// The web extension in a real browser workbench: code-server's workbench in headless Chromium with
// CertLens loaded as a web extension (payload extensionDevelopmentKind 'web'), so its `browser`
// bundle (dist/web/extension.js) runs in the workbench's web-worker extension host, as on
// vscode.dev. code-server runs an extension that also has a `main` in its Node extension host
// whatever the kind says, so the check loads a staged copy whose package.json has no `main`: the
// manifest as a web-only host reads it. Then, read from the DOM and compared with the fixture
// manifest (scripts/make-workspace.mjs with extras: PEM, DER, PKCS#12, PKCS#7, a Kubernetes secret):
//   - the Expirations tree (the same comparison as the desktop UI check) and its web message;
//   - the Problems panel: every file with an expired certificate has a problem;
//   - the CodeLens over an expired certificate: its date;
//   - the hover over that certificate names it, its quick fixes are offered; the status bar counts the expired certificates;
//   - Export Report as JSON to the proposed file: written, with every certificate;
//   - the walkthrough (Welcome: Open Walkthrough...): shown, its "Check a host" step hidden.
// And, with the Node entry in Restricted Mode and trusted, the walkthrough's "Check a host" step
// hidden and shown (its `when: isWorkspaceTrusted && !certlens.isWeb`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPage, startServer } from './code-server.mjs';
import { compare, expectedGroups, groupRows, openCertLensView, readRows, VIEWLET } from './ui-check.mjs';

export const WEB_CHECK_NAME = 'Web check (Chromium): the browser bundle in the web-worker extension host';
export const WEB_CHECK_GREP_NAME = 'ui/web';

/** Step titles from package.nls.json: the expected values come from the manifest, not the extension. */
function walkthroughTitles(root) {
  const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8'));
  return { walkthrough: nls['walkthrough.title'], expirations: nls['walkthrough.expirations.title'], host: nls['walkthrough.host.title'] };
}

/** A copy of what the vsix ships, without `main`: code-server then has only the web-worker host to run it in. */
export function stageWebOnly(root, dir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!fs.existsSync(path.join(root, pkg.browser))) throw new Error(`${pkg.browser} is missing: run node esbuild.js first`);
  delete pkg.main;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const f of fs.readdirSync(root))
    if (/^package\.nls(\.[a-z-]+)?\.json$/.test(f)) fs.copyFileSync(path.join(root, f), path.join(dir, f));
  for (const d of ['l10n', 'media']) fs.cpSync(path.join(root, d), path.join(dir, d), { recursive: true });
  fs.mkdirSync(path.join(dir, path.dirname(pkg.browser)), { recursive: true });
  fs.copyFileSync(path.join(root, pkg.browser), path.join(dir, pkg.browser));
  return dir;
}

async function palette(page, title, pick) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(title);
  await page.waitForTimeout(800);
  await page.keyboard.press('Enter');
  if (pick) {
    await page.waitForTimeout(800);
    await page.keyboard.type(pick);
    await page.waitForTimeout(800);
    await page.keyboard.press('Enter');
  }
}

/** Opens CertLens's walkthrough through the palette; returns the step titles shown. */
async function walkthroughSteps(page, titles) {
  await palette(page, 'Welcome: Open Walkthrough...', titles.walkthrough);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const steps = await page.evaluate(() =>
      [...document.querySelectorAll('.gettingStartedContainer .getting-started-step')]
        .filter((s) => s.offsetParent !== null)
        .map((s) => (s.querySelector('.step-title')?.textContent ?? '').trim()),
    );
    const header = await page.evaluate(
      () =>
        document.querySelector('.gettingStartedContainer .gettingStartedSlideDetails h2, .gettingStartedContainer .category-title')
          ?.textContent ?? '',
    );
    if (steps.includes(titles.expirations) || Date.now() > deadline) return { steps, header };
    await page.waitForTimeout(500);
  }
}

/** Problems panel rows (aria labels), opened with Ctrl+Shift+M. */
async function problemRows(page) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Shift+M');
  await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 20_000 });
  await page.waitForTimeout(500);
  return page.evaluate(() =>
    [...document.querySelectorAll('.markers-panel .monaco-list-row')].map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''),
  );
}

async function lensesOf(page, rel) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(rel);
  await page.waitForTimeout(1000);
  await page.keyboard.press('Enter');
  const editor = '.editor-instance .monaco-editor';
  await page.waitForSelector(`.tabs-container .tab[aria-label*="${path.basename(rel)}"]`, { timeout: 15_000 });
  await page.waitForSelector(`${editor} .codelens-decoration a`, { timeout: 20_000 });
  return page.evaluate((sel) => [...document.querySelectorAll(`${sel} .codelens-decoration`)].map((l) => l.textContent ?? ''), editor);
}

/** Hovers the first base64 line of the open editor; returns the hover's text. */
async function hoverText(page) {
  const editor = '.editor-instance .monaco-editor';
  const lines = page.locator(`${editor} .view-lines .view-line`);
  const count = await lines.count();
  for (let i = 0; i < count; i++) {
    const text = (await lines.nth(i).textContent())?.replace(/\u00a0/g, ' ').trim() ?? '';
    if (!/^[A-Za-z0-9+/]{40,}={0,2}$/.test(text)) continue;
    const box = await lines.nth(i).boundingBox();
    await page.mouse.move(box.x + 40, box.y + box.height / 2);
    await page.waitForSelector('.monaco-hover .hover-contents', { state: 'visible', timeout: 15_000 });
    await page.waitForTimeout(500);
    return page.evaluate(() => [...document.querySelectorAll('.monaco-hover .hover-contents')].map((h) => h.textContent ?? '').join(' '));
  }
  throw new Error('no PEM body line on screen');
}

/** The editor's quick fixes at the cursor (Ctrl+.), as listed. */
async function quickFixes(page) {
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  await page.click('.editor-instance .monaco-editor .view-lines .view-line >> nth=0');
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Control+.');
  await page.waitForSelector('.action-widget .monaco-list-row', { state: 'visible', timeout: 15_000 });
  const items = await page.evaluate(() =>
    [...document.querySelectorAll('.action-widget .monaco-list-row')].map((r) => r.textContent ?? ''),
  );
  await page.keyboard.press('Escape');
  return items;
}

/** One workbench: server + page; fn(page) returns problems (strings). Never throws. */
async function withWorkbench({ workspace, trusted, extensionDevelopmentPath, extensionDevelopmentKind, log }, fn) {
  let server;
  let opened;
  try {
    server = await startServer({ workspace, trusted });
    opened = await openPage(server, { extensionDevelopmentPath, extensionDevelopmentKind });
    await opened.page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 60_000 });
    return await fn(opened.page);
  } catch (e) {
    const shot = path.join(
      os.tmpdir(),
      `certlens-web-check-failure-${extensionDevelopmentKind ?? 'node'}-${trusted ? 'trusted' : 'restricted'}.png`,
    );
    await opened?.page.screenshot({ path: shot }).catch(() => {});
    log(`screenshot of the workbench: ${shot}`);
    return [e instanceof Error ? e.message.split('\n')[0] : String(e)];
  } finally {
    await opened?.close().catch(() => {});
    await server?.stop().catch(() => {});
  }
}

/**
 * Runs the checks. Resolves with { results: [{ name, ok, summary, details }] }; never throws.
 * root: the extension's folder (built); workspace: an empty folder for the fixture.
 */
export async function runWebCheck({ root, tmp, timeoutMs = 150_000, log = () => {} }) {
  const titles = walkthroughTitles(root);
  const results = [];
  const record = (name, problems, summary) => {
    results.push({ name, ok: problems.length === 0, summary: problems[0] ?? summary, details: problems.slice(1) });
    log(`${problems.length ? 'FAIL' : 'ok'}: ${name}${problems.length ? `: ${problems.join('; ')}` : ''}`);
  };
  const started = Date.now();
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const work = (async () => {
    const { makeWorkspace } = await import('../make-workspace.mjs');
    const manifest = makeWorkspace(path.join(tmp, 'web-workspace'), { extras: true });
    const webOnly = stageWebOnly(root, path.join(tmp, 'web-extension'));
    const expected = expectedGroups(manifest);
    const expiredFiles = manifest.files.filter((f) => f.certificates.some((c) => c.daysLeft < 0));
    const lensFile = manifest.files.find((f) => f.format === 'pem' && f.certificates.length === 1 && f.certificates[0].daysLeft < 0);

    await withWorkbench(
      { workspace: manifest.workspace, trusted: true, extensionDevelopmentPath: webOnly, extensionDevelopmentKind: 'web', log },
      async (page) => {
        // The tree: the same groups as the desktop UI check, and the message only the web entry sets.
        await openCertLensView(page, log);
        let last = { rows: [] };
        let treeProblems = [];
        for (const deadline = Date.now() + 40_000; ;) {
          last = await readRows(page);
          treeProblems = last.rows.length ? compare(groupRows(last.rows), expected) : ['the Expirations tree shows no rows'];
          if (treeProblems.length === 0 || Date.now() > deadline) break;
          await page.waitForTimeout(500);
        }
        const text = await page.evaluate((v) => document.querySelector(v)?.textContent ?? '', VIEWLET);
        if (!/On the web/.test(text)) treeProblems.push('the view does not say it runs on the web: the browser entry did not run');
        record(
          'web: the Expirations tree (PEM, DER, PKCS#12, PKCS#7, Kubernetes secret) matches the manifest',
          treeProblems,
          `${groupRows(last.rows).length} groups`,
        );

        const rows = await problemRows(page).catch((e) => [`(no Problems panel: ${e.message})`]);
        const missing = expiredFiles.filter((f) => !rows.some((r) => r.includes(path.basename(f.path))));
        record(
          'web: the Problems panel lists every file with an expired certificate',
          missing.length ? [`no problems for ${missing.map((f) => f.path).join(', ')} (rows: ${rows.slice(0, 12).join(' | ')})`] : [],
          `${rows.length} rows`,
        );

        const lenses = await lensesOf(page, lensFile.path).catch((e) => [`(no lenses: ${e.message.split('\n')[0]})`]);
        const date = lensFile.certificates[0].notAfter.slice(0, 10);
        record(
          `web: a CodeLens over the expired certificate in ${lensFile.path} gives its date`,
          lenses.some((l) => l.includes(date) && /expired/i.test(l))
            ? []
            : [`lenses: ${JSON.stringify(lenses)}; expected one with "Expired" and ${date}`],
          lenses.join(' | '),
        );

        // Hover over a line of the certificate's PEM body: the certificate's table.
        const cn = lensFile.certificates[0].cn;
        const hover = await hoverText(page).catch((e) => `(no hover: ${e.message.split('\n')[0]})`);
        record(
          `web: the hover over the certificate in ${lensFile.path} names it`,
          hover.includes(cn) ? [] : [`hover: ${hover.slice(0, 300)}; expected ${cn}`],
          `${hover.length} characters`,
        );

        // Quick fixes at the certificate (the cursor is at the file's start, on its first line).
        const fixes = await quickFixes(page).catch((e) => [`(no quick fixes: ${e.message.split('\n')[0]})`]);
        record(
          `web: the quick fixes on the expired certificate in ${lensFile.path}`,
          fixes.some((f) => /Snooze this certificate for 7 days/.test(f))
            ? []
            : [`quick fixes: ${JSON.stringify(fixes)}; expected "Snooze this certificate for 7 days"`],
          fixes.join(' | '),
        );

        // The status bar item counts the expired certificates (its text as the README shows it).
        const expiredCount = new Set(manifest.files.flatMap((f) => f.certificates.filter((c) => c.daysLeft < 0).map((c) => c.cn))).size;
        const status = await page.evaluate(
          () => [...document.querySelectorAll('.statusbar-item')].map((i) => i.textContent ?? '').find((t) => /expired/.test(t)) ?? '',
        );
        record(
          'web: the status bar counts the expired certificates',
          new RegExp(`\\b${expiredCount} expired\\b`).test(status) ? [] : [`status bar: "${status}"; expected "${expiredCount} expired"`],
          status,
        );

        // Export Report → JSON → the save dialog's proposed path: written through workspace.fs.
        const reportFile = path.join(manifest.workspace, 'certlens-report.json');
        await palette(page, 'CertLens: Export Report', 'JSON');
        await page.waitForTimeout(1500);
        await page.keyboard.press('Enter');
        let report;
        for (const deadline = Date.now() + 20_000; !report && Date.now() < deadline; await page.waitForTimeout(500))
          if (fs.existsSync(reportFile)) report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
        const certs = report?.certificates?.length;
        record(
          'web: Export Report (JSON) writes the report through workspace.fs with every certificate',
          certs === manifest.certificateCount
            ? []
            : [`${report ? `${certs} certificates in the report` : 'no report written'}; expected ${manifest.certificateCount}`],
          `${certs} certificates`,
        );
        fs.rmSync(reportFile, { force: true });

        const wt = await walkthroughSteps(page, titles);
        const wtProblems = [];
        if (!wt.steps.includes(titles.expirations))
          wtProblems.push(`the walkthrough did not show "${titles.expirations}" (steps: ${JSON.stringify(wt.steps)})`);
        if (wt.steps.includes(titles.host)) wtProblems.push(`"${titles.host}" is shown on the web`);
        record(`web: the walkthrough opens, without "${titles.host}"`, wtProblems, wt.steps.join(' | '));
        return [];
      },
    );

    // The Node entry: the host step follows workspace trust.
    for (const trusted of [false, true]) {
      const steps = [];
      const problems = await withWorkbench(
        { workspace: manifest.workspace, trusted, extensionDevelopmentPath: root, log },
        async (page) => {
          if (!trusted) {
            const no = page.getByRole('button', { name: /No, I don't trust/ });
            await no.click({ timeout: 15_000 }).catch(() => log('no workspace trust dialog to answer'));
          }
          // The walkthrough is listed once the extension's contributions are: its view container is there.
          await page.waitForSelector('.part.activitybar li.action-item[aria-label^="CertLens"]', { timeout: 30_000 });
          steps.push(...(await walkthroughSteps(page, titles)).steps);
          if (!steps.includes(titles.expirations))
            return [`the walkthrough did not show "${titles.expirations}" (steps: ${JSON.stringify(steps)})`];
          if (steps.includes(titles.host) !== trusted)
            return [`"${titles.host}" is ${trusted ? 'missing' : 'shown'} (steps: ${JSON.stringify(steps)})`];
          return [];
        },
      );
      record(
        `desktop, ${trusted ? 'trusted' : 'Restricted Mode'}: the walkthrough ${trusted ? 'shows' : 'hides'} "${titles.host}"`,
        problems,
        steps.join(' | '),
      );
    }
  })();
  const outcome = await Promise.race([
    work.then(
      () => 'done',
      (e) => e,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
  if (outcome === 'timeout') results.push({ name: WEB_CHECK_NAME, ok: false, summary: `no result within ${timeoutMs / 1000}s` });
  else if (outcome !== 'done')
    results.push({ name: WEB_CHECK_NAME, ok: false, summary: outcome instanceof Error ? outcome.message : String(outcome) });
  log(`${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { results };
}
