import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { daysFromNow, makeCert, type KeyOptions, type TestCert } from '../support/certs';
import { sharedKey } from './helpers';
import {
  buildCsr,
  generateKey,
  generateKeyAsync,
  loadPrivateKey,
  NEW_KEY_ALGORITHMS,
  regenerateSelfSigned,
  RenewalError,
  toPem,
} from '../../src/core/renewal/csr';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-csr-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function file(text: string): string {
  const p = path.join(tmp, `f${n++}.pem`);
  fs.writeFileSync(p, text);
  return p;
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** What openssl prints about a request or a certificate: subject, and each extension's line(s). */
function described(
  kind: 'req' | 'x509',
  pem: string,
): { subject: string; san?: string; ku?: string; eku?: string; bc?: string; text: string } {
  const p = file(pem);
  const subject = openssl([kind, '-in', p, '-noout', '-subject', '-nameopt', 'RFC2253']).trim();
  const text = openssl([kind, '-in', p, '-noout', '-text']);
  const ext = (name: string) => {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.trim().startsWith(name));
    return i < 0 ? undefined : `${lines[i].includes('critical') ? 'critical ' : ''}${lines[i + 1].trim()}`;
  };
  return {
    subject,
    san: ext('X509v3 Subject Alternative Name'),
    ku: ext('X509v3 Key Usage'),
    eku: ext('X509v3 Extended Key Usage'),
    bc: ext('X509v3 Basic Constraints'),
    text,
  };
}

const SANS = ['www.certlens.dev', 'api.certlens.dev', 'IP:10.1.2.3', 'IP:2001:db8::1', 'email:ops@certlens.dev'];

function source(key: KeyOptions, opts: { eku?: string } = {}): TestCert {
  return makeCert({
    cn: 'www.certlens.dev',
    subject: { O: 'CertLens Test, Inc.', C: 'DE' },
    sans: SANS,
    key: sharedKey(key),
    notBefore: daysFromNow(-300),
    notAfter: daysFromNow(20),
    extKeyUsage: opts.eku ?? 'serverAuth,clientAuth',
  });
}

describe('renewal: a CSR from a certificate', () => {
  const keys: { name: string; key: KeyOptions }[] = [
    { name: 'RSA 2048', key: { type: 'rsa', bits: 2048 } },
    { name: 'EC P-256', key: { type: 'ec', curve: 'P-256' } },
    { name: 'EC P-384', key: { type: 'ec', curve: 'P-384' } },
    { name: 'Ed25519', key: { type: 'ed25519' } },
  ];

  for (const k of keys) {
    it(`signs with a given ${k.name} key (PKCS#8 PEM): openssl verifies it; subject, SANs and usages are the certificate's`, () => {
      const cert = source(k.key);
      const key = loadPrivateKey(sharedKey(k.key).pem);
      const csr = toPem('CERTIFICATE REQUEST', buildCsr(cert.der, key));
      const p = file(csr);
      // -verify prints "Certificate request self-signature verify OK" on stderr and exits 0.
      const out = execFileSync('sh', ['-c', `openssl req -verify -noout -in "${p}" 2>&1`]).toString();
      assert.match(out, /verify OK/);
      const want = described('x509', cert.pem);
      const got = described('req', csr);
      assert.equal(got.subject, want.subject);
      assert.match(want.subject, /CN=www\.certlens\.dev/);
      assert.equal(got.san, want.san);
      assert.match(
        got.san ?? '',
        /DNS:www\.certlens\.dev, DNS:api\.certlens\.dev, IP Address:10\.1\.2\.3, IP Address:2001:DB8:0:0:0:0:0:1, email:ops@certlens\.dev/,
      );
      assert.equal(got.ku, want.ku);
      assert.match(got.ku ?? '', /^critical Digital Signature/);
      assert.equal(got.eku, want.eku);
      assert.equal(got.eku, 'TLS Web Server Authentication, TLS Web Client Authentication');
      // The request's public key is the signing key's.
      const pub = openssl(['req', '-in', p, '-noout', '-pubkey']);
      assert.equal(pub.trim(), sharedKey(k.key).publicPem.trim());
    });
  }

  for (const alg of NEW_KEY_ALGORITHMS) {
    it(`signs with a new ${alg} key: openssl verifies it and reads the key type`, () => {
      const cert = source({ type: 'ec', curve: 'P-256' });
      const key = generateKey(alg);
      const csr = toPem('CERTIFICATE REQUEST', buildCsr(cert.der, key));
      const p = file(csr);
      const out = execFileSync('sh', ['-c', `openssl req -verify -noout -in "${p}" 2>&1`]).toString();
      assert.match(out, /verify OK/);
      const got = described('req', csr);
      const want = described('x509', cert.pem);
      assert.equal(got.subject, want.subject);
      assert.equal(got.san, want.san);
      assert.equal(got.ku, want.ku);
      assert.equal(got.eku, want.eku);
      const expected = {
        rsa2048: /Public-Key: \(2048 bit\)/,
        rsa3072: /Public-Key: \(3072 bit\)/,
        p256: /NIST CURVE: P-256/,
        ed25519: /ED25519 Public-Key/,
      }[alg];
      assert.match(got.text, expected);
    });
  }

  it('makes the same kinds of key off the thread (generateKeyAsync)', async () => {
    const cert = source({ type: 'ec', curve: 'P-256' });
    const expected = { rsa2048: ['rsa', 2048], rsa3072: ['rsa', 3072], p256: ['ec', undefined], ed25519: ['ed25519', undefined] } as const;
    for (const alg of NEW_KEY_ALGORITHMS) {
      const key = await generateKeyAsync(alg);
      assert.equal(key.type, 'private');
      assert.deepEqual([key.asymmetricKeyType, key.asymmetricKeyDetails?.modulusLength], expected[alg], alg);
      if (alg === 'p256') assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      const out = execFileSync('sh', [
        '-c',
        `openssl req -verify -noout -in "${file(toPem('CERTIFICATE REQUEST', buildCsr(cert.der, key)))}" 2>&1`,
      ]).toString();
      assert.match(out, /verify OK/, alg);
    }
  });

  it('a certificate without extensions gives a request without an extensionRequest (still verified)', () => {
    const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyPem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p = file(keyPem);
    // A v1-style certificate: openssl x509 -req from a plain request adds no extensions.
    const req = path.join(tmp, 'bare.csr');
    openssl(['req', '-new', '-key', p, '-subj', '/CN=bare.certlens.dev', '-out', req]);
    const certPem = openssl(['x509', '-req', '-in', req, '-key', p, '-days', '3']);
    const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const csr = toPem('CERTIFICATE REQUEST', buildCsr(der, key.privateKey));
    const out = execFileSync('sh', ['-c', `openssl req -verify -noout -in "${file(csr)}" 2>&1`]).toString();
    assert.match(out, /verify OK/);
    const got = described('req', csr);
    assert.equal(got.subject, 'subject=CN=bare.certlens.dev');
    assert.equal(got.san, undefined);
    assert.match(got.text, /Attributes:\s*\(none\)|Attributes:\s*\n\s*a0:00/);
  });

  it('reads PKCS#1 and SEC1 keys, refuses encrypted ones and text without a key', () => {
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.equal(loadPrivateKey(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()).asymmetricKeyType, 'rsa');
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
    assert.equal(
      loadPrivateKey('# a comment\n' + ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString()).asymmetricKeyType,
      'ec',
    );
    const encrypted = ec.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
    assert.throws(
      () => loadPrivateKey(encrypted),
      (e: Error) => e instanceof RenewalError && /encrypted/.test(e.message),
    );
    assert.throws(() => loadPrivateKey('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), RenewalError);
    // Indented in a YAML block scalar, base64 in a Secret's data, and DER in each encoding.
    const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const yaml =
      'stringData:\n  tls.key: |\n' +
      pkcs1
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n') +
      '\n';
    assert.equal(
      loadPrivateKey(yaml.slice(yaml.indexOf('-----BEGIN'))).export({ format: 'jwk' }).d,
      rsa.privateKey.export({ format: 'jwk' }).d,
    );
    assert.equal(
      loadPrivateKey(Buffer.from(pkcs1).toString('base64')).export({ format: 'jwk' }).d,
      rsa.privateKey.export({ format: 'jwk' }).d,
    );
    for (const type of ['pkcs8', 'sec1'] as const) {
      const der = ec.privateKey.export({ type, format: 'der' });
      assert.equal(loadPrivateKey(der).export({ format: 'jwk' }).d, ec.privateKey.export({ format: 'jwk' }).d, type);
    }
    assert.equal(loadPrivateKey(rsa.privateKey.export({ type: 'pkcs1', format: 'der' })).asymmetricKeyType, 'rsa');
    assert.throws(() => loadPrivateKey(Buffer.from('A'.repeat(100))), /no private key found/);
    // An error never quotes the key.
    const broken = pkcs1.replace(/\n(.{10})/, '\n$1:');
    assert.throws(
      () => loadPrivateKey(broken),
      (e: Error) =>
        e instanceof RenewalError &&
        !broken
          .split('\n')
          .slice(1, -2)
          .some((l) => e.message.includes(l.slice(0, 20))),
    );
  });

  it('refuses keys it cannot sign with (Ed448, secp256k1)', () => {
    const cert = source({ type: 'ec', curve: 'P-256' });
    assert.throws(() => buildCsr(cert.der, crypto.generateKeyPairSync('ed448').privateKey), /ed448 keys are not supported/);
    assert.throws(() => buildCsr(cert.der, crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey), /secp256k1/);
  });
});

describe('renewal: regenerating a self-signed certificate', () => {
  for (const k of [
    { name: 'RSA', key: { type: 'rsa', bits: 2048 } as KeyOptions },
    { name: 'EC P-256', key: { type: 'ec', curve: 'P-256' } as KeyOptions },
    { name: 'Ed25519', key: { type: 'ed25519' } as KeyOptions },
  ]) {
    it(`with the same ${k.name} key: same subject, SANs and usages, the new dates, the self-signature verifies`, () => {
      const old = source(k.key);
      const notBefore = new Date('2026-01-02T03:04:05Z');
      const notAfter = new Date('2027-01-02T03:04:05Z');
      const key = loadPrivateKey(sharedKey(k.key).pem);
      const pem = toPem('CERTIFICATE', regenerateSelfSigned(old.der, key, { notBefore, notAfter }));
      const p = file(pem);
      assert.match(openssl(['verify', '-CAfile', p, p]), /: OK/);
      const got = described('x509', pem);
      const want = described('x509', old.pem);
      assert.equal(got.subject, want.subject);
      assert.equal(got.san, want.san);
      assert.equal(got.ku, want.ku);
      assert.equal(got.eku, want.eku);
      assert.equal(got.bc, want.bc);
      assert.equal(
        openssl(['x509', '-in', p, '-noout', '-issuer', '-nameopt', 'RFC2253']).replace('issuer=', 'subject='),
        got.subject + '\n',
      );
      assert.equal(openssl(['x509', '-in', p, '-noout', '-startdate']).trim(), 'notBefore=Jan  2 03:04:05 2026 GMT');
      assert.equal(openssl(['x509', '-in', p, '-noout', '-enddate']).trim(), 'notAfter=Jan  2 03:04:05 2027 GMT');
      assert.equal(openssl(['x509', '-in', p, '-noout', '-pubkey']).trim(), sharedKey(k.key).publicPem.trim());
      assert.notEqual(openssl(['x509', '-in', p, '-noout', '-serial']), openssl(['x509', '-in', file(old.pem), '-noout', '-serial']));
    });
  }

  it('with a new key, and dates from 2050 on written as GeneralizedTime', () => {
    const old = source({ type: 'rsa', bits: 2048 });
    const key = generateKey('p256');
    const pem = toPem(
      'CERTIFICATE',
      regenerateSelfSigned(old.der, key, { notBefore: new Date('2049-12-31T00:00:00Z'), notAfter: new Date('2051-06-01T00:00:00Z') }),
    );
    const p = file(pem);
    // Not valid yet today: the signature is checked without the time.
    assert.match(openssl(['verify', '-no_check_time', '-CAfile', p, p]), /: OK/);
    assert.equal(openssl(['x509', '-in', p, '-noout', '-enddate']).trim(), 'notAfter=Jun  1 00:00:00 2051 GMT');
    assert.match(described('x509', pem).text, /NIST CURVE: P-256/);
    assert.equal(described('x509', pem).san, described('x509', old.pem).san);
  });

  it('refuses a validity that ends before it begins', () => {
    const old = source({ type: 'ec', curve: 'P-256' });
    assert.throws(
      () => regenerateSelfSigned(old.der, generateKey('p256'), { notBefore: new Date('2027-01-01Z'), notAfter: new Date('2026-01-01Z') }),
      RenewalError,
    );
  });
});
