import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { daysFromNow, makeCert, pkcs7 } from '../support/certs';
import { ACTION_REF, WORKFLOW_PATH, WORKFLOW_TEXT } from '../../src/extension/workflowTemplate';
import { sharedKey, tempDir } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** npm without the registry: the package has no run-time dependencies, so nothing needs fetching. */
const NPM_ENV = { npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
}

function sh(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, ...NPM_ENV, NO_COLOR: '1', ...options.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A git repository with an expired and a valid certificate (and an expired test fixture), nothing staged. */
function makeRepo(): { dir: string; expiredPem: string; goodPem: string } {
  const dir = tempDir('certlens-repo-');
  const key = sharedKey({ type: 'ec' });
  const expiredPem = makeCert({ cn: 'expired.repo.acme-corp.net', key, notBefore: daysFromNow(-90), notAfter: daysFromNow(-2) }).pem;
  const goodPem = makeCert({ cn: 'good.repo.acme-corp.net', key, notBefore: daysFromNow(-10), notAfter: daysFromNow(200) }).pem;
  fs.mkdirSync(path.join(dir, 'deploy'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'test/fixtures'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'deploy/good.pem'), goodPem);
  fs.writeFileSync(path.join(dir, 'deploy/expired.pem'), expiredPem);
  fs.writeFileSync(path.join(dir, 'test/fixtures/expired.pem'), expiredPem);
  git(dir, 'init', '-q');
  return { dir, expiredPem, goodPem };
}

describe('The npm package, the GitHub Action and the pre-commit hook', function () {
  this.timeout(120_000);
  let work: string;
  before(() => {
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    work = tempDir('certlens-package-');
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('npm pack: a tarball of the CLI (dist/cli.js, the read worker, node-forge, README, LICENSE) that works after npm install -g', () => {
    const packed = sh('npm', ['pack', '--pack-destination', work], { cwd: ROOT });
    assert.equal(packed.code, 0, packed.stderr);
    // Only the tarball's name: pre-commit's node hooks read it from npm pack's output (no prepare or prepack script).
    const tarball = `certlens-${VERSION}.tgz`;
    assert.equal(packed.stdout, `${tarball}\n`);
    const files = execFileSync('tar', ['-tzf', path.join(work, tarball)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    assert.deepEqual(files, [
      'package/LICENSE',
      'package/README.md',
      'package/dist/cli.js',
      'package/dist/forge.js',
      'package/dist/readWorker.js',
      'package/dist/tldts.js',
      'package/dist/yaml.js',
      'package/package.json',
    ]);

    const prefix = path.join(work, 'global');
    const installed = sh('npm', ['install', '--global', '--prefix', prefix, path.join(work, tarball)], { cwd: work });
    assert.equal(installed.code, 0, installed.stderr);
    const certlens = path.join(prefix, 'bin', 'certlens');
    assert.equal(sh(certlens, ['--version']).stdout.trim(), VERSION);
    assert.ok(
      fs.existsSync(path.join(prefix, 'lib/node_modules/certlens/dist/readWorker.js')),
      'the read worker is installed next to the CLI',
    );
    const repo = makeRepo();
    try {
      const scan = sh(certlens, ['scan', '.'], { cwd: repo.dir });
      assert.equal(scan.code, 1, scan.stderr);
      assert.match(scan.stdout, /expired\.repo\.acme-corp\.net/);
      assert.match(scan.stdout, /3 certificates in 3 files/);
      // A PKCS#7 bundle: node-forge is loaded from its own file (dist/forge.js) when first needed.
      const bundle = makeCert({
        cn: 'bundle.repo.acme-corp.net',
        key: sharedKey({ type: 'ec' }),
        notBefore: daysFromNow(-10),
        notAfter: daysFromNow(300),
      });
      fs.writeFileSync(path.join(repo.dir, 'deploy/bundle.p7b'), pkcs7([bundle], { der: true }));
      const json = sh(certlens, ['scan', 'deploy/bundle.p7b', '--format', 'json'], { cwd: repo.dir });
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { certificates: { subjectCN: string; source: string }[] };
      assert.deepEqual(
        report.certificates.map((c) => [c.subjectCN, c.source]),
        [['bundle.repo.acme-corp.net', 'pkcs7']],
      );
    } finally {
      fs.rmSync(repo.dir, { recursive: true, force: true });
    }
  });

  it('the VSIX still holds only the extension (vsce ls): docs/, the screenshots, .npmignore, action.yml and the hooks file stay out', () => {
    const listed = sh(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: ROOT });
    assert.equal(listed.code, 0, listed.stderr);
    const files = listed.stdout.trim().split('\n').sort();
    assert.ok(
      [
        'dist/extension.js',
        'dist/readWorker.js',
        'dist/forge.js',
        'dist/tldts.js',
        'dist/yaml.js',
        'dist/web/extension.js',
        'package.json',
      ].every((f) => files.includes(f)),
      files.join(' '),
    );
    for (const f of files)
      assert.doesNotMatch(
        f,
        /^(docs\/|media\/screenshots\/|dist\/cli\.js|action\.yml|\.pre-commit-hooks\.yaml|\.npmignore|src\/|test\/|out\/|node_modules\/)/,
      );
  });

  it('vsce package (the package script without its build) makes the vsix the Marketplace and ovsx publish take: manifest fields, walkthrough pictures, absolute README links', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      name: string;
      publisher: string;
      version: string;
      license: string;
      repository: { url: string };
      bugs: { url: string };
      homepage: string;
      qna: false;
      galleryBanner: { color: string; theme: string };
      scripts: Record<string, string>;
      contributes: { walkthroughs: { steps: { media: { image: string } }[] }[] };
    };
    const vsceArgs = /\bvsce (package [^&]*?) --out \S+$/.exec(pkg.scripts.package)?.[1].split(/\s+/);
    assert.ok(vsceArgs, `the package script runs vsce package: ${pkg.scripts.package}`);
    const vsix = path.join(work, `certlens-${VERSION}.vsix`);
    const packed = sh(process.execPath, [require.resolve('@vscode/vsce/vsce'), ...vsceArgs, '--out', vsix], { cwd: ROOT });
    assert.equal(packed.code, 0, packed.stdout + packed.stderr);
    assert.ok(fs.statSync(vsix).size < 1536 * 1024, `the vsix is ${Math.round(fs.statSync(vsix).size / 1024)} KB`);
    const entries = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).trim().split('\n');
    const unzip = (entry: string) => execFileSync('unzip', ['-p', vsix, entry], { encoding: 'utf8' });

    const images = pkg.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.image));
    assert.equal(images.length, 4);
    for (const image of images) assert.ok(entries.includes(`extension/${image}`), `${image} is in the vsix`);
    assert.deepEqual(
      entries.filter((e) => e.startsWith('extension/media/screenshots/')),
      [],
      "the README's screenshots stay out",
    );

    // What Open VSX (ovsx publish FILE.vsix) reads: the manifest in the vsix, with a license.
    const inside = JSON.parse(unzip('extension/package.json')) as typeof pkg;
    for (const field of ['name', 'publisher', 'version', 'license', 'repository', 'bugs', 'homepage', 'qna', 'galleryBanner'] as const)
      assert.deepEqual(inside[field], pkg[field], field);
    assert.ok(entries.includes('extension/LICENSE.txt') || entries.includes('extension/LICENSE'), entries.join(' '));

    // One vsix for desktop and web: the Node entry and the Web Worker bundle, each where its field points.
    const entry = (p: string) => `extension/${p.replace(/^\.\//, '')}`;
    const { main, browser } = inside as unknown as { main: string; browser: string };
    assert.ok(entries.includes(entry(main)), `main ${main} is in the vsix`);
    assert.ok(entries.includes(entry(browser)), `browser ${browser} is in the vsix`);
    assert.equal(browser, './dist/web/extension.js');

    // What the Marketplace page shows: links, banner and Q&A from the vsix manifest.
    const manifest = unzip('extension.vsixmanifest');
    const property = (id: string) =>
      new RegExp(`<Property Id="Microsoft\\.VisualStudio\\.Services\\.${id.replace(/\./g, '\\.')}" Value="([^"]*)"`).exec(manifest)?.[1];
    assert.equal(property('Links.Source')?.replace(/\.git$/, ''), pkg.repository.url.replace(/\.git$/, ''));
    assert.equal(property('Links.Support'), pkg.bugs.url);
    assert.equal(property('Links.Learn'), pkg.homepage);
    assert.equal(property('Branding.Color'), pkg.galleryBanner.color);
    assert.equal(property('Branding.Theme'), pkg.galleryBanner.theme);
    assert.equal(property('EnableMarketplaceQnA'), 'false');

    // The README is the Marketplace page: its pictures and links point into the repository, absolute.
    const readmeEntry = entries.find((e) => e.toLowerCase() === 'extension/readme.md');
    assert.ok(readmeEntry, 'the README is in the vsix');
    const readme = unzip(readmeEntry);
    const base = pkg.repository.url.replace(/\.git$/, '');
    assert.ok(readme.includes(`](${base}/raw/HEAD/media/screenshots/overview.png)`), 'the overview picture, absolute');
    assert.doesNotMatch(readme.replace(/```[\s\S]*?```/g, ''), /\]\((?![a-z]+:|#)[^)]+\)/, 'a relative link is left');
  });

  describe('GitHub Action (action.yml), its steps run here', () => {
    interface Step {
      name: string;
      id?: string;
      if?: string;
      uses?: string;
      run?: string;
      shell?: string;
      env?: Record<string, string>;
      with?: Record<string, string>;
    }
    interface Action {
      runs: { using: string; steps: Step[] };
      inputs: Record<string, { default?: string; description: string }>;
      outputs: Record<string, { value: string }>;
    }
    const action = () => parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Action;

    /** Runs the composite action's steps as a runner would: `${{ }}` expressions, GITHUB_OUTPUT/GITHUB_PATH, `if:`; `uses:` steps are recorded, not run. */
    function runAction(workspace: string, given: Record<string, string>) {
      const a = action();
      const inputs: Record<string, string> = {};
      for (const [name, spec] of Object.entries(a.inputs)) inputs[name] = given[name] ?? spec.default ?? '';
      const runnerTemp = fs.mkdtempSync(path.join(work, 'runner-'));
      const outputs: Record<string, Record<string, string>> = {};
      const extraPath: string[] = [];
      const value = (ref: string): string => {
        const parts = ref.trim().split('.');
        if (parts[0] === 'inputs') return inputs[parts[1]] ?? '';
        if (parts[0] === 'github' && parts[1] === 'action_path') return ROOT;
        if (parts[0] === 'github' && parts[1] === 'workspace') return workspace;
        if (parts[0] === 'steps' && parts[2] === 'outputs') return outputs[parts[1]]?.[parts[3]] ?? '';
        throw new Error(`the test runner does not know ${ref}`);
      };
      const condition = (expr: string): boolean =>
        expr
          .replace(/^\$\{\{|\}\}$/g, '')
          .split('&&')
          .every((part) => {
            const p = part.trim();
            if (p === 'always()') return true;
            const m = /^(.+?)\s*(==|!=)\s*'([^']*)'$/.exec(p);
            if (m) return (value(m[1]) === m[3]) === (m[2] === '==');
            return value(p) !== '';
          });
      const substitute = (text: string) => text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, ref: string) => value(ref));
      const ran: { step: Step; code: number | null; stdout: string; stderr: string }[] = [];
      const skipped: Step[] = [];
      const used: Step[] = [];
      for (const step of a.runs.steps) {
        if (step.if !== undefined && !condition(step.if)) {
          skipped.push(step);
          continue;
        }
        if (step.uses) {
          used.push({ ...step, with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(v)])) });
          continue;
        }
        assert.equal(step.shell, 'bash', `${step.name}: a composite run step names its shell`);
        const files = {
          GITHUB_OUTPUT: path.join(runnerTemp, `output-${ran.length}`),
          GITHUB_PATH: path.join(runnerTemp, 'path'),
          GITHUB_ENV: path.join(runnerTemp, 'env'),
        };
        for (const f of Object.values(files)) fs.appendFileSync(f, '');
        const script = path.join(runnerTemp, `step-${ran.length}.sh`);
        fs.writeFileSync(script, substitute(step.run ?? ''));
        const env = {
          ...files,
          RUNNER_TEMP: runnerTemp,
          GITHUB_WORKSPACE: workspace,
          GITHUB_ACTIONS: 'true',
          PATH: [...extraPath, process.env.PATH].join(path.delimiter),
          ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v))])),
        };
        const r = sh('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: workspace, env });
        ran.push({ step, ...r });
        if (step.id)
          outputs[step.id] = Object.fromEntries(
            fs
              .readFileSync(files.GITHUB_OUTPUT, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
          );
        extraPath.splice(0, extraPath.length, ...fs.readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean).reverse());
        if (r.code !== 0) break;
      }
      return { ran, skipped, used, outputs, failed: ran.some((r) => r.code !== 0) };
    }

    it('is a composite action with the documented inputs, and an upload step that is conditional', () => {
      const a = action();
      assert.equal(a.runs.using, 'composite');
      for (const input of ['path', 'fail-on', 'exclude', 'baseline', 'upload', 'sarif-file'])
        assert.ok(a.inputs[input]?.description, input);
      assert.equal(a.inputs['fail-on'].default, '', "empty: the team config's failOn, else error");
      assert.equal(a.inputs.upload.default, 'true');
      const upload = a.runs.steps.filter((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
      assert.equal(upload.length, 1);
      assert.equal(upload[0].uses, 'github/codeql-action/upload-sarif@v3');
      assert.match(upload[0].if ?? '', /inputs\.upload == 'true'/);
      assert.equal(upload[0].with?.sarif_file, '${{ steps.scan.outputs.sarif-file }}');
      assert.deepEqual(Object.keys(a.outputs).sort(), ['exit-code', 'sarif-file']);
    });

    it('the workflow the walkthrough proposes (Add GitHub Actions Workflow) uses this action with inputs it declares', () => {
      interface Workflow {
        on: Record<string, unknown>;
        jobs: Record<string, { permissions: Record<string, string>; steps: { uses?: string; with?: Record<string, string> }[] }>;
      }
      const workflow = parseYaml(WORKFLOW_TEXT) as Workflow;
      assert.equal(WORKFLOW_PATH, '.github/workflows/certificates.yml');
      assert.deepEqual(Object.keys(workflow.on).sort(), ['pull_request', 'push', 'schedule']);
      const [job] = Object.values(workflow.jobs);
      assert.equal(job.permissions['security-events'], 'write', 'the upload to code scanning needs it');
      const step = job.steps.find((s) => s.uses === ACTION_REF);
      assert.ok(step, `a step uses ${ACTION_REF}`);
      const a = action();
      for (const input of Object.keys(step.with ?? {})) assert.ok(input in a.inputs, `${input} is not an input of action.yml`);
      // Commented-out inputs are offered too: they must exist as well.
      for (const m of WORKFLOW_TEXT.matchAll(/^\s+# ([a-z-]+):/gm)) assert.ok(m[1] in a.inputs, `# ${m[1]}: is not an input of action.yml`);
      const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
      assert.ok(readme.includes(`- uses: ${ACTION_REF}`), 'the README shows the same action reference');
      const repo = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { repository: { url: string } }).repository.url;
      assert.ok(repo.includes(`github.com/${ACTION_REF.split('@')[0]}.git`), "the action is package.json's repository");
    });

    it('installs the package, scans with excludes, writes SARIF, uploads it, then fails on an expired certificate', () => {
      const repo = makeRepo();
      try {
        fs.mkdirSync(path.join(repo.dir, 'legacy'));
        fs.writeFileSync(path.join(repo.dir, 'legacy/old.pem'), repo.expiredPem);
        const r = runAction(repo.dir, { exclude: 'legacy/**\n\n*.bak\n', 'sarif-file': 'results.sarif' });
        const [install, scan, fail] = r.ran;
        assert.equal(install.code, 0, install.stderr);
        assert.equal(install.stdout.trim().split('\n').pop(), VERSION, 'the installed certlens --version');
        assert.equal(scan.code, 0, scan.stderr);
        assert.match(scan.stdout, /expired\.repo\.acme-corp\.net/, 'the table is in the log');
        assert.deepEqual(r.outputs.scan, { 'sarif-file': 'results.sarif', 'exit-code': '1' });
        assert.deepEqual(
          r.used.map((s) => [s.uses, s.with?.sarif_file, s.with?.category]),
          [['github/codeql-action/upload-sarif@v3', 'results.sarif', 'certlens']],
        );
        assert.equal(fail?.step.name, 'Fail on findings');
        assert.equal(fail.code, 1);
        assert.match(fail.stdout, /::error::CertLens found certificates at or above the failOn of \.certlens\.yaml, else error /);
        const sarif = JSON.parse(fs.readFileSync(path.join(repo.dir, 'results.sarif'), 'utf8')) as {
          runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
        };
        const uris = sarif.runs[0].results.map((x) => `${x.ruleId} ${x.locations[0].physicalLocation.artifactLocation.uri}`).sort();
        assert.deepEqual(
          uris,
          ['expired deploy/expired.pem', 'expired test/fixtures/expired.pem'],
          'legacy/ is excluded; paths are relative to the repository',
        );
      } finally {
        fs.rmSync(repo.dir, { recursive: true, force: true });
      }
    });

    it('with a baseline: the known expired certificate does not fail the job; upload: false skips the upload', () => {
      const repo = makeRepo();
      try {
        assert.equal(sh(process.execPath, [CLI, 'baseline', '--output', '.certlens-baseline.json'], { cwd: repo.dir }).code, 0);
        const r = runAction(repo.dir, {
          baseline: '.certlens-baseline.json',
          upload: 'false',
          'fail-on': 'warning',
          path: 'deploy\ntest\n',
        });
        assert.ok(!r.failed, r.ran.map((x) => x.stderr).join('\n'));
        assert.equal(r.outputs.scan['exit-code'], '0');
        assert.deepEqual(r.used, []);
        assert.deepEqual(
          r.skipped.map((s) => s.name),
          ['Upload to code scanning', 'Fail on findings'],
        );
        assert.match(r.ran[1].stderr, /in the baseline \.certlens-baseline\.json/);
        const sarif = fs.readFileSync(path.join(repo.dir, 'certlens.sarif'), 'utf8');
        assert.match(sarif, /"baselineState": "unchanged"/);
      } finally {
        fs.rmSync(repo.dir, { recursive: true, force: true });
      }
    });

    it("reads the repository's team config: its ignore keeps the job green, its failOn applies when fail-on is left empty", () => {
      const repo = makeRepo();
      try {
        fs.writeFileSync(
          path.join(repo.dir, '.certlens.yaml'),
          'ignore:\n  - path: deploy/expired.pem\n    reason: decommissioned with the old cluster\nfailOn: expired\n',
        );
        const r = runAction(repo.dir, { upload: 'false' });
        assert.ok(!r.failed, r.ran.map((x) => x.stderr).join('\n'));
        assert.equal(r.outputs.scan['exit-code'], '0', 'deploy/ is ignored; the test fixture is a hint, under failOn expired');
        assert.match(r.ran[1].stderr, /ignored by the team config/);
        const sarif = fs.readFileSync(path.join(repo.dir, 'certlens.sarif'), 'utf8');
        assert.match(sarif, /"justification": "decommissioned with the old cluster"/);
      } finally {
        fs.rmSync(repo.dir, { recursive: true, force: true });
      }
    });
  });

  describe('pre-commit hook (.pre-commit-hooks.yaml), its entry run on staged files', () => {
    interface Hook {
      id: string;
      entry: string;
      language: string;
      pass_filenames?: boolean;
      files?: string;
      types?: string[];
    }
    const hook = () =>
      (parseYaml(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[]).find((h) => h.id === 'certlens')!;

    /** What pre-commit does: the entry (its `certlens` the package's bin) with the staged files appended. */
    function commitHook(repo: string): { code: number | null; stdout: string; stderr: string } {
      const h = hook();
      const staged = git(repo, 'diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z').split('\0').filter(Boolean);
      const [command, ...args] = h.entry.split(/\s+/);
      assert.equal(command, 'certlens');
      return sh(process.execPath, [CLI, ...args, ...(h.pass_filenames === false ? [] : staged)], { cwd: repo });
    }

    it('is a node hook scanning the staged files with --fail-on expired', () => {
      const h = hook();
      assert.equal(h.language, 'node');
      assert.notEqual(h.pass_filenames, false);
      assert.match(h.entry, /^certlens scan --fail-on expired\b/);
      assert.equal(h.files, undefined, 'every file: certificates hide in YAML, JSON, .env ...');
    });

    it('passes a good certificate, fails an expired one, ignores unstaged files and test fixtures', () => {
      const repo = makeRepo();
      try {
        git(repo.dir, 'add', 'deploy/good.pem');
        const good = commitHook(repo.dir);
        assert.equal(good.code, 0, good.stdout + good.stderr);
        assert.match(good.stdout, /good\.repo\.acme-corp\.net/);
        assert.doesNotMatch(good.stdout, /expired\.repo\.acme-corp\.net/, 'deploy/expired.pem is not staged');

        git(repo.dir, 'add', 'test/fixtures/expired.pem');
        assert.equal(commitHook(repo.dir).code, 0, 'an expired test fixture is a hint');

        git(repo.dir, 'add', 'deploy/expired.pem');
        const expired = commitHook(repo.dir);
        assert.equal(expired.code, 1);
        assert.match(expired.stdout, /expired\.repo\.acme-corp\.net/);

        // Many staged files, as one batch: one scan reads them all.
        for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(repo.dir, `deploy/f${i}.yaml`), `k: ${i}\n`);
        git(repo.dir, 'rm', '-q', '-f', 'deploy/expired.pem');
        git(repo.dir, 'add', 'deploy');
        const many = commitHook(repo.dir);
        assert.equal(many.code, 0, many.stderr);
        assert.match(many.stdout, /in 302 files/);
      } finally {
        fs.rmSync(repo.dir, { recursive: true, force: true });
      }
    });
  });
});
