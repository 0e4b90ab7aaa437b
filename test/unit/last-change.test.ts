import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeCert } from '../support/certs';
import { gitCli, LastChangeCache } from '../../src/core/lastChange';
import type { Report } from '../../src/core/report/schema';
import { sharedKey, tempDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function git(cwd: string, args: string[], author = 'Alice Admin'): string {
  return execFileSync('git', ['-c', `user.name=${author}`, '-c', 'user.email=a@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' },
  });
}

describe('last change (git)', () => {
  let repo: string;
  let bundleFile: string;
  let firstCommit: string;
  let secondCommit: string;
  before(function () {
    this.timeout(60_000);
    repo = tempDir();
    const key = sharedKey({ type: 'ec' });
    const [a, b, b2] = ['a.certlens.dev', 'b.certlens.dev', 'b.certlens.dev'].map((cn) =>
      makeCert({ cn, key, notBefore: daysFromNow(-1), notAfter: daysFromNow(20) }),
    );
    git(repo, ['init', '-q']);
    fs.mkdirSync(path.join(repo, 'tls'));
    bundleFile = path.join(repo, 'tls', 'bundle.pem');
    fs.writeFileSync(bundleFile, a.pem + b.pem);
    git(repo, ['add', '.']);
    git(repo, ['commit', '-qm', 'add bundle']);
    firstCommit = git(repo, ['rev-parse', '--short', 'HEAD']).trim();
    // Bob renews the second certificate only.
    fs.writeFileSync(bundleFile, a.pem + b2.pem);
    git(repo, ['commit', '-qam', 'renew b'], 'Bob Builder');
    secondCommit = git(repo, ['rev-parse', '--short', 'HEAD']).trim();
  });
  after(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("names the commit that last changed each certificate's lines", async () => {
    const cache = new LastChangeCache();
    const lines = fs.readFileSync(bundleFile, 'utf8').split('\n');
    const secondStart = lines.indexOf('-----BEGIN CERTIFICATE-----', 1);
    assert.deepEqual(await cache.lastChange(bundleFile, 0, secondStart - 1), {
      commit: firstCommit,
      author: 'Alice Admin',
      date: '2026-01-02T03:04:05Z',
    });
    assert.deepEqual(await cache.lastChange(bundleFile, secondStart, secondStart + 5), {
      commit: secondCommit,
      author: 'Bob Builder',
      date: '2026-01-02T03:04:05Z',
    });
  });

  it('asks git once per question, and once per folder whether it is usable', async () => {
    const calls: string[][] = [];
    const cache = new LastChangeCache((args) => {
      calls.push([...args]);
      return Promise.resolve(args[0] === 'rev-parse' ? 'false\n' : 'abc1234\0Carol\x002026-01-01T00:00:00Z\n');
    });
    const answers = await Promise.all([0, 1, 2].map(() => cache.lastChange('/r/a.pem', 1, 4)));
    assert.deepEqual(answers[2], { commit: 'abc1234', author: 'Carol', date: '2026-01-01T00:00:00Z' });
    await cache.lastChange('/r/b.pem', 0, 2);
    assert.equal(calls.filter((c) => c[0] === 'rev-parse').length, 1);
    assert.equal(calls.filter((c) => c[0] === 'log').length, 2);
    assert.ok(calls.some((c) => c.includes('-L2,5:a.pem')));
  });

  it('leaves it out without a repository, for an untracked file, in a shallow clone, or without git', async () => {
    const outside = tempDir();
    try {
      fs.writeFileSync(path.join(outside, 'a.pem'), 'x\n');
      assert.equal(await new LastChangeCache().lastChange(path.join(outside, 'a.pem'), 0, 0), undefined);
      fs.writeFileSync(path.join(repo, 'tls', 'untracked.pem'), 'x\n');
      assert.equal(await new LastChangeCache().lastChange(path.join(repo, 'tls', 'untracked.pem'), 0, 0), undefined);
      const shallow = path.join(outside, 'shallow');
      const clone = spawnSync('git', ['clone', '-q', '--depth', '1', `file://${repo}`, shallow], { encoding: 'utf8' });
      assert.equal(clone.status, 0, clone.stderr);
      assert.equal(await new LastChangeCache().lastChange(path.join(shallow, 'tls', 'bundle.pem'), 0, 3), undefined);
      const noGit = new LastChangeCache(gitCli('/nonexistent/git'));
      assert.equal(await noGit.lastChange(bundleFile, 0, 3), undefined);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('scan --last-change puts it in the JSON; without the option nothing asks git', () => {
    const withIt = JSON.parse(
      execFileSync(process.execPath, [CLI, 'scan', repo, '--format', 'json', '--last-change', '--fail-on', 'never'], { encoding: 'utf8' }),
    ) as Report;
    const inBundle = withIt.certificates.filter((c) => c.file === bundleFile);
    assert.deepEqual(
      inBundle.map((c) => c.lastChange?.commit),
      [firstCommit, secondCommit],
    );
    assert.equal(inBundle[1].lastChange?.author, 'Bob Builder');
    const without = JSON.parse(
      execFileSync(process.execPath, [CLI, 'scan', repo, '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8' }),
    ) as Report;
    assert.ok(without.certificates.every((c) => !('lastChange' in c)));
  });
});
