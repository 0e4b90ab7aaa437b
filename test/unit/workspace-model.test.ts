import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeChain, makeCert, makeCrl } from '../support/certs';
import { FakeClock } from '../support/fakeClock';
import { applyNonProductionPolicy, contextByFolder, ContextClassifier } from '../../src/core/context';
import { type CertificateRecord, DAY_MS, type FileResult, type Finding } from '../../src/core/model';
import { parseFile } from '../../src/core/formats/parse-file';
import { shiftResult } from '../../src/core/formats/shift';
import { type FragmentSpec, reportFragment, writeJsonReport } from '../../src/core/report/stream';
import { DEFAULT_RULES, type RuleSettings } from '../../src/core/rules/rules';
import { Inventory } from '../../src/core/scan/inventory';
import { type ModelSettings, WorkspaceModel } from '../../src/core/workspace/model';
import { fakeCertificate, scanTree, sharedKey, tempDir } from './helpers';

const settings = (rules: RuleSettings = DEFAULT_RULES, over: Partial<ModelSettings> = {}): ModelSettings => ({
  rules,
  nonProduction: 'hint',
  context: {},
  'ignore.paths': [],
  ...over,
});

/** A model over files under `root`, with one settings object, recording what it announces. */
function modelOf(clock: FakeClock, root: string, s: ModelSettings = settings()) {
  const changes: (string[] | undefined)[] = [];
  const asked: string[] = [];
  const model = new WorkspaceModel({
    clock,
    settingsFor: (file) => {
      asked.push(file);
      return s;
    },
    relativePath: (file) => (file.startsWith(root + '/') ? file.slice(root.length + 1) : undefined),
    onChange: (c) => changes.push(c.files),
  });
  return { model, changes, asked };
}

const resultOf = (file: string, certificates: CertificateRecord[]): FileResult => ({
  file,
  certificates,
  problems: [],
  privateKeys: [],
  crls: [],
  references: [],
});

/** A finding as all paths must agree on it. */
const key = (f: Finding) => `${f.file}|${f.range.start.line}:${f.range.start.character}|${f.severity}|${f.code}|${f.message}`;
const sorted = (list: string[]) => [...list].sort();
/** Whether announced changes include `file` (undefined: every file). */
const announced = (changes: readonly (string[] | undefined)[], file: string) =>
  changes.some((files) => files === undefined || files.includes(file));

describe('one findings path: editor model, inventory and JSON report agree', function () {
  this.timeout(60_000);
  let root: string;
  let results: FileResult[];
  before(async () => {
    root = tempDir('certlens-paths-');
    const write = (rel: string, data: string | Buffer) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), data);
    };
    const ec = sharedKey({ type: 'ec' });
    const weak = sharedKey({ type: 'rsa', bits: 1024 });
    const cert = (cn: string, from: number, to: number, extra: Partial<Parameters<typeof makeCert>[0]> = {}) =>
      makeCert({ cn, key: ec, notBefore: daysFromNow(from), notAfter: daysFromNow(to), ...extra });
    const chain = makeChain({ leafCn: 'chain.acme.io', notBefore: daysFromNow(-70), notAfter: daysFromNow(20), keyType: 'ec' });
    write('deploy/expired.crt', cert('expired.acme.io', -100, -5).pem);
    write('deploy/chain.pem', chain.leaf.pem + chain.intermediate.pem + chain.root.pem);
    write('deploy/weak.pem', makeCert({ cn: 'weak.acme.io', key: weak, notBefore: daysFromNow(-1), notAfter: daysFromNow(500) }).pem);
    write('certs/ca-certificates.crt', cert('Old Root', -4000, -30, { ca: true }).pem + cert('Good Root', -4000, 3000, { ca: true }).pem);
    write('test/fixtures/soon.pem', cert('soon.acme.io', -100, 3).pem);
    write('broken/bad.pem', '-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n');
    const issuer = { cert: chain.intermediate, key: chain.intermediateKey };
    const crl = makeCrl({ issuer, thisUpdate: daysFromNow(-20), nextUpdate: daysFromNow(-2) });
    write('pki/ca.crl', crl.pem);
    const xmlTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const saml = cert('idp.acme.io', -100, 40);
    write(
      'saml/idp.xml',
      '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ' +
        `xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.acme.io" validUntil="${xmlTime(daysFromNow(4))}">` +
        '<md:IDPSSODescriptor><md:KeyDescriptor use="signing"><ds:KeyInfo>' +
        `<ds:X509Data><ds:X509Certificate>${saml.der.toString('base64')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
        '</md:IDPSSODescriptor></md:EntityDescriptor>\n',
    );
    const managed = cert('web.acme.io', -80, 10);
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    write(
      'k8s/web-tls.yaml',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-tls\n  namespace: prod\n  annotations:\n' +
        `    cert-manager.io/certificate-name: web-cert\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${b64(managed.pem)}\n  tls.key: ""\n`,
    );
    write(
      'k8s/web-cert.yaml',
      'apiVersion: cert-manager.io/v1\nkind: Certificate\n' +
        'metadata:\n  name: web-cert\n  namespace: prod\nspec:\n' +
        '  secretName: web-tls\n  renewBefore: 240h\n  dnsNames:\n    - web.acme.io\n',
    );
    results = (await scanTree({ roots: [root], mode: 'sync' })).results;
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('gives the same findings for the same files', async () => {
    const now = Date.now();
    // The editor: the workspace model, its files read in.
    const { model } = modelOf(new FakeClock(now), root);
    model.applyResults(
      results.map((r) => r.file),
      new Map(results.map((r) => [r.file, r])),
    );
    const editor = model.findings().map(key);
    model.dispose();
    // The CLI's whole-report path: the Inventory, then the non-production policy.
    const inventory = new Inventory();
    for (const r of results) inventory.set(r);
    const contextOf = contextByFolder(new ContextClassifier({}), [root], process.cwd());
    const cli = applyNonProductionPolicy(inventory.findings(now, DEFAULT_RULES), contextOf, 'hint').map(key);
    // The streamed JSON report.
    const spec: FragmentSpec = {
      now,
      rules: DEFAULT_RULES,
      contextGlobs: {},
      folders: [root],
      cwd: process.cwd(),
      policy: 'hint',
      ownerRoots: [],
    };
    const chunks: Buffer[] = [];
    const fragments = results.map((r) => reportFragment(r, spec)).filter((f) => f !== undefined);
    await writeJsonReport(fragments, { files: results.length, ms: 0 }, spec, (c) => void chunks.push(Buffer.from(c)));
    const report = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { findings: Finding[] };
    const json = report.findings.map(key);

    const codes = new Set(report.findings.map((f) => f.code));
    for (const code of ['expired', 'weak-rsa-key', 'crl-expired', 'renewal-overdue', 'metadata-expires-critical', 'expires-critical']) {
      assert.ok(codes.has(code as Finding['code']), `the tree gives ${code}: ${[...codes].join(' ')}`);
    }
    assert.ok(
      report.findings.some((f) => f.severity === 'hint' && f.file.includes('/test/')),
      'a non-production hint',
    );
    const storeHint = (f: Finding) => f.code === 'expired' && f.severity === 'hint' && f.file.endsWith('ca-certificates.crt');
    assert.ok(report.findings.some(storeHint), 'a trust store hint');
    assert.ok(editor.length > 10);
    assert.deepEqual(sorted(editor), sorted(cli));
    assert.deepEqual(sorted(json), sorted(cli));
  });

  it('leaves out ignored fingerprints and ignored paths in the editor (their parse problems stay)', () => {
    const now = Date.now();
    const expired = results.find((r) => r.file.endsWith('expired.crt'))!;
    const rules = { ...DEFAULT_RULES, ignore: new Set([expired.certificates[0].sha256]) };
    const { model } = modelOf(new FakeClock(now), root, settings(rules, { 'ignore.paths': ['broken/**', 'deploy/chain.pem'] }));
    model.applyResults(
      results.map((r) => r.file),
      new Map(results.map((r) => [r.file, r])),
    );
    assert.deepEqual(model.findingsIn(expired.file), []);
    assert.deepEqual(model.certificatesIn(path.join(root, 'deploy/chain.pem')), []);
    assert.ok(model.findingsIn(path.join(root, 'broken/bad.pem')).length > 0, 'parse problems of an ignored path are kept');
    assert.ok(model.findingsIn(path.join(root, 'deploy/weak.pem')).some((f) => f.code === 'weak-rsa-key'));
    model.dispose();
  });
});

describe('workspace model (fake clock)', () => {
  const HOUR = 3_600_000;
  const NOW = Date.parse('2026-06-01T12:00:00Z');
  const root = '/ws';

  it('fires a change for a file at the moment a certificate crosses a threshold, and not before', () => {
    const clock = new FakeClock(NOW);
    const { model, changes } = modelOf(clock, root);
    // Crosses from info into the warning band 2 h from now (and expires long after).
    const crossing = NOW + 2 * HOUR;
    const file = '/ws/app/tls.pem';
    const c = fakeCertificate(NOW, { file, notAfter: crossing + DEFAULT_RULES.warningDays * DAY_MS, notBefore: NOW - 300 * DAY_MS });
    model.applyResults([file], new Map([[file, resultOf(file, [c])]]));
    assert.deepEqual(
      model.findingsIn(file).map((f) => f.code),
      ['expires-info'],
    );
    assert.ok(model.nextChangeAt !== undefined && model.nextChangeAt <= crossing, 'the alarm is set no later than the crossing');
    changes.length = 0;
    clock.advance(crossing - 1 - NOW);
    assert.deepEqual(
      model.findingsIn(file).map((f) => f.code),
      ['expires-info'],
      'still info a millisecond before',
    );
    assert.equal(model.summary().counts.info, 1);
    clock.advance(1);
    assert.ok(announced(changes, file), `a change for the file at the crossing: ${JSON.stringify(changes)}`);
    assert.deepEqual(
      model.findingsIn(file).map((f) => f.code),
      ['expires-warning'],
    );
    assert.equal(model.summary().counts.warning, 1);
    assert.ok(model.nextChangeAt > crossing, 'the alarm is set again, later');
    model.dispose();
  });

  it('re-judges a 6-day certificate at half-life, at its renewal point and in its last sixth, with no file touched', () => {
    const clock = new FakeClock(NOW);
    const { model, changes } = modelOf(clock, root);
    const file = '/ws/app/short.pem';
    const c = fakeCertificate(NOW, { file, notBefore: NOW, notAfter: NOW + 6 * DAY_MS });
    model.applyResults([file], new Map([[file, resultOf(file, [c])]]));
    const codesAt = (t: number) => {
      clock.advance(t - clock.now());
      return model.findingsIn(file).map((f) => `${f.severity}:${f.code}`);
    };
    assert.deepEqual(codesAt(NOW), [], 'quiet when issued (the day thresholds alone made it an error: 6 days < 7)');
    assert.equal(model.summary().counts.later, 1);
    for (const [t, expected, urgency] of [
      [NOW + 3 * DAY_MS, ['info:expires-info'], 'info'],
      [NOW + 4 * DAY_MS, ['warning:expires-warning'], 'warning'],
      [NOW + 5 * DAY_MS, ['error:expires-critical'], 'critical'],
      [NOW + 6 * DAY_MS, ['error:expired'], 'expired'],
    ] as const) {
      assert.notDeepEqual(codesAt(t - 1), expected, `not yet at ${(t - 1 - NOW) / DAY_MS} days`);
      changes.length = 0;
      assert.deepEqual(codesAt(t), expected, `at ${(t - NOW) / DAY_MS} days`);
      assert.ok(announced(changes, file), `a change for the file at ${(t - NOW) / DAY_MS} days`);
      assert.equal(model.summary().counts[urgency], 1);
    }
    model.dispose();
  });

  it("keeps a file's evaluation through an edit that only shifts its places", () => {
    const clock = new FakeClock(NOW);
    const { model, asked } = modelOf(clock, root);
    const file = '/ws/deploy/soon.pem';
    const ec = sharedKey({ type: 'ec' });
    const soon = makeCert({ cn: 'soon.acme.io', key: ec, notBefore: new Date(NOW - 100 * DAY_MS), notAfter: new Date(NOW + 3 * DAY_MS) });
    const text = '# soon.acme.io\n' + soon.pem;
    const before = parseFile(file, Buffer.from(text));
    model.applyResults([file], new Map([[file, before]]));
    const found = model.findingsIn(file);
    assert.deepEqual(
      found.map((f) => [f.code, f.range.start.line]),
      [['expires-critical', 1]],
    );
    // Two lines inserted above the block: everything moves down by two.
    const edit = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# a comment\n# another\n' };
    const shifted = shiftResult(before, text, edit)!;
    assert.ok(shifted && shifted !== before, 'the edit shifts the result');
    asked.length = 0;
    model.applyMove(file, before, shifted, edit);
    assert.deepEqual(
      asked.filter((f) => f === file),
      [],
      'not evaluated again',
    );
    const moved = model.findingsIn(file).map((f) => [f.code, f.range.start.line, f.message]);
    assert.deepEqual(moved, [['expires-critical', 3, found[0].message]]);
    assert.equal(model.certificatesIn(file)[0], shifted.certificates[0], "the shifted result's records");
    // The same as evaluating the shifted result afresh.
    const fresh = modelOf(clock, root).model;
    fresh.applyResults([file], new Map([[file, shifted]]));
    assert.deepEqual(model.findingsIn(file), fresh.findingsIn(file));
    fresh.dispose();
    model.dispose();
  });

  it("drops a removed folder's files and their alarms", () => {
    const clock = new FakeClock(NOW);
    const { model, changes } = modelOf(clock, root);
    const soon = '/ws/a/soon.pem';
    const other = '/ws/a/sub/other.pem';
    const later = '/ws/b/later.pem';
    const lateMoment = NOW + 3 * HOUR;
    const files = new Map([
      [soon, resultOf(soon, [fakeCertificate(NOW, { file: soon, notBefore: NOW + HOUR, notAfter: NOW + 100 * DAY_MS })])],
      [other, resultOf(other, [fakeCertificate(NOW, { file: other, notAfter: NOW - DAY_MS, notBefore: NOW - 100 * DAY_MS })])],
      [later, resultOf(later, [fakeCertificate(NOW, { file: later, notBefore: lateMoment, notAfter: NOW + 100 * DAY_MS })])],
    ]);
    model.applyResults([...files.keys()], files);
    assert.equal(model.nextChangeAt, NOW + HOUR, 'the alarm waits for /ws/a/soon.pem');
    const all = sorted(model.findings().map((f) => `${f.file} ${f.code}`));
    assert.deepEqual(all, [`${soon} not-yet-valid`, `${other} expired`, `${later} not-yet-valid`]);
    changes.length = 0;
    const changed = model.remove(['/ws/a']);
    assert.deepEqual(sorted(changed.filter((f) => f !== '/ws/a')), [soon, other]);
    assert.deepEqual(changes.at(-1), changed, 'announced');
    assert.deepEqual(model.files(), [later]);
    assert.deepEqual(
      model.findings().map((f) => f.file),
      [later],
    );
    assert.equal(model.nextChangeAt, lateMoment, "the removed files' alarms are gone");
    assert.equal(model.summary().counts.expired, 0);
    changes.length = 0;
    clock.advance(HOUR);
    assert.deepEqual(changes, [], 'nothing rings for the removed files');
    clock.advance(2 * HOUR);
    assert.ok(announced(changes, later), "the remaining file's moment still rings");
    model.dispose();
  });

  it('classifies files by their folder-relative path and sets non-production findings apart', () => {
    const clock = new FakeClock(NOW);
    const context = { test: [], example: [], documentation: [], vendored: ['third_party/**'] };
    const { model } = modelOf(clock, root, settings(DEFAULT_RULES, { context }));
    const inTests = '/ws/test/fixtures/old.pem';
    const vendored = '/ws/third_party/x/old.pem';
    const outside = '/elsewhere/test/old.pem';
    const expired = (f: string) => resultOf(f, [fakeCertificate(NOW, { file: f, notAfter: NOW - DAY_MS })]);
    const files = new Map([inTests, vendored, outside].map((f) => [f, expired(f)]));
    model.applyResults([...files.keys()], files);
    assert.equal(model.contextOf(inTests), 'test');
    assert.equal(model.contextOf(vendored), 'vendored');
    assert.equal(model.contextOf(outside), 'production', 'outside every folder: production');
    assert.deepEqual(
      model.findingsIn(inTests).map((f) => f.severity),
      ['hint'],
    );
    assert.deepEqual(
      model.findingsIn(outside).map((f) => f.severity),
      ['error'],
    );
    assert.equal(model.summary().counts.expired, 1);
    assert.equal(model.summary().nonProduction.expired, 2);
    model.dispose();
  });
  it('follows deployment evidence as config files come and go: a copied test certificate is production while a Dockerfile names it', () => {
    const clock = new FakeClock(NOW);
    const { model, changes } = modelOf(clock, root);
    const baked = '/ws/test/fixtures/baked.pem';
    const devOnly = '/ws/certs/dev.pem';
    const local = { dns: ['localhost'], ip: [], email: [], uri: [] };
    const files = new Map([
      [baked, resultOf(baked, [fakeCertificate(NOW, { file: baked, source: 'pem', notAfter: NOW - DAY_MS })])],
      [devOnly, resultOf(devOnly, [fakeCertificate(NOW, { file: devOnly, source: 'pem', sans: local, notAfter: NOW - DAY_MS })])],
    ]);
    model.applyResults([...files.keys()], files);
    assert.deepEqual([model.contextOf(baked), model.contextOf(devOnly)], ['test', 'test']);
    assert.deepEqual(
      model.findingsIn(baked).map((f) => f.severity),
      ['hint'],
    );
    changes.length = 0;
    // A Dockerfile copies the fixture; a server config names the development certificate by name.
    model.setMentions(
      new Map([
        ['/ws/Dockerfile', [{ written: 'test/fixtures/baked.pem', line: 4 }]],
        ['/ws/conf/server.conf', [{ written: '/etc/tls/dev.pem', line: 0 }]],
        // A development compose file's mention is no evidence.
        ['/ws/docker-compose.dev.yml', [{ written: 'test/fixtures/baked.pem', line: 0 }]],
      ]),
    );
    assert.ok(announced(changes, baked), 'the change is announced');
    assert.equal(model.contextOf(baked), 'production');
    assert.match(model.contextReason(baked), /^deployed by Dockerfile:5, though its folder `test\/`/);
    assert.deepEqual(
      model.findingsIn(baked).map((f) => f.severity),
      ['error'],
    );
    assert.match(model.contextReason(devOnly), /^named by conf\/server\.conf:1, though its certificate is for development/);
    // The Dockerfile goes: the fixture is a test file again.
    model.setMentions(new Map([['/ws/Dockerfile', undefined]]));
    assert.equal(model.contextOf(baked), 'test');
    assert.deepEqual(
      model.findingsIn(baked).map((f) => f.severity),
      ['hint'],
    );
    model.dispose();
  });
});
