// The PKCS#12 key derivation (RFC 7292 appendix B.2) and the order in which a PKCS#12 is tried
// without a password. The derivation is compared with a plain createHash loop kept here as the
// reference, and with OpenSSL's, through the MACs of files openssl writes.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import * as path from 'node:path';
import type forgeTypes from 'node-forge';
import { daysFromNow, makeCert, makeKey, pkcs12, type TestCert, type TestKey } from '../support/certs';
import { forgeFromDer, kdfWorkRun } from '../../src/core/formats/forge-asn1';
import { pkcs12Kdf } from '../../src/core/formats/pkcs12-kdf';
import { openPkcs12, type Pkcs12Result } from '../../src/core/formats/pkcs12';

/** RFC 7292 B.2 step by step, one createHash per iteration (what the code did before). */
function referenceKdf(password: string | undefined, salt: Buffer, id: number, iterations: number, n: number, hash: string): Buffer {
  const u = createHash(hash).digest().length;
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const pass = password === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  const fill = (src: Buffer) => Buffer.from(Array.from({ length: v * Math.ceil(src.length / v) }, (_, i) => src[i % src.length]));
  const I = Buffer.concat([fill(salt), fill(pass)]);
  const out: Buffer[] = [];
  for (let i = 0; i < Math.ceil(n / u); i++) {
    let a = createHash(hash).update(Buffer.alloc(v, id)).update(I).digest();
    for (let r = 1; r < iterations; r++) a = createHash(hash).update(a).digest();
    out.push(a);
    const b = fill(a);
    for (let j = 0; j < I.length; j += v) {
      // I_j = (I_j + B + 1) mod 2^(8v), as big integers.
      const sum = BigInt(`0x${I.subarray(j, j + v).toString('hex')}`) + BigInt(`0x${b.toString('hex')}`) + 1n;
      Buffer.from((sum & ((1n << BigInt(8 * v)) - 1n)).toString(16).padStart(2 * v, '0'), 'hex').copy(I, j);
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

const hex = (b: Buffer) => b.toString('hex');

describe('PKCS#12 key derivation', () => {
  it('matches the createHash loop for SHA-1 and SHA-256 (its own rounds) and other digests (the native loop)', () => {
    const salts = [
      Buffer.from('0a58cf64530d823f', 'hex'),
      Buffer.alloc(20, 0xa5),
      Buffer.from(Array.from({ length: 70 }, (_, i) => i * 7)),
    ];
    const passwords = [undefined, '', 'changeit', 'smeg', 'päss wörd €', 'x'.repeat(40)];
    let compared = 0;
    for (const hash of ['sha1', 'sha256', 'sha224', 'sha512', 'md5']) {
      for (const iterations of [1, 2, 3, 17, 2048]) {
        for (const [k, password] of passwords.entries()) {
          const salt = salts[(k + iterations) % salts.length];
          for (const id of [1, 2, 3]) {
            // 8: an IV; 20 and 32: MAC keys; 24: a 3DES key (two SHA-1 blocks); 70: several blocks of any digest.
            for (const n of [8, 20, 24, 32, 70]) {
              if (iterations === 2048 && (id !== 3 || n === 70)) continue; // the slow reference, kept short
              assert.equal(
                hex(pkcs12Kdf(password, salt, id, iterations, n, hash)),
                hex(referenceKdf(password, salt, id, iterations, n, hash)),
                `${hash} ${iterations} ${password} ${id} ${n}`,
              );
              compared++;
            }
          }
        }
      }
    }
    assert.ok(compared > 1000, `${compared} derivations compared`);
  });

  it('runs on sha-rehash.ts as scripts/gen-sha-rehash.mjs writes it (the generated rounds were not edited by hand)', () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'gen-sha-rehash.mjs'), '--check'], { stdio: 'pipe' });
  });

  it("gives the keys of the published SHA-1 vectors (Dr Stephen Henson's, used by OpenSSL, GnuTLS and Bouncy Castle)", () => {
    const vectors: [id: number, password: string, salt: string, iterations: number, key: string][] = [
      [1, 'smeg', '0a58cf64530d823f', 1, '8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3'],
      [2, 'smeg', '0a58cf64530d823f', 1, '79993dfe048d3b76'],
      [1, 'smeg', '642b99ab44fb4b1f', 1, 'f3a95fec48d7711e985cfe67908c5ab79fa3d7c5caa5d966'],
      [2, 'smeg', '642b99ab44fb4b1f', 1, 'c0a38d64a79bea1d'],
      [3, 'smeg', '3d83c0e4546ac140', 1, '8d967d88f6caa9d714800ab3d48051d63f73a312'],
      [1, 'queeg', '05dec959acff72f7', 1000, 'ed2034e36328830ff09df1e1a07dd357185dac0d4f9eb3d4'],
      [2, 'queeg', '05dec959acff72f7', 1000, '11dedad7758d4860'],
      [1, 'queeg', '1682c0fc5b3f7ec5', 1000, '483dd6e919d7de2e8e648ba8f862f3fbfbdc2bcb2c02957f'],
      [2, 'queeg', '1682c0fc5b3f7ec5', 1000, '9d461d1b00355c50'],
      [3, 'queeg', '263216fcc2fab31c', 1000, '5ec4c7a80df652294c3925b6489a7ab857c83476'],
    ];
    for (const [id, password, salt, iterations, key] of vectors) {
      assert.equal(
        hex(pkcs12Kdf(password, Buffer.from(salt, 'hex'), id, iterations, key.length / 2, 'sha1')),
        key,
        `${password} ${salt} id ${id}`,
      );
    }
  });

  it('derives the MAC key OpenSSL used: the MAC of files openssl writes, SHA-1 and SHA-256, recomputed', () => {
    const { key, cert } = material();
    for (const macalg of ['sha1', 'sha256', 'sha512']) {
      for (const password of ['', 'changeit', 'an unknown one']) {
        const bytes = pkcs12({ key, cert, password, opensslArgs: ['-macalg', macalg] });
        const pfx = forgeFromDer(bytes).value as forgeTypes.asn1.Asn1[];
        const authSafe = ((pfx[1].value as forgeTypes.asn1.Asn1[])[1].value as forgeTypes.asn1.Asn1[])[0];
        const [mac, salt, iterations] = pfx[2].value as forgeTypes.asn1.Asn1[];
        const [, digest] = mac.value as forgeTypes.asn1.Asn1[];
        const count = parseInt(Buffer.from(iterations.value as string, 'binary').toString('hex'), 16);
        assert.equal(count, 2048);
        const size = createHash(macalg).digest().length;
        const macKey = pkcs12Kdf(password, Buffer.from(salt.value as string, 'binary'), 3, count, size, macalg);
        const computed = createHmac(macalg, macKey)
          .update(Buffer.from(authSafe.value as string, 'binary'))
          .digest();
        assert.equal(hex(computed), hex(Buffer.from(digest.value as string, 'binary')), `${macalg}, password ${JSON.stringify(password)}`);
        assert.notEqual(
          hex(
            createHmac(macalg, pkcs12Kdf(`${password}x`, Buffer.from(salt.value as string, 'binary'), 3, count, size, macalg))
              .update('')
              .digest(),
          ),
          hex(computed),
        );
      }
    }
  });
});

let shared: { key: TestKey; cert: TestCert } | undefined;
function material(): { key: TestKey; cert: TestCert } {
  if (shared) return shared;
  const key = makeKey({ type: 'ec' });
  const cert = makeCert({ cn: 'kdf.certlens.dev', key, notBefore: daysFromNow(-1), notAfter: daysFromNow(30) });
  return (shared = { key, cert });
}

/** The iterations derived while `fn` runs, and its result. */
function spending<T>(fn: () => T): { result: T; iterations: number } {
  const before = kdfWorkRun().iterations;
  const result = fn();
  return { result, iterations: kdfWorkRun().iterations - before };
}

const opened = (r: Pkcs12Result) =>
  r.status === 'open'
    ? { status: r.status, subjects: r.certificates.length, integrity: r.integrity, openedWith: r.openedWith }
    : { status: r.status };

describe('PKCS#12 files, with and without a password', function () {
  this.timeout(60_000);
  // As PKITS and older tools write them (3DES bags, SHA-1 MAC), as OpenSSL 3 writes them (PBES2 with
  // AES and PBKDF2, SHA-256 MAC), and with RC2-40 certificates (openssl -legacy).
  const kinds: Record<string, string[]> = {
    '3des': ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
    pbes2: [],
    rc2: ['-legacy'],
    '3des, SHA-256 MAC': ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha256'],
  };

  for (const [kind, opensslArgs] of Object.entries(kinds)) {
    it(`${kind}: opens with the right password, not with a wrong one, and says which well-known one opened it`, () => {
      const { key, cert } = material();
      const secret = pkcs12({ key, cert, password: 'PKITS password', opensslArgs });
      assert.deepEqual(opened(openPkcs12(secret, 'PKITS password')), {
        status: 'open',
        subjects: 1,
        integrity: 'verified',
        openedWith: undefined,
      });
      assert.deepEqual(opened(openPkcs12(secret, 'PKITS passwort')), { status: 'wrong-password' });
      assert.deepEqual(opened(openPkcs12(secret)), { status: 'locked' });
      for (const [password, openedWith] of [
        ['', 'empty'],
        ['changeit', 'changeit'],
      ] as const) {
        const r = openPkcs12(pkcs12({ key, cert, password, opensslArgs }));
        // PBES2 bags are tried with the empty password before the MAC (native PBKDF2 is cheaper than
        // the MAC's derivation): opened so, the file's integrity is not verified.
        const integrity = kind === 'pbes2' && password === '' ? 'not-verified' : 'verified';
        assert.deepEqual(opened(r), { status: 'open', subjects: 1, integrity, openedWith }, `${kind}, ${password}`);
        if (r.status === 'open')
          assert.equal(Buffer.from(r.certificates[0]).toString('base64'), cert.pem.replace(/-----[^-]+-----|\s/g, ''));
      }
    });
  }

  it('calls a file locked after one MAC derivation per password tried, decrypting no legacy bag', () => {
    const { key, cert } = material();
    for (const [kind, iterations] of [
      ['3des', 2048],
      ['pbes2', 2048],
      ['3des', 5000],
    ] as const) {
      const bytes = pkcs12({ key, cert, password: 'unknown', iterations, opensslArgs: kinds[kind] });
      const { result, iterations: spent } = spending(() => openPkcs12(bytes));
      assert.equal(result.status, 'locked');
      // The empty password, no password and "changeit": three MAC keys of one digest block each; PBES2
      // bags are tried once with the empty password first (one native PBKDF2 of a 32-byte key).
      assert.equal(spent, (kind === 'pbes2' ? 4 : 3) * iterations, `${kind}, ${iterations} iterations`);
    }
  });

  it('reads certificates stored unencrypted without deriving a key, and without a MAC still tries the empty passwords', () => {
    const { key, cert } = material();
    const plain = pkcs12({ cert, password: 'unknown', opensslArgs: ['-certpbe', 'NONE'] });
    const { result, iterations } = spending(() => openPkcs12(plain));
    assert.deepEqual(opened(result), { status: 'open', subjects: 1, integrity: 'not-verified', openedWith: undefined });
    assert.equal(iterations, 0);
    // With the key beside them (an encrypted key bag forge must decrypt), such a file is locked, as before.
    const withKey = pkcs12({ key, cert, password: 'unknown', opensslArgs: ['-certpbe', 'NONE'] });
    assert.deepEqual(opened(openPkcs12(withKey)), { status: 'locked' });
    const noMac = pkcs12({ key, cert, password: '', noMac: true, opensslArgs: kinds['3des'] });
    assert.deepEqual(opened(openPkcs12(noMac)), { status: 'open', subjects: 1, integrity: 'not-verified', openedWith: 'empty' });
    const noMacLocked = pkcs12({ key, cert, password: 'unknown', noMac: true, opensslArgs: kinds['3des'] });
    assert.deepEqual(opened(openPkcs12(noMacLocked)), { status: 'locked' });
  });
});
