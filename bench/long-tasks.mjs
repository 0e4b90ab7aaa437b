#!/usr/bin/env node
// Names what ran in the longest event-loop gaps of the extension-host benchmark: each gap recorded
// by host.bench.ts (bench/results.json host.longTasks) is laid over the CPU profile of the same scan.
//   node bench/long-tasks.mjs [bench/extension-scan.cpuprofile] [bench/results.json]
import fs from 'node:fs';

const profile = JSON.parse(fs.readFileSync(process.argv[2] ?? 'bench/extension-scan.cpuprofile', 'utf8'));
const tasks = JSON.parse(fs.readFileSync(process.argv[3] ?? 'bench/results.json', 'utf8')).host?.worstRunLongTasks ?? [];
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
const samples = [];
let t = profile.startTime;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i];
  samples.push({ t, id, dt: (profile.timeDeltas[i + 1] ?? 0) / 1000 });
});
for (const task of tasks) {
  const inside = samples.filter((s) => s.t >= task.startUs && s.t <= task.startUs + task.ms * 1000);
  const self = new Map();
  const ours = new Map();
  for (const s of inside) {
    const n = nodes.get(s.id);
    self.set(name(n), (self.get(name(n)) ?? 0) + s.dt);
    // The innermost CertLens frame (dist/extension.js) on the stack, or the outermost frame.
    let mine;
    let outer = n;
    for (let x = s.id; x !== undefined; x = parent.get(x)) {
      const f = nodes.get(x);
      if (!mine && /\/dist\/extension\.js$/.test(f.callFrame.url)) mine = f;
      if (f.callFrame.functionName !== '(root)') outer = f;
    }
    const key = mine ? `CertLens ${name(mine)}` : `other ${name(outer)}`;
    ours.set(key, (ours.get(key) ?? 0) + s.dt);
  }
  const top = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([f, ms]) => `${f} ${ms.toFixed(1)}`)
      .join(' | ');
  console.log(`\n${task.ms} ms gap (${inside.length} samples)\n  by code: ${top(ours)}\n  self:    ${top(self)}`);
}
