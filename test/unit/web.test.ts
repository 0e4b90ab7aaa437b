// The web extension's seams (src/web/shims: what replaces Node's modules in the Web Worker bundle),
// checked against Node's own modules, which are independent implementations; the walk through
// workspace.fs listings (walkListing); and the browser bundle as built (dist/web/extension.js).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as nodePath from 'node:path';
import * as webCrypto from '../../src/web/shims/crypto';
import * as webNet from '../../src/web/shims/net';
import * as webPath from '../../src/web/shims/path';
import { type ListedEntry, walkListing } from '../../src/core/scan/walkListing';
import { parseFile } from '../../src/core/formats/parse-file';
import { daysFromNow, makeChain, makeCrl, pkcs12, pkcs7 } from '../support/certs';
import { tempDir } from './helpers';

const ROOT = nodePath.resolve(__dirname, '../../..');

describe('web seams: crypto (pure SHA-1/SHA-256, forge for SHA-384/512 and MD5, HMAC, PBKDF2)', () => {
  // Lengths around the 64- and 128-byte block boundaries, where padding goes wrong.
  const lengths = [0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 1000, 100_003];
  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);

  for (const alg of ['sha1', 'sha256', 'sha384', 'sha512', 'md5'])
    it(`createHash('${alg}') gives node:crypto's digest for every length`, () => {
      for (const n of lengths) {
        const data = bytes(n, n);
        assert.equal(
          webCrypto.createHash(alg).update(data).digest('hex'),
          nodeCrypto.createHash(alg).update(data).digest('hex'),
          `${n} bytes`,
        );
      }
    });

  it('hashes what is given in several updates, strings as UTF-8, and answers Buffers, hex and base64', () => {
    const a = bytes(70, 1);
    const web = webCrypto.createHash('sha256').update(a.subarray(0, 10)).update('käse').update(a.subarray(10));
    const node = nodeCrypto.createHash('sha256').update(a.subarray(0, 10)).update('käse').update(a.subarray(10));
    const d = web.digest();
    assert.ok(Buffer.isBuffer(d));
    assert.equal(Buffer.from(d).toString('base64'), node.digest('base64'));
    assert.equal(webCrypto.hash('sha1', a, 'hex'), nodeCrypto.createHash('sha1').update(a).digest('hex'));
  });

  it("createHmac gives node:crypto's MAC with short keys and keys longer than a block", () => {
    for (const alg of ['sha1', 'sha256', 'sha384', 'sha512', 'md5'])
      for (const keyLength of [0, 20, 64, 129, 300]) {
        const key = bytes(keyLength, 3);
        const data = bytes(333, keyLength);
        assert.equal(
          webCrypto.createHmac(alg, key).update(data).digest('hex'),
          nodeCrypto.createHmac(alg, key).update(data).digest('hex'),
          `${alg}, ${keyLength}-byte key`,
        );
      }
  });

  it("pbkdf2Sync gives node:crypto's key for several lengths, iterations and digests", () => {
    for (const [alg, iterations, keylen] of [
      ['sha1', 1, 20],
      ['sha1', 2048, 24],
      ['sha256', 1000, 32],
      ['sha256', 3, 70],
      ['sha512', 10, 64],
    ] as const) {
      const web = webCrypto.pbkdf2Sync('pässword', bytes(8, 9), iterations, keylen, alg);
      const node = nodeCrypto.pbkdf2Sync('pässword', bytes(8, 9), iterations, keylen, alg);
      assert.equal(Buffer.from(web).toString('hex'), node.toString('hex'), `${alg} ${iterations} ${keylen}`);
    }
  });

  it('timingSafeEqual compares, refuses different lengths; private keys are not opened; an unknown digest is an error', () => {
    assert.equal(webCrypto.timingSafeEqual(bytes(5, 1), bytes(5, 1)), true);
    assert.equal(webCrypto.timingSafeEqual(bytes(5, 1), bytes(5, 2)), false);
    assert.throws(() => webCrypto.timingSafeEqual(bytes(5, 1), bytes(6, 1)), RangeError);
    assert.throws(() => webCrypto.createPrivateKey(), /not opened on the web/);
    assert.throws(() => webCrypto.createHash('sha3-256'), /not supported on the web/);
    assert.match(webCrypto.randomUUID(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('web seams: path (POSIX) and net.isIP', () => {
  const paths = [
    '',
    '.',
    '/',
    '//',
    'a',
    '/a/b/',
    'a/b/../c',
    '/a/./b//c.pem',
    '../x',
    'a/..',
    '/..',
    'x.tar.gz',
    '.env',
    '/a/.hidden',
    'a/b.',
  ];

  it("normalize, join, dirname, basename, extname and isAbsolute agree with Node's path.posix", () => {
    for (const p of paths) {
      assert.equal(webPath.normalize(p), nodePath.posix.normalize(p), `normalize(${p})`);
      assert.equal(webPath.dirname(p), nodePath.posix.dirname(p), `dirname(${p})`);
      assert.equal(webPath.basename(p), nodePath.posix.basename(p), `basename(${p})`);
      assert.equal(webPath.extname(p), nodePath.posix.extname(p), `extname(${p})`);
      assert.equal(webPath.isAbsolute(p), nodePath.posix.isAbsolute(p), `isAbsolute(${p})`);
      for (const q of ['b', '../c', '/d', '']) assert.equal(webPath.join(p, q), nodePath.posix.join(p, q), `join(${p}, ${q})`);
    }
    assert.equal(webPath.basename('/a/b.pem', '.pem'), 'b');
  });

  it("resolve and relative agree with Node's for absolute paths", () => {
    const abs = ['/', '/a', '/a/b', '/a/b/c.pem', '/x/y', '/a/b/../z'];
    for (const a of abs) {
      assert.equal(webPath.resolve(a, '../q', 'r'), nodePath.posix.resolve(a, '../q', 'r'), `resolve(${a})`);
      for (const b of abs) assert.equal(webPath.relative(a, b), nodePath.posix.relative(a, b), `relative(${a}, ${b})`);
    }
    assert.equal(webPath.win32.isAbsolute('C:\\certs\\a.pem'), true);
    assert.equal(webPath.win32.isAbsolute('certs\\a.pem'), false);
  });

  it("isIP agrees with Node's", () => {
    const cases = [
      '1.2.3.4',
      '255.255.255.255',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3',
      '::',
      '::1',
      'fe80::1%eth0',
      '2001:db8::8a2e:370:7334',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '::ffff:192.0.2.1',
      ':1',
      '1:',
      'example.test',
      '',
      'gggg::1',
      '1:2:3:4:5:6:7::',
    ];
    for (const c of cases) assert.equal(webNet.isIP(c), net.isIP(c), c);
  });
});

describe('walkListing: a scan walk over folder listings (workspace.fs.readDirectory on the web)', () => {
  /** A tree as nested objects: a string is a file, an object a folder, null something else (a link). */
  type Tree = { [name: string]: Tree | string | null };
  const tree: Tree = {
    'a.pem': 'x',
    'logo.png': 'x',
    certs: { 'b.crt': 'x', deep: { 'c.pem': 'x', 'notes.txt': 'x' } },
    node_modules: { pkg: { 'd.pem': 'x' } },
    build: { 'e.pem': 'x' },
    link: null,
    broken: {},
  };
  const lister =
    (listed: string[]) =>
    async (dir: string): Promise<ListedEntry[]> => {
      await Promise.resolve(); // a listing answers later, as workspace.fs does
      listed.push(dir);
      if (dir.endsWith('/broken')) throw new Error('EACCES: permission denied');
      let node: Tree | string | null = tree;
      for (const part of dir
        .replace(/^mem:\/\/root\/?/, '')
        .split('/')
        .filter(Boolean))
        node = (node as Tree)[part];
      return Object.entries(node as Tree).map(([name, v]) => ({
        name,
        kind: v === null ? 'other' : typeof v === 'string' ? 'file' : 'directory',
      }));
    };

  it('lists what the desktop walk would: default excludes prune folders unlisted, binary extensions skipped, unreadable folders reported', async () => {
    const listed: string[] = [];
    const unreadable: string[] = [];
    const walk = await walkListing('mem://root/', lister(listed), { onUnreadable: (u) => unreadable.push(`${u.path}: ${u.error}`) });
    assert.deepEqual(walk.files.sort(), [
      'mem://root/a.pem',
      'mem://root/build/e.pem',
      'mem://root/certs/b.crt',
      'mem://root/certs/deep/c.pem',
      'mem://root/certs/deep/notes.txt',
    ]);
    assert.equal(walk.truncated, false);
    assert.ok(!listed.some((d) => d.includes('node_modules')), listed.join(' '));
    assert.deepEqual(unreadable, ['mem://root/broken: EACCES: permission denied']);
  });

  it('follows include and exclude globs relative to the root (given excludes replace the defaults, as in the desktop walk)', async () => {
    const listed: string[] = [];
    const walk = await walkListing('mem://root', lister(listed), { include: ['**/*.pem'], exclude: ['build/**'] });
    assert.deepEqual(walk.files.sort(), ['mem://root/a.pem', 'mem://root/certs/deep/c.pem', 'mem://root/node_modules/pkg/d.pem']);
    assert.ok(!listed.includes('mem://root/build'));
  });

  it('stops at maxFiles and says so; stops listing when aborted', async () => {
    const walk = await walkListing('mem://root', lister([]), { maxFiles: 2 });
    assert.equal(walk.files.length, 2);
    assert.equal(walk.truncated, true);
    const controller = new AbortController();
    controller.abort();
    const listed: string[] = [];
    assert.deepEqual((await walkListing('mem://root', lister(listed), { signal: controller.signal })).files, []);
    assert.deepEqual(listed, []);
  });
});

function path(rel: string) {
  return nodePath.join(ROOT, rel);
}

describe('the browser bundle (dist/web/extension.js, built by esbuild.js)', () => {
  const bundle = path('dist/web/extension.js');

  it('requires nothing but vscode: no Node module, node-forge inside rather than dist/forge.js', () => {
    assert.ok(fs.existsSync(bundle), 'run node esbuild.js first');
    const text = fs.readFileSync(bundle, 'utf8');
    const required = [...new Set([...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]))];
    assert.deepEqual(required, ['vscode']);
    assert.match(text, /pkcs12/i, 'node-forge (PKCS#12) is bundled');
  });

  it('is the package.json browser entry, next to the Node main', () => {
    const pkg = JSON.parse(fs.readFileSync(path('package.json'), 'utf8')) as {
      main: string;
      browser: string;
      capabilities: { virtualWorkspaces: unknown };
    };
    assert.equal(nodePath.join(ROOT, pkg.browser), bundle);
    assert.equal(pkg.main, './dist/extension.js');
    assert.deepEqual(Object.keys(pkg.capabilities.virtualWorkspaces as object).sort(), ['description', 'supported']);
    assert.equal((pkg.capabilities.virtualWorkspaces as { supported: string }).supported, 'limited');
  });
});

describe('the parse engine as the web build has it (out/web/engine.js: seams in place of Node modules)', function () {
  this.timeout(120_000);
  type Engine = typeof import('../../src/core/formats/parse-file');
  let webEngine: Engine;
  const files: [string, Uint8Array][] = [];
  let setSelf = false;
  after(() => {
    if (setSelf) delete (globalThis as { self?: unknown }).self;
  });

  before(() => {
    // node-forge's browser build finds its global object as `self`, as in a Web Worker (removed after).
    setSelf = !('self' in globalThis);
    if (setSelf) (globalThis as { self?: unknown }).self = globalThis;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    webEngine = require(path('out/web/engine.js')) as Engine;
    const chain = makeChain({ leafCn: 'web.certlens.dev', notBefore: daysFromNow(-10), notAfter: daysFromNow(40) });
    const b = (s: string | Uint8Array) => (typeof s === 'string' ? Buffer.from(s) : s);
    files.push(
      ['tls/fullchain.pem', b(chain.bundlePem)],
      ['certs/leaf.der', b(chain.leaf.der)],
      ['certs/key-and-cert.pem', b(chain.leafKey.pem + chain.leaf.pem)],
      ['trust.p7b', b(pkcs7([chain.intermediate, chain.root]))],
      ['trust-der.p7b', b(pkcs7([chain.intermediate, chain.root], { der: true }))],
      ['empty-password.p12', b(pkcs12({ cert: chain.leaf, key: chain.leafKey, chain: [chain.intermediate], password: '' }))],
      ['legacy-empty.p12', b(pkcs12({ cert: chain.leaf, key: chain.leafKey, password: '', legacy: true }))],
      ['given-password.pfx', b(pkcs12({ cert: chain.leaf, key: chain.leafKey, password: 'storepw', friendlyName: 'server' }))],
      ['locked.p12', b(pkcs12({ cert: chain.leaf, key: chain.leafKey, password: 'unknown-here' }))],
      [
        'ca.crl',
        b(
          makeCrl({
            issuer: { cert: chain.intermediate, key: chain.intermediateKey },
            thisUpdate: daysFromNow(-1),
            nextUpdate: daysFromNow(6),
            number: '1f',
            revoked: [chain.leaf],
          }).der,
        ),
      ],
      [
        'k8s/secret.yaml',
        b(
          `apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${Buffer.from(chain.leaf.pem).toString('base64')}\n`,
        ),
      ],
    );
    const dir = tempDir('certlens-web-engine-');
    fs.writeFileSync(nodePath.join(dir, 'key.p12'), files.find(([f]) => f === 'given-password.pfx')![1]);
    for (const [type, file, pass] of [
      ['JKS', 'store.jks', 'storepw'],
      ['JCEKS', 'store.jceks', 'changeit'],
    ])
      execFileSync(
        'keytool',
        [
          '-importkeystore',
          '-srckeystore',
          'key.p12',
          '-srcstoretype',
          'PKCS12',
          '-srcstorepass',
          'storepw',
          '-destkeystore',
          file,
          '-deststoretype',
          type,
          '-deststorepass',
          pass,
          '-destkeypass',
          pass,
        ],
        { cwd: dir, stdio: 'ignore' },
      );
    files.push(
      ['store.jks', fs.readFileSync(nodePath.join(dir, 'store.jks'))],
      ['store.jceks', fs.readFileSync(nodePath.join(dir, 'store.jceks'))],
    );
  });

  /** A result as JSON with bytes as hex, whichever Buffer or Uint8Array holds them. */
  const normal = (r: unknown) =>
    JSON.parse(
      JSON.stringify(r, function (this: unknown, _k, v: unknown) {
        if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data))
          return Buffer.from((v as { data: number[] }).data).toString('hex');
        return v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;
      }),
    ) as { certificates: unknown[]; problems: unknown[]; crls: unknown[]; privateKeys: { spkiSha256?: string }[] };

  it('finds the same certificates, CRLs, keystore entries and problems as the Node build in every format', () => {
    const options = { pkcs12Password: (f: string) => (f.endsWith('given-password.pfx') ? 'storepw' : undefined) };
    for (const [file, bytes] of files) {
      const node = normal(parseFile(file, bytes, options));
      const web = normal(webEngine.parseFile(file, bytes, options));
      // Private keys are not opened on the web: their public half, which pairs them with certificates, is unknown.
      assert.deepEqual(web.privateKeys, [], `${file}: no key pairing on the web`);
      node.privateKeys = web.privateKeys = [];
      assert.deepEqual(web, node, file);
      assert.ok(node.certificates.length + node.crls.length + node.problems.length > 0, `${file} holds something to compare`);
    }
    const count = (f: string) => normal(webEngine.parseFile(f, files.find(([n]) => n === f)![1], options)).certificates.length;
    assert.equal(normal(parseFile('k.pem', files[2][1])).privateKeys.length, 1, 'the Node build pairs the key');
    assert.equal(count('empty-password.p12'), 2, 'the PKCS#12 with the empty password is opened on the web');
    assert.equal(count('given-password.pfx'), 1, 'the PKCS#12 with its password is opened on the web');
    assert.ok(count('store.jks') >= 1 && count('store.jceks') >= 1, 'keystores are read on the web');
  });
});
