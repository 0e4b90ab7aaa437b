import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeCert, makeKey } from '../support/certs';
import { sharedKey, tempDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** openssl's own reading: subject, and the SAN / key usage / EKU lines, of a certificate or a request. */
function reading(kind: 'req' | 'x509', file: string): string[] {
  const text = openssl([kind, '-in', file, '-noout', '-text']);
  const lines = text.split('\n');
  const next = (name: string) => lines[lines.findIndex((l) => l.includes(name)) + 1]?.trim();
  return [
    openssl([kind, '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253']).trim(),
    next('X509v3 Subject Alternative Name'),
    next('X509v3 Key Usage'),
    next('X509v3 Extended Key Usage'),
  ];
}

describe('CLI: certlens csr', () => {
  let dir: string;
  let bundle: string;
  before(() => {
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    dir = tempDir();
    const key = sharedKey({ type: 'ec' });
    const leaf = makeCert({
      cn: 'shop.certlens.dev',
      sans: ['shop.certlens.dev', 'IP:192.0.2.7'],
      key,
      notBefore: daysFromNow(-80),
      notAfter: daysFromNow(10),
    });
    const other = makeCert({
      cn: 'other.certlens.dev',
      sans: ['other.certlens.dev'],
      key,
      notBefore: daysFromNow(-80),
      notAfter: daysFromNow(10),
    });
    bundle = path.join(dir, 'bundle.pem');
    fs.writeFileSync(bundle, `# two certificates\n${leaf.pem}${other.pem}`);
    fs.writeFileSync(path.join(dir, 'leaf.pem'), leaf.pem);
    fs.writeFileSync(path.join(dir, 'own.key'), key.pem);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("with --new-key: writes the request and the key (0600, never printed); openssl verifies the request and reads the certificate's names", () => {
    const out = path.join(dir, 'new.csr');
    const keyOut = path.join(dir, 'new.key');
    const r = run(['csr', bundle, '--index', '1', '--new-key', 'p256', '--out', out, '--key-out', keyOut]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Wrote .*new\.csr: a request for CN=other\.certlens\.dev with 1 alternative name \(from .*bundle\.pem:\d+\), signed with a new p256 key, written to .*new\.key \(mode 0600\)\.\n$/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY|BEGIN/);
    assert.equal(fs.statSync(keyOut).mode & 0o777, 0o600);
    assert.match(openssl(['pkey', '-in', keyOut, '-noout', '-text']), /NIST CURVE: P-256/);
    assert.match(execFileSync('sh', ['-c', `openssl req -verify -noout -in "${out}" 2>&1`]).toString(), /verify OK/);
    const certFile = path.join(dir, 'other.pem');
    fs.writeFileSync(certFile, fs.readFileSync(bundle, 'utf8').split(/(?=-----BEGIN CERTIFICATE-----)/)[2]);
    assert.deepEqual(reading('req', out), reading('x509', certFile));
    assert.equal(reading('req', out)[0], 'subject=CN=other.certlens.dev');
    // The request's key is the key written.
    assert.equal(openssl(['req', '-in', out, '-noout', '-pubkey']), openssl(['pkey', '-in', keyOut, '-pubout']));
    // A second run never replaces the key.
    const again = run(['csr', bundle, '--new-key', 'p256', '--out', out, '--key-out', keyOut]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /new\.key exists; CertLens does not replace a key file/);
  });

  it("with --key: signs with that key and says whether it is the certificate's own", () => {
    const out = path.join(dir, 'own.csr');
    const r = run(['csr', path.join(dir, 'leaf.pem'), '--key', path.join(dir, 'own.key'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /signed with the certificate's own key/);
    assert.match(execFileSync('sh', ['-c', `openssl req -verify -noout -in "${out}" 2>&1`]).toString(), /verify OK/);
    assert.deepEqual(reading('req', out), reading('x509', path.join(dir, 'leaf.pem')));
    const otherKey = path.join(dir, 'other.key');
    fs.writeFileSync(otherKey, makeKey({ type: 'ed25519' }).pem);
    const r2 = run(['csr', path.join(dir, 'leaf.pem'), '--key', otherKey, '--out', out]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /not the certificate's: the renewed certificate gets this key/);
    assert.match(openssl(['req', '-in', out, '-noout', '-text']), /ED25519/);
  });

  it('says what is wrong, with the file and line where there is one, and writes nothing', () => {
    const out = path.join(dir, 'never.csr');
    const cases: [string[], RegExp][] = [
      [['csr', bundle, '--out', out], /needs --key KEY or --new-key ALG/],
      [
        ['csr', bundle, '--new-key', 'rsa1024', '--out', out, '--key-out', path.join(dir, 'k')],
        /--new-key takes rsa2048, rsa3072, p256, ed25519/,
      ],
      [['csr', bundle, '--new-key', 'p256', '--out', out], /--new-key needs --key-out FILE/],
      [
        ['csr', bundle, '--index', '5', '--key', path.join(dir, 'own.key'), '--out', out],
        /bundle\.pem: no certificate 5 \(it holds 2: --index 0 to 1\)/,
      ],
      [['csr', path.join(dir, 'own.key'), '--key', path.join(dir, 'own.key'), '--out', out], /own\.key: no certificate found/],
    ];
    fs.writeFileSync(path.join(dir, 'broken.pem'), '# x\n-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n');
    cases.push([['csr', path.join(dir, 'broken.pem'), '--key', path.join(dir, 'own.key'), '--out', out], /broken\.pem:2: /]);
    const encrypted = path.join(dir, 'enc.key');
    fs.writeFileSync(encrypted, '# the key\n\n' + openssl(['pkey', '-in', path.join(dir, 'own.key'), '-aes256', '-passout', 'pass:x']));
    cases.push([['csr', bundle, '--key', encrypted, '--out', out], /enc\.key:3: the private key is encrypted/]);
    for (const [args, message] of cases) {
      const r = run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.ok(!fs.existsSync(out), args.join(' '));
    }
  });

  it('has help of its own, and a line in the main help', () => {
    const r = run(['csr', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: certlens csr FILE/);
    assert.match(run(['--help']).stdout, /certlens csr FILE/);
  });
});
