// No output of CertLens may carry private-key material or a PKCS#12 password: a workspace full of
// keys (every PEM flavour, base64 in a Kubernetes Secret, escaped in .env and JSON) next to their
// certificates is scanned by the CLI in every format and by the in-process report builders, and
// every byte produced is searched for pieces of each key and for the passwords.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeCert, makeKey, pkcs12, type TestKey } from '../support/certs';
import { parseFile } from '../../src/core/formats/parse-file';
import { toIcs } from '../../src/core/report/calendar';
import { toCsv, toMarkdown, toSarif, toTable } from '../../src/core/report/formats';
import { buildReport } from '../../src/core/report/schema';
import { DEFAULT_RULES } from '../../src/core/rules/rules';
import { Inventory } from '../../src/core/scan/inventory';
import { sharedKey, tempDir, scanTree } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const P12_PASSWORD = 'Pkcs12-Pa55word-9f3e1c';
const KEY_PASSPHRASE = 'Key-Pa55phrase-47b2d0';
/** Length of the pieces searched for: long enough that no certificate, hash or path matches by chance. */
const WINDOW = 24;

interface Secret {
  what: string;
  /** Strings no output may contain any WINDOW-long piece of. */
  texts: string[];
  /** Hex strings, matched case-insensitively. */
  hex: string[];
}

/** Every form a private key takes in the workspace or in memory. */
function secretOf(what: string, pem: string): Secret {
  const key = crypto.createPrivateKey(pem.includes('ENCRYPTED') ? { key: pem, passphrase: KEY_PASSPHRASE } : pem);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const jwk = key.export({ format: 'jwk' }) as Record<string, string | undefined>;
  const scalars = ['d', 'p', 'q', 'dp', 'dq', 'qi'].map((k) => jwk[k]).filter((v): v is string => !!v);
  const body = pem.replace(/-----(BEGIN|END)[^-]*-----/g, '').replace(/^[A-Za-z-]+:.*$/gm, '');
  return {
    what,
    texts: [
      ...body.split(/\s+/).filter((l) => l.length >= WINDOW), // the PEM's own base64 lines (also the encrypted ones)
      der.toString('base64'),
      Buffer.from(pem).toString('base64'), // as in a Secret's data or a *_B64 variable
      ...scalars, // base64url, as in a JWK
    ],
    hex: scalars.map((s) => Buffer.from(s, 'base64url').toString('hex')),
  };
}

/** Throws if any output holds a WINDOW-long piece of a secret or a password. */
function assertNoLeak(outputs: Record<string, string>, secrets: Secret[]): void {
  const pieces = new Map<string, string>();
  for (const s of secrets) {
    for (const t of s.texts) for (let i = 0; i + WINDOW <= t.length; i++) pieces.set(t.slice(i, i + WINDOW), s.what);
    for (const h of s.hex) for (let i = 0; i + WINDOW <= h.length; i++) pieces.set(h.slice(i, i + WINDOW).toLowerCase(), `${s.what} (hex)`);
  }
  for (const [name, out] of Object.entries(outputs)) {
    for (const password of [P12_PASSWORD, KEY_PASSPHRASE]) assert.ok(!out.includes(password), `${name} holds a password`);
    const lower = out.toLowerCase();
    for (let i = 0; i + WINDOW <= out.length; i++) {
      const hit = pieces.get(out.slice(i, i + WINDOW)) ?? pieces.get(lower.slice(i, i + WINDOW));
      if (hit) assert.fail(`${name} holds key material of ${hit} at ${i}: ${out.slice(Math.max(0, i - 40), i + WINDOW + 40)}`);
    }
  }
}

describe('no key material or password in any output', function () {
  this.timeout(60_000);
  let dir: string;
  let secrets: Secret[];

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
    dir = tempDir('certlens-no-leaks-');
    const rsa = sharedKey({ type: 'rsa' });
    const ec = sharedKey({ type: 'ec' });
    const ed = makeKey({ type: 'ed25519' });
    const p12Key = makeKey({ type: 'ec' });
    const cert = (cn: string, key: TestKey) => makeCert({ cn, key, notBefore: daysFromNow(-10), notAfter: daysFromNow(60) });
    const rsaCert = cert('rsa.certlens.dev', rsa);
    const ecCert = cert('ec.certlens.dev', ec);
    const edCert = cert('ed.certlens.dev', ed);
    const p12Cert = cert('p12.certlens.dev', p12Key);

    const rsaObj = crypto.createPrivateKey(rsa.pem);
    const ecObj = crypto.createPrivateKey(ec.pem);
    const pems = {
      'rsa-pkcs8': rsa.pem,
      'ec-pkcs8': ec.pem,
      'ed25519-pkcs8': ed.pem,
      'rsa-legacy': rsaObj.export({ type: 'pkcs1', format: 'pem' }).toString(),
      'ec-legacy': ecObj.export({ type: 'sec1', format: 'pem' }).toString(),
      'rsa-legacy-encrypted': rsaObj.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: KEY_PASSPHRASE }).toString(),
      'ec-pkcs8-encrypted': ecObj.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: KEY_PASSPHRASE }).toString(),
    };
    secrets = [...Object.entries(pems).map(([what, pem]) => secretOf(what, pem)), secretOf('p12 key', p12Key.pem)];
    const w = (rel: string, data: string | Buffer) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), data);
    };
    w('certs/rsa.crt', rsaCert.pem);
    w('certs/ec.pem', ecCert.pem);
    w('certs/ed.cer', edCert.der);
    w('keys/rsa.key', pems['rsa-pkcs8']);
    w('keys/ec.key', pems['ec-pkcs8']);
    w('keys/ed25519.key', pems['ed25519-pkcs8']);
    w('keys/rsa-legacy.pem', pems['rsa-legacy']);
    w('keys/ec-legacy.pem', pems['ec-legacy']);
    w('keys/rsa-legacy-encrypted.pem', pems['rsa-legacy-encrypted']);
    w('keys/ec-encrypted.key', pems['ec-pkcs8-encrypted']);
    // A certificate and its key in one file, as many servers want them.
    w('combined/ec-with-key.pem', ecCert.pem + pems['ec-legacy']);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    w(
      'k8s/secret.yaml',
      `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: tls\ndata:\n  tls.crt: ${b64(rsaCert.pem)}\n  tls.key: ${b64(pems['rsa-legacy'])}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: ec\nstringData:\n  tls.key: |\n${pems[
        'ec-pkcs8'
      ]
        .trimEnd()
        .split('\n')
        .map((l) => '    ' + l)
        .join('\n')}\n`,
    );
    w(
      'app/.env',
      `TLS_CERT="${edCert.pem.replace(/\n/g, '\\n')}"\nTLS_KEY="${pems['ed25519-pkcs8'].replace(/\n/g, '\\n')}"\nTLS_KEY_B64=${b64(pems['ec-pkcs8'])}\nKEYSTORE_PASSWORD=${P12_PASSWORD}\nKEY_PASSPHRASE=${KEY_PASSPHRASE}\n`,
    );
    w(
      'app/config.json',
      JSON.stringify(
        { tls: { cert: ecCert.pem, key: pems['ec-legacy'], keyB64: b64(pems['rsa-pkcs8']), password: P12_PASSWORD } },
        null,
        2,
      ),
    );
    w('keystore/identity.p12', pkcs12({ key: p12Key, cert: p12Cert, password: P12_PASSWORD }));
    // A broken key and a broken certificate value: error messages must not quote what they hold.
    w('broken/key.pem', pems['rsa-pkcs8'].replace(/\n(.{10})/, '\n$1:'));
    w('broken/values.yaml', `tls.crt: ${b64(pems['ec-pkcs8'])}\ncaBundle: ${pems['ec-pkcs8'].split('\n')[1]}!!\n`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds every certificate and pairs the keys, so the keys were really read', async () => {
    const inv = new Inventory();
    const { results } = await scanTree({ roots: [dir], parse: { pkcs12Password: () => P12_PASSWORD } });
    results.forEach((r) => inv.set(r));
    const certs = inv.certificates();
    for (const cn of ['rsa.certlens.dev', 'ec.certlens.dev', 'ed.certlens.dev', 'p12.certlens.dev'])
      assert.ok(
        certs.some((c) => c.subjectCN === cn),
        cn,
      );
    for (const cn of ['rsa.certlens.dev', 'ec.certlens.dev', 'ed.certlens.dev']) {
      assert.ok(certs.find((c) => c.subjectCN === cn)?.privateKey, `${cn} is paired with its key`);
    }
    assert.ok(results.reduce((n, r) => n + r.privateKeys.length, 0) >= 8, 'private keys were decoded');
  });

  it('the CLI prints none, in any format, to stdout, stderr or --output', () => {
    const outputs: Record<string, string> = {};
    for (const format of ['table', 'json', 'csv', 'sarif']) {
      const r = spawnSync(process.execPath, [CLI, 'scan', dir, '--format', format, '--fail-on', 'never'], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      assert.equal(r.status, 0, r.stderr);
      outputs[`${format} stdout`] = r.stdout;
      outputs[`${format} stderr`] = r.stderr;
      const file = path.join(dir, '..', `${path.basename(dir)}-report.${format}`);
      try {
        const o = spawnSync(process.execPath, [CLI, 'scan', dir, '--format', format, '--output', file, '--fail-on', 'never'], {
          encoding: 'utf8',
        });
        assert.equal(o.status, 0, o.stderr);
        outputs[`${format} --output stdout`] = o.stdout;
        outputs[`${format} --output stderr`] = o.stderr;
        outputs[`${format} --output file`] = fs.readFileSync(file, 'utf8');
      } finally {
        fs.rmSync(file, { force: true });
      }
    }
    assert.match(outputs['json stdout'], /p12\.certlens\.dev|pkcs12-locked/, 'the report is not empty');
    assertNoLeak(outputs, secrets);
  });

  it('certlens csr prints none and its request holds none, with good, encrypted and broken keys', () => {
    const outputs: Record<string, string> = {};
    const requests: Record<string, string> = {};
    const csr = path.join(dir, '..', `${path.basename(dir)}-renew.csr`);
    const keys = [
      'keys/ec.key',
      'keys/rsa-legacy.pem',
      'keys/ed25519.key',
      'combined/ec-with-key.pem',
      'keys/ec-encrypted.key',
      'broken/key.pem',
    ];
    try {
      for (const key of keys) {
        fs.rmSync(csr, { force: true });
        const r = spawnSync(
          process.execPath,
          [CLI, 'csr', path.join(dir, 'combined/ec-with-key.pem'), '--key', path.join(dir, key), '--out', csr],
          {
            encoding: 'utf8',
          },
        );
        outputs[`csr --key ${key} stdout`] = r.stdout;
        outputs[`csr --key ${key} stderr`] = r.stderr;
        // A request holds the public key, which a private key's encoding holds too: its bytes are
        // searched for the private scalars only (as hex, below).
        if (fs.existsSync(csr))
          requests[`csr --key ${key} request`] = Buffer.from(
            fs.readFileSync(csr, 'utf8').replace(/-----[^-]+-----|\s/g, ''),
            'base64',
          ).toString('hex');
      }
    } finally {
      fs.rmSync(csr, { force: true });
    }
    assert.equal(Object.keys(requests).length, 4, 'the four readable keys signed a request');
    assert.match(outputs['csr --key keys/ec-encrypted.key stderr'], /encrypted/);
    assert.match(outputs['csr --key broken/key.pem stderr'], /not a readable private key/);
    assertNoLeak(outputs, secrets);
    assertNoLeak(
      requests,
      secrets.map((s) => ({ what: s.what, texts: [], hex: s.hex })),
    );
  });

  it('the in-process report builders and parse results hold none, with the PKCS#12 unlocked or wrongly', async () => {
    const outputs: Record<string, string> = {};
    for (const password of [P12_PASSWORD, 'not-the-password', undefined]) {
      const inv = new Inventory();
      const { results, stats } = await scanTree({ roots: [dir], parse: { pkcs12Password: () => password } });
      results.forEach((r) => inv.set(r));
      const now = Date.now();
      const report = buildReport(inv.certificates(), inv.findings(now, DEFAULT_RULES), now, stats);
      const tag = `password ${password === P12_PASSWORD ? 'right' : password ? 'wrong' : 'none'}`;
      outputs[`${tag} json`] = JSON.stringify(report);
      outputs[`${tag} csv`] = toCsv(report);
      outputs[`${tag} sarif`] = toSarif(report, '0.0.0');
      outputs[`${tag} table`] = toTable(report, true, dir);
      outputs[`${tag} markdown`] = toMarkdown(report, dir);
      outputs[`${tag} ics`] = toIcs(
        report.certificates.map((c) => ({
          id: c.sha256,
          summary: `${c.subjectCN} expires`,
          description: `${c.subject}\n${c.file}`,
          at: Date.parse(c.notAfter),
          location: c.file,
        })),
        30,
        now,
      );
      // Parse results as the extension keeps them (minus DER, which is certificate bytes).
      outputs[`${tag} results`] = JSON.stringify(results, (k, v) => (k === 'der' ? undefined : v));
      assert.equal(
        results.find((r) => r.file.endsWith('identity.p12'))?.problems[0]?.code,
        password === P12_PASSWORD ? undefined : password ? 'pkcs12-wrong-password' : 'pkcs12-locked',
      );
    }
    for (const file of walk(dir)) {
      const r = parseFile(file, fs.readFileSync(file), { pkcs12Password: () => P12_PASSWORD });
      outputs[`parseFile ${path.relative(dir, file)}`] = JSON.stringify(r, (k, v) => (k === 'der' ? undefined : v));
    }
    assertNoLeak(outputs, secrets);
  });

  it('the search itself finds key material where it is (self-check)', () => {
    const keyFile = fs.readFileSync(path.join(dir, 'keys', 'ec.key'), 'utf8');
    // (Its first pieces are the PKCS#8 header every P-256 key shares, so any EC key may be named.)
    assert.throws(() => assertNoLeak({ 'a key file': keyFile }, secrets), /key material of/);
    const hex = Buffer.from(crypto.createPrivateKey(keyFile).export({ format: 'jwk' }).d!, 'base64url')
      .toString('hex')
      .toUpperCase();
    assert.throws(() => assertNoLeak({ 'a hex dump': `d=${hex}` }, secrets), /\(hex\)/);
    assert.throws(() => assertNoLeak({ 'a log': `unlocked with ${P12_PASSWORD}` }, secrets), /password/);
  });
});

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
