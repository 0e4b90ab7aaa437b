#!/usr/bin/env node
// Real-world signal/noise measure: scans public repositories (see realworld/manifest.json) with
// production-like items planted into a temp copy of each, and counts what a user would have to
// wade through (noise) against what they must see (planted production certificates and endpoints).
// The checkouts themselves are never written to. Needs dist/ (`node esbuild.js`) and
// out/test/support/certs.js (`node esbuild.js --tests`; built here when missing).
//
//   node scripts/realworld.mjs [--label L] [--keep] [--cli PATH] [--name NAME] DIR [[--name NAME] DIR ...]
//   npm run realworld -- /work/corpus/traefik /work/corpus/caddy --label after
//
// With no DIR, every manifest repository found under --corpus (default /work/corpus) is scanned.
// --name NAME applies to the next DIR (when its basename is not the manifest name).
//
// Labelled mode (issue 23): every repository of a labelled set, scanned as it is (no plants), held
// against its labels (realworld/sets/README.md):
//   node scripts/realworld.mjs --labels realworld/sets/tuning [--corpus DIR] [--cli PATH] --label L [NAME ...]
// --corpus defaults to /work/corpus-<set> (/work/corpus-tuning); --cli to dist/cli.js (e.g.
// /work/baseline/dist/cli.js for the before run); NAMEs limit the run to some repositories.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateLabelled, labelledTotals, validateLabels } from './lib/realworld-labels.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifestFile = path.join(root, 'realworld', 'manifest.json');
let cli = path.join(root, 'dist', 'cli.js');
/** Where planted endpoints (and a plant's resolveLocally hosts) are sent instead of DNS: a refused local port, so no probe of a planted name leaves the machine. */
const PLANTED_ENDPOINT_ADDRESS = '127.0.0.1:9';
const PROBE_TIMEOUT_MS = 1500;
const SEVERITIES = ['error', 'warning', 'info', 'hint'];

// ---------- arguments ----------

function parseArguments(argv) {
  const options = { label: 'latest', corpus: undefined, keep: false, targets: [], labels: undefined, cli: undefined };
  let pendingName;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--label') options.label = value();
    else if (a === '--corpus') options.corpus = value();
    else if (a === '--name') pendingName = value();
    else if (a === '--keep') options.keep = true;
    else if (a === '--labels') options.labels = path.resolve(value());
    else if (a === '--cli') options.cli = path.resolve(value());
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        fs
          .readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(1)
          .filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('//')))
          .map((l) => l.replace(/^\/\/ ?/, ''))
          .join('\n') + '\n',
      );
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else if (options.labels !== undefined || argv.includes('--labels')) options.targets.push({ name: a });
    else {
      options.targets.push({ dir: path.resolve(a), name: pendingName ?? path.basename(path.resolve(a)) });
      pendingName = undefined;
    }
  }
  if (options.corpus === undefined)
    options.corpus = options.labels ? path.join('/work', `corpus-${path.basename(options.labels)}`) : '/work/corpus';
  if (!/^[\w.-]+$/.test(options.label)) throw new Error(`--label must be letters, digits, . _ or -, got "${options.label}"`);
  return options;
}

// ---------- paths ----------

/** What kind of place a repository path is, by the harness's own rules (independent of the engine's). */
export function pathCategory(rel) {
  const p = rel.replace(/\\/g, '/');
  if (/(^|\/)(vendor|third_party|node_modules)\//.test(p)) return 'vendor';
  if (
    /(^|\/)(tests?|testdata|testing|fixtures?|__tests__|e2e|integration|testutils?)\//i.test(p) ||
    /(_test\.go|\.test\.[cm]?[jt]sx?|_test\.py)$|(^|\/)test_[^/]*\.py$/.test(p)
  )
    return 'test';
  if (/(^|\/)(examples?|samples?|demos?)\//i.test(p)) return 'example';
  if (/(^|\/)(docs?|documentation)\//i.test(p) || /\.(md|markdown|rst|adoc)$/i.test(p)) return 'docs';
  if (/(^|\/)\.(github|gitlab|circleci)\//.test(p)) return 'ci';
  if (/(^|\/)crds?\//i.test(p) || /(^|\/|[-_.])crds?[-_.][^/]*$/i.test(p)) return 'crd';
  return 'other';
}

/** File names that say more than their extension. */
const NAMED_FILES = new Set(['chart.yaml', 'values.yaml', 'notes.txt', 'kustomization.yaml', 'docker-compose.yml', 'docker-compose.yaml']);

function extensionPattern(rel) {
  const base = path.basename(rel);
  if (NAMED_FILES.has(base.toLowerCase())) return base;
  if (base.startsWith('.env')) return '.env*';
  const ext = path.extname(base);
  return ext ? `*${ext}` : base;
}

/**
 * The YAML/JSON key a position sits under: the block scalar (`description: |-`) it continues, else
 * the last key before it on its line, else the nearest less-indented key line.
 */
function enclosingKey(lines, line, character) {
  const text = lines[line] ?? '';
  const indent = text.search(/\S/);
  // A list item may sit at its key's own indentation ("sources:" then "- https://...").
  const item = /^\s*-\s/.test(text);
  let parent;
  for (let i = line - 1; i >= 0 && i >= line - 2000; i--) {
    const at = lines[i].search(/\S/);
    if (at < 0 || at > indent) continue;
    const m = /^\s*(?:-\s+)?["']?([\w$./-]+)["']?\s*:(.*)$/.exec(lines[i]);
    if (at === indent && !(item && m && !m[2].trim())) continue;
    if (m) {
      if (/^\s*[|>][-+]?\d*\s*$/.test(m[2])) return m[1];
      parent = m[1];
      break;
    }
  }
  const before = text.slice(0, character).replace(/[a-zA-Z][\w+.-]*:\/\/[^\s"']*$/, '');
  const keys = [...before.matchAll(/(?:^|[\s{,[])["']?([A-Za-z_$][\w$./-]*)["']?\s*:(?=\s|$|["'{[])/g)];
  return keys.length ? keys[keys.length - 1][1] : parent;
}

// Whether a position is inside a block comment (as Helm templates write them: {{/* ... */}}), opened up to 30 lines above.
function inBlockComment(lines, line, character) {
  const before = [...lines.slice(Math.max(0, line - 30), line), (lines[line] ?? '').slice(0, character)].join('\n');
  return before.lastIndexOf('/*') > before.lastIndexOf('*/');
}

// ---------- plants ----------

function loadCertFactory() {
  const file = path.join(root, 'out', 'test', 'support', 'certs.js');
  if (!fs.existsSync(file)) {
    console.error('realworld: building out/test/support/certs.js (node esbuild.js --tests)');
    execFileSync(process.execPath, ['esbuild.js', '--tests'], { cwd: root, stdio: 'inherit' });
  }
  return createRequire(import.meta.url)(file);
}

/** The plants of one repository: template merged with the repository's path and overrides. */
function repoPlants(manifest, repo) {
  return Object.entries(repo.plants).map(([id, spec]) => {
    const template = manifest.plantTemplates[id];
    if (!template) throw new Error(`${repo.name}: unknown plant template "${id}"`);
    const own = typeof spec === 'string' ? { path: spec } : spec;
    const plant = { id, ...template, ...own };
    if (plant.role === 'production' && pathCategory(plant.path) !== 'other') {
      throw new Error(`${repo.name}: production plant ${id} sits in a ${pathCategory(plant.path)} path (${plant.path})`);
    }
    return plant;
  });
}

class PlantMaker {
  constructor(now) {
    this.now = now;
    this.certs = loadCertFactory();
    this.keys = new Map();
    this.made = new Map();
  }

  key(type) {
    if (!this.keys.has(type))
      this.keys.set(type, this.certs.makeKey(type === 'rsa' ? { type: 'rsa', bits: 2048 } : { type: 'ec', curve: 'P-256' }));
    return this.keys.get(type);
  }

  /** One certificate per template and key type, reused across repositories. */
  certificate(plant) {
    const id = `${plant.id}:${plant.key}:${plant.cn}`;
    if (!this.made.has(id)) {
      const { makeCert, daysFromNow } = this.certs;
      this.made.set(
        id,
        makeCert({
          cn: plant.cn,
          sans: plant.sans ?? [plant.cn],
          key: this.key(plant.key),
          notBefore: daysFromNow(plant.notBeforeDays, this.now),
          notAfter: daysFromNow(plant.notAfterDays, this.now),
        }),
      );
    }
    return this.made.get(id);
  }

  /** File content of a plant, and the certificate it holds (if any). */
  content(plant) {
    if (plant.kind === 'text') return { text: plant.lines.join('\n') + '\n' };
    const cert = this.certificate(plant);
    if (plant.kind === 'certificate') return { text: cert.pem, cert };
    if (plant.kind === 'tls-secret') {
      const b64 = (s) => Buffer.from(s).toString('base64');
      const text = [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        `  name: ${plant.secretName}`,
        'type: kubernetes.io/tls',
        'data:',
        `  tls.crt: ${b64(cert.pem)}`,
        `  tls.key: ${b64(cert.keyPem)}`,
        '',
      ].join('\n');
      return { text, cert };
    }
    throw new Error(`unknown plant kind "${plant.kind}"`);
  }
}

/** A hard-linked copy of `src` (a plain copy across file systems); plants are written as new files only. */
function copyTree(src, dest) {
  const linked = spawnSync('cp', ['-al', src, dest], { stdio: 'ignore' });
  if (linked.status !== 0) {
    fs.rmSync(dest, { recursive: true, force: true });
    fs.cpSync(src, dest, { recursive: true });
  }
}

function applyPlants(copy, plants, maker) {
  for (const plant of plants) {
    const file = path.join(copy, plant.path);
    // A planted file must be new: writing through a hard link would change the checkout.
    if (fs.existsSync(file)) throw new Error(`plant ${plant.id} would replace ${plant.path}, which the repository already has`);
    const { text, cert } = maker.content(plant);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    if (cert) plant.sha256 = createHash('sha256').update(cert.der).digest('hex');
  }
}

// ---------- scan ----------

function scan(copy, plants, reportFile) {
  const resolve = plants
    .flatMap((p) => [...(p.endpoints ?? []), ...(p.resolveLocally ?? [])])
    .flatMap((hp) => ['--resolve', `${hp}=${PLANTED_ENDPOINT_ADDRESS}`]);
  const args = [
    cli,
    'scan',
    copy,
    '--format',
    'json',
    '--hosts',
    '--timeout',
    String(PROBE_TIMEOUT_MS),
    '--output',
    reportFile,
    '--fail-on',
    'never',
    ...resolve,
  ];
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`certlens scan exited ${run.status}: ${run.stderr}`);
  return { report: JSON.parse(fs.readFileSync(reportFile, 'utf8')), seconds };
}

// ---------- measures ----------

function severityCounts(findings) {
  const out = { error: 0, warning: 0, info: 0, hint: 0, other: 0 };
  for (const f of findings) out[SEVERITIES.includes(f.severity) ? f.severity : 'other']++;
  return out;
}

/** A report field that names a file's context (string, or an object with kind/class/category). */
function contextLabel(context) {
  if (context === undefined || context === null) return undefined;
  if (typeof context === 'string') return context;
  if (typeof context === 'object') return context.kind ?? context.class ?? context.category ?? context.type ?? JSON.stringify(context);
  return String(context);
}

function tally(items, labelOf) {
  const out = {};
  for (const item of items) {
    const label = labelOf(item);
    if (label !== undefined) out[label] = (out[label] ?? 0) + 1;
  }
  return out;
}

const isLoud = (f) => f.severity === 'error' || f.severity === 'warning';

/** Measures of one scanned copy. `copy` is the temp root; report paths are made relative to it. */
export function measure(report, repo, plants, copy) {
  const rel = (file) => path.relative(copy, file).split(path.sep).join('/');
  const production = plants.filter((p) => p.role === 'production');
  const noisePlants = plants.filter((p) => p.role === 'noise');
  const productionFiles = new Set(production.map((p) => p.path));
  const plantedEndpoints = new Set(production.flatMap((p) => p.endpoints ?? []));
  const known = new Set((repo.knownEndpoints ?? []).map((k) => k.host));
  const findings = report.findings ?? [];
  const hosts = report.hosts ?? [];

  const aboutProduction = (f) => productionFiles.has(rel(f.file)) || (f.host !== undefined && plantedEndpoints.has(f.host));
  const loud = findings.filter(isLoud);
  const noise = loud.filter((f) => !aboutProduction(f));

  const certificates = production
    .filter((p) => p.kind !== 'text')
    .map((p) => {
      const own = loud.filter((f) => rel(f.file) === p.path && (!f.sha256 || !p.sha256 || f.sha256 === p.sha256));
      const listed = (report.certificates ?? []).some((c) => rel(c.file) === p.path);
      return {
        plant: p.id,
        path: p.path,
        expect: p.expect,
        listed,
        flagged: own.length > 0,
        findings: own.map((f) => `${f.severity} ${f.code}`),
      };
    });

  const hostKey = (h) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
  const discovered = hosts.map(hostKey);
  const endpoints = production.flatMap((p) =>
    (p.endpoints ?? []).map((hp) => {
      const host = hosts.find((h) => hostKey(h) === hp);
      const fromPlant = !!host && (host.references ?? []).some((r) => rel(r.file) === p.path);
      return { endpoint: hp, plant: p.id, path: p.path, found: fromPlant };
    }),
  );
  const endpointHosts = discovered.filter((k) => plantedEndpoints.has(k) || known.has(k));
  // The repository's own hosts: named in at least one file that is not a plant.
  const plantedFiles = new Set(plants.map((p) => p.path));
  const ownHosts = hosts.filter((h) => (h.references ?? []).some((r) => !plantedFiles.has(rel(r.file)))).map(hostKey);

  const plantedNoise = noisePlants.map((p) => {
    const own = loud.filter((f) => rel(f.file) === p.path);
    const refs = hosts.filter((h) => (h.references ?? []).some((r) => rel(r.file) === p.path)).map(hostKey);
    return { plant: p.id, path: p.path, loudFindings: own.map((f) => `${f.severity} ${f.code}`), hostsDiscovered: refs };
  });

  return {
    name: repo.name,
    repository: repo.repository,
    commit: repo.commit,
    files: report.stats?.files ?? null,
    certificates: report.stats?.certificates ?? (report.certificates ?? []).length,
    findings: severityCounts(findings),
    noise: noise.length,
    /** Noise from host probes (findings with a host) and from files (certificates, PEM, base64). */
    noiseSplit: { hosts: noise.filter((f) => f.host !== undefined).length, files: noise.filter((f) => f.host === undefined).length },
    productionCertificates: { planted: certificates.length, flagged: certificates.filter((c) => c.flagged).length, details: certificates },
    plantedEndpoints: { planted: endpoints.length, found: endpoints.filter((e) => e.found).length, details: endpoints },
    hosts: {
      discovered: discovered.length,
      endpoints: endpointHosts.length,
      share: discovered.length ? endpointHosts.length / discovered.length : null,
      /** Without the plants: hosts the repository itself names, and how many are known endpoints. */
      repository: { discovered: ownHosts.length, endpoints: ownHosts.filter((k) => known.has(k)).length },
      knownEndpointsFound: [...known].filter((k) => discovered.includes(k)),
      notEndpoints: discovered.filter((k) => !plantedEndpoints.has(k) && !known.has(k)),
    },
    plantedNoise,
    noiseByCode: sortedTally(tally(noise, (f) => f.code)),
    noiseByPlace: noisePatterns(noise, rel, copy, false),
    noiseByPattern: noisePatterns(noise, rel, copy, true),
    contexts: contextTallies(report),
  };
}

function sortedTally(t) {
  return Object.fromEntries(Object.entries(t).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/**
 * Noise grouped by code, path category and file pattern; with `detail`, host findings also by where
 * in the file the host sits (a block comment, or the YAML/JSON key it is under).
 */
function noisePatterns(noise, rel, copy, detail) {
  const lineCache = new Map();
  const linesOf = (file) => {
    if (!lineCache.has(file)) {
      let lines = [];
      try {
        lines = fs.readFileSync(file, 'utf8').split('\n');
      } catch {
        /* gone or unreadable: no key */
      }
      lineCache.set(file, lines);
    }
    return lineCache.get(file);
  };
  const groups = new Map();
  for (const f of noise) {
    const r = rel(f.file);
    let pattern = `${f.code} in ${pathCategory(r)} ${extensionPattern(r)}`;
    if (detail && f.host !== undefined) {
      const lines = linesOf(path.join(copy, r));
      const { line, character } = f.range.start;
      if (inBlockComment(lines, line, character)) pattern += ' in a /* */ comment';
      else if (/\.(ya?ml|json)$/i.test(r)) {
        const key = enclosingKey(lines, line, character);
        if (key) pattern += ` under "${key}:"`;
      }
    }
    let g = groups.get(pattern);
    if (!g) groups.set(pattern, (g = { pattern, count: 0, examples: [] }));
    g.count++;
    const example = `${r}:${f.range.start.line + 1}${f.host ? ` (${f.host})` : ''}`;
    if (g.examples.length < 3 && !g.examples.some((e) => e.startsWith(`${r}:`))) g.examples.push(example);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern));
}

/** Counts of a `context` field on certificates, findings and hosts, when the report has one. */
function contextTallies(report) {
  const out = {};
  for (const field of ['certificates', 'findings', 'hosts']) {
    const t = tally(report[field] ?? [], (x) => contextLabel(x.context));
    if (Object.keys(t).length) out[field] = sortedTally(t);
  }
  return out;
}

export function totals(results) {
  const sum = (f) => results.reduce((n, r) => n + (f(r) ?? 0), 0);
  const discovered = sum((r) => r.hosts.discovered);
  const endpoints = sum((r) => r.hosts.endpoints);
  const byCode = {};
  for (const r of results) for (const [k, v] of Object.entries(r.noiseByCode)) byCode[k] = (byCode[k] ?? 0) + v;
  const merge = (field) => {
    const groups = new Map();
    for (const r of results) {
      for (const g of r[field]) {
        let t = groups.get(g.pattern);
        if (!t) groups.set(g.pattern, (t = { pattern: g.pattern, count: 0, repos: {}, examples: [] }));
        t.count += g.count;
        t.repos[r.name] = g.count;
        for (const e of g.examples) if (t.examples.length < 3) t.examples.push(`${r.name}: ${e}`);
      }
    }
    return [...groups.values()].sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern));
  };
  return {
    repos: results.length,
    files: sum((r) => r.files),
    certificates: sum((r) => r.certificates),
    findings: Object.fromEntries(Object.keys(results[0]?.findings ?? {}).map((k) => [k, sum((r) => r.findings[k])])),
    noise: sum((r) => r.noise),
    noiseSplit: { hosts: sum((r) => r.noiseSplit.hosts), files: sum((r) => r.noiseSplit.files) },
    productionCertificates: {
      planted: sum((r) => r.productionCertificates.planted),
      flagged: sum((r) => r.productionCertificates.flagged),
    },
    plantedEndpoints: { planted: sum((r) => r.plantedEndpoints.planted), found: sum((r) => r.plantedEndpoints.found) },
    plantedNoiseLoud: sum((r) => r.plantedNoise.reduce((n, p) => n + p.loudFindings.length, 0)),
    hosts: {
      discovered,
      endpoints,
      share: discovered ? endpoints / discovered : null,
      repository: { discovered: sum((r) => r.hosts.repository.discovered), endpoints: sum((r) => r.hosts.repository.endpoints) },
    },
    seconds: sum((r) => r.seconds),
    noiseByCode: sortedTally(byCode),
    noiseByPlace: merge('noiseByPlace'),
    noiseByPattern: merge('noiseByPattern'),
  };
}

// ---------- output ----------

function table(rows, header) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

function printSummary(results, total) {
  const pct = (x) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  const row = (name, r) => [
    name,
    r.files,
    r.certificates,
    r.findings.error,
    r.findings.warning,
    r.findings.info,
    r.findings.hint,
    r.noise,
    `${r.productionCertificates.flagged}/${r.productionCertificates.planted}`,
    `${r.plantedEndpoints.found}/${r.plantedEndpoints.planted}`,
    r.hosts.discovered,
    r.hosts.endpoints,
    pct(r.hosts.share),
    r.seconds.toFixed(1),
  ];
  const header = [
    'repo',
    'files',
    'certs',
    'error',
    'warn',
    'info',
    'hint',
    'noise',
    'prodCerts',
    'plantedEP',
    'hosts',
    'endpoints',
    'share',
    'scan s',
  ];
  console.log(table([...results.map((r) => row(r.name, r)), row('TOTAL', total)], header));
  console.log(
    `\nthe repositories' own hosts (named outside the plants): ${total.hosts.repository.discovered}, of which known endpoints: ${total.hosts.repository.endpoints}`,
  );
  if (total.findings.other) console.log(`(${total.findings.other} findings had a severity outside ${SEVERITIES.join('/')})`);
  console.log('\nnoise by code:');
  for (const [code, n] of Object.entries(total.noiseByCode).slice(0, 10)) console.log(`  ${String(n).padStart(6)}  ${code}`);
  console.log(`\nnoise: ${total.noiseSplit.hosts} from host probes, ${total.noiseSplit.files} from files`);
  for (const [title, groups] of [
    ['noise by place (top 10)', total.noiseByPlace],
    ['host noise by where the host sits (top 10)', total.noiseByPattern.filter((g) => / under "| comment$/.test(g.pattern))],
  ]) {
    console.log(`\n${title}:`);
    for (const g of groups.slice(0, 10))
      console.log(`  ${String(g.count).padStart(6)}  ${g.pattern}\n          e.g. ${g.examples.slice(0, 2).join('; ')}`);
  }
  const missed = results.flatMap((r) =>
    r.plantedEndpoints.details.filter((e) => !e.found).map((e) => `${r.name}: ${e.endpoint} (${e.plant})`),
  );
  if (missed.length) console.log(`\nplanted endpoints not found (${missed.length}):\n  ${missed.join('\n  ')}`);
  const unflagged = results.flatMap((r) => r.productionCertificates.details.filter((c) => !c.flagged).map((c) => `${r.name}: ${c.path}`));
  if (unflagged.length) console.log(`\nplanted production certificates NOT flagged error/warning:\n  ${unflagged.join('\n  ')}`);
  const noisyPlants = new Map();
  for (const r of results) {
    for (const p of r.plantedNoise.filter((x) => x.loudFindings.length || x.hostsDiscovered.length)) {
      const what =
        [...new Set(p.loudFindings)].join(', ') + (p.hostsDiscovered.length ? `; ${p.hostsDiscovered.length} hosts discovered` : '');
      const line = `${p.plant}: ${what}`;
      noisyPlants.set(line, [...(noisyPlants.get(line) ?? []), r.name]);
    }
  }
  if (noisyPlants.size) {
    console.log('\nplanted noise still reported (error/warning findings, hosts):');
    for (const [line, repos] of noisyPlants)
      console.log(`  ${line}  [${repos.length === results.length ? 'every repo' : repos.join(', ')}]`);
  }
}

// ---------- main ----------

// ---------- labelled mode ----------

/** The labels files of a set directory (every *.json), checked; a bad one stops the run. */
export function readLabelSet(dir) {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--labels ${dir} is not a directory`);
  const out = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const labels = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const problems = validateLabels(labels);
    if (problems.length) throw new Error(`${path.join(dir, file)}: ${problems.slice(0, 8).join('; ')}`);
    if (`${labels.name}.json` !== file) throw new Error(`${path.join(dir, file)}: name "${labels.name}" does not match the file name`);
    out.push(labels);
  }
  return out;
}

function labelledScan(dir, reportFile) {
  const args = [
    cli,
    'scan',
    dir,
    '--format',
    'json',
    '--hosts',
    '--timeout',
    String(PROBE_TIMEOUT_MS),
    '--fail-on',
    'never',
    '--output',
    reportFile,
  ];
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`certlens scan of ${dir} exited ${run.status}: ${run.stderr}`);
  return { report: JSON.parse(fs.readFileSync(reportFile, 'utf8')), seconds };
}

function printLabelled(results, total) {
  const pct = (x) => (x === null ? '-' : `${(x * 100).toFixed(0)}%`);
  const row = (name, r) => [
    name,
    r.files,
    r.findings.error,
    r.findings.warning,
    r.findings.info,
    r.loud.noAct,
    r.loud.unlabelled,
    `${r.alarms.kept}/${r.alarms.labelled}`,
    `${r.productionHosts.endpoints}/${r.productionHosts.total}`,
    r.productionHosts.unlabelled,
    pct(r.productionHosts.precision),
    `${r.endpoints.found}/${r.endpoints.labelled}`,
    pct(r.endpoints.recall),
    r.productionInfo.noAct,
    r.productionInfo.unlabelled,
    `${r.certificates.found}/${r.certificates.labelled}`,
    r.seconds.toFixed(1),
  ];
  const header = [
    'repo',
    'files',
    'error',
    'warn',
    'info',
    'loudNoAct',
    'loudUnlab',
    'alarmsKept',
    'prodHostsEP',
    'prodHostUnlab',
    'precision',
    'endpoints',
    'recall',
    'prodInfoNoAct',
    'prodInfoUnlab',
    'certs',
    'scan s',
  ];
  console.log(table([...results.map((r) => row(r.name, r)), row('TOTAL', total)], header));
  const g = total.goals;
  const mark = (x) => (x.met === null ? 'n/a' : x.met ? 'met' : 'NOT met');
  console.log(
    [
      '',
      `loud findings nobody must act on: ${total.loud.noAct} (${total.loud.noActPer10Repos?.toFixed(1)} per 10 repos; goal <= 1: ${mark(g.loudNoActPer10Repos)})`,
      `real alarms kept: ${total.alarms.kept}/${total.alarms.labelled} (${mark(g.everyAlarmKept)})`,
      `production-host precision: ${total.productionHosts.endpoints}/${total.productionHosts.total} = ${pct(total.productionHosts.precision)} (goal >= 90%: ${mark(g.productionHostPrecision)}; ${total.productionHosts.unlabelled} unlabelled count as not endpoints)`,
      `production-endpoint recall: ${total.endpoints.found}/${total.endpoints.labelled} = ${pct(total.endpoints.recall)} (goal >= 85%: ${mark(g.productionEndpointRecall)}; ${total.endpoints.foundInProduction} of them in production context)`,
      `production info findings nobody must act on: ${total.productionInfo.noAct} (${total.productionInfo.noActPerRepo?.toFixed(1)} per repo; goal <= 1: ${mark(g.productionInfoNoActPerRepo)})`,
      `certificates found: ${total.certificates.found}/${total.certificates.labelled} (${mark(g.everyCertificateFound)})`,
      `scan seconds: ${total.seconds}`,
    ].join('\n'),
  );
  const list = (title, items, fmt) => {
    if (!items.length) return;
    console.log(`\n${title} (${items.length}):`);
    for (const x of items) console.log(`  ${fmt(x)}`);
  };
  const all = (pick) => results.flatMap((r) => pick(r).map((x) => ({ repo: r.name, ...x })));
  const finding = (x) =>
    `${x.repo}: ${x.path}:${x.line} ${x.severity} ${x.code}${x.host ? ` ${x.host}` : ''}${x.judgedBy ? ` [by ${x.judgedBy} label]` : ''}`;
  list(
    'LOST real alarms (labelled act=true, no longer error/warning)',
    all((r) => r.alarms.lost),
    (x) => `${x.repo}: ${x.path}:${x.line} ${x.code}${x.host ? ` ${x.host}` : ''} was ${x.was ?? '?'}, now ${x.now} — ${x.why}`,
  );
  list(
    'loud findings nobody must act on',
    all((r) => r.lists.loudNoAct),
    finding,
  );
  list(
    'UNLABELLED loud findings (judge and label them)',
    all((r) => r.lists.loudUnlabelled),
    finding,
  );
  list(
    'production hosts that are not endpoints',
    all((r) => r.lists.productionHostsNotEndpoints),
    (x) => `${x.repo}: ${x.host}  ${x.refs.join(', ')}`,
  );
  list(
    'UNLABELLED production hosts (judge and label them)',
    all((r) => r.lists.productionHostsUnlabelled),
    (x) => `${x.repo}: ${x.host}  ${x.refs.join(', ')}`,
  );
  list(
    'missed production endpoints',
    all((r) => r.endpoints.missed),
    (x) => `${x.repo}: ${x.endpoint}${x.path ? `  ${x.path}${x.line ? `:${x.line}` : ''}` : ''}`,
  );
  list(
    'production info findings nobody must act on',
    all((r) => r.lists.productionInfoNoAct),
    finding,
  );
  list(
    'UNLABELLED production info findings (judge and label them)',
    all((r) => r.lists.productionInfoUnlabelled),
    finding,
  );
  list(
    'labelled certificates NOT found',
    all((r) => r.certificates.missing.map((m) => ({ m }))),
    (x) => `${x.repo}: ${x.m}`,
  );
  list(
    'certificate files found but not labelled',
    all((r) => r.certificates.unlabelledFiles.map((m) => ({ m }))),
    (x) => `${x.repo}: ${x.m}`,
  );
}

function labelledMain(options) {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`node esbuild.js\` first, or give --cli`);
  let sets = readLabelSet(options.labels);
  if (options.targets.length) {
    const wanted = new Set(options.targets.map((t) => t.name));
    const unknown = [...wanted].filter((n) => !sets.some((l) => l.name === n));
    if (unknown.length) throw new Error(`no labels for ${unknown.join(', ')} in ${options.labels}`);
    sets = sets.filter((l) => wanted.has(l.name));
  }
  if (!sets.length) throw new Error(`no labels files in ${options.labels}`);
  const now = new Date();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-labelled-'));
  const results = [];
  try {
    for (const labels of sets) {
      const dir = path.join(options.corpus, labels.name);
      if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
        throw new Error(`${dir} is missing: extract ${labels.repository} at ${labels.commit} there (realworld/sets/README.md)`);
      process.stderr.write(`realworld: scanning ${labels.name} ... `);
      const { report, seconds } = labelledScan(dir, path.join(work, `${labels.name}.report.json`));
      process.stderr.write(`${seconds.toFixed(1)} s\n`);
      results.push({ ...evaluateLabelled(report, labels, dir), seconds: Math.round(seconds * 10) / 10 });
    }
  } finally {
    if (!options.keep) fs.rmSync(work, { recursive: true, force: true });
    else console.error(`realworld: kept reports in ${work}`);
  }
  const total = labelledTotals(results);
  printLabelled(results, total);
  const out = path.join(root, 'realworld', `results-${options.label}.json`);
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  const version = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        label: options.label,
        mode: 'labelled',
        set: path.relative(root, options.labels).split(path.sep).join('/'),
        generatedAt: now.toISOString(),
        cli: path.relative(root, cli).startsWith('..') ? cli : path.relative(root, cli).split(path.sep).join('/'),
        cliVersion: version.status === 0 ? version.stdout.trim() : null,
        certlensCommit: git.stdout.trim() || null,
        probeTimeoutMs: PROBE_TIMEOUT_MS,
        total,
        repos: results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.cli) cli = options.cli;
  if (options.labels) return labelledMain(options);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run `node esbuild.js` first (npm run realworld does)');
  const targets = options.targets.length
    ? options.targets
    : manifest.repos.map((r) => ({ dir: path.join(options.corpus, r.name), name: r.name })).filter((t) => fs.existsSync(t.dir));
  if (!targets.length) throw new Error(`no repositories to scan: give DIRs or put checkouts under ${options.corpus}`);

  const now = new Date();
  const maker = new PlantMaker(now);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-realworld-'));
  const results = [];
  try {
    for (const t of targets) {
      const repo = manifest.repos.find((r) => r.name === t.name);
      if (!repo) {
        console.error(`realworld: skipping ${t.dir}: no manifest entry named "${t.name}" (use --name)`);
        continue;
      }
      if (!fs.statSync(t.dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${t.dir} is not a directory`);
      const copy = path.join(work, repo.name);
      copyTree(t.dir, copy);
      const plants = repoPlants(manifest, repo);
      applyPlants(copy, plants, maker);
      process.stderr.write(`realworld: scanning ${repo.name} ... `);
      const { report, seconds } = scan(copy, plants, path.join(work, `${repo.name}.report.json`));
      process.stderr.write(`${seconds.toFixed(1)} s\n`);
      results.push({ ...measure(report, repo, plants, copy), seconds: Math.round(seconds * 10) / 10 });
      if (!options.keep) fs.rmSync(copy, { recursive: true, force: true });
    }
  } finally {
    if (!options.keep) fs.rmSync(work, { recursive: true, force: true });
    else console.error(`realworld: kept copies and reports in ${work}`);
  }
  if (!results.length) throw new Error('nothing scanned');

  const total = totals(results);
  printSummary(results, total);
  const out = path.join(root, 'realworld', `results-${options.label}.json`);
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        label: options.label,
        generatedAt: now.toISOString(),
        certlensCommit: git.stdout.trim() || null,
        probeTimeoutMs: PROBE_TIMEOUT_MS,
        total,
        repos: results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`realworld: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  }
}
