import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FINDING_CODES } from '../../src/core/report/findingCodes';

const root = path.resolve(__dirname, '../../..');
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
const docs = fs
  .readdirSync(path.join(root, 'docs'))
  .filter((n) => n.endsWith('.md'))
  .sort()
  .map((n) => `docs/${n}`);

/** The lines of a Markdown text outside fenced code blocks. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(text)) {
    const m = /^#{1,6} (.+)$/.exec(line);
    if (!m) continue;
    const slug = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Relative link targets of a Markdown file (links and images), code blocks and inline code left out. */
function links(text: string): string[] {
  const out: string[] = [];
  for (const line of prose(text)) {
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1])) out.push(m[1]);
    }
  }
  return out;
}

/** The text of a `## title` section, up to the next heading of level 1 or 2 outside a code block. */
function section(text: string, title: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(`## ${title}`);
  assert.ok(start >= 0, `no "## ${title}" section`);
  let fenced = false;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i].startsWith('```')) fenced = !fenced;
    else if (!fenced && /^#{1,2} /.test(lines[i])) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

describe('README and docs/', () => {
  it('computes GitHub anchors as GitHub does', () => {
    assert.deepEqual(
      [
        ...anchors(
          '# Host checks (`scan --hosts`, `check`)\n## How the CLI scans, and where 1.5× stands\n' +
            '```sh\n# not a heading\n```\n### Findings\n### Findings\n',
        ),
      ],
      ['host-checks-scan---hosts-check', 'how-the-cli-scans-and-where-15-stands', 'findings', 'findings-1'],
    );
  });

  it('keeps the two Quick start commands: the demo in a real VS Code, and every test', () => {
    const quickStart = section(read('README.md'), 'Quick start');
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1];
    assert.equal(
      block,
      'npm run demo    # generates a demo workspace (dates relative to today) and opens it in a real VS Code with CertLens\n' +
        'npm test        # type-check, lint, unit tests, and integration tests inside a real VS Code 1.99 extension host\n',
    );
  });

  for (const file of ['README.md', 'ARCHITECTURE.md', ...docs]) {
    it(`${file}: every relative link and picture points at a file that exists, and at a heading that exists`, () => {
      const targets = links(read(file));
      assert.ok(targets.length > 0, `${file} links nowhere`);
      for (const target of targets) {
        const [rel, anchor] = target.split('#');
        const resolved = rel === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), rel));
        assert.ok(!resolved.startsWith('..'), `${file}: ${target} leaves the repository`);
        assert.ok(fs.existsSync(path.join(root, resolved)), `${file}: ${target} (${resolved}) does not exist`);
        if (anchor !== undefined) {
          assert.ok(resolved.endsWith('.md'), `${file}: ${target} has an anchor into a file that is not Markdown`);
          assert.ok(anchors(read(resolved)).has(anchor), `${file}: ${target}: no heading #${anchor} in ${resolved}`);
        }
      }
    });
  }

  it("lists every document of docs/ in the README's Documentation table and in docs/README.md", () => {
    const listed = new Set(links(section(read('README.md'), 'Documentation')).map((l) => l.split('#')[0]));
    const index = new Set(links(read('docs/README.md')).map((l) => `docs/${l.split('#')[0]}`));
    for (const file of docs.filter((f) => f !== 'docs/README.md')) {
      assert.ok(listed.has(file), `${file} is not in the README's Documentation table`);
      assert.ok(index.has(file), `${file} is not in docs/README.md`);
    }
  });

  it("documents every finding code in the findings reference's table", () => {
    const table = section(read('docs/findings.md'), 'Findings');
    const codes = Object.keys(FINDING_CODES);
    assert.ok(codes.length > 30);
    for (const code of codes) assert.ok(table.includes(`\`${code}\``), `${code} is not in docs/findings.md's Findings table`);
  });

  it('keeps the screenshots the README shows', () => {
    const pictures = links(read('README.md')).filter((l) => l.startsWith('media/screenshots/'));
    assert.deepEqual(
      pictures.sort(),
      ['hover.png', 'overview.png', 'problems.png', 'real-repository.png'].map((n) => `media/screenshots/${n}`),
    );
  });

  it('ARCHITECTURE.md: every source path and symbol it names exists, so the map stays true', () => {
    const text = read('ARCHITECTURE.md');
    // Paths in backticks (`src/core/findings/fileFindings.ts`), and file names under a folder named on the same line of the map.
    const paths = [...text.matchAll(/`((?:src|test|scripts|bench|docs|l10n)\/[\w./*{},-]+)`/g)].map((m) => m[1]);
    assert.ok(paths.length >= 20, `only ${paths.length} paths found`);
    for (const p of paths) {
      if (/[*{]/.test(p)) continue; // a pattern (package.nls*.json, bundle.l10n.{de,fr}.json)
      assert.ok(fs.existsSync(path.join(root, p)), `ARCHITECTURE.md names ${p}, which does not exist`);
    }
    // Symbols the recipes tell a newcomer to edit must be where the map says.
    const symbols: [string, string][] = [
      ['src/core/formats/table.ts', 'BinaryFormatId'],
      ['src/core/formats/table.ts', 'TextFormatId'],
      ['src/core/formats/table.ts', 'FORMATS'],
      ['src/core/formats/parse-file.ts', 'DECODERS'],
      ['src/core/formats/parse-file.ts', 'TEXT_READERS'],
      ['src/core/findings/fileFindings.ts', 'fileFindingParts'],
      ['src/core/report/findingCodes.ts', 'FINDING_CODES'],
      ['src/core/scan/plan.ts', 'planBytes'],
      ['src/core/scan/pipeline.ts', 'runScan'],
      ['src/core/workspace/model.ts', 'WorkspaceModel'],
      ['src/extension/settings.ts', 'SETTINGS'],
      ['src/extension/config.ts', 'readConfig'],
      ['src/core/background.ts', 'runInBackground'],
      ['.dependency-cruiser.cjs', 'CORE_LAYERS'],
    ];
    for (const [file, symbol] of symbols) {
      assert.ok(text.includes(symbol), `ARCHITECTURE.md no longer mentions ${symbol}: update this list with it`);
      assert.match(read(file), new RegExp(`\\b${symbol}\\b`), `${symbol} is not in ${file}, where ARCHITECTURE.md sends readers`);
    }
  });
});
