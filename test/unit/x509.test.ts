import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { daysFromNow, makeCert, type KeyOptions } from '../support/certs';
import { parseCertificateDer } from '../../src/core/x509/certificate';
import { opensslNotAfter, sharedKey } from './helpers';

describe('X.509 reader', () => {
  const cases: { key: KeyOptions; keyType: string; bits?: number; curve?: string; sig: RegExp }[] = [
    { key: { type: 'rsa', bits: 2048 }, keyType: 'RSA', bits: 2048, sig: /^sha256WithRSAEncryption$/ },
    { key: { type: 'rsa-pss', bits: 2048 }, keyType: 'RSA-PSS', bits: 2048, sig: /^RSASSA-PSS$/ },
    { key: { type: 'ec', curve: 'P-256' }, keyType: 'EC', bits: 256, curve: 'P-256', sig: /^ecdsa-with-SHA256$/ },
    { key: { type: 'ec', curve: 'P-384' }, keyType: 'EC', bits: 384, curve: 'P-384', sig: /^ecdsa-with-SHA/ },
    { key: { type: 'ec', curve: 'P-521' }, keyType: 'EC', bits: 521, curve: 'P-521', sig: /^ecdsa-with-SHA/ },
    { key: { type: 'ec', curve: 'secp256k1' }, keyType: 'EC', bits: 256, curve: 'secp256k1', sig: /^ecdsa-with-SHA/ },
    { key: { type: 'ed25519' }, keyType: 'Ed25519', sig: /^ED25519$/ },
    { key: { type: 'ed448' }, keyType: 'Ed448', sig: /^ED448$/ },
    { key: { type: 'dsa', bits: 2048 }, keyType: 'DSA', bits: 2048, sig: /^dsa_with_SHA256$/ },
  ];

  for (const c of cases) {
    it(`reads a ${c.keyType}${c.curve ? ' ' + c.curve : ''} certificate like Node's X509Certificate and openssl do`, () => {
      const key = sharedKey(c.key);
      const cert = makeCert({
        cn: `${c.keyType}.test.certlens`,
        sans: ['a.certlens.dev', 'IP:10.1.2.3', 'IP:2001:db8::1', 'email:ops@certlens.dev'],
        key,
        notBefore: daysFromNow(-10),
        notAfter: daysFromNow(45),
      });
      const f = parseCertificateDer(cert.der);
      const ref = new X509Certificate(cert.der);
      assert.equal(f.keyType, c.keyType);
      if (c.bits) assert.equal(f.keyBits, c.bits);
      if (c.curve) assert.equal(f.curve, c.curve);
      assert.match(f.signatureAlgorithm, c.sig);
      assert.equal(f.subjectCN, `${c.keyType}.test.certlens`);
      assert.equal(f.notAfter, opensslNotAfter(cert.pem));
      assert.equal(f.notAfter, Date.parse(ref.validTo));
      assert.equal(f.notBefore, Date.parse(ref.validFrom));
      assert.equal(f.sha256, ref.fingerprint256.replace(/:/g, '').toLowerCase());
      assert.equal(f.sha1, ref.fingerprint.replace(/:/g, '').toLowerCase());
      assert.equal(f.serial, ref.serialNumber.replace(/^(00)+(?=.)/, '').toUpperCase());
      assert.deepEqual(f.sans, { dns: ['a.certlens.dev'], ip: ['10.1.2.3', '2001:db8::1'], email: ['ops@certlens.dev'], uri: [] });
      assert.equal(f.isCA, false);
      assert.equal(f.selfSigned, true);
      assert.deepEqual(f.extendedKeyUsage, ['serverAuth']);
      if (c.keyType !== 'Ed25519' && c.keyType !== 'Ed448') {
        const details = ref.publicKey.asymmetricKeyDetails;
        if (details?.modulusLength) assert.equal(f.keyBits, details.modulusLength);
      }
    });
  }

  it('reads CA flags, key usage and the issuer of a CA-signed certificate', () => {
    const caKey = sharedKey({ type: 'ec' });
    const leafKey = sharedKey({ type: 'ec', curve: 'P-384' });
    const ca = makeCert({
      cn: 'Reader Test CA',
      subject: { O: 'CertLens, Inc.', C: 'DE' },
      key: caKey,
      ca: true,
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(3650),
    });
    const leaf = makeCert({
      cn: 'leaf.certlens.dev',
      key: leafKey,
      issuer: { cert: ca, key: caKey },
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(20),
    });
    const c = parseCertificateDer(ca.der);
    assert.equal(c.isCA, true);
    assert.ok(c.keyUsage.includes('keyCertSign'));
    assert.equal(c.subject, 'CN=Reader Test CA, O=CertLens\\, Inc., C=DE');
    const l = parseCertificateDer(leaf.der);
    assert.equal(l.selfSigned, false);
    assert.equal(l.issuerCN, 'Reader Test CA');
    assert.equal(l.issuerRaw, c.subjectRaw);
    assert.equal(l.authorityKeyId, c.subjectKeyId);
  });

  it('reports an unknown (e.g. post-quantum) key algorithm by its OID instead of failing', () => {
    const cert = makeCert({
      cn: 'pq.certlens.dev',
      key: sharedKey({ type: 'ed25519' }),
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(100),
    });
    // Rewrite the Ed25519 OID (1.3.101.112) to an unassigned arc (1.3.101.127) everywhere it occurs.
    const der = Buffer.from(cert.der);
    const oid = Buffer.from([0x06, 0x03, 0x2b, 0x65, 0x70]);
    let patched = 0;
    for (let i = der.indexOf(oid); i >= 0; i = der.indexOf(oid, i + 1)) {
      der[i + 4] = 0x7f;
      patched++;
    }
    assert.ok(patched >= 2);
    const f = parseCertificateDer(der);
    assert.equal(f.keyType, '1.3.101.127');
    assert.equal(f.signatureAlgorithm, '1.3.101.127');
    assert.equal(f.notAfter, cert.notAfter.getTime());
  });

  it('throws a located error on truncated or corrupt DER, at every truncation length', () => {
    const cert = makeCert({
      cn: 'trunc.certlens.dev',
      key: sharedKey({ type: 'ec' }),
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(10),
    });
    for (let n = 0; n < cert.der.length; n++) {
      assert.throws(() => parseCertificateDer(cert.der.subarray(0, n)), /ASN\.1|missing|expected|truncated|time|OID/, `length ${n}`);
    }
  });

  it('reads UTCTime and GeneralizedTime dates across the 2050 boundary and year 0001 like openssl', () => {
    const key = sharedKey({ type: 'ec' });
    for (const [from, to] of [
      ['1999-12-31T23:59:59Z', '2049-12-31T23:59:59Z'],
      ['2020-01-01T00:00:00Z', '2050-01-01T00:00:00Z'],
      ['2020-01-01T00:00:00Z', '9999-12-31T23:59:59Z'],
    ]) {
      const cert = makeCert({ cn: 'dates.certlens.dev', key, notBefore: new Date(from), notAfter: new Date(to) });
      const f = parseCertificateDer(cert.der);
      assert.equal(f.notAfter, Date.parse(to));
      assert.equal(f.notAfter, opensslNotAfter(cert.pem));
    }
  });
});
