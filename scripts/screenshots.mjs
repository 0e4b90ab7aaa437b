#!/usr/bin/env node
// `npm run screenshots`: regenerates the README pictures in media/screenshots/ from the real thing
// (the demo workspace in the offline VS Code host, headless Chromium, dark theme), one
// `npm run demo -- --screenshot` run each. Fails when a picture could not be set up or is over the
// size budget.
//
// The walkthrough's pictures (media/walkthrough/, packaged in the vsix) are smaller: --walkthrough.
//
//   node scripts/screenshots.mjs [--out DIR] [--only overview,problems,hover]
//   node scripts/screenshots.mjs --walkthrough [--out DIR] [--only expirations,finding,host,ci]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrap } from './lib/bootstrap.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stdout.write(`[screenshots] ${msg}\n`);

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const walkthrough = args.includes('--walkthrough');

// `show` is the demo's --show; the README's pictures are named after it, the walkthrough's after its steps.
const SHOTS = walkthrough
  ? [
      { name: 'expirations', show: 'overview', what: 'walkthrough: the Expirations tree, CodeLens, status bar' },
      { name: 'finding', show: 'problems', what: 'walkthrough: the Problems panel listing CertLens findings' },
      { name: 'host', show: 'host', what: 'walkthrough: Check Host asking for a host, over the config naming one' },
      { name: 'ci', show: 'workflow', what: 'walkthrough: the proposed GitHub Actions workflow' },
    ]
  : [
      { name: 'overview', show: 'overview', what: 'Expirations tree, a bundle open with CodeLens and squiggles, status bar' },
      { name: 'problems', show: 'problems', what: 'Problems panel listing CertLens diagnostics' },
      { name: 'hover', show: 'hover', what: 'hover table over a certificate in a bundle' },
    ];
// The walkthrough shows its picture beside the steps, at about half the editor's width; the vsix carries it.
const SIZE = walkthrough ? '1024x640' : '1280x800';
const THEME = 'dark';
const MAX_BYTES = (walkthrough ? 200 : 250) * 1024;

const outDir = path.resolve(root, option('--out') ?? (walkthrough ? 'media/walkthrough' : 'media/screenshots'));
const only = option('--only')?.split(',');
const shots = only ? SHOTS.filter((s) => only.includes(s.name)) : SHOTS;
if (only && shots.length !== only.length) {
  console.error(`[screenshots] --only takes a comma-separated list of ${SHOTS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

try {
  bootstrap({ system: true, deps: true, host: true, say });
} catch (e) {
  console.error(`[screenshots] setup failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
const problems = [];
for (const shot of shots) {
  const file = path.join(outDir, `${shot.name}.png`);
  say(`${shot.name}.png: ${shot.what}`);
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'scripts', 'demo.mjs'), '--screenshot', file, '--show', shot.show, '--size', SIZE, '--theme', THEME],
    { cwd: root, stdio: 'inherit' },
  );
  if (r.status !== 0) {
    problems.push(`${shot.name}: the demo run failed (exit ${r.status ?? r.signal})`);
    continue;
  }
  const bytes = fs.statSync(file).size;
  if (bytes > MAX_BYTES) problems.push(`${shot.name}.png is ${Math.round(bytes / 1024)} KB, over the ${MAX_BYTES / 1024} KB budget`);
}

for (const shot of shots) {
  const file = path.join(outDir, `${shot.name}.png`);
  if (fs.existsSync(file)) say(`  ${path.relative(root, file)}  ${Math.round(fs.statSync(file).size / 1024)} KB`);
}
if (problems.length) {
  for (const p of problems) say(`FAILED: ${p}`);
  process.exit(1);
}
say(`done: ${shots.length} screenshots in ${path.relative(root, outDir) || outDir}; look at them before committing`);
