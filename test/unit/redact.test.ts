import * as assert from 'node:assert/strict';
import { errorMessage, redactSecrets } from '../../src/core/redact';
import { sharedKey } from './helpers';

describe('redactSecrets (what the log may contain)', () => {
  it('removes private key blocks of every kind, the armour included', () => {
    for (const type of ['rsa', 'ec', 'ed25519'] as const) {
      const pem = sharedKey({ type }).pem.trim();
      const body = pem.split('\n')[1];
      const out = redactSecrets(`cannot parse key in /ws/key.pem: ${pem} (after it)`);
      assert.doesNotMatch(out, /PRIVATE KEY/, type);
      assert.ok(!out.includes(body), type);
      assert.match(out, /^cannot parse key in \/ws\/key\.pem: \[private key redacted\] \(after it\)$/, type);
    }
  });

  it('removes an unterminated private key block to the end of the message', () => {
    const pem = sharedKey({ type: 'ec' }).pem;
    const truncated = pem.slice(0, pem.indexOf('-----END'));
    assert.equal(redactSecrets(`bad: ${truncated}`), 'bad: [private key redacted]');
    assert.equal(redactSecrets('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- ok'), '[private key redacted] ok');
    assert.equal(
      redactSecrets('-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY-----'),
      '[private key redacted]',
    );
  });

  it('removes base64 and hex runs longer than 64 characters, also across PEM lines', () => {
    const b64 = Buffer.alloc(60, 7).toString('base64') + Buffer.from('key material!').toString('base64');
    assert.ok(b64.length > 64);
    const out = redactSecrets(`pkcs12 body ${b64} rejected`);
    assert.ok(!out.includes(b64.slice(0, 20)));
    assert.match(out, /^pkcs12 body \[\d+ encoded characters redacted\] rejected$/);
    const lines = `${'A'.repeat(40)}\n${'b'.repeat(40)}\n${'C1'.repeat(10)}`;
    assert.match(redactSecrets(`x ${lines} y`), /^x \[100 encoded characters redacted\] y$/);
    assert.match(redactSecrets('f'.repeat(65)), /redacted/);
  });

  it('keeps fingerprints, paths, and ordinary messages readable', () => {
    const sha = 'a'.repeat(32) + '0123456789abcdef0123456789abcdef';
    assert.equal(sha.length, 64);
    const path = '/home/someone/projects/deep/nested/repository/fixtures/certificates/server/ca';
    assert.ok(path.length > 64);
    const message = `ENOENT: no such file or directory, open '${path}/chain.pem' (sha256 ${sha})`;
    assert.equal(redactSecrets(message), message);
    assert.equal(redactSecrets('Scanned 1234 files in 56 ms'), 'Scanned 1234 files in 56 ms');
  });

  it('removes password values', () => {
    assert.equal(redactSecrets('openssl pkcs12 -passin pass:hunter2 failed'), 'openssl pkcs12 -passin pass:[redacted] failed');
    assert.equal(redactSecrets('password="s3cr et", user=x'), 'password=[redacted], user=x');
    assert.equal(redactSecrets('Passphrase: hunter2'), 'Passphrase: [redacted]');
  });
});

describe('errorMessage', () => {
  it('gives the message only: no stack, no attached data, redacted', () => {
    const err = Object.assign(new Error(`bad key ${sharedKey({ type: 'ec' }).pem.trim()}`), { password: 'hunter2' });
    const out = errorMessage(err);
    assert.equal(out, 'bad key [private key redacted]');
    assert.ok(!out.includes('hunter2') && !out.includes(' at '));
  });

  it('describes thrown non-errors', () => {
    assert.equal(errorMessage('plain'), 'plain');
    assert.equal(errorMessage(42), '42');
    assert.equal(errorMessage(undefined), 'undefined');
  });
});
