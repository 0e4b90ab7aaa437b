import * as assert from 'node:assert/strict';
import { Inventory } from '../../src/core/scan/inventory';
import type { CertificateRecord, FileResult } from '../../src/core/model';
import { Rng } from '../support/fuzz';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

/** A file of a few certificates (few distinct dates, so ties by file and index matter) and maybe a key. */
function fileResult(file: string, rand: () => number): FileResult {
  const spkis = ['k1', 'k2', 'k3', 'k4'];
  const certificates = Array.from(
    { length: Math.floor(rand() * 4) },
    (_, index) =>
      ({
        file,
        index,
        range,
        notAfter: 1_000 * Math.floor(rand() * 5),
        spkiSha256: spkis[Math.floor(rand() * spkis.length)],
      }) as unknown as CertificateRecord,
  );
  const privateKeys = rand() < 0.15 ? [{ file, range, spkiSha256: spkis[Math.floor(rand() * spkis.length)] }] : [];
  return { file, certificates, problems: [], privateKeys, references: [], crls: [] };
}

const view = (list: CertificateRecord[]) => list.map((c) => `${c.notAfter} ${c.file}#${c.index} key=${c.privateKey?.file ?? '-'}`);

describe('inventory', () => {
  it('keeps its sorted, key-paired list right through edits, as a fresh sort of the same files gives it', () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Rng(seed);
      const rand = () => rng.u32() / 4294967296;
      const inventory = new Inventory();
      const files = Array.from({ length: 40 }, (_, i) => `/w/f${String(i).padStart(2, '0')}.pem`);
      const current = new Map<string, FileResult>();
      for (const f of files) {
        const r = fileResult(f, rand);
        inventory.set(r);
        current.set(f, r);
      }
      inventory.certificates();
      for (let step = 0; step < 300; step++) {
        // Edits of one to three files between reads, sometimes a deletion, sometimes a read skipped.
        for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
          const f = files[Math.floor(rand() * files.length)];
          if (rand() < 0.2) {
            inventory.delete(f);
            current.delete(f);
          } else {
            const r = fileResult(f, rand);
            inventory.set(r);
            current.set(f, r);
          }
        }
        if (rand() < 0.2) continue;
        const fresh = new Inventory();
        for (const r of current.values()) fresh.set({ ...r, certificates: r.certificates.map((c) => ({ ...c })) });
        assert.deepEqual(view(inventory.certificates()), view(fresh.certificates()), `seed ${seed}, step ${step}`);
      }
    }
  });
});
