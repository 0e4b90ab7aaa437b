#!/usr/bin/env node
// CertLens benchmarks. Prints figures and writes bench/results.json (and bench/growth.svg).
//   npm run bench -- [--files 20000] [--runs 5] [--host-runs 3] [--startup-runs 2] [--settle-ms 5000] [--edit-gap-ms 1000] [--seed 1] [--growth 1000,5000,20000,50000] [--skip scan,openssl,pkcs12,throughput,probe,growth,host,web]
//                    [--p12-files 405] [--p12-dir DIR]   (password-protected PKCS#12: generated, or the .p12 files of DIR such as PKITS's)
//                    [--baseline-cli PATH --baseline-label TEXT]   (another build's cli.js, timed in the same scan rounds)
// Every figure is a median of --runs runs, beside baselines measured in the same run.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { generateTree } from './generate.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  // The options are this file's header comment.
  const header = fs
    .readFileSync(fileURLToPath(import.meta.url), 'utf8')
    .split('\n')
    .slice(1);
  const comment = header.slice(
    0,
    header.findIndex((l) => !l.startsWith('//')),
  );
  process.stdout.write(comment.map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(0);
}
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const files = Number(opt('files', 20000));
const runs = Number(opt('runs', 5));
const seed = Number(opt('seed', 1));
const growthSizes = opt('growth', '1000,5000,20000,50000').split(',').map(Number);
const skip = new Set(opt('skip', '').split(',').filter(Boolean));
const cli = path.join(root, 'dist', 'cli.js');
// The generated PKCS#12 set (section 6), by share of files: [kind, share, password, openssl pkcs12 -export options].
const LEGACY_3DES = ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'];
const P12_KINDS = [
  ['3des, unknown password', 12, 'pkits-like password', LEGACY_3DES],
  ['rc2, unknown password', 2, 'pkits-like password', ['-legacy']],
  ['pbes2, unknown password', 3, 'pkits-like password', []],
  ['3des, empty password', 1, '', LEGACY_3DES],
  ['pbes2, empty password', 1, '', []],
  ['3des, changeit', 1, 'changeit', LEGACY_3DES],
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
function timeCommand(cmd, argv, { input } = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const medianOf = (n, fn) => median(Array.from({ length: n }, fn));
const say = (s) => console.log(s);

const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, memGiB: round(os.totalmem() / 2 ** 30) },
  runs,
};
// Written after every section, so a failure late in a run keeps what was measured before it.
// Sections skipped this time keep their figures from the previous run (marked with its date).
const resultsFile = path.join(root, 'bench', 'results.json');
const previous = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : {};
function saveResults() {
  const out = { ...results };
  for (const key of ['scan', 'pkcs12', 'throughput', 'probe', 'growth', 'host']) {
    if (out[key] !== undefined || previous[key] === undefined) continue;
    out[key] = Array.isArray(previous[key]) ? previous[key] : { ...previous[key], fromRun: previous[key].fromRun ?? previous.date };
  }
  fs.writeFileSync(resultsFile, JSON.stringify(out, null, 2) + '\n');
}

function scanTree(n) {
  const dir = path.join(os.tmpdir(), `certlens-bench-${n}-s${seed}`);
  // What the editor-host section adds to the tree while it runs (removed at its end, but not when
  // the process is killed mid-way): the scan rows must count the generated files only.
  for (const extra of ['bench-edit', '.vscode']) fs.rmSync(path.join(dir, extra), { recursive: true, force: true });
  const t = Date.now();
  const info = generateTree(dir, { files: n, seed });
  if (Date.now() - t > 1000) say(`generated ${n} files in ${round((Date.now() - t) / 1000)} s`);
  return info;
}

// The floor for any Node program: walk, read every file and search the two markers, nothing else,
// on one thread and on two (this thread and a worker taking every other file), whole process.
const FLOOR_SCRIPT = `const fs=require('fs'),{Worker,isMainThread,parentPort,workerData}=require('worker_threads');
const m1=Buffer.from('-----BEGIN '),m2=Buffer.from('LS0tLS1CRUdJTi');
function walk(d,out){for(const e of fs.readdirSync(d,{withFileTypes:true})){const p=d+'/'+e.name;if(e.isDirectory()){if(e.name!=='node_modules')walk(p,out)}else if(e.isFile())out.push(p)}return out}
function scan(files){let hits=0;for(const f of files){const b=fs.readFileSync(f);if(b.indexOf(m1)!==-1||b.indexOf(m2)!==-1)hits++}return hits}
if(!isMainThread){parentPort.postMessage(scan(workerData))}else{const files=walk(process.argv[2],[]);
if(process.argv[3]==='2'){const w=new Worker(__filename,{workerData:files.filter((_,i)=>i%2)});const h=scan(files.filter((_,i)=>!(i%2)));w.once('message',(m)=>{h+m;w.terminate()})}else scan(files)}`;
const floorFile = path.join(os.tmpdir(), `certlens-floor-${process.pid}.js`);
fs.writeFileSync(floorFile, FLOOR_SCRIPT);
process.on('exit', () => fs.rmSync(floorFile, { force: true }));

// 1. Whole-tree scan against ripgrep, a bare Node read loop and the openssl loop. Each round runs
//    every contender once, in turn (in reverse order every other round, so that none always runs
//    first or after the same one), so that load from elsewhere on the machine falls on all alike;
//    figures are medians over the rounds. A baseline build is also compared round by round: the
//    median of the per-round differences moves far less than the difference of two medians. CPU
//    time (user + system, all threads) is taken with /usr/bin/time where it exists: on a busy
//    machine it moves less than the wall clock.
const tree = scanTree(files);
if (!skip.has('scan')) {
  say(
    `\n== Scan of ${files} files (${tree.certificateFiles} certificate files, ${tree.certificates} certificates), median of ${runs} rounds ==`,
  );
  const rgArgs = ['-l', '-g', '!node_modules', '--', '-----BEGIN', tree.dir];
  timeCommand('rg', rgArgs); // warm the page cache
  const reportFile = path.join(os.tmpdir(), `certlens-bench-report-${process.pid}.json`);
  process.on('exit', () => ['', '.baseline', '.sniff'].forEach((suffix) => fs.rmSync(reportFile + suffix, { force: true })));
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  /** Wall clock of one run, and its CPU time when /usr/bin/time can say. */
  function timeRun(cmd, argv, env) {
    const t = process.hrtime.bigint();
    const r = timeBin
      ? spawnSync(timeBin, ['-f', 'CERTLENS-CPU %U %S', cmd, ...argv], { maxBuffer: 1 << 30, env })
      : spawnSync(cmd, argv, { maxBuffer: 1 << 30, env });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    const cpu = /CERTLENS-CPU ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
    return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined };
  }
  const baselineCli = opt('baseline-cli');
  const contenders = {
    certlens: () => timeRun(process.execPath, [cli, 'scan', tree.dir, '--format', 'json', '--output', reportFile, '--fail-on', 'never']),
    ...(baselineCli
      ? {
          baseline: () =>
            timeRun(process.execPath, [
              baselineCli,
              'scan',
              tree.dir,
              '--format',
              'json',
              '--output',
              `${reportFile}.baseline`,
              '--fail-on',
              'never',
            ]),
        }
      : {}),
    // The same CLI reading alone: walk, read and sniff every file on two threads, parse nothing.
    sniffOnly: () =>
      timeRun(process.execPath, [cli, 'scan', tree.dir, '--format', 'json', '--output', `${reportFile}.sniff`, '--fail-on', 'never'], {
        ...process.env,
        CERTLENS_BENCH_SNIFF_ONLY: '1',
      }),
    ripgrep: () => timeRun('rg', rgArgs),
    floor: () => timeRun(process.execPath, [floorFile, tree.dir, '1']),
    floor2: () => timeRun(process.execPath, [floorFile, tree.dir, '2']),
    nodeStart: () => timeRun(process.execPath, ['-e', '0']),
  };
  const rounds = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    const order = Object.entries(contenders);
    for (const [k, run] of i % 2 ? order.reverse() : order) rounds[k].push(run());
  }
  const wall = (k) => median(rounds[k].map((r) => r.ms));
  const cpu = (k) => (rounds[k].every((r) => r.cpuMs !== undefined) ? round(median(rounds[k].map((r) => r.cpuMs))) : undefined);
  const [certlensMs, rgMs, floorMs, floor2Ms, nodeStartMs] = ['certlens', 'ripgrep', 'floor', 'floor2', 'nodeStart'].map(wall);
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const loadAverage = os.loadavg().map((x) => round(x, 2));
  results.scan = {
    files,
    certificates: report.stats.certificates,
    reportBytes: fs.statSync(reportFile).size,
    certlensMs: round(certlensMs),
    ripgrepMs: round(rgMs),
    nodeReadFloorMs: round(floorMs),
    nodeReadFloor2ThreadsMs: round(floor2Ms),
    nodeStartMs: round(nodeStartMs),
    ratioToNodeFloor: round(certlensMs / floorMs, 2),
    ratioToNodeFloor2Threads: round(certlensMs / floor2Ms, 2),
    ratioToRipgrep: round(certlensMs / rgMs, 2),
    floor2ThreadsToRipgrep: round(floor2Ms / rgMs, 2),
    eachRunMs: Object.fromEntries(Object.entries(rounds).map(([k, list]) => [k, list.map((r) => round(r.ms))])),
    sniffOnlyMs: round(wall('sniffOnly')),
    sniffOnlyToNodeFloor: round(wall('sniffOnly') / floorMs, 2),
    cpuMs: {
      certlens: cpu('certlens'),
      sniffOnly: cpu('sniffOnly'),
      floor: cpu('floor'),
      floor2: cpu('floor2'),
      nodeStart: cpu('nodeStart'),
    },
    loadAverage,
  };
  if (baselineCli) {
    /** Per round, this build minus the baseline: the median difference and the rounds this build was lower. */
    const paired = (of) => {
      const d = rounds.certlens.map((r, i) => of(r) - of(rounds.baseline[i]));
      return d.some((x) => Number.isNaN(x)) ? undefined : { medianMs: round(median(d)), lowerInRounds: d.filter((x) => x < 0).length };
    };
    results.scan.baseline = {
      label: opt('baseline-label', path.basename(path.dirname(path.dirname(baselineCli)))),
      certlensMs: round(wall('baseline')),
      cpuMs: cpu('baseline'),
      ratioToNodeFloor: round(wall('baseline') / floorMs, 2),
      paired: { wall: paired((r) => r.ms), cpu: paired((r) => r.cpuMs ?? NaN) },
    };
  }
  // The same work on one thread, stage by stage (bench/scan-stages.ts): what the floor does (walk,
  // read and sniff) and what it does not (parse, report).
  const stagesJs = path.join(os.tmpdir(), `certlens-scan-stages-${process.pid}.js`);
  require('esbuild').buildSync({
    entryPoints: [path.join(root, 'bench', 'scan-stages.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    outfile: stagesJs,
    logLevel: 'warning',
  });
  process.on('exit', () => fs.rmSync(stagesJs, { force: true }));
  const stageRuns = Array.from(
    { length: runs },
    () => JSON.parse(execFileSync(process.execPath, [stagesJs, tree.dir, reportFile]).toString()).stages,
  );
  results.scan.oneThreadStagesCpuMs = Object.fromEntries(
    Object.keys(stageRuns[0]).map((k) => [k, round(median(stageRuns.map((r) => r[k].cpuMs)))]),
  );
  // Where the CLI's time goes: its phases (CERTLENS_TIMINGS) and a CPU profile of each thread.
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-cli-prof-'));
  const profiled = spawnSync(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', profileDir, cli, 'scan', tree.dir, '--format', 'json', '--output', reportFile, '--fail-on', 'never'],
    { env: { ...process.env, CERTLENS_TIMINGS: '1' } },
  );
  const phaseLines = profiled.stderr.toString().trim().split('\n');
  results.scan.phasesMs = Object.fromEntries(
    phaseLines
      .map((l) => /^(\S+)\s+(\d+) ms$/.exec(l.trim()))
      .filter(Boolean)
      .map(([, k, v]) => [k, Number(v)]),
  );
  results.scan.sharing = phaseLines.find((l) => l.startsWith('here '));
  for (const f of fs.readdirSync(profileDir).sort())
    fs.renameSync(
      path.join(profileDir, f),
      path.join(root, 'bench', /\.0\.\d+\.cpuprofile$/.test(f) ? 'cli-scan-main.cpuprofile' : 'cli-scan-worker.cpuprofile'),
    );
  fs.rmSync(profileDir, { recursive: true, force: true });
  const cpuNote = (k) => (results.scan.cpuMs[k] !== undefined ? `, CPU ${results.scan.cpuMs[k]} ms` : '');
  const s = results.scan;
  say(
    `certlens scan --format json --output FILE  ${round(certlensMs)} ms${cpuNote('certlens')}  (${s.certificates} certificates, ${round(s.reportBytes / 1e6)} MB of JSON)`,
  );
  say(`node read-all floor, 1 thread  ${round(floorMs)} ms${cpuNote('floor')}`);
  say(
    `  -> certlens / floor = ${s.ratioToNodeFloor}x (target <= 1.5x): ${s.ratioToNodeFloor <= 1.5 ? 'met' : 'MISSED'}; ripgrep finds the markers alone in ${round(rgMs)} ms (certlens / rg = ${s.ratioToRipgrep}x)`,
  );
  if (s.baseline) {
    say(
      `  baseline build (${s.baseline.label}), same rounds: ${s.baseline.certlensMs} ms${s.baseline.cpuMs !== undefined ? `, CPU ${s.baseline.cpuMs} ms` : ''} -> ${s.baseline.ratioToNodeFloor}x the floor`,
    );
    const { wall: w, cpu: c } = s.baseline.paired ?? {};
    if (w)
      say(
        `  round by round, this build minus the baseline: ${w.medianMs} ms median (lower in ${w.lowerInRounds} of ${runs} rounds)${c ? `, CPU ${c.medianMs} ms (lower in ${c.lowerInRounds})` : ''}`,
      );
  }
  say(
    `  of which reading: the same CLI parsing nothing (CERTLENS_BENCH_SNIFF_ONLY=1) ${s.sniffOnlyMs} ms${cpuNote('sniffOnly')} -> ${s.sniffOnlyToNodeFloor}x the floor; parsing, report fragments and writing add ${round(certlensMs - s.sniffOnlyMs)} ms`,
  );
  say(
    `node read-all floor, 2 threads ${round(floor2Ms)} ms${cpuNote('floor2')} -> certlens / this floor = ${s.ratioToNodeFloor2Threads}x; this floor alone is ${s.floor2ThreadsToRipgrep}x rg`,
  );
  say(`node -e 0 (start-up alone)     ${round(nodeStartMs)} ms${cpuNote('nodeStart')}`);
  say(
    `  phases of one profiled run (ms from process start): ${Object.entries(s.phasesMs)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}${s.sharing ? `; ${s.sharing}` : ''}; profiles in bench/cli-scan-{main,worker}.cpuprofile`,
  );
  say(
    `  the same work on one thread, CPU by stage (median of ${runs}): ${Object.entries(s.oneThreadStagesCpuMs)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} ms`,
  );
  say(`  load average during the rounds: ${loadAverage.join(', ')} (${os.cpus().length} CPUs)`);

  saveResults();
  if (!skip.has('openssl')) {
    // The manual way: one openssl call per certificate file (it reads PEM and DER; the rest would need more work).
    const certFiles = [...new Set(report.certificates.map((c) => c.file))];
    const one = (f) => spawnSync('openssl', ['x509', '-noout', '-enddate', '-in', f, ...(f.endsWith('.der') ? ['-inform', 'DER'] : [])]);
    const opensslRuns = Math.min(runs, 3);
    const opensslMs = medianOf(opensslRuns, () => {
      const t = process.hrtime.bigint();
      for (const f of certFiles) one(f);
      return Number(process.hrtime.bigint() - t) / 1e6;
    });
    results.scan.opensslLoop = { files: certFiles.length, ms: round(opensslMs), certlensSpeedup: round(opensslMs / certlensMs, 1) };
    say(
      `openssl x509 loop (${certFiles.length} certificate files)  ${round(opensslMs)} ms -> certlens is ${results.scan.opensslLoop.certlensSpeedup}x faster (target >= 50x)`,
    );
  }
}

// 6. Password-protected PKCS#12 files, as in NIST's PKITS set (405 of them, 3DES bags and a SHA-1 MAC
//    at 2048 iterations, password "password"): certlens scan of the folder against the manual way,
//    two `openssl pkcs12` calls per file (the empty password, then "changeit", the ones CertLens
//    tries), in alternating rounds as above. The files are made at bench time (kept in the temp folder
//    for the next run): mostly with a password CertLens does not know (the common case, and the one
//    that costs most), some with the empty password or "changeit", legacy 3DES and RC2 with SHA-1 MACs
//    and OpenSSL 3's PBES2 (AES, PBKDF2) with SHA-256 MACs. --p12-dir DIR times DIR's .p12 files instead.
saveResults();
if (!skip.has('pkcs12')) {
  const set = opt('p12-dir') ? pkcs12Dir(opt('p12-dir')) : await pkcs12Set(Number(opt('p12-files', 405)));
  say(`\n== ${set.files.length} password-protected PKCS#12 files (${set.label}), median of ${runs} rounds ==`);
  const reportFile = path.join(os.tmpdir(), `certlens-bench-p12-${process.pid}.json`);
  process.on('exit', () => fs.rmSync(reportFile, { force: true }));
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const certlensRun = () => {
    const t = process.hrtime.bigint();
    const argv = [cli, 'scan', set.dir, '--format', 'json', '--output', reportFile, '--fail-on', 'never'];
    const r = timeBin ? spawnSync(timeBin, ['-f', 'CERTLENS-CPU %U %S', process.execPath, ...argv]) : spawnSync(process.execPath, argv);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`certlens scan exited ${r.status}: ${r.stderr}`);
    const cpu = /CERTLENS-CPU ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
    return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined };
  };
  const opensslRun = () => {
    const t = process.hrtime.bigint();
    for (const f of set.files) {
      for (const pass of ['pass:', 'pass:changeit']) {
        spawnSync('openssl', ['pkcs12', '-in', f.path, '-noout', '-passin', pass, ...(f.legacy ? ['-legacy'] : [])]);
      }
    }
    return { ms: Number(process.hrtime.bigint() - t) / 1e6 };
  };
  const p12Rounds = { certlens: [], openssl: [] };
  certlensRun(); // warm the page cache and the CLI's bundle
  for (let i = 0; i < runs; i++) {
    const order = [
      ['certlens', certlensRun],
      ['openssl', opensslRun],
    ];
    for (const [k, run] of i % 2 ? order.reverse() : order) p12Rounds[k].push(run());
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const locked = report.findings.filter((f) => f.code === 'pkcs12-locked').length;
  const unreadable = report.findings.filter((f) => /^pkcs12-(invalid|wrong-password)$/.test(f.code)).length;
  if (set.expected && (locked !== set.expected.locked || report.stats.certificates !== set.expected.certificates || unreadable)) {
    const found = `${report.stats.certificates} certificates, ${locked} locked, ${unreadable} unreadable`;
    throw new Error(`PKCS#12 bench: expected ${JSON.stringify(set.expected)}, certlens found ${found}`);
  }
  // The same files parsed in this process, one thread, no start-up: the cost of PKCS#12 alone.
  const { parseFile } = require(path.join(root, 'out', 'bench', 'engine.js'));
  const contents = set.files.map((f) => [f.path, fs.readFileSync(f.path)]);
  const inProcessMs = medianOf(runs, () => {
    const t = process.hrtime.bigint();
    for (const [file, bytes] of contents) parseFile(file, bytes);
    return Number(process.hrtime.bigint() - t) / 1e6;
  });
  const wallOf = (k) => median(p12Rounds[k].map((r) => r.ms));
  const certlensMs = wallOf('certlens');
  const opensslMs = wallOf('openssl');
  const cpus = p12Rounds.certlens.map((r) => r.cpuMs);
  const n = set.files.length;
  results.pkcs12 = {
    files: n,
    source: set.label,
    kinds: set.kinds,
    certificates: report.stats.certificates,
    locked,
    certlensMs: round(certlensMs),
    certlensCpuMs: cpus.every((x) => x !== undefined) ? round(median(cpus)) : undefined,
    certlensMsPerFile: round(certlensMs / n, 2),
    inProcessMsPerFile: round(inProcessMs / n, 2),
    opensslLoopMs: round(opensslMs),
    opensslCalls: 2 * n,
    opensslMsPerFile: round(opensslMs / n, 2),
    opensslToCertlens: round(opensslMs / certlensMs, 1),
    eachRunMs: Object.fromEntries(Object.entries(p12Rounds).map(([k, list]) => [k, list.map((r) => round(r.ms))])),
    loadAverage: os.loadavg().map((x) => round(x, 2)),
  };
  const p = results.pkcs12;
  const met = p.certlensMsPerFile <= 3 && p.opensslToCertlens >= 3;
  const cpuText = p.certlensCpuMs !== undefined ? `, CPU ${p.certlensCpuMs} ms` : '';
  say(`certlens scan (whole process, start-up included)  ${p.certlensMs} ms${cpuText} = ${p.certlensMsPerFile} ms per file`);
  say(`  (${p.certificates} certificates from the files it could open, ${locked} locked)`);
  say(`the same files parsed in process, one thread     ${round(inProcessMs)} ms = ${p.inProcessMsPerFile} ms per file`);
  say(`openssl pkcs12 twice per file (${p.opensslCalls} calls)        ${p.opensslLoopMs} ms = ${p.opensslMsPerFile} ms per file`);
  const verdict = met ? 'met' : 'MISSED';
  say(`  -> openssl / certlens = ${p.opensslToCertlens}x (target >= 3x), ${p.certlensMsPerFile} ms a file (target <= 3): ${verdict}`);
  say(`  load average ${p.loadAverage.join(', ')} (${os.cpus().length} CPUs)`);
}

// 2. Parse throughput on real corpora, in process, beside OpenSSL (through Node) and node-forge.
saveResults();
if (!skip.has('throughput')) {
  say(`\n== Parse throughput (certificates per second, median of ${runs}) ==`);
  // The engine as it ships: bundled like dist/ (the per-file out/ build calls imports through getters).
  const { parseFile } = require(path.join(root, 'out', 'bench', 'engine.js'));
  const { X509Certificate } = await import('node:crypto');
  const forge = require('node-forge');
  const corpora = [['system CA bundle', fs.readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8')]];
  const zlintDir = path.join(root, '..', 'shared', 'corpora', 'zlint', 'v3', 'testdata');
  if (fs.existsSync(zlintDir))
    corpora.push([
      'zlint corpus',
      fs
        .readdirSync(zlintDir)
        .filter((f) => f.endsWith('.pem'))
        .map((f) => fs.readFileSync(path.join(zlintDir, f), 'utf8'))
        .join('\n'),
    ]);
  results.throughput = {};
  for (const [name, text] of corpora) {
    const bytes = Buffer.from(text);
    const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => m[0]);
    const ders = blocks.map((b) => Buffer.from(b.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const perSec = (fn, count) => {
      const reps = Math.max(1, Math.round(20000 / count));
      return medianOf(runs, () => {
        const t = process.hrtime.bigint();
        for (let r = 0; r < reps; r++) fn();
        return (count * reps) / (Number(process.hrtime.bigint() - t) / 1e9);
      });
    };
    const engineCount = parseFile('bundle.pem', bytes).certificates.length;
    const engine = perSec(() => parseFile('bundle.pem', bytes), engineCount);
    let ok = 0;
    const openssl = perSec(() => {
      for (const d of ders) {
        try {
          new X509Certificate(d).validTo;
        } catch {
          /* counted below */
        }
      }
    }, ders.length);
    for (const d of ders) {
      try {
        new X509Certificate(d);
        ok++;
      } catch {
        /* unreadable */
      }
    }
    let forgeOk = 0;
    const forgeRate = perSec(() => {
      forgeOk = 0;
      for (const b of blocks) {
        try {
          forge.pki.certificateFromPem(b);
          forgeOk++;
        } catch {
          /* EC and others */
        }
      }
    }, blocks.length);
    results.throughput[name] = {
      certificates: blocks.length,
      engine: { perSec: Math.round(engine), parsed: engineCount },
      opensslViaNode: { perSec: Math.round(openssl), parsed: ok },
      nodeForge: { perSec: Math.round(forgeRate), parsed: forgeOk },
    };
    say(
      `${name} (${blocks.length} certificates): engine ${Math.round(engine)}/s (parsed ${engineCount}); OpenSSL via Node X509Certificate ${Math.round(openssl)}/s (parsed ${ok}); node-forge ${Math.round(forgeRate)}/s (parsed ${forgeOk}, rejects the rest)`,
    );
  }
}

// 5. Host probing on loopback: 200 TLS servers with the default concurrency vs one at a time, and
//    10 servers that accept TCP and never answer (bounded by the timeout, not by their number).
saveResults();
if (!skip.has('probe')) {
  say(`\n== Host probing (loopback, median of ${Math.min(runs, 3)}) ==`);
  const tls = await import('node:tls');
  const net = await import('node:net');
  const { Prober } = require(path.join(root, 'out', 'src', 'core', 'hosts', 'index.js'));
  const { makeCert, makeKey, daysFromNow } = require(path.join(root, 'out', 'test', 'support', 'certs.js'));
  const key = makeKey({ type: 'ec' });
  const cert = makeCert({
    cn: 'bench.certlens.dev',
    sans: ['bench.certlens.dev'],
    key,
    notBefore: daysFromNow(-1),
    notAfter: daysFromNow(60),
  });
  const servers = [];
  // Each server answers after 25 ms, like a host a few network hops away (loopback has no latency).
  const LATENCY_MS = 25;
  const context = tls.createSecureContext({ key: key.pem, cert: cert.pem });
  for (let i = 0; i < 200; i++) {
    const srv = tls.createServer({
      key: key.pem,
      cert: cert.pem,
      SNICallback: (_name, cb) => setTimeout(() => cb(null, context), LATENCY_MS),
    });
    srv.on('tlsClientError', () => {});
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    servers.push(srv);
  }
  const silent = [];
  const held = [];
  for (let i = 0; i < 10; i++) {
    const srv = net.createServer((sock) => held.push(sock)); // accepts, never answers
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    silent.push(srv);
  }
  const targets = (list) =>
    list.map((srv, i) => ({
      host: `h${i}.bench.certlens.dev`,
      port: srv.address().port,
      connectTo: { host: '127.0.0.1', port: srv.address().port },
    }));
  const timeProbe = async (list, concurrency, timeoutMs = 5000) => {
    const prober = new Prober({ concurrency, timeoutMs });
    const t = process.hrtime.bigint();
    const results = await prober.probeAll(targets(list));
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    const ok = results.filter((r) => !r.error).length;
    return { ms, ok };
  };
  const defaultRuns = [];
  const serialRuns = [];
  for (let r = 0; r < Math.min(runs, 3); r++) {
    defaultRuns.push(await timeProbe(servers, 8));
    serialRuns.push(await timeProbe(servers, 1));
  }
  const silentRun = await timeProbe(silent, 8, 2000);
  const mixed = await timeProbe([...servers.slice(0, 40), ...silent], 8, 2000);
  results.probe = {
    servers: 200,
    serverLatencyMs: LATENCY_MS,
    concurrency8Ms: round(median(defaultRuns.map((x) => x.ms))),
    concurrency1Ms: round(median(serialRuns.map((x) => x.ms))),
    okAt8: defaultRuns[0].ok,
    speedup: round(median(serialRuns.map((x) => x.ms)) / median(defaultRuns.map((x) => x.ms)), 1),
    silent10Ms: round(silentRun.ms),
    silentTimeoutMs: 2000,
    mixed40plus10SilentMs: round(mixed.ms),
  };
  say(
    `200 servers (${LATENCY_MS} ms latency each): ${results.probe.concurrency8Ms} ms at concurrency 8 (${results.probe.okAt8} ok), ${results.probe.concurrency1Ms} ms one at a time (${results.probe.speedup}x)`,
  );
  say(
    `10 silent servers, 2 s timeout, 8 slots: ${results.probe.silent10Ms} ms total (two rounds of the timeout); 40 good + 10 silent: ${results.probe.mixed40plus10SilentMs} ms`,
  );
  for (const s of held) s.destroy();
  await Promise.all([...servers, ...silent].map((srv) => new Promise((r) => srv.close(r))));
}

// 3. Growth with tree size.
saveResults();
if (!skip.has('growth')) {
  say(`\n== Growth (median of ${Math.min(runs, 3)}) ==`);
  results.growth = [];
  for (const n of growthSizes) {
    const t = scanTree(n);
    timeCommand(process.execPath, [cli, 'scan', t.dir, '--format', 'json', '--output', '/dev/null', '--fail-on', 'never']);
    const ms = medianOf(Math.min(runs, 3), () =>
      timeCommand(process.execPath, [cli, 'scan', t.dir, '--format', 'json', '--output', '/dev/null', '--fail-on', 'never']),
    );
    const rg = medianOf(Math.min(runs, 3), () => timeCommand('rg', ['-l', '-g', '!node_modules', '--', '-----BEGIN', t.dir]));
    results.growth.push({ files: n, certlensMs: round(ms), ripgrepMs: round(rg), msPer1kFiles: round(ms / (n / 1000)) });
    say(`${String(n).padStart(6)} files: certlens ${round(ms)} ms (${round(ms / (n / 1000))} ms per 1k files), rg ${round(rg)} ms`);
  }
  fs.writeFileSync(path.join(root, 'bench', 'growth.svg'), growthSvg(results.growth));
}

// 4. In the real VS Code host: activation, scan of the tree, event-loop blocks, memory, edit latency.
saveResults();
if (!skip.has('host')) {
  say(`\n== VS Code extension host (${files}-file tree, scanOnStartup off) ==`);
  const { runIntegration } = await import('../scripts/run-integration.mjs');
  const { makeCert, makeKey, daysFromNow } = require(path.join(root, 'out', 'test', 'support', 'certs.js'));
  const bundleDir = path.join(tree.dir, 'bench-edit');
  fs.mkdirSync(bundleDir, { recursive: true });
  const key = makeKey({ type: 'ec' });
  const certs = Array.from(
    { length: 25 },
    (_, i) => makeCert({ cn: `edit-${i}.bench.certlens.dev`, key, notBefore: daysFromNow(-10), notAfter: daysFromNow(i * 3 - 5) }).pem,
  );
  const bundle = path.join(bundleDir, 'bundle-500.pem');
  fs.writeFileSync(bundle, Array.from({ length: 500 }, (_, i) => certs[i % certs.length]).join(''));
  fs.mkdirSync(path.join(tree.dir, '.vscode'), { recursive: true });
  // Git off: the built-in git extension shares the extension host, and its repository discovery
  // (openRepository, spawning git) made the longest event-loop gaps of the scan in earlier runs.
  fs.writeFileSync(
    path.join(tree.dir, '.vscode', 'settings.json'),
    JSON.stringify({
      'certlens.scanOnStartup': false,
      'certlens.notifications.enabled': false,
      'git.enabled': false,
      'git.autoRepositoryDetection': false,
    }),
  );
  const outFile = path.join(os.tmpdir(), `certlens-host-bench-${process.pid}.json`);
  // Each run is a fresh VS Code (a cold scan); figures are medians over the runs, and the longest
  // event-loop block is also given for every run, since that target is about the worst case.
  // Settled runs scan once the window has finished starting (--settle-ms after activation), so they
  // measure the scan; start-up runs scan right after activation, while the browser and the server
  // are still busy starting the workbench, as scanOnStartup does.
  const hostRuns = Number(opt('host-runs', Math.min(runs, 3)));
  const startupRuns = Number(opt('startup-runs', 2));
  const settleMs = Number(opt('settle-ms', 5000));
  // Each edit starts from a quiet editor: in this browser-hosted workbench the renderer is still
  // refreshing the previous edit's 500 lenses and markers for a few hundred ms, and an edit made
  // then waits for it (--edit-gap-ms 400 measures that case).
  const editGapMs = opt('edit-gap-ms', '1000');
  const hostRun = async (settle) => {
    const r = await runIntegration({
      mode: 'trusted',
      workspace: tree.dir,
      extraEnv: {
        CERTLENS_BENCH_OUT: outFile,
        CERTLENS_BENCH_BUNDLE: bundle,
        CERTLENS_BENCH_SETTLE_MS: String(settle),
        CERTLENS_BENCH_EDIT_GAP_MS: editGapMs,
      },
      timeoutMs: 900_000,
    });
    if (r.failures || !fs.existsSync(outFile)) throw new Error(`host benchmark failed (${r.failures} failures)`);
    return JSON.parse(fs.readFileSync(outFile, 'utf8'));
  };
  const worstOf = (list) => list.reduce((a, b) => (b.maxEventLoopBlockMs >= a.maxEventLoopBlockMs ? b : a));
  try {
    const each = [];
    for (let i = 0; i < hostRuns; i++) {
      each.push(await hostRun(settleMs));
      // The profile kept is the one of the run with the longest event-loop block, the case to explain.
      if (worstOf(each) === each.at(-1) && fs.existsSync(`${outFile}.cpuprofile`))
        fs.renameSync(`${outFile}.cpuprofile`, path.join(root, 'bench', 'extension-scan.cpuprofile'));
      if (fs.existsSync(`${outFile}.edit.cpuprofile`))
        fs.renameSync(`${outFile}.edit.cpuprofile`, path.join(root, 'bench', 'extension-edit.cpuprofile'));
    }
    results.host = medianRecord(each);
    results.host.runs = hostRuns;
    results.host.settleMs = settleMs;
    results.host.editGapMs = Number(editGapMs);
    // The long tasks laid over the kept profile (bench/long-tasks.mjs) are from the same, worst run.
    delete results.host.longTasks;
    results.host.worstRunLongTasks = worstOf(each).longTasks;
    const eachRun = (list, key) => list.map((h) => h[key]);
    results.host.maxEventLoopBlockMsEachRun = eachRun(each, 'maxEventLoopBlockMs');
    results.host.maxOnCpuBlockMsEachRun = eachRun(each, 'maxOnCpuBlockMs');
    results.host.coldScanMsEachRun = eachRun(each, 'coldScanMs');
    results.host.editToDiagnosticsMsEachRun = eachRun(each, 'editToDiagnosticsMs');
    results.host.certLensEditHandlingMsEachRun = eachRun(each, 'certLensEditHandlingMs');
    const atStartup = [];
    for (let i = 0; i < startupRuns; i++) atStartup.push(await hostRun(0));
    if (atStartup.length) {
      results.host.atStartup = {
        runs: startupRuns,
        coldScanMsEachRun: eachRun(atStartup, 'coldScanMs'),
        maxEventLoopBlockMsEachRun: eachRun(atStartup, 'maxEventLoopBlockMs'),
        maxOnCpuBlockMsEachRun: eachRun(atStartup, 'maxOnCpuBlockMs'),
        worstRunLongTasks: worstOf(atStartup).longTasks,
      };
    }
    const h = results.host;
    const blocks = (r) =>
      `${Math.max(...r.maxEventLoopBlockMsEachRun)} ms worst of ${r.maxEventLoopBlockMsEachRun.length} runs [${r.maxEventLoopBlockMsEachRun.join(', ')}]` +
      (r.maxOnCpuBlockMsEachRun.every((x) => x !== undefined)
        ? `; of that, the longest the extension host thread itself ran: [${r.maxOnCpuBlockMsEachRun.join(', ')}] ms, the rest it waited for a CPU held by other processes`
        : '');
    say(
      `activation ${h.activationMs} ms (target < 20); cold scan to complete tree ${h.coldScanMs} ms (target < 3000; each run ${h.coldScanMsEachRun.join(', ')}), warm rescan ${h.warmRescanMs} ms`,
    );
    say(
      `longest event-loop block during the scan, ${settleMs} ms after activation: ${h.maxEventLoopBlockMs} ms median, ${blocks(h)} (target < 50), p99 delay ${h.p99EventLoopDelayMs} ms`,
    );
    if (h.atStartup)
      say(
        `  the same right after activation, while the workbench is still starting: ${blocks(h.atStartup)}; cold scan ${h.atStartup.coldScanMsEachRun.join(', ')} ms`,
      );
    say(
      `garbage collection during the scan (median of runs): ${Object.entries(h.gc)
        .map(([k, g]) => `${k} ${g.count}x, ${g.totalMs} ms, longest ${g.longestMs} ms`)
        .join('; ')}`,
    );
    say(
      `memory: heap ${h.memory.heapBeforeMB} -> ${h.memory.heapAfterMB} MB, RSS ${h.memory.rssBeforeMB} -> ${h.memory.rssAfterMB} MB (growth ${h.memory.rssGrowthMB} MB, target < 150)`,
    );
    say(
      `500-certificate bundle, edits ${editGapMs} ms apart: edit to updated diagnostics ${h.editToDiagnosticsMs} ms (target < 50; each run: ${h.editToDiagnosticsMsEachRun.join(', ')}; the first edit of the file ${h.firstEditToDiagnosticsMs} ms), of which CertLens's handling of the edit (inside the extension: change event to diagnostics published) ${h.certLensEditHandlingMs} ms (each run: ${(h.certLensEditHandlingMsEachRun ?? []).join(', ')}) and the rest VS Code's; the test saw the change event ${h.editToChangeEventMs} ms after the edit (after CertLens's listener, which handles an edit that only moves results within the event) and the diagnostics ${h.changeEventToDiagnosticsMs} ms after that; to updated lenses (the first 20 resolved, as on screen) ${h.editToLensesMs} ms, where one such lens query with nothing changed takes ${h.lensQueryMs} ms (after an edit, the query reached CertLens's provider ${h.editToLensRequestMs} ms after the edit); CodeLens provider with all 500 resolved ${h.codeLensProviderMs} ms; longest event-loop block while editing (summaries refreshed after each edit included) ${h.editMaxEventLoopBlockMs} ms`,
    );
  } finally {
    fs.rmSync(bundleDir, { recursive: true, force: true });
    fs.rmSync(path.join(tree.dir, '.vscode'), { recursive: true, force: true });
    fs.rmSync(outFile, { force: true });
  }
}

// 5. The web bundle beside the desktop one: sizes, activation and first scan in their extension hosts.
saveResults();
if (!skip.has('web')) {
  say('\n== Web bundle beside the desktop one (offline workbench: Node and web-worker extension hosts) ==');
  const { bundleSizes, hostTimes } = await import('./web.mjs');
  const sizes = bundleSizes(root);
  const kb = (b) => `${round(b / 1024)} KB`;
  const desktopFiles = Object.entries(sizes.desktop);
  const [[, webSize]] = Object.entries(sizes.web);
  say(
    `desktop: ${desktopFiles.map(([f, s]) => `${f} ${kb(s.bytes)} (gzip ${kb(s.gzipBytes)})`).join(', ')}; web: dist/web/extension.js ${kb(webSize.bytes)} (gzip ${kb(webSize.gzipBytes)}), node-forge inside`,
  );
  const times = await hostTimes(root, { runs: Math.min(runs, 3), log: (m) => say(`  ${m}`) });
  results.web = { sizes, ...times };
  for (const k of ['desktop', 'web'])
    say(
      `${k}: activation ${times[k].activationMs} ms (each run ${times[k].activationMsEachRun.join(', ')}), first scan of the ${times[k].files}-file fixture ${times[k].firstScanMs} ms`,
    );
}

saveResults();
say(`\nwrote bench/results.json${results.growth ? ' and bench/growth.svg' : ''}`);

/** The .p12 and .pfx files of a folder (such as PKITS's), as they are. */
function pkcs12Dir(dir) {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(p12|pfx)$/i.test(f))
    .sort()
    .map((f) => ({ path: path.join(dir, f), legacy: false }));
  if (!files.length) throw new Error(`no .p12 or .pfx files in ${dir}`);
  return { dir, files, label: dir, kinds: undefined, expected: undefined };
}

/** `count` PKCS#12 files of P12_KINDS's mix, made with openssl once per count and seed (kept in the temp folder). */
async function pkcs12Set(count) {
  const dir = path.join(os.tmpdir(), `certlens-bench-p12-${count}-s${seed}`);
  const slots = P12_KINDS.flatMap(([name, share, password, args]) => Array.from({ length: share }, () => ({ name, password, args })));
  const files = Array.from({ length: count }, (_, i) => {
    const kind = slots[i % slots.length];
    const name = `${String(i).padStart(4, '0')}-${kind.name.replace(/[ ,]+/g, '-')}.p12`;
    return { ...kind, path: path.join(dir, name), legacy: kind.args.includes('-legacy') };
  });
  const manifest = `${dir}.json`;
  const want = JSON.stringify({ files: files.map((f) => path.basename(f.path)) });
  if (!fs.existsSync(manifest) || fs.readFileSync(manifest, 'utf8') !== want) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const t = Date.now();
    // One RSA key and certificate, as PKITS's end-entity files hold; each file's own salts make it distinct.
    const keyFile = path.join(dir, 'key.pem.txt');
    const certFile = path.join(dir, 'cert.pem.txt');
    const subject = '/CN=p12.bench.certlens.dev';
    const req = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', subject, '-days', '365'];
    execFileSync('openssl', req, { stdio: 'ignore' });
    const { execFile } = await import('node:child_process');
    const queue = [...files];
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const argv = ['pkcs12', '-export', '-in', certFile, '-inkey', keyFile, '-name', 'bench', '-out', f.path];
        argv.push('-passout', `pass:${f.password}`, ...f.args);
        await new Promise((resolve, reject) => execFile('openssl', argv, (e) => (e ? reject(e) : resolve())));
      }
    };
    await Promise.all(Array.from({ length: Math.max(2, os.cpus().length) }, worker));
    // The key and certificate go: the scan is to find the certificates inside the PKCS#12 files only.
    fs.rmSync(keyFile);
    fs.rmSync(certFile);
    fs.writeFileSync(manifest, want);
    say(`generated ${count} PKCS#12 files in ${round((Date.now() - t) / 1000)} s`);
  }
  const kinds = Object.fromEntries(P12_KINDS.map(([name]) => [name, files.filter((f) => f.name === name).length]));
  const known = files.filter((f) => f.password === '' || f.password === 'changeit').length;
  const label = `generated: ${Object.entries(kinds)
    .map(([k, v]) => `${v} ${k}`)
    .join('; ')}`;
  return { dir, files, label, kinds, expected: { certificates: known, locked: count - known } };
}

/** Field by field median of records with the same shape (numbers only; the rest from the first). */
function medianRecord(records) {
  const out = {};
  for (const [k, v] of Object.entries(records[0])) {
    if (typeof v === 'number') out[k] = round(median(records.map((r) => r[k])));
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = medianRecord(records.map((r) => r[k]));
    else out[k] = v;
  }
  return out;
}

function growthSvg(points) {
  const W = 560,
    H = 320,
    L = 60,
    B = 40,
    T = 30,
    R = 20;
  const maxX = Math.max(...points.map((p) => p.files));
  const maxY = Math.max(...points.map((p) => Math.max(p.certlensMs, p.ripgrepMs))) * 1.1;
  const x = (v) => L + (v / maxX) * (W - L - R);
  const y = (v) => H - B - (v / maxY) * (H - B - T);
  const line = (key, color) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${round(x(p.files))},${round(y(p[key]))}`).join(' ')}"/>` +
    points.map((p) => `<circle cx="${round(x(p.files))}" cy="${round(y(p[key]))}" r="3" fill="${color}"/>`).join('');
  const ticks = points
    .map((p) => `<text x="${round(x(p.files))}" y="${H - B + 16}" font-size="11" text-anchor="middle">${p.files / 1000}k</text>`)
    .join('');
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${L - 6}" y="${round(y(f * maxY)) + 4}" font-size="11" text-anchor="end">${Math.round(f * maxY)}</text><line x1="${L}" x2="${W - R}" y1="${round(y(f * maxY))}" y2="${round(y(f * maxY))}" stroke="#ddd"/>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="18" font-size="13" text-anchor="middle">Scan time (ms) by tree size (files)</text>${yTicks}${ticks}
${line('certlensMs', '#0e7c66')}${line('ripgrepMs', '#999')}
<text x="${L + 10}" y="${T + 14}" font-size="12" fill="#0e7c66">certlens scan --format json</text><text x="${L + 10}" y="${T + 30}" font-size="12" fill="#777">rg -l '-----BEGIN' (find only)</text></svg>\n`;
}
