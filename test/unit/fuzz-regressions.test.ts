// Replays every input the fuzzer once failed on (test/fixtures/fuzz/, written by `npm run fuzz`):
// parseFile must not throw and must finish within the fuzzer's time limit.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allowedMs, fastestOf, unexplainedMs } from '../support/fuzz';

// out/test/unit -> the repository root; the fixtures are read from the sources, not copied to out/.
const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'fuzz');

describe('fuzz regressions', () => {
  const names = fs.existsSync(FIXTURES)
    ? fs
        .readdirSync(FIXTURES)
        .filter((n) => n !== 'README.md')
        .sort()
    : [];

  it('has the fixture folder (with its README, even when no input is kept)', () => {
    assert.ok(fs.existsSync(path.join(FIXTURES, 'README.md')), `${FIXTURES}/README.md is missing`);
  });

  for (const name of names) {
    it(`parses ${name} without throwing, within the time limit`, () => {
      const bytes = fs.readFileSync(path.join(FIXTURES, name));
      const limit = allowedMs(bytes.length);
      // The fastest of a few tries: the limit is about the algorithm, not about a busy machine.
      const r = fastestOf(`/fuzz/${name}`, bytes, 5, limit);
      assert.equal(r.error, undefined, `parseFile threw: ${(r.error as Error)?.stack ?? String(r.error)}`);
      assert.ok(
        unexplainedMs(r) < limit,
        `took ${r.ms.toFixed(1)} ms (limit ${limit.toFixed(0)} ms, ${r.kdfIterations} key-derivation iterations)`,
      );
      assert.ok(r.result, 'no result');
    });
  }
});
