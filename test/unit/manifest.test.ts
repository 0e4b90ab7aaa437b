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
    const properties = Object.assign({}, ...pkg.contributes.configuration.map((c: { properties: object }) => c.properties)) as Record<
      string,
      { default: unknown }
    >;
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

  describe('the walkthrough', () => {
    interface Step {
      id: string;
      title: string;
      description: string;
      media: { image: string; altText: string };
      completionEvents?: string[];
    }
    const walkthroughs = pkg.contributes.walkthroughs as { id: string; title: string; description: string; steps: Step[] }[];
    const nls = (lang?: string) => JSON.parse(read(lang ? `package.nls.${lang}.json` : 'package.nls.json')) as Record<string, string>;
    const text = (key: string, lang?: string) => nls(lang)[key.slice(1, -1)];
    const commands = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
    const views = Object.values(pkg.contributes.views as Record<string, { id: string }[]>).flatMap((v) => v.map((x) => x.id));
    /** What a command link may run: a declared command, or a view's focus command VS Code makes. */
    const runnable = (id: string) => commands.has(id) || views.some((v) => id === `${v}.focus`);
    const links = (markdown: string) => [...markdown.matchAll(/\]\(command:(?:toSide:)?([\w.]+)[^)]*\)/g)].map((m) => m[1]);

    it('has the steps: the expirations, a finding, a host, CI with the Action', () => {
      assert.equal(walkthroughs.length, 1);
      assert.deepEqual(
        walkthroughs[0].steps.map((s) => s.id),
        ['expirations', 'finding', 'host', 'ci'],
      );
    });

    it('gives every step a picture that exists (and is packaged: .vscodeignore lets media/walkthrough/ in) with its alt text', () => {
      const ignore = read('.vscodeignore').split('\n');
      for (const step of walkthroughs[0].steps) {
        assert.match(step.media.image, /^media\/walkthrough\/[\w-]+\.png$/, step.id);
        const png = fs.readFileSync(path.join(root, step.media.image));
        assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', `${step.media.image} is a PNG`);
        assert.ok(png.length < 300 * 1024, `${step.media.image} is ${Math.round(png.length / 1024)} KB: the vsix carries it`);
        assert.ok(text(step.media.altText), `${step.id}: alt text`);
      }
      assert.ok(ignore.includes('!media/walkthrough/*.png'), '.vscodeignore packages the walkthrough pictures');
    });

    it('gives every step a command link to a command that exists, and completion events on real commands and views', () => {
      for (const step of walkthroughs[0].steps) {
        const named = links(text(step.description));
        assert.ok(named.length > 0, `${step.id} has no command link`);
        for (const id of named) {
          assert.match(id, /^certlens\./, `${step.id}: ${id}`);
          assert.ok(runnable(id), `${step.id}: command:${id} is not a declared command`);
        }
        for (const event of step.completionEvents ?? []) {
          const [kind, id] = event.split(':');
          if (kind === 'onCommand') assert.ok(commands.has(id), `${step.id}: ${event}`);
          else if (kind === 'onView') assert.ok(views.includes(id), `${step.id}: ${event}`);
          else assert.fail(`${step.id}: unexpected completion event ${event}`);
        }
      }
    });

    for (const lang of ['de', 'fr'])
      it(`is translated into ${lang}, with the same command links, as are the settings' category titles`, () => {
        const keys = [walkthroughs[0].title, walkthroughs[0].description];
        for (const step of walkthroughs[0].steps) keys.push(step.title, step.description, step.media.altText);
        for (const c of pkg.contributes.configuration as { title: string }[]) keys.push(c.title);
        for (const key of keys) {
          const translated = text(key, lang);
          assert.ok(translated, `${lang}: ${key}`);
          assert.deepEqual(links(translated), links(text(key)), `${lang}: ${key}: the same command links`);
        }
      });
  });

  it('has the Marketplace fields: repository, bugs, homepage, qna, galleryBanner', () => {
    assert.equal(pkg.repository.type, 'git');
    assert.match(pkg.repository.url, /^https:\/\/github\.com\/[\w-]+\/[\w-]+\.git$/);
    const base = pkg.repository.url.replace(/\.git$/, '');
    assert.equal(pkg.bugs.url, `${base}/issues`);
    assert.equal(pkg.homepage, `${base}#readme`);
    assert.equal(pkg.qna, false, 'questions go to the issues, not to the Marketplace Q&A');
    assert.match(pkg.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(pkg.galleryBanner.theme));
    assert.doesNotMatch(pkg.scripts.package, /--allow-missing-repository|--no-rewrite-relative-links/);
  });

  it('has every %key% of package.json in package.nls.json', () => {
    const nls = JSON.parse(read('package.nls.json'));
    const keys = [...JSON.stringify(pkg.contributes).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.length > 20);
    for (const k of keys) assert.ok(k in nls, k);
  });

  for (const lang of ['fr', 'de'])
    it(`translates every %key% of package.json into ${lang}, keeping its setting links, command links and examples`, () => {
      const en = JSON.parse(read('package.nls.json')) as Record<string, string>;
      const nls = JSON.parse(read(`package.nls.${lang}.json`)) as Record<string, string>;
      const keys = [...new Set([...JSON.stringify(pkg.contributes).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]))];
      assert.deepEqual(
        keys.filter((k) => !(k in nls)),
        [],
      );
      // What must not be translated: `#certlens.x#` links, command: links, and the JSON of the examples.
      const kept = (s: string) =>
        [...s.matchAll(/#[\w.]+#|\(command:[^)]+\)|`[[{][^`]*`/g)]
          .map((m) => m[0])
          .sort()
          .join(' ');
      for (const k of keys) assert.equal(kept(nls[k]), kept(en[k]), `${lang}: ${k}`);
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
