import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeCert } from '../support/certs';
import { walkSync } from '../../src/core/scan/files';
import { DEFAULT_EXCLUDES } from '../../src/core/scan/filters';
import { buildReport, type Report } from '../../src/core/report/schema';
import { toMarkdown, toSarif, toTable } from '../../src/core/report/formats';
import type { UnreadableFolder } from '../../src/core/model';
import { type ScanMode, scanTree, sharedKey, tempDir } from './helpers';

/**
 * A folder the scan cannot list is reported, never skipped silently. The tests run as root, whom
 * chmod 000 does not stop, so the failures are made otherwise: an injected readdir (EACCES), a
 * symbolic link that points at itself (ELOOP), and a folder whose path is longer than the system
 * takes (ENAMETOOLONG: made one level at a time with chdir, so each step's path is short).
 */

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const LONG_NAME = 'n'.repeat(250);

/** root/deep/<250 chars>/... 18 levels deep (about 4,500 characters): the last levels cannot be listed by path. */
function makeTooLong(root: string, file: { name: string; text: string }): string {
  const cwd = process.cwd();
  let tooLong = '';
  try {
    fs.mkdirSync(path.join(root, 'deep'));
    process.chdir(path.join(root, 'deep'));
    let at = path.join(root, 'deep');
    for (let i = 0; i < 18; i++) {
      fs.mkdirSync(LONG_NAME);
      process.chdir(LONG_NAME);
      at = `${at}/${LONG_NAME}`;
      if (!tooLong && at.length >= 4096) tooLong = at;
    }
    fs.writeFileSync(file.name, file.text);
  } finally {
    process.chdir(cwd);
  }
  assert.ok(tooLong, 'the tree is deeper than PATH_MAX');
  return tooLong;
}

/** Node's rmSync walks by full paths; rm(1) descends folder by folder. */
function removeTree(dir: string): void {
  spawnSync('rm', ['-rf', dir]);
}

describe('Unreadable folders', () => {
  let pem: string;
  let root: string;
  let tooLong: string;
  before(() => {
    pem = makeCert({
      cn: 'readable.certlens.dev',
      key: sharedKey({ type: 'ec' }),
      notBefore: daysFromNow(-10),
      notAfter: daysFromNow(200),
    }).pem;
    root = tempDir();
    fs.mkdirSync(path.join(root, 'ok'));
    fs.writeFileSync(path.join(root, 'ok', 'a.pem'), pem);
    fs.symlinkSync('loop', path.join(root, 'loop'));
    // Not reported: a link to nothing points at nothing to read.
    fs.symlinkSync('nowhere', path.join(root, 'dangling'));
    tooLong = makeTooLong(root, { name: 'lost.pem', text: pem });
  });
  after(() => removeTree(root));

  it('the walk reports a folder it cannot list (injected EACCES) and goes on with the rest; one that vanished (ENOENT) is not reported', () => {
    const tree = tempDir();
    try {
      for (const d of ['a', 'locked', 'gone', 'z']) {
        fs.mkdirSync(path.join(tree, d));
        fs.writeFileSync(path.join(tree, d, 'c.pem'), pem);
      }
      const failing: Record<string, string> = { locked: 'EACCES', gone: 'ENOENT' };
      const readdir = (dir: string) => {
        const code = failing[path.basename(dir)];
        if (code)
          throw Object.assign(
            new Error(`${code}: ${code === 'EACCES' ? 'permission denied' : 'no such file or directory'}, scandir '${dir}'`),
            { code },
          );
        return fs.readdirSync(dir, { withFileTypes: true });
      };
      const unreadable: UnreadableFolder[] = [];
      const files = [...walkSync(tree, { exclude: DEFAULT_EXCLUDES, readdir, onUnreadable: (u) => unreadable.push(u) })]
        .map((f) => path.relative(tree, f))
        .sort();
      assert.deepEqual(files, ['a/c.pem', 'z/c.pem']);
      assert.deepEqual(unreadable, [{ path: path.join(tree, 'locked'), error: 'EACCES: permission denied' }]);
      // The root itself, too.
      const atRoot: UnreadableFolder[] = [];
      assert.deepEqual(
        [
          ...walkSync(tree, {
            readdir: (d) => {
              throw Object.assign(new Error(`EIO: i/o error, scandir '${d}'`), { code: 'EIO' });
            },
            onUnreadable: (u) => atRoot.push(u),
          }),
        ],
        [],
      );
      assert.deepEqual(atRoot, [{ path: tree, error: 'EIO: i/o error' }]);
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });

  for (const mode of ['async', 'sync', 'shared', 'worker'] as ScanMode[]) {
    it(`a scan (${mode}) reports a link loop (ELOOP) and a folder past PATH_MAX (ENAMETOOLONG) in its stats, once each, and reads the rest`, async () => {
      const { results, stats } = await scanTree({ roots: [root], mode });
      assert.deepEqual(
        results.map((r) => path.relative(root, r.file)),
        ['ok/a.pem'],
      );
      const byPath = new Map(stats.unreadableFolders.map((u) => [u.path, u.error]));
      assert.equal(stats.unreadableFolders.length, 2, JSON.stringify(stats.unreadableFolders));
      assert.match(byPath.get(path.join(root, 'loop')) ?? '', /^ELOOP: /);
      assert.match(byPath.get(tooLong) ?? '', /^ENAMETOOLONG: /);
    });
  }

  it('the report has them (JSON field, table, Markdown, SARIF notifications); with none, the field is an empty list', () => {
    const unreadableFolders = [{ path: '/ws/secret', error: 'EACCES: permission denied' }];
    const report = buildReport([], [], Date.parse('2027-01-01T00:00:00Z'), { files: 3, ms: 1, unreadableFolders });
    assert.deepEqual(report.unreadableFolders, unreadableFolders);
    assert.deepEqual(buildReport([], [], 0, { files: 0, ms: 0 }).unreadableFolders, []);
    assert.match(toTable(report, false, '/ws'), /^Not scanned: 1 folder could not be read .*\n {2}secret: EACCES: permission denied$/m);
    assert.match(toMarkdown(report, '/ws'), /could not be read.*\n\n- secret: EACCES: permission denied$/m);
    const sarif = JSON.parse(toSarif(report, '1.0.0'));
    assert.deepEqual(
      sarif.runs[0].invocations[0].toolExecutionNotifications.map((n: { message: { text: string } }) => n.message.text),
      ['Cannot read folder /ws/secret: EACCES: permission denied'],
    );
    assert.equal('invocations' in JSON.parse(toSarif(buildReport([], [], 0, { files: 0, ms: 0 }), '1.0.0')).runs[0], false);
  });

  it('the CLI says each on stderr and in the JSON report (streamed and not) and the table, and still reads the rest', function () {
    this.timeout(60_000);
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    const expected = [path.join(root, 'loop'), tooLong].sort();
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'scan', root, '--fail-on', 'never', ...args], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
    // --last-change: the report made whole (buildReport); without it, one-line JSON is streamed.
    for (const extra of [[], ['--last-change']]) {
      const r = cli('--format', 'json', ...extra);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('certlens: cannot read folder '));
      assert.deepEqual(lines.map((l) => /^certlens: cannot read folder (.*): E[A-Z]+: /.exec(l)?.[1]).sort(), expected, r.stderr);
      const report = JSON.parse(r.stdout) as Report;
      assert.deepEqual(report.unreadableFolders.map((u) => u.path).sort(), expected);
      assert.deepEqual(
        report.certificates.map((c) => c.subjectCN),
        ['readable.certlens.dev'],
      );
    }
    const table = cli();
    assert.match(table.stdout, /^Not scanned: 2 folders could not be read/m);
    assert.match(table.stdout, /^ {2}loop: ELOOP: too many symbolic links encountered$/m);
  });
});
