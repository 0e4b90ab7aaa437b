import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeOwners, loadCodeOwners, ownersByRoot, repositoryRoot } from '../../src/core/owners';
import { DAY_MS, type CertificateRecord, type Finding } from '../../src/core/model';
import { buildReport, type HostJson } from '../../src/core/report/schema';
import { toMarkdown, toSarif, toTable } from '../../src/core/report/formats';
import { toIcs } from '../../src/core/report/calendar';
import { ContextClassifier, contextByFolder } from '../../src/core/context';
import { tempDir } from './helpers';

const readIfExists = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);

describe('CODEOWNERS', () => {
  describe("GitHub semantics (the example file of GitHub's documentation)", () => {
    const github = CodeOwners.parse(
      [
        '# This is a comment.',
        '*       @global-owner1 @global-owner2',
        '*.js    @js-owner #This is an inline comment.',
        '*.go docs@example.com',
        '*.txt @octo-org/octocats',
        '/build/logs/ @doctocat',
        'docs/* docs@example.com',
        'apps/ @octocat',
        '/docs/ @doctocat',
        '/scripts/ @doctocat @octocat',
        '**/logs @octocat',
        '/apps/ @octocat',
        '/apps/github',
      ].join('\n'),
    );

    it('uses GitHub semantics without section headers', () => assert.equal(github.flavor, 'github'));
    it('* owns everything, at any depth', () =>
      assert.deepEqual(github.ownersOf('some/deeply/nested/file.rb'), ['@global-owner1', '@global-owner2']));
    it('strips inline comments', () => assert.deepEqual(github.ownersOf('src/app.js'), ['@js-owner']));
    it('the last matching line wins', () => {
      // build/logs/x.js: *.js matches, but /build/logs/ and **/logs come later.
      assert.deepEqual(github.ownersOf('build/logs/x.js'), ['@octocat']);
      assert.deepEqual(github.ownersOf('main.go'), ['docs@example.com']);
    });
    it('a directory pattern owns everything under it, on any level', () => {
      assert.deepEqual(github.ownersOf('scripts/a/b/deploy.sh'), ['@doctocat', '@octocat']);
      assert.deepEqual(github.ownersOf('deeply/nested/logs/x.pem'), ['@octocat']);
    });
    it('docs/* owns the files directly in docs/, not deeper ones', () => {
      // /docs/ comes later and owns all of docs/; check docs/* on its own.
      const onlyStar = CodeOwners.parse('* @all\ndocs/* @docs');
      assert.deepEqual(onlyStar.ownersOf('docs/getting-started.md'), ['@docs']);
      assert.deepEqual(onlyStar.ownersOf('docs/build-app/troubleshooting.md'), ['@all']);
    });
    it('a pattern with a slash is anchored at the root; without, it matches at any depth', () => {
      const co = CodeOwners.parse('certs/ @anywhere\nconfig/tls @root-only\n/ssl @root-ssl');
      assert.deepEqual(co.ownersOf('certs/a.pem'), ['@anywhere']);
      assert.deepEqual(co.ownersOf('services/api/certs/a.pem'), ['@anywhere']);
      assert.deepEqual(co.ownersOf('config/tls/a.pem'), ['@root-only']);
      assert.deepEqual(co.ownersOf('service/config/tls/a.pem'), []);
      assert.deepEqual(co.ownersOf('ssl/a.pem'), ['@root-ssl']);
      assert.deepEqual(co.ownersOf('x/ssl/a.pem'), []);
    });
    it('a trailing slash matches directories only', () => {
      const co = CodeOwners.parse('tls/ @dir');
      assert.deepEqual(co.ownersOf('tls'), []);
      assert.deepEqual(co.ownersOf('tls/cert.pem'), ['@dir']);
      assert.deepEqual(co.ownersOf('a/tls/b/cert.pem'), ['@dir']);
    });
    it('* stays within a segment, ** crosses them', () => {
      const co = CodeOwners.parse('/certs/*.pem @one\n/keys/**/*.pem @deep\n/a/**/b @ab\n/c/** @c');
      assert.deepEqual(co.ownersOf('certs/x.pem'), ['@one']);
      assert.deepEqual(co.ownersOf('certs/sub/x.pem'), []);
      assert.deepEqual(co.ownersOf('keys/x.pem'), ['@deep']);
      assert.deepEqual(co.ownersOf('keys/a/b/x.pem'), ['@deep']);
      assert.deepEqual(co.ownersOf('a/b'), ['@ab']);
      assert.deepEqual(co.ownersOf('a/x/y/b/z.pem'), ['@ab']);
      assert.deepEqual(co.ownersOf('c/d/e.pem'), ['@c']);
      assert.deepEqual(co.ownersOf('cd/e.pem'), []);
      const rootFiles = CodeOwners.parse('/* @root-files\nx**y.pem @xy');
      assert.deepEqual(rootFiles.ownersOf('ca.pem'), ['@root-files']);
      assert.deepEqual(rootFiles.ownersOf('tls/ca.pem'), [], '/* does not reach into directories');
      assert.deepEqual(rootFiles.ownersOf('xaby.pem'), ['@xy'], '** inside a segment is a plain *');
      assert.deepEqual(rootFiles.ownersOf('xa/by.pem'), []);
      assert.deepEqual(CodeOwners.parse('* @all').ownersOf('a/b/c/.hidden.pem'), ['@all']);
      assert.deepEqual(CodeOwners.parse('** @all').ownersOf('a/b.pem'), ['@all']);
    });
    it('a matching line without owners leaves the path unowned', () => {
      assert.deepEqual(github.ownersOf('apps/github/server.pem'), []);
      assert.deepEqual(github.ownersOf('apps/other/server.pem'), ['@octocat']);
    });
    it('an escaped # is a pattern, not a comment; an escaped space is part of the name', () => {
      const co = CodeOwners.parse('\\#secret.pem @hash\n#comment.pem @nobody\nmy\\ certs/ @space');
      assert.deepEqual(co.ownersOf('#secret.pem'), ['@hash']);
      assert.deepEqual(co.ownersOf('#comment.pem'), []);
      assert.deepEqual(co.ownersOf('my certs/a.pem'), ['@space']);
    });
    it('is case-sensitive and skips negations and ranges, which GitHub does not support', () => {
      const co = CodeOwners.parse('*.pem @pem\n!prod.pem @not\n[ab].pem @range');
      assert.deepEqual(co.ownersOf('prod.pem'), ['@pem']);
      assert.deepEqual(co.ownersOf('a.pem'), ['@pem']);
      assert.deepEqual(CodeOwners.parse('/Certs/ @c').ownersOf('certs/a.pem'), []);
    });
    it('accepts Windows separators and a leading ./', () => {
      assert.deepEqual(github.ownersOf('scripts\\x.sh'), ['@doctocat', '@octocat']);
      assert.deepEqual(github.ownersOf('./scripts/x.sh'), ['@doctocat', '@octocat']);
    });
  });

  describe('GitLab sections', () => {
    const gitlab = CodeOwners.parse(
      [
        '* @general',
        '[Documentation] @docs-team',
        'docs/',
        'README.md',
        'ee/docs/ @product-team',
        '^[Database][2] @database-team',
        'model/db/',
        'config/db/database-setup.md @docs-team',
        '[TLS]',
        '*.pem @security',
        'test/ ',
        '[documentation]',
        'guides/ @guides',
      ].join('\n'),
    );

    it('is read as GitLab because of its section headers', () => assert.equal(gitlab.flavor, 'gitlab'));
    it('combines the owners of every section that matches', () => {
      assert.deepEqual(gitlab.ownersOf('docs/a.md'), ['@general', '@docs-team']);
      assert.deepEqual(gitlab.ownersOf('model/db/ca.pem'), ['@general', '@database-team', '@security']);
    });
    it('a line without owners takes the section default owners', () =>
      assert.deepEqual(gitlab.ownersOf('README.md'), ['@general', '@docs-team']));
    it('the last match within a section wins, and a line without owners in a section without defaults is unowned there', () => {
      assert.deepEqual(gitlab.ownersOf('ee/docs/x.md'), ['@general', '@product-team']);
      assert.deepEqual(gitlab.ownersOf('test/x.pem'), ['@general']);
    });
    it('sections with the same name in any case are one section', () =>
      assert.deepEqual(gitlab.ownersOf('guides/docs/x.md'), ['@general', '@guides']));
    it('a pattern without a leading slash matches at any depth', () => {
      const co = CodeOwners.parse('[Certs]\nconfig/tls/ @tls', 'gitlab');
      assert.deepEqual(co.ownersOf('services/api/config/tls/a.pem'), ['@tls']);
      assert.deepEqual(CodeOwners.parse('[Certs]\n/config/tls/ @tls').ownersOf('services/config/tls/a.pem'), []);
    });
    it('an exclusion leaves a path unowned within its section', () => {
      const co = CodeOwners.parse('[Certs] @tls\n*.pem\n!fixtures/*.pem');
      assert.deepEqual(co.ownersOf('a.pem'), ['@tls']);
      assert.deepEqual(co.ownersOf('fixtures/a.pem'), []);
    });
  });

  describe('files', () => {
    it('uses the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS', () => {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, 'docs'));
      fs.writeFileSync(path.join(dir, 'docs', 'CODEOWNERS'), '* @docs-file');
      assert.deepEqual(loadCodeOwners(dir, readIfExists)?.owners.ownersOf('a.pem'), ['@docs-file']);
      fs.writeFileSync(path.join(dir, 'CODEOWNERS'), '* @root-file');
      assert.deepEqual(loadCodeOwners(dir, readIfExists)?.owners.ownersOf('a.pem'), ['@root-file']);
      fs.mkdirSync(path.join(dir, '.github'));
      fs.writeFileSync(path.join(dir, '.github', 'CODEOWNERS'), '* @github-file');
      assert.equal(loadCodeOwners(dir, readIfExists)?.file, path.join(dir, '.github', 'CODEOWNERS'));
      assert.deepEqual(loadCodeOwners(dir, readIfExists)?.owners.ownersOf('a.pem'), ['@github-file']);
    });
    it('resolves absolute paths under the repository root; elsewhere nothing is owned', () => {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, '.git'));
      fs.mkdirSync(path.join(dir, 'svc', 'tls'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'CODEOWNERS'), '/svc/tls/ @tls-team\n');
      const root = repositoryRoot(path.join(dir, 'svc'), fs.existsSync);
      assert.equal(root, dir);
      const ownersOf = ownersByRoot([root], readIfExists)!;
      assert.equal(ownersByRoot([tempDir()], readIfExists), undefined);
      assert.deepEqual(ownersOf(path.join(dir, 'svc', 'tls', 'a.pem')), ['@tls-team']);
      assert.deepEqual(ownersOf(path.join(dir, 'svc', 'b.pem')), []);
      assert.deepEqual(ownersOf(path.join(path.dirname(dir), 'elsewhere.pem')), []);
    });
  });
});

describe('owners in reports', () => {
  const NOW = Date.parse('2026-06-01T00:00:00Z');
  const RANGE = { start: { line: 0, character: 0 }, end: { line: 9, character: 25 } };
  const cert = (file: string, daysLeft: number): CertificateRecord => ({
    subject: 'CN=t',
    subjectCN: 't',
    issuer: 'CN=t',
    issuerCN: 't',
    sans: { dns: [], ip: [], email: [], uri: [] },
    serial: '01',
    notBefore: NOW - 100 * DAY_MS,
    notAfter: NOW + daysLeft * DAY_MS,
    sha256: `sha-${file}`,
    sha1: 'bb',
    spkiSha256: 'cc',
    keyType: 'EC',
    keyBits: 256,
    curve: 'P-256',
    signatureAlgorithm: 'ecdsa-with-SHA256',
    signatureAlgorithmOid: '1.2.840.10045.4.3.2',
    isCA: false,
    selfSigned: true,
    keyUsage: [],
    extendedKeyUsage: [],
    subjectRaw: 's',
    issuerRaw: 's',
    file,
    range: RANGE,
    source: 'pem',
    index: 0,
    role: 'leaf',
    der: new Uint8Array(),
  });
  const codeOwners = CodeOwners.parse('/deploy/ @acme/tls ops@acme.example\n/deploy/legacy/\n');
  const ownersOf = (file: string) => codeOwners.ownersOf(path.posix.relative('/ws', file));
  const contextOf = contextByFolder(new ContextClassifier(), ['/ws'], '/');
  const certs = [
    cert('/ws/deploy/a.pem', 5),
    cert('/ws/deploy/legacy/b.pem', -1),
    cert('/ws/other/c.pem', 10),
    cert('/ws/test/d.pem', 3),
    cert('/ws/other/e.pem', 400),
  ];
  const expiry = (c: CertificateRecord, code: Finding['code'], severity: Finding['severity'] = 'error'): Finding => ({
    file: c.file,
    range: RANGE,
    severity,
    code,
    message: `${c.file} ${code}`,
    sha256: c.sha256,
  });
  const findings = [
    expiry(certs[0], 'expires-critical'),
    expiry(certs[1], 'expired'),
    expiry(certs[2], 'expires-warning', 'warning'),
    expiry(certs[3], 'expires-critical', 'hint'),
    expiry(certs[4], 'long-validity', 'info'),
  ];
  const host = {
    host: 'api.acme.io',
    port: 443,
    references: [
      { file: '/ws/deploy/x.env', range: RANGE, source: 'url' },
      { file: '/ws/other/y.yaml', range: RANGE, source: 'url' },
    ],
  } as HostJson;
  const report = buildReport(certs, findings, NOW, { files: 5, ms: 1 }, { contextOf, ownersOf, hosts: [host] });

  it('gives every certificate, finding and host its owners, empty when unowned', () => {
    assert.deepEqual(
      report.certificates.map((c) => c.owners),
      [['@acme/tls', 'ops@acme.example'], [], [], [], []],
    );
    assert.deepEqual(
      report.findings.map((f) => f.owners),
      [['@acme/tls', 'ops@acme.example'], [], [], [], []],
    );
    assert.deepEqual(report.hosts?.[0].owners, ['@acme/tls', 'ops@acme.example']);
  });

  it('counts expiring production certificates nobody owns (not tests, not those far from expiry)', () => {
    assert.equal(report.summary.expiringWithoutOwner, 2);
    assert.match(toTable(report, false, '/ws'), /\n2 expiring production certificates have no owner in CODEOWNERS\n$/);
    assert.equal(
      buildReport(certs, findings, NOW, { files: 5, ms: 1 }, { contextOf }).summary.expiringWithoutOwner,
      undefined,
      'without CODEOWNERS nothing is said',
    );
  });

  it('writes owners in Markdown and as a SARIF result property', () => {
    const md = toMarkdown(report, '/ws');
    assert.match(md, /\| deploy\/a\.pem:1 \| production \| @acme\/tls ops@acme\.example \|/);
    assert.match(md, /\| other\/c\.pem:1 \| production \| none \|/);
    const results = JSON.parse(toSarif(report, '0.0.0')).runs[0].results as { properties: { owners: string[] } }[];
    assert.deepEqual(results[0].properties.owners, ['@acme/tls', 'ops@acme.example']);
    assert.deepEqual(results[1].properties.owners, []);
  });

  it('names owners in calendar events; e-mail owners are attendees', () => {
    const ics = toIcs(
      [
        { id: 'x', summary: 's', description: 'd', at: NOW, owners: ['@acme/tls', 'ops@acme.example'] },
        { id: 'y', summary: 's', description: 'd', at: NOW, owners: [] },
      ],
      0,
      NOW,
    );
    assert.match(ics, /DESCRIPTION:d\\nOwners: @acme\/tls\\, ops@acme\.example\r\n/);
    assert.match(ics, /ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:ops@acme\.example\r\n/);
    assert.equal(ics.match(/ATTENDEE/g)?.length, 1);
    assert.match(ics, /DESCRIPTION:d\\nOwners: none\r\n/);
  });
});
