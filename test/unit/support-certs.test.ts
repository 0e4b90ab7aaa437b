// Checks the test certificate factory (test/support/certs.ts) against openssl's own reading.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { daysFromNow, makeChain, makeCert, makeKey, pkcs12, pkcs7 } from '../support/certs';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

describe('test support: certificate factory', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-support-test-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, data: string | Buffer): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, data);
    return p;
  }
  function openssl(...args: string[]): string {
    return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  /** Parses openssl's "notAfter=Mar  4 05:06:07 2051 GMT" form. */
  function opensslDate(line: string): Date {
    const m = /=(\w{3})\s+(\d+) (\d\d):(\d\d):(\d\d) (\d{4}) GMT/.exec(line);
    assert.ok(m, `unexpected openssl date: ${line}`);
    return new Date(Date.UTC(+m[6], MONTHS.indexOf(m[1]), +m[2], +m[3], +m[4], +m[5]));
  }

  const ec = makeKey({ type: 'ec' });

  it('writes the requested notBefore/notAfter, to the second, past and future', () => {
    for (const [from, to] of [
      [daysFromNow(-30), daysFromNow(-1)],
      [daysFromNow(-1), daysFromNow(3)],
      [new Date('2049-12-31T23:59:59Z'), new Date('2051-03-04T05:06:07Z')],
    ]) {
      const cert = makeCert({ cn: 'dates.example.acme-corp.net', key: ec, notBefore: from, notAfter: to });
      const file = write('dates.pem', cert.pem);
      assert.equal(opensslDate(openssl('x509', '-in', file, '-noout', '-enddate')).getTime(), Math.floor(to.getTime() / 1000) * 1000);
      assert.equal(opensslDate(openssl('x509', '-in', file, '-noout', '-startdate')).getTime(), Math.floor(from.getTime() / 1000) * 1000);
      assert.equal(cert.notAfter.getTime(), Math.floor(to.getTime() / 1000) * 1000);
    }
  });

  it("gives DER equal to openssl's conversion, and subject, SANs and serial as asked", () => {
    const cert = makeCert({
      cn: 'a/b ü',
      subject: { O: 'Example Org' },
      sans: ['a.example.test', '10.0.0.1', 'email:ops@example.test'],
      key: ec,
      serial: '0abc',
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(60),
    });
    const file = write('names.pem', cert.pem);
    const der = execFileSync('openssl', ['x509', '-in', file, '-outform', 'DER']);
    assert.ok(der.equals(cert.der));
    const x = new crypto.X509Certificate(cert.der);
    assert.equal(x.subject, 'CN=a/b ü\nO=Example Org');
    assert.equal(x.subjectAltName, 'DNS:a.example.test, IP Address:10.0.0.1, email:ops@example.test');
    assert.equal(x.serialNumber, '0ABC');
    assert.equal(cert.serial, 'ABC');
    assert.ok(x.checkPrivateKey(crypto.createPrivateKey(cert.keyPem)));
  });

  it('makes every supported key type, self-signed and verifiable', () => {
    for (const type of ['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448', 'dsa'] as const) {
      const key = makeKey(type === 'rsa' || type === 'rsa-pss' || type === 'dsa' ? { type, bits: 1024 } : { type });
      const cert = makeCert({ cn: `${type}.example.test`, key, notBefore: daysFromNow(-1), notAfter: daysFromNow(365) });
      const x = new crypto.X509Certificate(cert.pem);
      assert.ok(x.verify(x.publicKey), `${type} self-signature`);
      assert.equal(x.publicKey.asymmetricKeyType, type);
    }
  });

  it('signs with the requested hash', () => {
    const cert = makeCert({
      cn: 'sha1.example.acme-corp.net',
      key: makeKey({ type: 'rsa', bits: 1024 }),
      sigHash: 'sha1',
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(30),
    });
    assert.match(openssl('x509', '-in', write('sha1.pem', cert.pem), '-noout', '-text'), /Signature Algorithm: sha1WithRSAEncryption/);
  });

  it('builds a chain openssl verifies, with CA constraints', () => {
    const chain = makeChain({ leafCn: 'leaf.example.acme-corp.net', notBefore: daysFromNow(-1), notAfter: daysFromNow(20) });
    const out = openssl(
      'verify',
      '-CAfile',
      write('root.pem', chain.root.pem),
      '-untrusted',
      write('int.pem', chain.intermediate.pem),
      write('leaf.pem', chain.leaf.pem),
    );
    assert.match(out, /leaf\.pem: OK/);
    assert.equal((chain.bundlePem.match(/BEGIN CERTIFICATE/g) ?? []).length, 3);
    assert.equal(new crypto.X509Certificate(chain.intermediate.pem).ca, true);
    assert.equal(new crypto.X509Certificate(chain.leaf.pem).ca, false);
  });

  it('issues from an expired CA and makes an expired leaf', () => {
    const caKey = makeKey({ type: 'ec' });
    const ca = makeCert({ cn: 'Old CA', key: caKey, ca: true, notBefore: daysFromNow(-400), notAfter: daysFromNow(-35) });
    const leaf = makeCert({
      cn: 'old.example.acme-corp.net',
      key: ec,
      issuer: { cert: ca, key: caKey },
      notBefore: daysFromNow(-300),
      notAfter: daysFromNow(-40),
    });
    const x = new crypto.X509Certificate(leaf.pem);
    assert.ok(x.checkIssued(new crypto.X509Certificate(ca.pem)));
    assert.ok(new Date(x.validTo).getTime() < Date.now());
  });

  it('packs PKCS#12 (modern and legacy, with and without key) and PKCS#7', () => {
    const chain = makeChain({ leafCn: 'p12.example.acme-corp.net', notBefore: daysFromNow(-1), notAfter: daysFromNow(90) });
    const count = (s: string) => (s.match(/BEGIN CERTIFICATE/g) ?? []).length;
    const modern = write(
      'm.p12',
      pkcs12({ cert: chain.leaf, key: chain.leafKey, chain: [chain.intermediate, chain.root], password: 'pw', friendlyName: 'leaf' }),
    );
    assert.equal(count(openssl('pkcs12', '-in', modern, '-passin', 'pass:pw', '-nokeys')), 3);
    assert.match(openssl('pkcs12', '-in', modern, '-passin', 'pass:pw', '-nocerts', '-nodes'), /BEGIN PRIVATE KEY/);
    const legacy = write('l.p12', pkcs12({ cert: chain.leaf, password: 'pw', legacy: true }));
    assert.equal(count(openssl('pkcs12', '-in', legacy, '-passin', 'pass:pw', '-nokeys', '-legacy')), 1);
    assert.equal(count(openssl('pkcs7', '-in', write('b.p7b', pkcs7([chain.leaf, chain.root])), '-print_certs')), 2);
    assert.equal(
      count(openssl('pkcs7', '-inform', 'DER', '-in', write('b.p7b.der', pkcs7([chain.leaf], { der: true })), '-print_certs')),
      1,
    );
  });

  it('rejects notAfter before notBefore', () => {
    assert.throws(() => makeCert({ cn: 'x', key: ec, notBefore: daysFromNow(1), notAfter: daysFromNow(-1) }), /notAfter/);
  });
});
