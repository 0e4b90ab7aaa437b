import * as assert from 'node:assert/strict';
import { parseFile } from '../../src/core/formats/parse-file';
import { movable, mover, shiftResult, type TextEdit } from '../../src/core/formats/shift';
import type { Position } from '../../src/core/model';
import { daysFromNow, makeCert } from '../support/certs';
import { sharedKey } from './helpers';

/** Applies an edit the way an editor does, by line and character. */
function apply(text: string, edit: TextEdit): string {
  return text.slice(0, offsetOf(text, edit.range.start)) + edit.text + text.slice(offsetOf(text, edit.range.end));
}

function offsetOf(text: string, p: Position): number {
  let at = 0;
  for (let i = 0; i < p.line; i++) at = text.indexOf('\n', at) + 1;
  return at + p.character;
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** [start, end] offsets of the lines outside PEM blocks. */
function linesOutsideBlocks(text: string): [number, number][] {
  const out: [number, number][] = [];
  let inBlock = false;
  for (let at = 0; at <= text.length;) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(at, end);
    if (line.includes('-----BEGIN')) inBlock = true;
    if (!inBlock) out.push([at, end]);
    if (line.includes('-----END')) inBlock = false;
    at = end + 1;
  }
  return out;
}

/** Deterministic choices, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

describe('shiftResult (edits between the blocks of a PEM file)', () => {
  const key = sharedKey({ type: 'ec' });
  const certs = [1, 2, 3].map((i) =>
    makeCert({ cn: `shift${i}.certlens.dev`, key, notBefore: daysFromNow(-1), notAfter: daysFromNow(i * 10) }),
  );
  const bundle = [
    '# Our bundle',
    '',
    certs[0].pem.trim(),
    'some words about the next one',
    '',
    certs[1].pem.trim(),
    key.pem.trim(),
    '',
    '-----BEGIN CERTIFICATE-----',
    'bm90IGEgY2VydGlmaWNhdGU=',
    '-----END CERTIFICATE-----',
    'trailing note',
    certs[2].pem.trim(),
    '# end',
    '',
  ].join('\n');
  const file = '/ws/bundle.pem';

  for (const seed of [12, 7, 2026])
    it(`gives what parsing the edited text gives, for every edit it accepts (300 random edits, seed ${seed})`, () => {
      const next = random(seed);
      const inserts = ['# note\n', '\n', 'x', '\n\n# two\nlines\n', '', 'words ', '\r\n', '# on call: team-a\n', '--', '-'];
      let text = bundle;
      let previous = parseFile(file, Buffer.from(text));
      let accepted = 0;
      for (let i = 0; i < 300; i++) {
        // Back to the whole bundle now and then: random deletions break its blocks, and then most edits are parsed.
        if (i % 25 === 0) previous = parseFile(file, Buffer.from((text = bundle)));
        // Half the edits fall on a line outside the blocks (where typing is), half anywhere.
        const outside = linesOutsideBlocks(text);
        const line = outside[Math.floor(next() * outside.length)];
        const from = next() < 0.5 && line ? line[0] + Math.floor(next() * (line[1] - line[0] + 1)) : Math.floor(next() * (text.length + 1));
        const to = Math.min(text.length, from + (next() < 0.5 ? 0 : Math.floor(next() * 12)));
        const edit: TextEdit = {
          range: { start: positionOf(text, from), end: positionOf(text, to) },
          text: inserts[Math.floor(next() * inserts.length)],
        };
        const after = apply(text, edit);
        const shifted = shiftResult(previous, text, edit);
        const parsed = parseFile(file, Buffer.from(after));
        if (shifted) {
          accepted++;
          assert.deepEqual(shifted, parsed, `edit ${i}: ${JSON.stringify(edit)}`);
        }
        text = after;
        previous = parsed;
      }
      // The case it is for, typing between blocks, is common among random edits too.
      assert.ok(accepted >= 20, `accepted ${accepted} of 300`);
    });

  it('moves what follows a line inserted between blocks, and leaves what precedes it', () => {
    const previous = parseFile(file, Buffer.from(bundle));
    const line = bundle.split('\n').indexOf('some words about the next one');
    const shifted = shiftResult(previous, bundle, {
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      text: '# renewed by ops\n# twice\n',
    });
    assert.ok(shifted);
    assert.deepEqual(
      shifted.certificates.map((c) => c.range.start.line),
      previous.certificates.map((c, i) => c.range.start.line + (i === 0 ? 0 : 2)),
    );
    assert.equal(shifted.problems.length, 1);
    assert.equal(shifted.problems[0].range.start.line, previous.problems[0].range.start.line + 2);
  });

  it('parses again for edits that may change what the file holds', () => {
    const previous = parseFile(file, Buffer.from(bundle));
    const lines = bundle.split('\n');
    const at = (line: number, character = 0) => ({ line, character });
    const between = lines.indexOf('some words about the next one');
    const cases: [string, TextEdit, string][] = [
      ['inside a block', { range: { start: at(3, 2), end: at(3, 2) }, text: 'x' }, file],
      ['a PEM marker', { range: { start: at(between), end: at(between) }, text: '-----BEGIN CERTIFICATE-----\n' }, file],
      ['base64 PEM', { range: { start: at(between), end: at(between) }, text: 'LS0tLS1CRUdJTiBDRVJU\n' }, file],
      ['kubeconfig words', { range: { start: at(between), end: at(between) }, text: 'kind: Config\n' }, file],
      // The last bytes of a certificate typed as a C array of hex bytes complete it.
      ['hex bytes', { range: { start: at(between), end: at(between) }, text: '0x6a, 0x9e };\n' }, file],
      ['the first character', { range: { start: at(0), end: at(0) }, text: '0' }, file],
      ['a lone CR', { range: { start: at(between), end: at(between) }, text: 'a\rb' }, file],
      ['a deletion that joins a marker line', { range: { start: at(between), end: at(between + 2) }, text: '' }, file],
      ['a YAML file', { range: { start: at(between), end: at(between) }, text: '# x\n' }, '/ws/secret.yaml'],
    ];
    for (const [name, edit, name2] of cases) {
      const result = name2 === file ? previous : parseFile(name2, Buffer.from(bundle));
      assert.equal(shiftResult(result, bundle, edit), undefined, name);
    }
  });

  it('moves findings after the edit with their places, unless a message names a line or other places', () => {
    const at = (line: number) => ({ start: { line, character: 0 }, end: { line: line + 2, character: 5 } });
    const finding = (line: number, message = 'expires in 3 days') => ({
      file,
      range: at(line),
      severity: 'warning' as const,
      code: 'expires-warning' as const,
      message,
    });
    const move = mover({ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 3 } }, text: 'a\nb\n' })!;
    assert.deepEqual(
      [finding(1), finding(5)].map(move).map((f) => f.range.start.line),
      [1, 7],
    );
    assert.equal(mover({ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 3 } }, text: 'same line' }), undefined);
    assert.equal(movable([finding(1), finding(5)]), true);
    assert.equal(movable([finding(1), finding(5, 'broken base64 (line 7)')]), false);
    assert.equal(movable([{ ...finding(1), related: [{ file, range: at(9) }] }]), false);
  });
});
