import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Chain, daysFromNow, makeChain, pkcs12 } from '../support/certs';
import { mayHoldCertificates, parseFile } from '../../src/core/formats/parse-file';
import { keystoreFormat, keystoreNote, readKeystore } from '../../src/core/formats/keystore';
import { isContainerFile } from '../../src/core/formats/extensions';
import { tempDir } from './helpers';
import type { Report } from '../../src/core/report/schema';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

const sha256 = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

function keytool(dir: string, ...args: string[]): string {
  return execFileSync('keytool', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).toString();
}

/** SHA-256 fingerprints keytool lists for a keystore: the reference the reader must match. */
function keytoolFingerprints(dir: string, file: string, storepass: string): string[] {
  const out = keytool(dir, '-list', '-v', '-keystore', file, '-storepass', storepass);
  return [...out.matchAll(/SHA256: ([0-9A-F:]+)/g)].map((m) => m[1].replace(/:/g, '').toLowerCase()).sort();
}

describe('Java keystores (JKS, JCEKS) made with keytool', function () {
  this.timeout(120_000);
  let dir: string;
  let chain: Chain;
  let jks: Buffer;
  let jceks: Buffer;

  before(() => {
    dir = tempDir('certlens-keystores-');
    chain = makeChain({ leafCn: 'jks.certlens.dev', notBefore: daysFromNow(-10), notAfter: daysFromNow(50) });
    fs.writeFileSync(
      path.join(dir, 'key.p12'),
      pkcs12({ cert: chain.leaf, key: chain.leafKey, chain: [chain.intermediate], password: 'storepw', friendlyName: 'server' }),
    );
    fs.writeFileSync(path.join(dir, 'root.pem'), chain.root.pem);
    // JKS: a key entry with its chain (leaf, intermediate) and a trusted root, password "storepw".
    keytool(
      dir,
      '-importkeystore',
      '-srckeystore',
      'key.p12',
      '-srcstoretype',
      'PKCS12',
      '-srcstorepass',
      'storepw',
      '-destkeystore',
      'store.jks',
      '-deststoretype',
      'JKS',
      '-deststorepass',
      'storepw',
      '-destkeypass',
      'storepw',
    );
    keytool(
      dir,
      '-importcert',
      '-noprompt',
      '-keystore',
      'store.jks',
      '-storetype',
      'JKS',
      '-storepass',
      'storepw',
      '-alias',
      'root-ca',
      '-file',
      'root.pem',
    );
    // JCEKS: the same, plus an AES secret key, with Java's default password.
    keytool(
      dir,
      '-importkeystore',
      '-srckeystore',
      'key.p12',
      '-srcstoretype',
      'PKCS12',
      '-srcstorepass',
      'storepw',
      '-destkeystore',
      'store.jceks',
      '-deststoretype',
      'JCEKS',
      '-deststorepass',
      'changeit',
      '-destkeypass',
      'changeit',
    );
    keytool(
      dir,
      '-genseckey',
      '-keystore',
      'store.jceks',
      '-storetype',
      'JCEKS',
      '-storepass',
      'changeit',
      '-keypass',
      'changeit',
      '-alias',
      'aes-key',
      '-keyalg',
      'AES',
      '-keysize',
      '128',
    );
    keytool(
      dir,
      '-importcert',
      '-noprompt',
      '-keystore',
      'store.jceks',
      '-storetype',
      'JCEKS',
      '-storepass',
      'changeit',
      '-alias',
      'root-ca',
      '-file',
      'root.pem',
    );
    jks = fs.readFileSync(path.join(dir, 'store.jks'));
    jceks = fs.readFileSync(path.join(dir, 'store.jceks'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads trusted certificates and key-entry chains without the password, integrity not verified', () => {
    assert.equal(keystoreFormat(jks), 'jks');
    const r = parseFile('/ws/app/store.jks', jks);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.certificates.map((c) => c.sha256).sort(),
      [chain.leaf, chain.intermediate, chain.root].map((c) => sha256(c.der)).sort(),
    );
    assert.deepEqual(r.certificates.map((c) => c.sha256).sort(), keytoolFingerprints(dir, 'store.jks', 'storepw'));
    const leaf = r.certificates.find((c) => c.subjectCN === 'jks.certlens.dev');
    assert.ok(leaf);
    assert.equal(leaf.alias, 'server');
    assert.equal(leaf.source, 'jks');
    assert.equal(leaf.notAfter, chain.leaf.notAfter.getTime());
    assert.equal(leaf.role, 'leaf');
    assert.ok(leaf.chain, 'the key entry chain is linked');
    assert.equal(r.certificates.find((c) => c.subjectCN?.includes('Root'))?.alias, 'root-ca');
    assert.deepEqual(leaf.keystore, { format: 'jks', integrity: 'not-verified' });
    assert.equal(keystoreNote(leaf.keystore), 'JKS, integrity not verified (no password)');
  });

  it('verifies the integrity with the right password and reports a wrong one', () => {
    const right = parseFile('/ws/store.jks', jks, { pkcs12Password: () => 'storepw' });
    assert.deepEqual(right.problems, []);
    assert.ok(right.certificates.every((c) => c.keystore?.integrity === 'verified' && c.keystore.openedWith === undefined));
    assert.equal(keystoreNote(right.certificates[0].keystore!), 'JKS, integrity verified with your password');
    const wrong = parseFile('/ws/store.jks', jks, { pkcs12Password: () => 'nope' });
    assert.deepEqual(
      wrong.problems.map((p) => [p.code, p.severity]),
      [['keystore-wrong-password', 'error']],
    );
    assert.doesNotMatch(wrong.problems[0].message, /nope/);
    assert.equal(wrong.certificates.length, 3, 'certificates are still shown');
    assert.ok(wrong.certificates.every((c) => c.keystore?.integrity === 'not-verified'));
  });

  it("reads JCEKS with a secret key entry, and verifies it with Java's default password unasked", () => {
    assert.equal(keystoreFormat(jceks), 'jceks');
    const r = parseFile('/ws/store.jceks', jceks);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.certificates.map((c) => c.sha256).sort(), keytoolFingerprints(dir, 'store.jceks', 'changeit'));
    assert.ok(r.certificates.every((c) => c.source === 'jceks'));
    assert.deepEqual(r.certificates[0].keystore, { format: 'jceks', integrity: 'verified', openedWith: 'changeit' });
    assert.equal(keystoreNote(r.certificates[0].keystore), 'JCEKS, integrity verified with Java\'s default password "changeit"');
    const store = readKeystore(jceks);
    assert.deepEqual(store?.entries.map((e) => [e.alias, e.kind, e.certificates.length]).sort(), [
      ['aes-key', 'secret-key', 0],
      ['root-ca', 'trusted-certificate', 1],
      ['server', 'private-key', 2],
    ]);
  });

  it('never throws on a truncated or corrupted keystore, and says where it broke', () => {
    for (const bytes of [jks, jceks]) {
      for (let n = 0; n < bytes.length; n += 7) {
        const r = parseFile('/ws/cut.jks', bytes.subarray(0, n));
        if (n >= 4)
          assert.ok(
            r.problems.some((p) => p.code === 'keystore-invalid' || p.code === 'keystore-wrong-password'),
            `cut at ${n}`,
          );
      }
      const cut = parseFile('/ws/cut.jks', bytes.subarray(0, Math.floor(bytes.length / 2)));
      assert.match(cut.problems[0].message, /at byte \d+/);
      let seed = 11;
      for (let i = 0; i < 400; i++) {
        const copy = Buffer.from(bytes);
        for (let k = 0; k < 3; k++) copy[4 + ((seed = (seed * 1103515245 + 12345) >>> 0) % (copy.length - 4))] ^= 1 + (seed & 0x7f);
        assert.doesNotThrow(() => parseFile('/ws/x.jceks', copy));
      }
    }
    const huge = Buffer.from('feedfeed00000002ffffffff' + '00'.repeat(40), 'hex');
    assert.match(parseFile('/ws/x.jks', huge).problems[0].message, /declares 4294967295 entries/);
    assert.equal(parseFile('/ws/x.jks', Buffer.from('not a keystore')).problems[0].code, 'keystore-invalid');
  });

  it("takes the CLI's keystore password from a file or an environment variable, never printing it", () => {
    const ws = path.join(dir, 'ws');
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'store.jks'), jks);
    fs.writeFileSync(path.join(dir, 'pw.txt'), 'storepw\n');
    const cli = (args: string[], env: Record<string, string> = {}) => {
      const r = execFileSync(process.execPath, [CLI, 'scan', ws, '--format', 'json', '--fail-on', 'never', ...args], {
        env: { ...process.env, ...env },
      }).toString();
      return JSON.parse(r) as Report;
    };
    assert.equal(cli([]).certificates[0].keystore, 'JKS, integrity not verified (no password)');
    const right = cli(['--keystore-password-file', path.join(dir, 'pw.txt')]);
    assert.ok(right.certificates.every((c) => c.keystore === 'JKS, integrity verified with your password'));
    assert.deepEqual(right.certificates.map((c) => c.alias).sort(), ['root-ca', 'server', 'server']);
    const wrong = spawnSync(process.execPath, [CLI, 'scan', ws, '--keystore-password-env', 'CERTLENS_TEST_STOREPASS'], {
      env: { ...process.env, CERTLENS_TEST_STOREPASS: 'wrong-pass-1234', NO_COLOR: '1' },
      encoding: 'utf8',
    });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stdout, /keystore-wrong-password/);
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /wrong-pass-1234/);
    const both = spawnSync(process.execPath, [CLI, 'scan', ws, '--keystore-password-env', 'X', '--keystore-password-file', 'y'], {
      encoding: 'utf8',
    });
    assert.equal(both.status, 2);
    const unset = spawnSync(process.execPath, [CLI, 'scan', ws, '--keystore-password-env', 'CERTLENS_UNSET_VARIABLE'], {
      encoding: 'utf8',
    });
    assert.equal(unset.status, 2);
    assert.match(unset.stderr, /CERTLENS_UNSET_VARIABLE is not set/);
  });

  it('is found by magic number, by extension and by the name cacerts', () => {
    assert.ok(mayHoldCertificates('/ws/some.bin', jks));
    assert.ok(mayHoldCertificates('/ws/jre/lib/security/cacerts', Buffer.from([1, 2, 3])));
    assert.ok(isContainerFile('/ws/app.truststore') && isContainerFile('/ws/cacerts') && isContainerFile('/ws/x.keystore'));
    assert.ok(!isContainerFile('/ws/index.ts'));
    assert.equal(parseFile('/ws/some.bin', jks).certificates.length, 3);
    assert.equal(parseFile('/ws/cacerts', jceks).certificates.length, 3);
  });

  it('opens a PKCS#12 keystore with the empty password or Java\'s default "changeit" and says which', () => {
    keytool(
      dir,
      '-genkeypair',
      '-keystore',
      'default.p12',
      '-storetype',
      'PKCS12',
      '-storepass',
      'changeit',
      '-alias',
      'app',
      '-dname',
      'CN=changeit.certlens.dev',
      '-keyalg',
      'EC',
      '-validity',
      '30',
    );
    const byDefault = parseFile('/ws/default.keystore', fs.readFileSync(path.join(dir, 'default.p12')));
    assert.deepEqual(byDefault.problems, []);
    assert.equal(byDefault.certificates[0].subjectCN, 'changeit.certlens.dev');
    assert.equal(byDefault.certificates[0].alias, 'app', "the friendly name is keytool's alias");
    assert.equal(byDefault.certificates[0].keystore?.openedWith, 'changeit');
    assert.deepEqual(byDefault.certificates[0].keystore, { format: 'pkcs12', integrity: 'verified', openedWith: 'changeit' });
    assert.equal(keystoreNote(byDefault.certificates[0].keystore), 'PKCS#12, opened with Java\'s default password "changeit"');

    const empty = parseFile('/ws/empty.p12', pkcs12({ cert: chain.leaf, key: chain.leafKey, password: '' }));
    assert.deepEqual(empty.problems, []);
    assert.equal(empty.certificates[0].keystore?.openedWith, 'empty');
    assert.match(keystoreNote(empty.certificates[0].keystore), /opened with the empty password/);

    const locked = parseFile('/ws/locked.p12', pkcs12({ cert: chain.leaf, key: chain.leafKey, password: 'other' }));
    assert.deepEqual(
      locked.problems.map((p) => p.code),
      ['pkcs12-locked'],
    );
    const unlocked = parseFile('/ws/locked.p12', pkcs12({ cert: chain.leaf, key: chain.leafKey, password: 'other' }), {
      pkcs12Password: () => 'other',
    });
    assert.deepEqual(unlocked.certificates[0].keystore, { format: 'pkcs12', integrity: 'verified' });
  });
});
