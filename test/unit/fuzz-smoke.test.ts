// A short, fixed-seed run of the fuzzer (test/support/fuzz.ts) as part of the unit suite; long runs
// are `npm run fuzz -- --seconds N --seed S`.
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusSeeds, generatedSeeds, runFuzz, type Seed } from '../support/fuzz';

describe('fuzz smoke run', function () {
  this.timeout(60_000);
  let seeds: Seed[];

  before(function () {
    this.timeout(60_000);
    // openssl-made certificates, PKCS#7 and PKCS#12 (no RSA: key generation is slow), plus a few real CAs.
    seeds = [...generatedSeeds(), ...corpusSeeds(['/etc/ssl/certs/ca-certificates.crt'], { perFile: 25 })];
  });

  it('parses ~3 s of mutated inputs without an exception, a slow input or runaway memory', () => {
    const saveDir = path.join(os.tmpdir(), 'certlens-fuzz-smoke-failures');
    const stats = runFuzz({ seed: 'unit-smoke-1', seeds, seconds: 3, truncateEvery: 1, tries: 5, saveDir });
    assert.ok(stats.inputs >= 300, `only ${stats.inputs} inputs in ${stats.ms} ms`);
    assert.ok(Object.keys(stats.perMutation).length >= 15, `few mutations ran: ${Object.keys(stats.perMutation).join(', ')}`);
    const failures = stats.failures.map(
      (f) => `${f.kind}: ${f.mutation} [${f.container}${f.ext}] ${f.bytes.length} bytes: ${f.message} (saved as ${f.saved})`,
    );
    assert.deepEqual(failures, [], `replay with the saved inputs; run "npm run fuzz" for more`);
  });
});
