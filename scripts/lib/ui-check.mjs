/* global document -- page.evaluate callbacks run in the page */
// UI check of the integration tier: the Expirations tree as a user sees it. Opens the offline
// workbench (code-server + headless Chromium) on a fixture workspace, trusted, with the extension
// loaded the way the demo loads it (payload with extensionDevelopmentPath only, no test runner
// inside VS Code), opens the CertLens view container, and reads the rendered rows from the DOM.
// Expected values come from the fixture manifest (scripts/make-workspace.mjs), never from the
// extension's code: the urgency bands are the documented defaults of the certlens.*Days settings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPage, startServer } from './code-server.mjs';

export const UI_CHECK_NAME = 'UI check (Chromium): rendered Expirations tree matches the fixture manifest';
/** The name CERTLENS_TEST_GREP is matched against, like a test file path. */
export const UI_CHECK_GREP_NAME = 'ui/expirations-tree';

// Documented defaults: certlens.criticalDays 7, warningDays 30, infoDays 90 (README, package.json).
const CRITICAL_DAYS = 7;
const WARNING_DAYS = 30;
const INFO_DAYS = 90;

/** The urgency groups the tree must show, in order, with the CNs the manifest puts in each. */
export function expectedGroups(manifest) {
  const certs = manifest.files.flatMap((f) => f.certificates);
  const bands = [
    ['Expired', (d) => d < 0],
    ['Within critical days', (d) => d >= 0 && d <= CRITICAL_DAYS],
    ['Within warning days', (d) => d > CRITICAL_DAYS && d <= WARNING_DAYS],
    ['Within info days', (d) => d > WARNING_DAYS && d <= INFO_DAYS],
    ['Later', (d) => d > INFO_DAYS],
  ];
  return bands
    .map(([label, inBand]) => ({ label, cns: [...new Set(certs.filter((c) => inBand(c.daysLeft)).map((c) => c.cn))].sort() }))
    .filter((g) => g.cns.length > 0);
}

export const VIEWLET = '[id="workbench.view.extension.certlens"]';

/** Opens the CertLens view container: activity bar item first, F1 → "View: Show CertLens" as fallback. */
export async function openCertLensView(page, log = () => {}) {
  const item = page.locator('.part.activitybar li.action-item[aria-label^="CertLens"]').first();
  try {
    await item.waitFor({ timeout: 30_000 });
    await item.click(); // the whole item: the badge sits over the icon
    await page.waitForSelector(VIEWLET, { timeout: 10_000 });
    return 'activity bar item "CertLens"';
  } catch (e) {
    log(`activity bar item did not open the view (${String(e?.message ?? e).split('\n')[0]}); trying F1 → View: Show CertLens`);
  }
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type('View: Show CertLens');
  await page.waitForTimeout(800);
  await page.keyboard.press('Enter');
  await page.waitForSelector(VIEWLET, { timeout: 15_000 });
  return 'F1 → View: Show CertLens';
}

/** Rows of the "Expirations" pane as rendered: label, description, tree level, expanded state. */
export async function readRows(page) {
  return page.evaluate((viewlet) => {
    const panes = [...document.querySelectorAll(`${viewlet} .pane`)];
    const pane = panes.find((p) => /expirations/i.test(p.querySelector('.pane-header')?.textContent ?? ''));
    if (!pane) return { pane: false, rows: [] };
    const rows = [...pane.querySelectorAll('.pane-body .monaco-list-row')]
      .map((r) => ({
        index: Number(r.getAttribute('data-index')),
        level: Number(r.getAttribute('aria-level')),
        expanded: r.getAttribute('aria-expanded'),
        ariaLabel: r.getAttribute('aria-label') ?? '',
        label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
        description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
      }))
      .sort((a, b) => a.index - b.index);
    return { pane: true, rows };
  }, VIEWLET);
}

/** Groups (level-1 rows) with the labels of the level-2 rows under each. */
export function groupRows(rows) {
  const groups = [];
  for (const r of rows) {
    if (r.level === 1) groups.push({ label: r.label, expanded: r.expanded === 'true', children: [] });
    else if (r.level === 2 && groups.length) groups[groups.length - 1].children.push(r.label);
  }
  return groups;
}

/** Problems with what is rendered, compared with the manifest; empty when it all matches. */
export function compare(groups, expected) {
  const problems = [];
  const shown = groups.map((g) => g.label);
  const wanted = expected.map((g) => g.label);
  if (JSON.stringify(shown) !== JSON.stringify(wanted)) {
    problems.push(`groups in the tree: [${shown.join(', ')}]; expected from the manifest: [${wanted.join(', ')}]`);
  }
  const expired = expected.find((g) => g.label === 'Expired');
  const expiredGroup = groups.find((g) => g.label === 'Expired');
  if (expired) {
    const missing = expired.cns.filter((cn) => !expiredGroup?.children.includes(cn));
    if (missing.length)
      problems.push(
        `expired certificate(s) not shown under 'Expired': ${missing.join(', ')} (rows there: [${expiredGroup?.children.join(', ') ?? 'no Expired group'}])`,
      );
  }
  // Every group the extension shows expanded must list exactly the manifest's certificates for it.
  for (const g of groups) {
    const want = expected.find((e) => e.label === g.label);
    if (!want || !g.expanded) continue;
    const got = [...new Set(g.children)].sort();
    if (JSON.stringify(got) !== JSON.stringify(want.cns))
      problems.push(`'${g.label}' lists [${got.join(', ')}]; expected [${want.cns.join(', ')}]`);
  }
  return problems;
}

/**
 * Runs the check. Resolves with { ok, summary, details }; never throws (a crash is a failure).
 * manifest: as returned by makeWorkspace (the workspace path is manifest.workspace).
 */
export async function runTreeUiCheck({ root, manifest, timeoutMs = 120_000, log = () => {} }) {
  const expected = expectedGroups(manifest);
  let server;
  let opened;
  let last = { pane: false, rows: [] };
  const started = Date.now();
  try {
    const work = (async () => {
      server = await startServer({ workspace: manifest.workspace, trusted: true });
      opened = await openPage(server, { extensionDevelopmentPath: root });
      const { page } = opened;
      await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 60_000 });
      const how = await openCertLensView(page, log);
      log(`opened the CertLens view via ${how}`);
      // The tree fills when the workspace scan ends: wait for rows that match, or settle on what is shown.
      const settle = async () => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          last = await readRows(page);
          const problems = last.rows.length ? compare(groupRows(last.rows), expected) : ['the Expirations tree shows no rows'];
          if (!last.pane) problems.unshift('no "Expirations" pane in the CertLens view container');
          if (problems.length === 0 || Date.now() > deadline) return problems;
          await page.waitForTimeout(500);
        }
      };
      const first = await settle();
      // Once seen on a loaded machine: every group expanded with its count, no child row drawn (the
      // workbench's list left unpainted). The view is opened once more and must then be right; a tree
      // the extension fills wrongly fails both times. The log says when this happened.
      if (first.length === 0 || !last.rows.some((r) => r.level === 1) || last.rows.some((r) => r.level === 2)) return first;
      log(`the tree drew groups without their rows (${first[0]}); reloading the window and opening the view again`);
      await page.reload();
      await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 60_000 });
      await openCertLensView(page, log);
      return settle();
    })();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    const problems = await Promise.race([work, timeout]).finally(() => clearTimeout(timer));
    const groups = groupRows(last.rows);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (problems.length === 0) {
      const expired = groups.find((g) => g.label === 'Expired');
      return {
        ok: true,
        summary: `groups ${groups.map((g) => `'${g.label}'`).join(' > ')}; under 'Expired': ${expired ? expired.children.join(', ') : '(no expired certificates in the manifest)'} (${seconds}s)`,
      };
    }
    const shot = path.join(os.tmpdir(), 'certlens-ui-check-failure.png');
    fs.rmSync(shot, { force: true });
    await opened?.page.screenshot({ path: shot }).catch(() => {});
    return {
      ok: false,
      summary: problems[0],
      details: [
        ...problems.slice(1),
        `rendered rows: ${JSON.stringify(last.rows.map((r) => `${'  '.repeat(Math.max(r.level - 1, 0))}${r.label}`))}`,
        ...(fs.existsSync(shot) ? [`screenshot of the workbench: ${shot}`] : []),
      ],
    };
  } catch (e) {
    return {
      ok: false,
      summary: e instanceof Error ? e.message.split('\n')[0] : String(e),
      details: server ? [`code-server log (tail):\n${server.logTail(20)}`] : [],
    };
  } finally {
    await opened?.close().catch(() => {});
    await server?.stop().catch(() => {});
  }
}
