#!/usr/bin/env node
// Summarises a .cpuprofile: top functions by self time, and the longest stretch without an idle
// sample (what blocks the event loop) with the functions it spent its time in.
//   node bench/profile-summary.mjs bench/extension-scan.cpuprofile
import fs from 'node:fs';

const profile = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber + 1}`;
const idle = (n) => n.callFrame.functionName === '(idle)';
const self = new Map();
let t = profile.startTime;
let runStart = t;
let run = [];
let longest = { ms: 0, samples: [] };
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i];
  const n = nodes.get(id);
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  self.set(name(n), (self.get(name(n)) ?? 0) + dt);
  if (idle(n)) {
    const ms = (t - runStart) / 1000;
    if (ms > longest.ms) longest = { ms, samples: run };
    run = [];
    runStart = t;
  } else {
    run.push([n, dt]);
  }
});
const top = (entries, k) =>
  [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([f, ms]) => `  ${ms.toFixed(1).padStart(8)} ms  ${f}`)
    .join('\n');
console.log(`total ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms; top self time:\n${top(self, 15)}`);
const inRun = new Map();
for (const [n, dt] of longest.samples) inRun.set(name(n), (inRun.get(name(n)) ?? 0) + dt);
console.log(`\nlongest busy stretch: ${longest.ms.toFixed(1)} ms; self time in it:\n${top(inRun, 10)}`);
