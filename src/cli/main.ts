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
import { type FragmentSpec, type ReportFragment, withEvidence, writeJsonReport } from '../core/report/stream';
import { EvidenceIndex } from '../core/deployment';
import {
  type ContextGlobs,
  ContextClassifier,
  contextByFolder,
  NON_PRODUCTION_POLICIES,
  type NonProductionPolicy,
  withCertificateContent,
} from '../core/context';
import { withContextPolicy } from '../core/findings/fileFindings';
import { type FailureCounts, failsAt, failureCounts, toCsv, toSarif, toTable } from '../core/report/formats';
import {
  checkCommand,
  checkTargets,
  HOST_ARG_OPTIONS,
  checkDrift,
  HostCollector,
  inventoryIndex,
  hostCliOptions,
  lifetimeShareSettings,
  SHARE_ARG_OPTIONS,
} from './hosts';
import { baselineJson, BaselineMatcher, createBaseline } from '../core/report/baseline';
import { readBaselineFile, sourceRootFor } from './baseline';
import { ownersByRoot, repositoryRoot } from '../core/owners';
import { LastChangeCache, lastChangesOf } from '../core/lastChange';
import type { CertificateRecord, FileResult } from '../core/model';
import { toMetrics } from '../core/report/metrics';
import { csrCommand } from './csr';
import { checkOutputPath, openOutput, OutputError, writeFileAtomically } from './output';
import { type FailureLog, runInBackground, STDERR_LOG } from '../core/background';
import { resolveSpec, teamConfigsFor } from './teamConfig';
import { contextByRoots, partitionIgnored, THRESHOLD_KEYS, type Thresholds } from '../core/teamConfig';
import { HostMatcher } from '../core/hosts/names';

declare const CERTLENS_VERSION: string;
const VERSION = typeof CERTLENS_VERSION === 'string' ? CERTLENS_VERSION : '0.0.0-dev';

const HELP = `certlens ${VERSION} — find every certificate in a tree and say when it expires

Usage:
  certlens scan [PATH...] [options]   scan files and folders (default: .)
  certlens check HOST[:PORT] [...]    probe one TLS endpoint, print its chain (check --help)
  certlens csr FILE (--key KEY | --new-key ALG) --out CSR [--key-out KEY] [--index N]
                                      a signing request to renew a certificate of FILE:
                                      same subject, names and key usage (csr --help)
  certlens baseline [PATH...] [options] --output FILE
                                      write the current findings as a baseline for
                                      scan --baseline (takes the scan options)
  certlens --version | --help

Options for scan:
  --format table|json|csv|sarif|openmetrics
                                  output format (default: table); json is indented on a
                                  terminal, one line into a pipe or file; openmetrics is
                                  Prometheus's text format with x509-certificate-exporter
                                  v4's metric and label names (certificates, CRLs, errors)
  --output FILE                   write the report to FILE instead of stdout (through a
                                  temporary file and a rename: readers never see half a file)
  --repository NAME               openmetrics: a repository="NAME" label on every series
  --last-change                   json: the commit that last changed each certificate's
                                  lines (asks git; nothing when there is no full clone)
  --critical-days N               error when expiring within N days (default: ${DEFAULT_RULES.criticalDays})
  --warn-days N                   warning within N days (default: ${DEFAULT_RULES.warningDays})
  --info-days N                   information within N days (default: ${DEFAULT_RULES.infoDays})
  --critical-lifetime-share S, --lifetime-share S, --info-lifetime-share S
                                  each band also waits until no more than this share of a
                                  certificate's lifetime is left, the nearer to expiry of the
                                  two applying: 0 to 1 or a fraction (defaults: 1/6, 1/3 the
                                  renewal point, 1/2); a 6-day certificate is an error only in
                                  its last day, a 1-year one keeps the days; 0 turns one off
  --fail-on LEVEL                 exit 1 if a finding is at least LEVEL:
                                  expired|error|warning|info|hint|never (default: the
                                  team config's failOn, else error); hints fail only
                                  --fail-on hint
  --config FILE                   read this team config (applies at each scanned root)
                                  instead of the .certlens.yaml / .certlens.yml /
                                  .certlens.json found at each root, in its subfolders
                                  and in the folders above it up to the repository root
  --no-config                     read no team config; flags given on the command line
                                  always win over a team config's values
  --baseline FILE                 findings in FILE (certlens baseline) are still reported
                                  (JSON "baselined": true, SARIF baselineState unchanged)
                                  but do not count for --fail-on
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
  --keystore-password-file FILE   password for Java keystores (JKS, JCEKS) and PKCS#12 files,
                                  read from FILE (its first line): verifies their integrity
  --keystore-password-env NAME    the same, from environment variable NAME (passwords are never
                                  taken on the command line)
  --no-color                      no colours in the table
  --hosts                         also probe the TLS endpoints config files name (URLs,
                                  nginx, Ingress, .env, Spring, Terraform ...): a TLS
                                  handshake each, nothing else sent; only hosts named in
                                  production files (not tests, examples, docs, vendored)
  --hosts-non-production          with --hosts: also hosts named in those files
  --resolve HOST:PORT=ADDR[:PORT] with --hosts: connect to ADDR for HOST:PORT (repeatable)
  --timeout MS                    with --hosts: limit per probe (default: 5000)
  --ca FILE                       with --hosts: also trust the CAs in FILE (repeatable)

Exit codes: 0 nothing at or above --fail-on; 1 something is; 2 usage or fatal error;
130 cancelled (Ctrl-C; an --output file is left as it was).
`;

class UsageError extends Error {}

/** Files named on their own that one thread reads sooner than a worker starts. */
const FEW_FILES = 200;
/**
 * A walked tree with fewer files is read on this thread alone. Measured in paired rounds on the
 * benchmark's trees (a tenth of the files hold certificates, many more than real repositories):
 * one thread was faster by 43 ms at 1,000 files and 28 ms at 2,500 (for 130-200 ms less CPU), the
 * worker faster by 40 ms at 5,000 and 200 ms at 20,000.
 */
const SHARE_FROM_FILES = 3000;

function intOption(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} needs a whole number, got "${v}"`);
  return Number(v);
}

/** The keystore password, from a file (its first line) or an environment variable; never from the command line. */
function keystorePasswordOption(file: string | undefined, env: string | undefined): string | undefined {
  if (file !== undefined && env !== undefined) throw new UsageError('give --keystore-password-file or --keystore-password-env, not both');
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`--keystore-password-file: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return text.split(/\r?\n/)[0];
  }
  if (env !== undefined) {
    const value = process.env[env];
    if (value === undefined) throw new UsageError(`--keystore-password-env: environment variable ${env} is not set`);
    return value;
  }
  return undefined;
}

/** `scan`, or `baseline`: the same scan, writing its findings as a baseline. */
async function scanCommand(args: string[], mode: 'scan' | 'baseline' = 'scan'): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'table' },
      output: { type: 'string' },
      'critical-days': { type: 'string' },
      'warn-days': { type: 'string' },
      'info-days': { type: 'string' },
      ...SHARE_ARG_OPTIONS,
      'fail-on': { type: 'string' },
      config: { type: 'string' },
      'no-config': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      now: { type: 'string' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'max-file-size': { type: 'string' },
      'keystore-password-file': { type: 'string' },
      'keystore-password-env': { type: 'string' },
      'no-color': { type: 'boolean', default: false },
      repository: { type: 'string' },
      'last-change': { type: 'boolean', default: false },
      'no-default-excludes': { type: 'boolean', default: false },
      hosts: { type: 'boolean', default: false },
      'hosts-non-production': { type: 'boolean', default: false },
      'non-production': { type: 'string', default: 'hint' },
      production: { type: 'string', multiple: true },
      test: { type: 'string', multiple: true },
      example: { type: 'string', multiple: true },
      documentation: { type: 'string', multiple: true },
      vendored: { type: 'string', multiple: true },
      ...HOST_ARG_OPTIONS,
    },
  });
  const format = values.format;
  if (!['table', 'json', 'csv', 'sarif', 'openmetrics'].includes(format))
    throw new UsageError(`--format must be table, json, csv, sarif or openmetrics, not "${format}"`);
  if (values['fail-on'] !== undefined && !['expired', 'error', 'warning', 'info', 'hint', 'never'].includes(values['fail-on']))
    throw new UsageError(`--fail-on must be expired, error, warning, info, hint or never, not "${values['fail-on']}"`);
  if (values.config !== undefined && values['no-config']) throw new UsageError('give --config or --no-config, not both');
  if (values.config !== undefined && !fs.existsSync(values.config)) throw new UsageError(`--config: no such file: ${values.config}`);
  const policy = values['non-production'] as NonProductionPolicy;
  if (!NON_PRODUCTION_POLICIES.includes(policy)) throw new UsageError(`--non-production must be hint, normal or exclude, not "${policy}"`);
  const contextGlobs: ContextGlobs = {
    production: values.production,
    test: values.test,
    example: values.example,
    documentation: values.documentation,
    vendored: values.vendored,
  };
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
    ...lifetimeShareSettings(values, (m) => new UsageError(m)),
  };
  const keystorePassword = keystorePasswordOption(values['keystore-password-file'], values['keystore-password-env']);
  const roots = positionals.length ? positionals : ['.'];
  for (const r of roots) if (!fs.existsSync(r)) throw new UsageError(`no such file or directory: ${r}`);
  const baseline = values.baseline === undefined ? undefined : readBaselineFile(values.baseline, (m) => new UsageError(m));
  const hostOptions = values.hosts ? hostCliOptions(values, (m) => new UsageError(m)) : undefined;
  // A file's context comes from its path under the folder it was found in; a file named on its own, from the working directory.
  const folders = roots.map((r) => path.resolve(r)).filter((r) => fs.statSync(r).isDirectory());
  const namedFiles = [...new Set(roots.map((r) => path.resolve(r)).filter((r) => !folders.includes(r)))];
  const exclude = [...(values['no-default-excludes'] ? [] : DEFAULT_EXCLUDES), ...(values.exclude ?? [])];
  // The team configs (.certlens.yaml) of the scanned roots, their subfolders and the folders above them; flags win over them.
  const team = teamConfigsFor({ folders, namedFiles, cwd: process.cwd(), exclude, config: values.config, none: values['no-config'] });
  const failOn = values['fail-on'] ?? team.failOn(folders.length ? folders : [process.cwd()]) ?? 'error';
  const explicit: Thresholds = {};
  const flagOf: Record<(typeof THRESHOLD_KEYS)[number], string> = {
    criticalDays: 'critical-days',
    warningDays: 'warn-days',
    infoDays: 'info-days',
    criticalLifetimeShare: 'critical-lifetime-share',
    lifetimeShare: 'lifetime-share',
    infoLifetimeShare: 'info-lifetime-share',
  };
  for (const k of THRESHOLD_KEYS) if (values[flagOf[k] as keyof typeof values] !== undefined) explicit[k] = rules[k];
  const rulesOf = team.empty ? undefined : (file: string) => team.rulesFor(file, rules, explicit);
  const contextOf = team.empty
    ? contextByFolder(new ContextClassifier(contextGlobs), folders, process.cwd())
    : contextByRoots(team, contextGlobs, folders, process.cwd());
  // Endpoints are what production files connect to: links in tests, examples and docs are not probed unless asked.
  const collector = hostOptions
    ? new HostCollector(values['hosts-non-production'] ? undefined : (file) => contextOf(file) === 'production')
    : undefined;

  // CERTLENS_TIMINGS=1: time per phase on stderr, from process start (for profiling the benchmark).
  const mark = process.env.CERTLENS_TIMINGS
    ? (phase: string, ms = performance.now()) => process.stderr.write(`${phase.padEnd(10)} ${ms.toFixed(0)} ms\n`)
    : () => undefined;
  // Ctrl-C cancels the scan: main() exits 130 and an --output file is left as it was.
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  mark('start');
  const inventory = new Inventory();
  // The worker bundle sits next to this one: with it, the scan runs on two threads. It opens
  // keystores without passwords, so with a keystore password this thread reads everything. A few
  // files named on their own (a pre-commit hook's staged files) are read here: a worker's start
  // (~0.1 s) costs more than reading them.
  const workerFile = path.join(__dirname, 'readWorker.js');
  const worthAWorker = folders.length > 0 || namedFiles.length > FEW_FILES;
  const pool =
    worthAWorker && fs.existsSync(workerFile) && keystorePassword === undefined ? new ReadPool(workerFile, { oneScan: true }) : undefined;
  // Kept for the whole scan: a worker let go after each PATH costs a new one's start (0.2 s) per file named.
  pool?.hold();
  // Owners from the CODEOWNERS of each scanned folder or of the repository holding it (files named on their own: the working directory's).
  const ownerFolders = folders.length ? folders : [process.cwd()];
  const ownerRoots = [...ownerFolders, ...ownerFolders.map((f) => repositoryRoot(f, fs.existsSync))];
  if (values.output) checkOutputPath(values.output);
  // Indented for a person at a terminal; one line into a pipe or file (as gh does), which is
  // smaller and quicker to write: `jq .` indents it.
  const indent = !values.output && process.stdout.isTTY ? 2 : undefined;
  // One-line JSON is written as it is serialised: each file's part on the thread that parsed it (see
  // report/stream.ts). A baseline or git history is matched against the whole report, so not then; nor
  // with --hosts: drift compares what hosts serve with the certificates' records, which streaming lets go.
  const streamed: FragmentSpec | undefined =
    format === 'json' && mode === 'scan' && indent === undefined && !baseline && !values['last-change'] && !collector
      ? {
          now,
          rules,
          contextGlobs,
          folders,
          cwd: process.cwd(),
          policy,
          ownerRoots,
          hosts: !!collector,
          ...(team.empty ? {} : { team: { configs: team.configs, explicit } }),
        }
      : undefined;
  const maxFileSize = values['max-file-size'] ? intOption(values['max-file-size'], 'max-file-size', 0) : DEFAULT_MAX_FILE_SIZE;
  let fragments: ReportFragment[] = [];
  // What production configuration names (Dockerfiles, compose, server configs ...): deployment evidence.
  const evidence = new EvidenceIndex(folders);
  const displayPath = (f: string) => {
    const root = folders.filter((r) => f.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0];
    return path
      .relative(root ?? process.cwd(), f)
      .split(path.sep)
      .join('/');
  };
  const evidenceOf = (f: string) => evidence.explain(f, displayPath);
  const scanStarted = performance.now();
  const stats = await runScan({
    sources: [
      ...folders.map((root) => ({ root, include: values.include, exclude })),
      // Files named on the command line (a pre-commit hook's staged files) are one list, read as one.
      ...(namedFiles.length ? [{ files: namedFiles }] : []),
    ],
    maxFileSize,
    pool,
    read: readBoundedSync,
    thisThread: 'share',
    shareFromFiles: SHARE_FROM_FILES,
    memo: new ParseMemo({ repeatedOnly: true }),
    ...(keystorePassword !== undefined ? { parse: { pkcs12Password: () => keystorePassword } } : {}),
    // Discovery always runs: config files name hosts (with --hosts), and deployment files the
    // certificate files they use (deployment evidence for every file's context; alone without --hosts).
    discover: collector ? true : 'mentions',
    // For `npm run bench`: the reading pipeline alone (nothing is parsed; the report is empty).
    sniffOnly: process.env.CERTLENS_BENCH_SNIFF_ONLY === '1',
    signal: controller.signal,
    ...(streamed
      ? { report: streamed, onFragment: (f: ReportFragment) => fragments.push(f) }
      : { onFile: (r: FileResult) => inventory.set(r) }),
    onRead: (e) => {
      collector?.onRead(e);
      if (e.discovered?.mentions && contextOf(e.file) === 'production') evidence.set(e.file, e.discovered.mentions);
    },
  }).finally(() => pool?.dispose());
  mark('scanned');
  // What the scan could not look into is said, here and in the report: a run never reads less than it seems to.
  for (const u of stats.unreadableFolders) process.stderr.write(`certlens: cannot read folder ${u.path}: ${u.error}\n`);
  if (stats.sharing && process.env.CERTLENS_TIMINGS) {
    // When the walk ended, and how the work was shared (files read here, this thread's wait for the worker at the end).
    mark('walked', scanStarted + stats.sharing.walkedMs);
    process.stderr.write(
      `here ${stats.sharing.readHere} of ${stats.files} files (${stats.sharing.offered} offered to the worker), waited ${stats.sharing.waitedMs} ms\n`,
    );
  }
  // The team config's hosts: skip patterns leave targets out, resolve entries add to --resolve (which wins).
  const teamHosts = team.hosts();
  const skipHosts = new HostMatcher(teamHosts.skip);
  if (hostOptions)
    for (const [from, to] of Object.entries(teamHosts.resolve)) {
      const spec = resolveSpec(from, to);
      if (spec && !hostOptions.resolve.has(spec[0])) hostOptions.resolve.set(spec[0], spec[1]);
    }
  const checked =
    collector && hostOptions
      ? await checkTargets(
          collector.targets().filter((t) => skipHosts.empty || !skipHosts.matches(t.host, t.port)),
          now,
          rules,
          { ...hostOptions, signal: controller.signal },
        )
      : undefined;
  let counts: FailureCounts;
  // Host probes end as 'cancelled' rather than throwing: a cancelled run writes no report.
  controller.signal.throwIfAborted();
  if (streamed) {
    const sink = outputSink(values.output);
    const write = (chunk: Uint8Array) => {
      controller.signal.throwIfAborted();
      return sink.write(chunk);
    };
    try {
      fragments = await withEvidence(fragments, streamed, evidenceOf, (files) => rescan(files, maxFileSize));
      const totals = await writeJsonReport(
        fragments,
        {
          files: stats.files,
          ms: stats.ms,
          hostFindings: checked?.findings,
          hosts: checked?.hosts,
          unreadableFolders: stats.unreadableFolders,
          teamFindings: team.problemFindings(),
        },
        streamed,
        write,
      );
      await write(Buffer.from('\n'));
      counts = totals.counts;
      if (totals.ignored)
        process.stderr.write(
          `certlens: ${totals.ignored} of ${totals.summary.production.findings + totals.summary.nonProduction.findings} findings are ignored by the team config: marked, not counted for --fail-on\n`,
        );
    } catch (e) {
      await sink.close(false);
      throw e;
    }
    await sink.close(true);
  } else {
    const certs = inventory.certificates();
    // Every file's findings (the one findings path, core/findings), the hosts', then the non-production policy.
    const found = [...team.problemFindings(), ...inventory.findings(now, rules, rulesOf)];
    if (checked) found.push(...checked.findings);
    // Drift: what the checked hosts serve against the certificates the configuration pairs with them.
    if (checked && collector) found.push(...checkDrift(collector, inventoryIndex(inventory, contextOf), checked.results, now, rules));
    // The path's word, or the certificates' own when a file's are all for development, or deployment evidence.
    const fileContextOf = withCertificateContent(contextOf, (f) => inventory.get(f)?.certificates, evidenceOf);
    const findings = withContextPolicy(found, fileContextOf, policy);
    mark('rules');
    const ownersOf = ownersByRoot(ownerRoots, readTextIfExists);
    const lastChanges = values['last-change'] ? await lastChangesOf(certs, new LastChangeCache()) : undefined;
    const lastChangeOf = lastChanges && ((c: CertificateRecord) => lastChanges.get(`${c.file}\0${c.index}`));
    const report = buildReport(certs, findings, now, stats, {
      contextOf: fileContextOf,
      hosts: checked?.hosts,
      ownersOf,
      lastChangeOf,
      crls: inventory.crls(),
    });
    mark('report');
    const relativeTo = roots.length === 1 && fs.statSync(roots[0]).isDirectory() ? path.resolve(roots[0]) : process.cwd();
    const sourceRoot = sourceRootFor(roots, relativeTo);
    const inBaseline = baseline && new BaselineMatcher(baseline, sourceRoot);
    if (inBaseline) for (const f of report.findings) if (inBaseline.matches(f)) f.baselined = true;
    // A team config's ignores: kept in JSON and SARIF (marked), left out of the other formats and of --fail-on.
    if (!team.empty)
      for (const f of report.findings) {
        const ignored = team.ignoreOf(f, now);
        if (ignored) f.ignored = ignored;
      }
    const shown = team.empty ? report : { ...report, findings: report.findings.filter((f) => !f.ignored) };
    const out =
      mode === 'baseline'
        ? baselineJson(createBaseline(shown.findings, sourceRoot))
        : format === 'json'
          ? JSON.stringify(report, null, indent) + '\n'
          : format === 'csv'
            ? toCsv(shown)
            : format === 'sarif'
              ? toSarif(report, VERSION, { sourceRoot, baseline: !!baseline })
              : format === 'openmetrics'
                ? toMetrics(shown, { repository: values.repository, relativeTo })
                : toTable(
                    shown,
                    !values['no-color'] && !values.output && process.stdout.isTTY === true && !process.env.NO_COLOR,
                    relativeTo,
                  );
    mark('formatted');
    controller.signal.throwIfAborted();
    if (values.output) writeFileAtomically(values.output, out);
    else await new Promise<void>((resolve) => process.stdout.write(out, () => resolve()));
    const notIgnored = team.empty ? findings : partitionIgnored(findings, team, now).shown;
    if (notIgnored.length < findings.length)
      process.stderr.write(
        `certlens: ${findings.length - notIgnored.length} of ${findings.length} findings are ignored by the team config: ${format === 'json' || format === 'sarif' ? 'marked' : 'not shown'}, not counted for --fail-on\n`,
      );
    const counted = inBaseline ? notIgnored.filter((f) => !inBaseline.matches(f)) : notIgnored;
    if (counted.length < notIgnored.length)
      process.stderr.write(
        `certlens: ${notIgnored.length - counted.length} of ${findings.length} findings are in the baseline ${values.baseline}: reported, not counted for --fail-on\n`,
      );
    counts = failureCounts(counted);
  }
  mark('written');
  return mode === 'scan' && failsAt(failOn, counts) ? 1 : 0;
}

/**
 * Where the report goes: a file (through a temporary one, see openOutput), each chunk written at
 * its place by libuv's threads while this one assembles the next (the writer hands over chunks it
 * does not touch again), or stdout, waiting for it to drain; a reader that went away (EPIPE) takes
 * nothing more. close(false) leaves the file as it was.
 */
function outputSink(file: string | undefined): {
  write: (chunk: Uint8Array) => void | Promise<void>;
  close: (ok: boolean) => Promise<void>;
} {
  if (file) {
    const output = openOutput(file);
    let position = 0;
    const writing: Promise<void>[] = [];
    const writeAt = async (chunk: Uint8Array, at: number) => {
      for (let off = 0; off < chunk.length;) {
        const bytesWritten = await new Promise<number>((resolve, reject) =>
          fs.write(output.fd, chunk, off, chunk.length - off, at + off, (e, n) => (e ? reject(e) : resolve(n))),
        );
        off += bytesWritten;
      }
    };
    return {
      write: (chunk) => {
        // A device or a pipe takes writes in order, here and now.
        if (!output.seekable) return void fs.writeSync(output.fd, chunk);
        const written = writeAt(chunk, position);
        written.catch(() => undefined); // reported by close()
        writing.push(written);
        position += chunk.length;
      },
      close: async (ok) => {
        try {
          await Promise.all(writing);
        } catch (e) {
          output.abort();
          throw new OutputError(`cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (ok) output.commit();
        else output.abort();
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

function readTextIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The exit code of a run cancelled by Ctrl-C (SIGINT): 128 + 2, as a shell reports it. */
export const EXIT_CANCELLED = 130;

/** The error an AbortSignal throws (a DOMException named AbortError, or the reason it was given). */
function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
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
    if (command === 'baseline') return await scanCommand(rest, 'baseline');
    if (command === 'check') return await checkCommand(rest, (m) => new UsageError(m));
    if (command === 'csr') return csrCommand(rest, (m) => new UsageError(m));
    throw new UsageError(`unknown command "${command}"`);
  } catch (e) {
    if (isAbort(e)) {
      // Ctrl-C: the shell's code for SIGINT (128 + 2), not 1 (findings) or 2 (a failure).
      process.stderr.write('certlens: cancelled\n');
      return EXIT_CANCELLED;
    }
    const code = (e as { code?: unknown } | undefined)?.code;
    if (e instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`certlens: ${(e as Error).message}\nRun "certlens --help" for usage.\n`);
      return 2;
    }
    if (e instanceof OutputError) {
      process.stderr.write(`certlens: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`certlens: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
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
  // main() answers every failure with an exit code; anything that still escapes it ends the run with 2.
  const fatal: FailureLog = {
    error: (what, err) => {
      STDERR_LOG.error(what, err);
      process.exitCode = 2;
    },
  };
  runInBackground(
    fatal,
    'certlens',
    main(process.argv.slice(2)).then((code) => {
      process.exitCode = code;
    }),
  );
}

/** Files read again through the scan pipeline on this thread (the few the streamed report must make again). */
async function rescan(files: string[], maxFileSize: number): Promise<Map<string, FileResult>> {
  const out = new Map<string, FileResult>();
  await runScan({ sources: [{ files }], maxFileSize, read: readBoundedSync, discover: true, onFile: (r) => out.set(r.file, r) });
  return out;
}
