// Where a CLI scan's work goes, stage by stage, on one thread: the walk, reading and sniffing every
// file (what the Node floor does too), parsing the files that may hold certificates, making their
// report fragments, and writing the report. Each stage runs over the whole tree before the next, so
// its time (CPU of the whole process, background compilation and garbage collection included) is
// its own. Bundled and run by bench/run.mjs:  node scan-stages.js TREE REPORT_FILE
import * as fs from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { mayHoldCertificates } from '../src/core/formats/parse-file';
import type { FileResult } from '../src/core/model';
import { type FragmentSpec, packTexts, type ReportFragment, reportFragment, TextBlocks, writeJsonReport } from '../src/core/report/stream';
import { DEFAULT_RULES } from '../src/core/rules/rules';
import { readScratchSync, walkSync } from '../src/core/scan/files';
import { DEFAULT_EXCLUDES } from '../src/core/scan/filters';
import { ParseMemo } from '../src/core/scan/memo';
import { resultFor } from '../src/core/scan/pipeline';

// As the CLI sets it (src/cli/main.ts).
setFlagsFromString('--interrupt-budget=1000000');

async function main(): Promise<void> {
  const [dir, reportFile] = process.argv.slice(2);
  const stages: Record<string, { cpuMs: number; ms: number }> = {};
  let cpu = process.cpuUsage();
  let wall = performance.now();
  const stage = (name: string) => {
    const used = process.cpuUsage(cpu);
    stages[name] = { cpuMs: Math.round((used.user + used.system) / 1000), ms: Math.round(performance.now() - wall) };
    cpu = process.cpuUsage();
    wall = performance.now();
  };
  const maxSize = 5 * 1024 * 1024;
  const files = [...walkSync(dir, { exclude: DEFAULT_EXCLUDES })];
  stage('walk');
  const candidates: [string, Uint8Array][] = [];
  for (const file of files) {
    const read = readScratchSync(file, maxSize, true);
    if (read instanceof Uint8Array && mayHoldCertificates(file, read)) candidates.push([file, new Uint8Array(read)]);
  }
  stage('readAndSniff');
  const memo = new ParseMemo({ repeatedOnly: true });
  const blockCache = new Map();
  const results: FileResult[] = [];
  for (const [file, bytes] of candidates) {
    const result = await resultFor(file, bytes, maxSize, { blockCache, memo }, () => Promise.resolve('gone'));
    if (result) results.push(result);
  }
  stage('parse');
  const spec: FragmentSpec = {
    now: Date.now(),
    rules: DEFAULT_RULES,
    contextGlobs: {},
    folders: [dir],
    cwd: process.cwd(),
    policy: 'hint',
    ownerRoots: [dir],
  };
  const texts = new TextBlocks();
  const fragments: ReportFragment[] = [];
  for (const r of results) {
    const fragment = reportFragment(r, spec);
    if (fragment) {
      packTexts([fragment], texts);
      fragments.push(fragment);
    }
  }
  stage('reportFragments');
  const fd = fs.openSync(reportFile, 'w');
  await writeJsonReport(fragments, { files: files.length, ms: 0 }, spec, (chunk) => {
    for (let off = 0; off < chunk.length;) off += fs.writeSync(fd, chunk, off);
  });
  fs.closeSync(fd);
  stage('writeReport');
  process.stdout.write(JSON.stringify({ files: files.length, candidates: candidates.length, stages }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`scan-stages: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
