import * as assert from 'node:assert/strict';
import { daysFromNow, makeCert } from '../support/certs';
import { parseFile } from '../../src/core/formats/parse-file';
import { ParseMemo } from '../../src/core/scan/memo';
import { sharedKey } from './helpers';

describe('ParseMemo', () => {
  const key = sharedKey({ type: 'ec' });
  const bundle = Buffer.from(
    [1, 2, 3]
      .map((i) => makeCert({ cn: `m${i}.certlens.dev`, key, notBefore: daysFromNow(-1), notAfter: daysFromNow(i * 10) }).pem)
      .join(''),
  );
  const other = Buffer.from(makeCert({ cn: 'other.certlens.dev', key, notBefore: daysFromNow(-1), notAfter: daysFromNow(5) }).pem);
  const summary = (file: string, bytes: Buffer, memo: ParseMemo) => {
    const r = memo.parse(file, bytes, {});
    return JSON.stringify([r.file, r.certificates.map((c) => [c.file, c.index, c.sha256, c.range, c.role]), r.problems]);
  };

  it('parses a content once and gives its copies as if read from their own files', () => {
    const memo = new ParseMemo();
    assert.equal(summary('/a/x.pem', bundle, memo), summary('/a/x.pem', bundle, new ParseMemo()));
    assert.equal(
      summary('/b/y.pem', bundle, memo),
      JSON.stringify(
        (() => {
          const r = parseFile('/b/y.pem', bundle);
          return [r.file, r.certificates.map((c) => [c.file, c.index, c.sha256, c.range, c.role]), r.problems];
        })(),
      ),
    );
    assert.equal(memo.hits, 1);
  });

  it('with repeatedOnly, keeps a content only once it is seen again (a content seen once costs no hash and no copy)', () => {
    const memo = new ParseMemo({ repeatedOnly: true });
    const plain = new ParseMemo();
    for (const [i, bytes] of [bundle, other, bundle, other, bundle, bundle].entries()) {
      assert.equal(summary(`/t/f${i}.pem`, bytes, memo), summary(`/t/f${i}.pem`, bytes, plain), `file ${i}`);
    }
    // The bundle: seen, kept, then two hits; the other: seen, kept.
    assert.equal(memo.hits, 2);
    assert.equal(plain.hits, 4);
  });
});
