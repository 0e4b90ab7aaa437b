import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('package manifest and translations', () => {
  const pkg = JSON.parse(read('package.json'));

  it('keeps the core free of vscode imports', () => {
    for (const file of sources(path.join(root, 'src', 'core'))) {
      assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /from ['"]vscode['"]|require\(['"]vscode['"]\)/, path.relative(root, file));
    }
  });

  it('targets VS Code 1.99 with matching types', () => {
    assert.equal(pkg.engines.vscode, '^1.99.0');
    assert.match(pkg.devDependencies['@types/vscode'], /^~?1\.99\./);
  });

  it('declares every command in the Commands table, under the CertLens category', () => {
    const ids = [...read('src/extension/commandIds.ts').matchAll(/'(certlens\.[A-Za-z0-9]+)'/g)]
      .map((m) => m[1])
      .filter((id) => id !== 'certlens.expirations');
    const declared = pkg.contributes.commands.map((c: { command: string }) => c.command);
    assert.deepEqual([...declared].sort(), [...ids].sort());
    assert.ok(pkg.contributes.commands.every((c: { category: string }) => c.category === 'CertLens'));
  });

  it("documents every setting, with its default, in the README's Settings table", () => {
    const section = /\n## Settings\n([\s\S]*?)\n## /.exec(read('README.md'))?.[1];
    assert.ok(section, 'README.md has a "## Settings" section');
    const rows = new Map([...section.matchAll(/^\| `(certlens\.[^`]+)` \| (.*?) \| /gm)].map((m) => [m[1], m[2]]));
    const properties = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
    assert.deepEqual([...rows.keys()].sort(), Object.keys(properties).sort());
    for (const [key, { default: expected }] of Object.entries(properties)) {
      const cell = rows.get(key) ?? '';
      const spans = [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
      if (spans.length === 1 && cell === `\`${spans[0]}\``) assert.deepEqual(JSON.parse(spans[0]), expected, key);
      // A list of folder names stands for the default `**/name/**` globs.
      else
        assert.deepEqual(
          spans.map((name) => `**/${name}/**`),
          expected,
          key,
        );
    }
  });

  it('has every %key% of package.json in package.nls.json', () => {
    const nls = JSON.parse(read('package.nls.json'));
    const keys = [...JSON.stringify(pkg.contributes).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.length > 20);
    for (const k of keys) assert.ok(k in nls, k);
  });

  for (const lang of ['fr', 'de']) {
    it(`translates every runtime string into ${lang}`, () => {
      const bundle = JSON.parse(read(`l10n/bundle.l10n.${lang}.json`));
      const used = new Set<string>();
      for (const file of sources(path.join(root, 'src', 'extension'))) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:l10n\.t|\bt)\(\s*'((?:[^'\\]|\\.)*)'/g))
          used.add(m[1].replace(/\\'/g, "'"));
      }
      assert.ok(used.size > 50);
      const missing = [...used].filter((k) => !(k in bundle));
      assert.deepEqual(missing, []);
      for (const [k, v] of Object.entries(bundle)) {
        const placeholders = (s: string) => (s.match(/\{\d\}/g) ?? []).sort().join();
        assert.equal(placeholders(v as string), placeholders(k), `placeholders of "${k}"`);
      }
      const nls = JSON.parse(read(`package.nls.${lang}.json`));
      for (const c of pkg.contributes.commands) assert.ok(c.title.slice(1, -1) in nls, `${lang}: ${c.command}`);
    });
  }
});
