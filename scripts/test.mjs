#!/usr/bin/env node
// `npm test`: setup, then type-check, lint (ESLint, the layering rule, the formatter), build, unit tests (mocha),
// integration tests (real VS Code, plus UI checks in Chromium: the rendered tree, and the web extension in
// the web-worker extension host), in that order.
// Setup installs what is missing, so this works right after `git clone`: Debian packages
// (chromium, ripgrep, libkrb5-dev, openssl), `npm ci` when node_modules is missing or older than
// package-lock.json; the integration runner installs the offline VS Code host when it needs it.
// Stops at the first failing tier (--keep-going runs the rest anyway). Ends with the line
// `N passed, N failed` (tests of both tiers; a tier that fails without test counts, such as the
// type-check or the lint, counts as one failure) and exits non-zero if anything failed.
//
// Only node: built-ins and scripts/lib/bootstrap.mjs (dependency-free) may be imported statically
// here: npm runs this before node_modules exists. Tools from node_modules run as child processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrap } from './lib/bootstrap.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keepGoing = process.argv.includes('--keep-going');

process.stdout.write(`\n=== Setup ${'='.repeat(68)}\n`);
try {
  const started = Date.now();
  bootstrap({ system: true, deps: true });
  process.stdout.write(`--- Setup: ok (system packages and node_modules in place), ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
} catch (e) {
  process.stdout.write(`--- Setup: FAILED: ${e instanceof Error ? e.message : e}\n`);
  process.stdout.write('\n=== Summary ' + '='.repeat(66) + '\n');
  process.stdout.write('FAILED  Setup (nothing else ran)\n0 passed, 1 failed\n');
  process.exit(1);
}
const bin = (rel) => path.join(root, 'node_modules', rel);

function header(n, title) {
  const line = `=== [${n}/${tiers.length}] ${title} `;
  process.stdout.write(`\n${line}${'='.repeat(Math.max(3, 78 - line.length))}\n`);
}

/** Runs node with args; output goes to our stdout/stderr and is also returned. */
function runNode(args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    });
    let out = '';
    if (capture) {
      child.stdout.on('data', (d) => {
        out += d;
        process.stdout.write(d);
      });
      child.stderr.on('data', (d) => {
        out += d;
        process.stderr.write(d);
      });
    }
    child.on('error', (e) => {
      out += String(e);
      resolve({ code: 1, out });
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

const stripAnsi = (s) => s.replace(new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g'), '');

const results = []; // { tier, ok, passed, failed, seconds, note }
let passed = 0;
let failed = 0;

async function tier(n, title, fn) {
  header(n, title);
  const started = Date.now();
  const r = await fn();
  const seconds = (Date.now() - started) / 1000;
  passed += r.passed ?? 0;
  failed += r.failed ?? 0;
  results.push({ title, seconds, ...r });
  process.stdout.write(`--- ${title}: ${r.ok ? 'ok' : 'FAILED'}${r.note ? ` (${r.note})` : ''}, ${seconds.toFixed(1)}s\n`);
  return r.ok;
}

const tiers = [
  () =>
    tier(1, 'Type-check: tsc --noEmit -p .', async () => {
      const { code } = await runNode([bin('typescript/bin/tsc'), '--noEmit', '-p', '.']);
      return code === 0 ? { ok: true } : { ok: false, failed: 1, note: 'type errors' };
    }),
  () =>
    tier(2, 'Lint: eslint (type-aware), the layering rule (dependency-cruiser), the formatter (prettier --check)', async () => {
      const checks = [
        ['eslint', [bin('eslint/bin/eslint.js'), '.']],
        ['layering', [bin('dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', '.dependency-cruiser.cjs']],
        ['formatting', [bin('prettier/bin/prettier.cjs'), '--check', '.']],
      ];
      const failedChecks = [];
      for (const [name, args] of checks) if ((await runNode(args)).code !== 0) failedChecks.push(name);
      return failedChecks.length ? { ok: false, failed: failedChecks.length, note: `${failedChecks.join(', ')} failed` } : { ok: true };
    }),
  () =>
    tier(3, 'Build: node esbuild.js --tests (fresh out/)', async () => {
      fs.rmSync(path.join(root, 'out'), { recursive: true, force: true }); // no stale tests from deleted sources
      const { code } = await runNode(['esbuild.js', '--tests']);
      return code === 0 ? { ok: true } : { ok: false, failed: 1, note: 'build failed' };
    }),
  () =>
    tier(4, 'Unit tests: mocha (out/test/unit)', async () => {
      const args = [bin('mocha/bin/mocha.js'), '--config', '.mocharc.json', '--reporter', 'spec'];
      if (process.stdout.isTTY) args.push('--color');
      const { code, out } = await runNode(args, { capture: true });
      const text = stripAnsi(out);
      const count = (word) => Number(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'm').exec(text)?.[1] ?? 0);
      const p = count('passing');
      let f = count('failing');
      if (code !== 0 && f === 0) f = 1; // mocha failed without running tests (e.g. a load error)
      return { ok: code === 0 && f === 0, passed: p, failed: f, note: `${p} passed, ${f} failed` };
    }),
  () =>
    tier(5, 'Integration tests: real VS Code, then UI and web checks in Chromium (scripts/run-integration.mjs --all)', async () => {
      const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-test-')), 'integration.json');
      const { code } = await runNode(['scripts/run-integration.mjs', '--all', '--json', json]);
      let r;
      try {
        r = JSON.parse(fs.readFileSync(json, 'utf8'));
      } catch {
        r = { passes: 0, failures: 0 };
      }
      fs.rmSync(path.dirname(json), { recursive: true, force: true });
      const f = code !== 0 && r.failures === 0 ? 1 : r.failures;
      const host = r.host ? `${r.host} host, VS Code ${r.vscodeVersion ?? '?'}` : 'no host';
      const skipped = r.skipped?.length ? `, ${r.skipped.length} skipped (${r.skipped.join('; ')})` : '';
      return { ok: code === 0 && f === 0, passed: r.passes, failed: f, note: `${r.passes} passed, ${f} failed${skipped}, ${host}` };
    }),
];

let stoppedAt = -1;
for (let i = 0; i < tiers.length; i++) {
  const ok = await tiers[i]();
  if (!ok && !keepGoing) {
    stoppedAt = i + 1;
    break;
  }
}

process.stdout.write('\n=== Summary ' + '='.repeat(66) + '\n');
for (const r of results)
  process.stdout.write(`${r.ok ? 'ok    ' : 'FAILED'}  ${r.title}${r.note ? ` — ${r.note}` : ''} (${r.seconds.toFixed(1)}s)\n`);
if (stoppedAt > 0 && stoppedAt < tiers.length)
  process.stdout.write(`(stopped after tier ${stoppedAt}; later tiers not run — use --keep-going to run them anyway)\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || results.some((r) => !r.ok) ? 1 : 0);
