import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import forge from 'node-forge';
import { daysFromNow, makeCert, makeCrl, type TestCert, type TestKey } from '../support/certs';
import { parseFile } from '../../src/core/formats/parse-file';
import { derKind } from '../../src/core/formats/der-kinds';
import { crlUrgencyOf, DEFAULT_RULES, evaluateCrls } from '../../src/core/rules/rules';
import { Inventory } from '../../src/core/scan/inventory';
import { buildReport } from '../../src/core/report/schema';
import { toCsv, toMarkdown, toTable } from '../../src/core/report/formats';
import { openPkcs12 } from '../../src/core/formats/pkcs12';
import { nextChangeOfCrl } from '../../src/core/workspace/clock';
import { DAY_MS } from '../../src/core/model';
import { parseOpensslDate, sharedKey, tempDir } from './helpers';

/** openssl's reading of a CRL: the reference. */
function opensslCrl(pem: string): { issuer: string; lastUpdate: number; nextUpdate: number; crlNumber?: string; sha256: string } {
  const out = execFileSync('openssl', ['crl', '-noout', '-issuer', '-lastupdate', '-nextupdate', '-crlnumber', '-nameopt', 'RFC2253'], {
    input: pem,
  }).toString();
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(out)?.[1];
  const der = execFileSync('openssl', ['crl', '-outform', 'DER'], { input: pem });
  const number = field('crlNumber');
  return {
    issuer: field('issuer') ?? '',
    lastUpdate: parseOpensslDate(field('lastUpdate') ?? ''),
    nextUpdate: parseOpensslDate(field('nextUpdate') ?? ''),
    crlNumber: number && number !== '<NONE>' ? number.replace(/^0x/, '') : undefined,
    sha256: crypto.createHash('sha256').update(der).digest('hex'),
  };
}

/** The CRL's DER without its nextUpdate (openssl ca always writes one); the signature no longer verifies, which nothing here checks. */
function withoutNextUpdate(der: Buffer): Buffer {
  const node = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const tbs = (node.value as forge.asn1.Asn1[])[0];
  const fields = tbs.value as forge.asn1.Asn1[];
  const times = fields.filter((f) => f.type === forge.asn1.Type.UTCTIME || f.type === forge.asn1.Type.GENERALIZEDTIME);
  tbs.value = fields.filter((f) => f !== times[1]);
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

const NO_NULL_RSA_SIG = [0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];

describe('CRLs', () => {
  let ca: TestCert;
  let caKey: TestKey;
  let leaf: TestCert;
  before(() => {
    caKey = sharedKey({ type: 'ec' });
    ca = makeCert({
      cn: 'CRL Test CA',
      subject: { O: 'Example, Inc' },
      key: caKey,
      ca: true,
      notBefore: daysFromNow(-100),
      notAfter: daysFromNow(1000),
    });
    leaf = makeCert({
      cn: 'revoked.certlens.dev',
      key: sharedKey({ type: 'ec', curve: 'P-384' }),
      issuer: { cert: ca, key: caKey },
      notBefore: daysFromNow(-10),
      notAfter: daysFromNow(80),
    });
  });

  it("reads PEM and DER CRLs with openssl's issuer, lastUpdate, nextUpdate, number and fingerprint, at exact ranges", () => {
    const withNumber = makeCrl({
      issuer: { cert: ca, key: caKey },
      thisUpdate: daysFromNow(-1),
      nextUpdate: daysFromNow(20),
      number: '1F',
      revoked: [leaf],
    });
    const without = makeCrl({ issuer: { cert: ca, key: caKey }, thisUpdate: daysFromNow(-2), nextUpdate: daysFromNow(200) });
    for (const [crl, number, revoked] of [
      [withNumber, '1F', 1],
      [without, undefined, 0],
    ] as const) {
      const ref = opensslCrl(crl.pem);
      const text = `# revocation list\n${crl.pem}`;
      const fromPem = parseFile('/ws/ca.crl.pem', Buffer.from(text));
      const fromDer = parseFile('/ws/ca.crl', crl.der);
      for (const r of [fromPem, fromDer]) {
        assert.deepEqual(r.problems, []);
        assert.equal(r.certificates.length, 0);
        assert.equal(r.crls.length, 1);
        const c = r.crls[0];
        assert.equal(c.thisUpdate, ref.lastUpdate);
        assert.equal(c.nextUpdate, ref.nextUpdate);
        assert.equal(c.crlNumber, number);
        assert.equal(c.crlNumber, ref.crlNumber);
        assert.equal(c.sha256, ref.sha256);
        assert.equal(c.revokedCount, revoked);
        assert.equal(c.issuerCN, 'CRL Test CA');
        // openssl's RFC 2253 order is reversed; the engine prints DNs as it does for certificates.
        assert.equal(
          c.issuer,
          ref.issuer
            .split(/(?<!\\),/)
            .reverse()
            .join(', '),
        );
      }
      assert.deepEqual(fromPem.crls[0].range.start, { line: 1, character: 0 });
      assert.equal(fromPem.crls[0].range.end.line, text.trimEnd().split('\n').length - 1);
      assert.equal(fromPem.crls[0].source, 'pem');
      assert.equal(fromDer.crls[0].source, 'der');
    }
  });

  it('fails `scan --fail-on expired` on an expired CRL, and counts it in the summary', () => {
    const dir = tempDir();
    try {
      const crl = makeCrl({ issuer: { cert: ca, key: caKey }, thisUpdate: daysFromNow(-20), nextUpdate: daysFromNow(-2) });
      fs.writeFileSync(path.join(dir, 'ca.crl'), crl.der);
      const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
      const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'scan', dir, '--format', 'json', ...args], { encoding: 'utf8' });
      const r = run('--fail-on', 'expired');
      assert.equal(r.status, 1, r.stderr);
      const report = JSON.parse(r.stdout) as { summary: { production: { expired: number } } };
      assert.equal(report.summary.production.expired, 1);
      assert.equal(run('--fail-on', 'never').status, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a CRL without nextUpdate (it never expires) and rejects a cut-off one', () => {
    const crl = makeCrl({ issuer: { cert: ca, key: caKey }, thisUpdate: daysFromNow(-1), nextUpdate: daysFromNow(5), number: '02' });
    const der = withoutNextUpdate(crl.der);
    execFileSync('openssl', ['crl', '-inform', 'DER', '-noout'], { input: der });
    const r = parseFile('/ws/never.crl', der);
    assert.equal(r.crls.length, 1);
    assert.equal(r.crls[0].nextUpdate, undefined);
    assert.equal(r.crls[0].crlNumber, '02');
    assert.deepEqual(evaluateCrls(r.crls, Date.now()), []);
    const cut = parseFile('/ws/cut.crl', crl.der.subarray(0, crl.der.length - 5));
    assert.equal(cut.crls.length, 0);
    assert.ok(cut.problems.length === 1 && cut.problems[0].code !== 'invalid-certificate', JSON.stringify(cut.problems));
  });

  it('reports every cut-off prefix of a CRL (DER and PEM) as a broken CRL, never as a certificate and never by throwing', () => {
    const crl = makeCrl({
      issuer: { cert: ca, key: caKey },
      thisUpdate: daysFromNow(-1),
      nextUpdate: daysFromNow(5),
      number: '03',
      revoked: [leaf],
    });
    for (let len = 1; len < crl.der.length; len++) {
      const cut = crl.der.subarray(0, len);
      for (const r of [
        parseFile('/ws/cut.crl', cut),
        parseFile('/ws/cut.pem', Buffer.from(`-----BEGIN X509 CRL-----\n${cut.toString('base64')}\n-----END X509 CRL-----\n`)),
      ]) {
        assert.equal(r.crls.length + r.certificates.length, 0, `${len} bytes`);
        assert.ok(
          r.problems.length <= 1 && r.problems.every((p) => p.code !== 'invalid-certificate'),
          `${len} bytes: ${JSON.stringify(r.problems)}`,
        );
      }
    }
  });

  it('prints the CRL number as openssl does: a negative one with its sign, a repeated one not at all', () => {
    const crl = makeCrl({ issuer: { cert: ca, key: caKey }, thisUpdate: daysFromNow(-1), nextUpdate: daysFromNow(5), number: '7F' });
    const rewrite = (change: (extensions: forge.asn1.Asn1[]) => void) => {
      const node = forge.asn1.fromDer(forge.util.createBuffer(crl.der.toString('binary')));
      const tbs = (node.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
      const wrapper = tbs[tbs.length - 1];
      change((wrapper.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[]);
      const der = Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
      return { der, pem: `-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n` };
    };
    const isNumber = (ext: forge.asn1.Asn1) => forge.asn1.derToOid((ext.value as forge.asn1.Asn1[])[0].value as string) === '2.5.29.20';
    const negative = rewrite((exts) => {
      const ext = exts.find(isNumber)!;
      const octets = (ext.value as forge.asn1.Asn1[])[1];
      octets.value = String.fromCharCode(0x02, 0x01, 0xff);
    });
    const repeated = rewrite((exts) => {
      exts.push(exts.find(isNumber)!);
    });
    assert.equal(parseFile('/ws/neg.crl', negative.der).crls[0].crlNumber, '-01');
    assert.equal(opensslCrl(negative.pem).crlNumber, '-01');
    assert.equal(parseFile('/ws/dup.crl', repeated.der).crls[0].crlNumber, undefined);
    assert.equal(opensslCrl(repeated.pem).crlNumber, undefined);
    assert.equal(parseFile('/ws/ok.crl', crl.der).crls[0].crlNumber, '7F');
  });

  it('grades nextUpdate in the certificate bands, with issuer, number and thisUpdate in the message', () => {
    const now = Date.now();
    const bands: [number, string | undefined][] = [
      [-3, 'error:crl-expired'],
      [3, 'error:crl-expires-critical'],
      [20, 'warning:crl-expires-warning'],
      [60, 'info:crl-expires-info'],
      [200, undefined],
    ];
    for (const [days, expected] of bands) {
      // Issued long before: the day thresholds decide (a lifetime's shares: 'grades a CRL by its lifetime too').
      const crl = makeCrl({ issuer: { cert: ca, key: caKey }, thisUpdate: daysFromNow(-400), nextUpdate: daysFromNow(days), number: '10' });
      const r = parseFile('/ws/band.pem', Buffer.from(crl.pem));
      const findings = evaluateCrls(r.crls, now);
      assert.deepEqual(
        findings.map((f) => `${f.severity}:${f.code}`),
        expected ? [expected] : [],
        `${days} days`,
      );
      if (expected) {
        assert.match(findings[0].message, /CRL of CN=CRL Test CA \(number 0x10\)/);
        assert.ok(findings[0].message.includes(`issued ${new Date(r.crls[0].thisUpdate).toISOString().slice(0, 10)}`), findings[0].message);
        assert.equal(findings[0].sha256, r.crls[0].sha256);
        assert.deepEqual(findings[0].range, r.crls[0].range);
      }
      const inventory = new Inventory();
      inventory.set(r);
      assert.deepEqual(
        inventory.findings(now, DEFAULT_RULES).map((f) => f.code),
        expected ? [expected.split(':')[1]] : [],
      );
      assert.deepEqual(evaluateCrls(r.crls, now, { ...DEFAULT_RULES, ignore: new Set([r.crls[0].sha256]) }), []);
    }
  });

  it('wakes the editor when a CRL finding changes: each band and nextUpdate itself', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    // Issued long ago: the day thresholds decide (the lifetime's shares are tested below).
    const crl = { thisUpdate: now - 400 * DAY_MS, nextUpdate: now + 40 * DAY_MS, sha256: 'cc' };
    const codesAt = (t: number) =>
      evaluateCrls(
        [
          {
            ...crl,
            file: '/ws/a.crl',
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            source: 'der',
            index: 0,
            issuer: 'CN=x',
            revokedCount: 0,
            signatureAlgorithm: 'x',
          },
        ],
        t,
      )
        .map((f) => f.code)
        .join();
    const steps: string[] = [];
    for (let t = now, i = 0; i < 200 && t < Infinity; i++) {
      const next = nextChangeOfCrl(crl, t, DEFAULT_RULES, { textRoundingMs: Infinity });
      if (next === Infinity) break;
      assert.equal(codesAt(next - 1), codesAt(t), 'nothing changes before the moment said');
      steps.push(codesAt(next));
      t = next;
    }
    assert.deepEqual(steps, ['crl-expires-warning', 'crl-expires-critical', 'crl-expired']);
    assert.equal(nextChangeOfCrl({ thisUpdate: now }, now, DEFAULT_RULES), Infinity);
  });

  it('grades a CRL by its lifetime too: one reissued weekly is not critical all its life', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const weekly = { thisUpdate: now - DAY_MS, nextUpdate: now + 6 * DAY_MS };
    // 7 days from thisUpdate to nextUpdate: information from 3.5 days left, warning from 2 d 8 h, error from 1 d 4 h.
    const at = (daysLeft: number) => crlUrgencyOf(weekly, weekly.nextUpdate - daysLeft * DAY_MS, DEFAULT_RULES);
    assert.equal(at(6), 'later', 'a fresh weekly CRL, 6 days before its next update (the days alone: critical)');
    assert.equal(at(3), 'info');
    assert.equal(at(2), 'warning');
    assert.equal(at(1), 'critical');
    assert.equal(at(-0.1), 'expired');
    // Long-lived CRLs keep the day thresholds; a thisUpdate still to come is graded by the days alone.
    assert.equal(crlUrgencyOf({ thisUpdate: now - 365 * DAY_MS, nextUpdate: now + 6 * DAY_MS }, now, DEFAULT_RULES), 'critical');
    assert.equal(crlUrgencyOf({ thisUpdate: now + DAY_MS, nextUpdate: now + 6 * DAY_MS }, now, DEFAULT_RULES), 'critical');
    // The clock wakes at each of these moments, and at a thisUpdate still to come.
    const steps: string[] = [];
    for (let t = now, i = 0; i < 50; i++) {
      const next = nextChangeOfCrl(weekly, t, DEFAULT_RULES, { textRoundingMs: Infinity });
      if (next === Infinity) break;
      assert.equal(
        at((weekly.nextUpdate - (next - 1)) / DAY_MS),
        at((weekly.nextUpdate - t) / DAY_MS),
        'nothing changes before the moment said',
      );
      steps.push(String(at((weekly.nextUpdate - next) / DAY_MS)));
      t = next;
    }
    assert.deepEqual(steps, ['info', 'warning', 'critical', 'expired']);
    const future = { thisUpdate: now + DAY_MS, nextUpdate: now + 30 * DAY_MS };
    assert.equal(nextChangeOfCrl(future, now, DEFAULT_RULES, { textRoundingMs: Infinity }), future.thisUpdate);
  });

  it('lists CRLs in the JSON and CSV reports', () => {
    const crl = makeCrl({ issuer: { cert: ca, key: caKey }, thisUpdate: daysFromNow(-60), nextUpdate: daysFromNow(6), number: '0A' });
    const inventory = new Inventory();
    inventory.set(parseFile('/ws/ca.crl', crl.der));
    const now = Date.now();
    const report = buildReport(
      inventory.certificates(),
      inventory.findings(now, DEFAULT_RULES),
      now,
      { files: 1, ms: 0 },
      { crls: inventory.crls() },
    );
    assert.equal(report.crls.length, 1);
    const json = report.crls[0];
    assert.equal(json.crlNumber, '0A');
    assert.equal(json.daysLeft, 6);
    assert.equal(json.source, 'der');
    assert.equal(json.issuerCN, 'CRL Test CA');
    assert.deepEqual(
      report.findings.map((f) => f.code),
      ['crl-expires-critical'],
    );
    const csv = toCsv(report).split('\r\n');
    assert.equal(csv.length, 3);
    assert.ok(csv[1].includes(',crl,') && csv[1].includes(json.sha256), csv[1]);
    assert.match(toMarkdown(report), /## Revocation lists[\s\S]*\| CRL Test CA \| 0x0A \| 0 \| \/ws\/ca\.crl:1 \|/);
    assert.match(toTable(report, false), /CRL 0x0A \(0 revoked\)\s+CRL Test CA/);
  });
});

describe('files that hold no certificate', () => {
  let dir: string;
  let ca: TestCert;
  let caKey: TestKey;
  let leaf: TestCert;
  let leafKey: TestKey;
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  before(() => {
    dir = tempDir();
    caKey = sharedKey({ type: 'ec' });
    leafKey = sharedKey({ type: 'rsa' });
    ca = makeCert({ cn: 'OCSP Test CA', key: caKey, ca: true, notBefore: daysFromNow(-100), notAfter: daysFromNow(1000) });
    leaf = makeCert({
      cn: 'ocsp.certlens.dev',
      key: leafKey,
      issuer: { cert: ca, key: caKey },
      notBefore: daysFromNow(-10),
      notAfter: daysFromNow(80),
    });
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.pem);
    fs.writeFileSync(path.join(dir, 'ca.key'), caKey.pem);
    fs.writeFileSync(path.join(dir, 'leaf.pem'), leaf.pem);
    fs.writeFileSync(path.join(dir, 'leaf.key'), leafKey.pem);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function samples(): Record<string, Buffer> {
    const expiry = new Date(leaf.notAfter).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    fs.writeFileSync(path.join(dir, 'index.txt'), `V\t${expiry}\t\t${leaf.serial}\tunknown\t/CN=ocsp.certlens.dev\n`);
    openssl(['ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-no_nonce', '-reqout', 'req.der']);
    openssl([
      'ocsp',
      '-index',
      'index.txt',
      '-rsigner',
      'ca.pem',
      '-rkey',
      'ca.key',
      '-CA',
      'ca.pem',
      '-reqin',
      'req.der',
      '-respout',
      'resp.der',
      '-ndays',
      '1',
    ]);
    const crl = makeCrl({ issuer: { cert: ca, key: caKey }, thisUpdate: daysFromNow(-1), nextUpdate: daysFromNow(200), number: '01' });
    return {
      'ocsp-response': fs.readFileSync(path.join(dir, 'resp.der')),
      'ocsp-unauthorized': Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x06]),
      csr: openssl(['req', '-new', '-key', 'leaf.key', '-subj', '/CN=csr.certlens.dev', '-outform', 'DER']),
      'pkcs8-key': openssl(['pkey', '-in', 'leaf.key', '-outform', 'DER']),
      'rsa-key': openssl(['rsa', '-in', 'leaf.key', '-outform', 'DER', '-traditional']),
      'ec-key': openssl(['ec', '-in', 'ca.key', '-outform', 'DER']),
      'encrypted-key': openssl(['pkcs8', '-topk8', '-in', 'leaf.key', '-outform', 'DER', '-passout', 'pass:secret']),
      'public-key': openssl(['pkey', '-in', 'leaf.key', '-pubout', '-outform', 'DER']),
      'rsa-public-key': openssl(['rsa', '-in', 'leaf.key', '-RSAPublicKey_out', '-outform', 'DER']),
      crl: crl.der,
    };
  }

  it('recognises CSRs, keys, OCSP responses and CRLs in .der, .cer, .crt and .pem files and reports none as a broken certificate', () => {
    const all = samples();
    for (const [what, der] of Object.entries(all)) {
      assert.notEqual(derKind(der), undefined, what);
      assert.notEqual(derKind(der), 'certificate', what);
      for (const ext of ['.der', '.cer', '.crt', '.pem']) {
        const r = parseFile(`/ws/${what}${ext}`, der);
        assert.deepEqual(r.problems, [], `${what}${ext}`);
        assert.equal(r.certificates.length, 0, `${what}${ext}`);
        assert.equal(r.crls.length, what === 'crl' ? 1 : 0, `${what}${ext}`);
      }
    }
    // A DER private key pairs with its certificate like a PEM one; the encrypted one cannot.
    const spki = parseFile('/ws/leaf.der', leaf.der).certificates[0].spkiSha256;
    for (const what of ['pkcs8-key', 'rsa-key'])
      assert.deepEqual(
        parseFile(`/ws/${what}.der`, all[what]).privateKeys.map((k) => k.spkiSha256),
        [spki],
        what,
      );
    assert.equal(parseFile('/ws/encrypted-key.der', all['encrypted-key']).privateKeys.length, 0);
    // Certificates are still certificates, and garbage is still reported.
    assert.equal(derKind(leaf.der), 'certificate');
    assert.equal(parseFile('/ws/leaf.cer', leaf.der).certificates.length, 1);
    assert.deepEqual(
      parseFile('/ws/junk.der', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05])).problems.map((p) => p.code),
      ['invalid-certificate'],
    );
  });

  it('skips CSRs, public keys and CRL blocks in PEM text, and reads the CRL', () => {
    const all = samples();
    const block = (label: string, der: Buffer) =>
      `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
    const text =
      block('CERTIFICATE REQUEST', all.csr) +
      block('NEW CERTIFICATE REQUEST', all.csr) +
      block('PUBLIC KEY', all['public-key']) +
      block('RSA PUBLIC KEY', all['rsa-public-key']) +
      block('X509 CRL', all.crl) +
      leaf.pem;
    for (const ext of ['.pem', '.crt', '.cer']) {
      const r = parseFile(`/ws/mixed${ext}`, Buffer.from(text));
      assert.deepEqual(r.problems, []);
      assert.equal(r.certificates.length, 1);
      assert.equal(r.crls.length, 1);
    }
  });
});

describe('PKCS#12 fidelity', () => {
  it("keeps each certificate's own bytes: the SHA-256 is openssl's even when forge would re-encode it", () => {
    const key = sharedKey({ type: 'rsa' });
    const cert = makeCert({ cn: 'p12.certlens.dev', key, notBefore: daysFromNow(-1), notAfter: daysFromNow(30) });
    // Rewrite the signature AlgorithmIdentifiers without their NULL parameter (as some real-world certificates are).
    const withNull = Buffer.from([0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00]);
    const node = forge.asn1.fromDer(forge.util.createBuffer(cert.der.toString('binary')));
    const stripNull = (alg: forge.asn1.Asn1) => {
      alg.value = (alg.value as forge.asn1.Asn1[]).slice(0, 1);
    };
    stripNull((node.value as forge.asn1.Asn1[])[1]);
    stripNull(((node.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[])[2]);
    const der = Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
    assert.equal(der.indexOf(withNull), -1);
    assert.notEqual(der.indexOf(Buffer.from(NO_NULL_RSA_SIG)), -1);
    const expected = crypto.createHash('sha256').update(der).digest('hex');
    // forge itself would change it: that is what this guards against.
    const reencoded = Buffer.from(
      forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromAsn1(forge.asn1.fromDer(der.toString('binary'))))).getBytes(),
      'binary',
    );
    assert.notEqual(crypto.createHash('sha256').update(reencoded).digest('hex'), expected);

    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'cert.der'), der);
      execFileSync('openssl', ['x509', '-inform', 'DER', '-in', 'cert.der', '-out', 'cert.pem'], { cwd: dir });
      for (const [name, args] of [
        ['plain', ['-certpbe', 'NONE']],
        ['encrypted', []],
      ] as const) {
        execFileSync('openssl', ['pkcs12', '-export', '-nokeys', '-in', 'cert.pem', '-out', `${name}.p12`, '-passout', 'pass:', ...args], {
          cwd: dir,
        });
        const p12 = fs.readFileSync(path.join(dir, `${name}.p12`));
        const fingerprint = execFileSync(
          'sh',
          ['-c', `openssl pkcs12 -in ${name}.p12 -nokeys -passin pass: | openssl x509 -noout -fingerprint -sha256`],
          { cwd: dir },
        ).toString();
        const opensslSha = fingerprint.trim().replace(/^.*=/, '').replace(/:/g, '').toLowerCase();
        assert.equal(opensslSha, expected);
        const opened = openPkcs12(p12);
        assert.equal(opened.status, 'open', name);
        const r = parseFile(`/ws/${name}.p12`, p12);
        assert.deepEqual(
          r.certificates.map((c) => c.sha256),
          [expected],
          name,
        );
        assert.deepEqual(Buffer.from(r.certificates[0].der), der);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
