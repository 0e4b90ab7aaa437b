#!/usr/bin/env node
// Fuzzes the certificate engine's parseFile in-process: `npm run fuzz -- --seconds 60 --seed 1`.
// A thin driver over out/test/support/fuzz.js (built by `node esbuild.js --tests`), which holds the
// seeds, mutations, containers and pass criteria shared with the unit tests.
//
// Options:
//   --seconds N         length of the random phase (default 60)
//   --seed S            PRNG seed (default 1); the same seed and seeds give the same inputs
//   --max-ms N          per-input time limit (default 100)
//   --max-rss-mb N      allowed RSS growth over the run (default 512)
//   --truncate-every N  seeds swept with a truncation at every length first (default 4)
//   --hang-seconds N    a watchdog saves the input and kills the run after N s without progress (default 20)
//   --save-dir DIR      where failing inputs go (default test/fixtures/fuzz); --no-save to keep none
//   --corpus PATH       extra file or directory of seeds (repeatable); --no-default-corpora to skip the defaults
//   --no-key-seeds      leave out seeds holding private keys (keys, PKCS#12 with keys)
//   --sensitive-dir DIR where failures from corpus or key seeds go instead (default <tmpdir>/certlens-fuzz-not-for-commit):
//                       the shared corpora are not copied into the project, nor are private keys
//   --fresh-seeds       regenerate the openssl-made seeds instead of reusing the cached ones
//   --quiet             only the summary
// Exit code: 0 when no input failed, 1 otherwise, 2 on a usage error.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

let values;
try {
  ({ values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      seed: { type: 'string', default: '1' },
      'max-ms': { type: 'string', default: '100' },
      'max-rss-mb': { type: 'string', default: '512' },
      'truncate-every': { type: 'string', default: '4' },
      'hang-seconds': { type: 'string', default: '20' },
      'save-dir': { type: 'string', default: path.join(root, 'test', 'fixtures', 'fuzz') },
      'no-save': { type: 'boolean', default: false },
      corpus: { type: 'string', multiple: true, default: [] },
      'no-default-corpora': { type: 'boolean', default: false },
      'no-key-seeds': { type: 'boolean', default: false },
      'sensitive-dir': { type: 'string', default: path.join(os.tmpdir(), 'certlens-fuzz-not-for-commit') },
      'fresh-seeds': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  }));
} catch (e) {
  console.error(`fuzz: ${e.message}`);
  process.exit(2);
}
const num = (name) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`fuzz: --${name} needs a number, got "${values[name]}"`);
    process.exit(2);
  }
  return n;
};

const modulePath = path.join(root, 'out', 'test', 'support', 'fuzz.js');
if (!fs.existsSync(modulePath)) {
  console.error('fuzz: out/test/support/fuzz.js is missing; run "node esbuild.js --tests" first (npm run fuzz does)');
  process.exit(2);
}
const fuzz = require(modulePath);
const log = values.quiet ? () => {} : (line) => console.log(line);

// Seeds made with openssl vary from run to run (fresh keys); they are cached so that a seed value
// reproduces the same inputs. The cache lives outside the project.
const cacheFile = path.join(os.tmpdir(), 'certlens-fuzz-seeds-v3.json');
let generated;
if (!values['fresh-seeds'] && fs.existsSync(cacheFile)) {
  generated = JSON.parse(fs.readFileSync(cacheFile, 'utf8')).map((s) => ({ ...s, der: s.der ? Buffer.from(s.der, 'base64') : undefined }));
} else {
  const t = performance.now();
  generated = fuzz.generatedSeeds({ rsa: true });
  fs.writeFileSync(cacheFile, JSON.stringify(generated.map((s) => ({ ...s, der: s.der?.toString('base64') }))));
  log(`generated ${generated.length} seeds with openssl in ${Math.round(performance.now() - t)} ms (cached in ${cacheFile})`);
}
const corpora = [...(values['no-default-corpora'] ? [] : fuzz.DEFAULT_CORPORA), ...values.corpus];
const fromCorpora = fuzz.corpusSeeds(corpora);
const seeds = [...generated, ...fromCorpora].filter((s) => !values['no-key-seeds'] || s.sensitive !== 'holds a private key');
const kinds = {};
for (const s of seeds) kinds[s.kind] = (kinds[s.kind] ?? 0) + 1;
log(
  `seeds: ${seeds.length} (${Object.entries(kinds)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}) from ${corpora.filter((c) => fs.existsSync(c)).join(', ') || 'no corpora'} and openssl`,
);

const saveDir = values['no-save'] ? undefined : path.resolve(values['save-dir']);
const sensitiveDir = path.resolve(values['sensitive-dir']);
const watchdog = fuzz.startWatchdog({ hangMs: num('hang-seconds') * 1000, saveDir, sensitiveDir });
const stats = fuzz.runFuzz({
  seed: values.seed,
  seeds,
  seconds: num('seconds'),
  maxMs: num('max-ms'),
  maxRssGrowthMb: num('max-rss-mb'),
  truncateEvery: num('truncate-every'),
  saveDir,
  sensitiveDir,
  beforeInput: watchdog.beforeInput,
  log,
});
watchdog.stop();
console.log(fuzz.formatStats(stats));
process.exitCode = stats.failureCounts.exception + stats.failureCounts.slow + stats.failureCounts.memory > 0 ? 1 : 0;
