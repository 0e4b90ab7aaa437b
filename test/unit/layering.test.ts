import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const depcruise = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs the project's layering rule (.dependency-cruiser.cjs) over `dir`'s src/; returns its violations. */
function cruise(dir: string): Violation[] {
  const r = spawnSync(process.execPath, [depcruise, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.ok(r.stdout, `dependency-cruiser printed nothing: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('layering rule (.dependency-cruiser.cjs)', function () {
  this.timeout(60_000);

  it('holds for the project: no cycle, no upward import, no vscode in the core', () => {
    assert.deepEqual(
      cruise(root).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`),
      [],
    );
  });

  it('fails a tree that breaks it: an upward import, a type-only cycle, vscode in the core, a folder in no layer', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-layering-'));
    try {
      fs.copyFileSync(path.join(root, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true }, include: ['src'] }));
      const files: Record<string, string> = {
        'src/core/model.ts': 'export interface A { a: number }\n',
        // formats (low) imports scan (high): upward.
        'src/core/formats/pem.ts': "import { walk } from '../scan/files';\nexport const pem = walk;\n",
        'src/core/scan/files.ts': 'export const walk = 1;\n',
        // A cycle through type-only imports.
        'src/core/rules/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
        'src/core/rules/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
        'src/core/x509/der.ts': "import * as vscode from 'vscode';\nexport const v = vscode;\n",
        'src/core/newfolder/thing.ts': "import type { A } from '../model';\nexport type T = A;\n",
      };
      for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      }
      const found = cruise(dir).map((v) => `${v.rule.name}: ${v.from}`);
      for (const expected of [
        'layer-formats: src/core/formats/pem.ts',
        'no-circular: src/core/rules/a.ts',
        'core-is-vscode-free: src/core/x509/der.ts',
        'core-in-a-layer: src/core/newfolder/thing.ts',
      ]) {
        assert.ok(found.includes(expected), `${expected} not reported; reported: ${found.join('; ')}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
