import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { DEFAULT_RULES, type RuleSettings } from '../core/rules/rules';
import { Inventory } from '../core/scan/inventory';
import { DEFAULT_EXCLUDES } from '../core/scan/filters';
import { DEFAULT_MAX_FILE_SIZE, readBoundedSync } from '../core/scan/files';
import { runScan } from '../core/scan/pipeline';
import { ParseMemo } from '../core/scan/memo';
import { ReadPool } from '../core/scan/readPool';
import { buildReport } from '../core/report/schema';
import { type FragmentSpec, type ReportFragment, type ReportTotals, writeJsonReport } from '../core/report/stream';
import { applyNonProductionPolicy, type ContextGlobs, ContextClassifier, contextByFolder, NON_PRODUCTION_POLICIES, type NonProductionPolicy } from '../core/context';
import { meetsThreshold, toCsv, toSarif, toTable } from '../core/report/formats';
import { checkCommand, checkTargets, HOST_ARG_OPTIONS, HostCollector, hostCliOptions } from './hosts';

declare const CERTLENS_VERSION: string;
const VERSION = typeof CERTLENS_VERSION === 'string' ? CERTLENS_VERSION : '0.0.0-dev';

const HELP = `certlens ${VERSION} — find every certificate in a tree and say when it expires

Usage:
  certlens scan [PATH...] [options]   scan files and folders (default: .)
  certlens check HOST[:PORT] [...]    probe one TLS endpoint, print its chain (check --help)
  certlens --version | --help

Options for scan:
  --format table|json|csv|sarif   output format (default: table); json is indented on a
                                  terminal, one line into a pipe or file
  --output FILE                   write the report to FILE instead of stdout
  --critical-days N               error when expiring within N days (default: ${DEFAULT_RULES.criticalDays})
  --warn-days N                   warning within N days (default: ${DEFAULT_RULES.warningDays})
  --info-days N                   information within N days (default: ${DEFAULT_RULES.infoDays})
  --fail-on LEVEL                 exit 1 if a finding is at least LEVEL:
                                  expired|error|warning|info|hint|never (default: error);
                                  hints fail only --fail-on hint
  --non-production hint|normal|exclude
                                  findings in test, example, documentation and vendored
                                  files: hints (default), as in production, or left out
                                  (their certificates are still listed)
  --production GLOB, --test GLOB, --example GLOB, --documentation GLOB, --vendored GLOB
                                  files matching GLOB (relative to the scanned folder) are
                                  in that context, whatever their path says (repeatable).
                                  Otherwise the path decides: test/ tests/ spec/ fixtures/
                                  testdata/ *_test.go *.test.* are tests; examples/
                                  samples/ demo/ examples; docs/ *.md *.rst documentation;
                                  vendor/ third_party/ external/ vendored
  --now ISO-8601                  evaluate at this time instead of now
  --include GLOB                  only files matching GLOB (repeatable)
  --exclude GLOB                  also skip files matching GLOB (repeatable)
  --no-default-excludes           do not skip ${DEFAULT_EXCLUDES.map((g) => g.replace(/\*\*\//g, '').replace(/\/\*\*$/, '')).join(', ')}
  --max-file-size BYTES           skip larger files (default: 5 MB)
  --no-color                      no colours in the table
  --hosts                         also probe the TLS endpoints config files name (URLs,
                                  nginx, Ingress, .env, Spring, Terraform ...): a TLS
                                  handshake each, nothing else sent
  --resolve HOST:PORT=ADDR[:PORT] with --hosts: connect to ADDR for HOST:PORT (repeatable)
  --timeout MS                    with --hosts: limit per probe (default: 5000)
  --ca FILE                       with --hosts: also trust the CAs in FILE (repeatable)

Exit codes: 0 nothing at or above --fail-on; 1 something is; 2 usage or fatal error.
`;

class UsageError extends Error {}

function intOption(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} needs a whole number, got "${v}"`);
  return Number(v);
}

async function scanCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'table' },
      output: { type: 'string' },
      'critical-days': { type: 'string' },
      'warn-days': { type: 'string' },
      'info-days': { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      now: { type: 'string' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'max-file-size': { type: 'string' },
      'no-color': { type: 'boolean', default: false },
      'no-default-excludes': { type: 'boolean', default: false },
      hosts: { type: 'boolean', default: false },
      'non-production': { type: 'string', default: 'hint' },
      production: { type: 'string', multiple: true },
      test: { type: 'string', multiple: true },
      example: { type: 'string', multiple: true },
      documentation: { type: 'string', multiple: true },
      vendored: { type: 'string', multiple: true },
      ...HOST_ARG_OPTIONS,
    },
  });
  const format = values.format!;
  if (!['table', 'json', 'csv', 'sarif'].includes(format)) throw new UsageError(`--format must be table, json, csv or sarif, not "${format}"`);
  const failOn = values['fail-on']!;
  if (!['expired', 'error', 'warning', 'info', 'hint', 'never'].includes(failOn)) throw new UsageError(`--fail-on must be expired, error, warning, info, hint or never, not "${failOn}"`);
  const policy = values['non-production'] as NonProductionPolicy;
  if (!NON_PRODUCTION_POLICIES.includes(policy)) throw new UsageError(`--non-production must be hint, normal or exclude, not "${policy}"`);
  const contextGlobs: ContextGlobs = { production: values.production, test: values.test, example: values.example, documentation: values.documentation, vendored: values.vendored };
  let now = Date.now();
  if (values.now !== undefined) {
    now = Date.parse(values.now);
    if (!Number.isFinite(now)) throw new UsageError(`--now needs an ISO-8601 time such as 2027-01-31T00:00:00Z, got "${values.now}"`);
  }
  const rules: RuleSettings = {
    ...DEFAULT_RULES,
    criticalDays: intOption(values['critical-days'], 'critical-days', DEFAULT_RULES.criticalDays),
    warningDays: intOption(values['warn-days'], 'warn-days', DEFAULT_RULES.warningDays),
    infoDays: intOption(values['info-days'], 'info-days', DEFAULT_RULES.infoDays),
  };
  const roots = positionals.length ? positionals : ['.'];
  for (const r of roots) if (!fs.existsSync(r)) throw new UsageError(`no such file or directory: ${r}`);
  const hostOptions = values.hosts ? hostCliOptions(values, (m) => new UsageError(m)) : undefined;
  const collector = hostOptions ? new HostCollector() : undefined;

  // CERTLENS_TIMINGS=1: time per phase on stderr, from process start (for profiling the benchmark).
  const mark = process.env.CERTLENS_TIMINGS ? (phase: string, ms = performance.now()) => process.stderr.write(`${phase.padEnd(10)} ${ms.toFixed(0)} ms\n`) : () => undefined;
  mark('start');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const inventory = new Inventory();
  // The worker bundle sits next to this one: with it, the scan runs on two threads.
  const workerFile = path.join(__dirname, 'readWorker.js');
  const pool = fs.existsSync(workerFile) ? new ReadPool(workerFile, { oneScan: true }) : undefined;
  const exclude = [...(values['no-default-excludes'] ? [] : DEFAULT_EXCLUDES), ...(values.exclude ?? [])];
  // A file's context comes from its path under the folder it was found in; a file named on its own, from the working directory.
  const folders = roots.map((r) => path.resolve(r)).filter((r) => fs.statSync(r).isDirectory());
  // JSON is written as it is serialised: each file's part on the thread that parsed it (see report/stream.ts).
  // Indented for a person at a terminal; one line into a pipe or file (as gh does), which is
  // smaller and quicker to write: `jq .` indents it.
  const streamed: FragmentSpec | undefined = format === 'json'
    ? { now, rules, contextGlobs, folders, cwd: process.cwd(), policy, indent: !values.output && process.stdout.isTTY ? 2 : undefined }
    : undefined;
  const fragments: ReportFragment[] = [];
  const scanStarted = performance.now();
  const stats = await runScan({
    sources: roots.map((root) => ({ root, include: values.include, exclude })),
    maxFileSize: values['max-file-size'] ? intOption(values['max-file-size'], 'max-file-size', 0) : DEFAULT_MAX_FILE_SIZE,
    pool,
    read: readBoundedSync,
    thisThread: 'share',
    memo: new ParseMemo({ repeatedOnly: true }),
    discover: !!collector,
    signal: controller.signal,
    report: streamed,
    onFragment: (f) => fragments.push(f),
    onFile: (r) => inventory.set(r),
    onRead: collector?.onRead,
  }).finally(() => pool?.dispose());
  mark('scanned');
  if (stats.sharing && process.env.CERTLENS_TIMINGS) {
    // When the walk ended, and how the work was shared (files read here, this thread's wait for the worker at the end).
    mark('walked', scanStarted + stats.sharing.walkedMs);
    process.stderr.write(`here ${stats.sharing.readHere} of ${stats.files} files, waited ${stats.sharing.waitedMs} ms\n`);
  }
  const checked = collector && hostOptions ? await checkTargets(collector.targets(), now, rules, { ...hostOptions, signal: controller.signal }) : undefined;
  const contextOf = contextByFolder(new ContextClassifier(contextGlobs), folders, process.cwd());
  let failing: (level: string) => boolean;
  if (streamed) {
    const sink = outputSink(values.output);
    let totals: ReportTotals;
    try {
      totals = await writeJsonReport(fragments, { files: stats.files, ms: stats.ms, hostFindings: checked?.findings, hosts: checked?.hosts }, streamed, sink.write);
      await sink.write(Buffer.from('\n'));
    } finally {
      await sink.close();
    }
    failing = (level) => totals.failing(level);
  } else {
    const certs = inventory.certificates();
    const found = inventory.findings(now, rules);
    if (checked) found.push(...checked.findings);
    const findings = applyNonProductionPolicy(found, contextOf, policy);
    mark('rules');
    const report = buildReport(certs, findings, now, stats, { contextOf, hosts: checked?.hosts });
    mark('report');
    const relativeTo = roots.length === 1 && fs.statSync(roots[0]).isDirectory() ? path.resolve(roots[0]) : process.cwd();
    const out =
      format === 'csv' ? toCsv(report)
      : format === 'sarif' ? toSarif(report, VERSION)
      : toTable(report, !values['no-color'] && !values.output && process.stdout.isTTY === true && !process.env.NO_COLOR, relativeTo);
    mark('formatted');
    if (values.output) fs.writeFileSync(values.output, out);
    else await new Promise<void>((resolve) => process.stdout.write(out, () => resolve()));
    failing = (level) => level === 'expired' ? findings.some((f) => f.code === 'expired' && f.severity !== 'hint') : findings.some((f) => meetsThreshold(f.severity, level));
  }
  mark('written');
  return failing(failOn) ? 1 : 0;
}

/**
 * Where the report goes: a file, each chunk written at its place by libuv's threads while this one
 * assembles the next (the writer hands over chunks it does not touch again), or stdout, waiting for
 * it to drain; a reader that went away (EPIPE) takes nothing more.
 */
function outputSink(file: string | undefined): { write: (chunk: Uint8Array) => void | Promise<void>; close: () => Promise<void> } {
  if (file) {
    const fd = fs.openSync(file, 'w');
    let position = 0;
    const writing: Promise<void>[] = [];
    const writeAt = async (chunk: Uint8Array, at: number) => {
      for (let off = 0; off < chunk.length;) {
        const { bytesWritten } = await new Promise<{ bytesWritten: number }>((resolve, reject) =>
          fs.write(fd, chunk, off, chunk.length - off, at + off, (e, bytesWritten) => (e ? reject(e) : resolve({ bytesWritten }))));
        off += bytesWritten;
      }
    };
    return {
      write: (chunk) => {
        const written = writeAt(chunk, position);
        written.catch(() => undefined); // reported by close()
        writing.push(written);
        position += chunk.length;
      },
      close: async () => {
        try {
          await Promise.all(writing);
        } finally {
          fs.closeSync(fd);
        }
      },
    };
  }
  const out = process.stdout;
  const settled = (resolve: () => void) => {
    const done = () => {
      out.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    out.on('drain', done).on('close', done).on('error', done);
  };
  return {
    write: (chunk) => (out.destroyed || out.write(chunk) ? undefined : new Promise<void>(settled)),
    close: () => (out.destroyed ? Promise.resolve() : new Promise<void>((resolve) => out.write('', () => resolve()))),
  };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === '--version' || command === '-v' || command === 'version') {
      console.log(VERSION);
      return 0;
    }
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === 'scan') return await scanCommand(rest);
    if (command === 'check') return await checkCommand(rest, (m) => new UsageError(m));
    throw new UsageError(`unknown command "${command}"`);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`certlens: ${(e as Error).message}\nRun "certlens --help" for usage.\n`);
      return 2;
    }
    process.stderr.write(`certlens: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return 2;
  }
}

if (require.main === module) {
  // A CLI run is short: at V8's default interrupt budget it optimised dozens of functions twice (once
  // per thread) and spent more compiling them than their optimised code saved. A larger budget
  // leaves only the really hot ones to the optimising compiler: on the 20k-file benchmark ~15% less
  // CPU and ~10% less time, the same on a scan three times as large. Set before any code warms up.
  setFlagsFromString('--interrupt-budget=1000000');
  // A reader that stops early (`certlens scan | head`) closes the pipe: what is left of the output
  // has nowhere to go, which is not an error (the pending write's callback still runs).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') process.stderr.write(`certlens: cannot write the output: ${e.message}\n`);
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
