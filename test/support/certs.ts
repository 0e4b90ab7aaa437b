// Test certificate factory: real certificates made now with the openssl CLI, with any validity
// window (past or future), key type, issuer and signature hash. Used by unit tests, the integration
// fixture workspace and the demo (through out/test/support/certs.js).
//
// Keys come from node:crypto (no openssl call); each certificate costs two openssl calls
// (`req -new` for the CSR, `ca` to sign it with explicit -startdate/-enddate). RSA/DSA key
// generation takes ~200 ms, so reuse keys across certificates where the test allows.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa';

export interface KeyOptions {
  type: KeyType;
  /** RSA, RSA-PSS and DSA modulus size; default 2048. */
  bits?: number;
  /** EC curve, OpenSSL or Node name; default 'P-256'. */
  curve?: string;
}

export interface TestKey {
  type: KeyType;
  /** Private key, PKCS#8 PEM. */
  pem: string;
  /** Public key, SPKI PEM. */
  publicPem: string;
  bits?: number;
  curve?: string;
}

export interface CertOptions {
  /** Subject common name. */
  cn: string;
  /** Extra subject attributes, e.g. { O: 'Example', C: 'DE' }, written after CN. */
  subject?: Record<string, string>;
  /** subjectAltName entries: 'DNS:a.example', 'IP:10.0.0.1', 'email:x@y'; bare values are DNS names (or IPs). */
  sans?: string[];
  key: TestKey;
  /** Signing CA; self-signed when absent. */
  issuer?: { cert: TestCert; key: TestKey };
  notBefore: Date;
  notAfter: Date;
  /** basicConstraints CA:TRUE with keyCertSign/cRLSign. */
  ca?: boolean;
  pathLen?: number;
  /** Signature digest, e.g. 'sha1', 'sha384'; default is the key type's default (none for EdDSA). */
  sigHash?: string;
  /** extendedKeyUsage value, e.g. 'serverAuth,clientAuth'. Leaf default: serverAuth. */
  extKeyUsage?: string;
  /** Serial number in hex; random when absent. */
  serial?: string;
  /** More extensions in openssl's config syntax, e.g. '1.3.6.1.4.1.11129.2.4.2=DER:0400' (an embedded SCT list). */
  extraExtensions?: string[];
}

export interface TestCert {
  pem: string;
  der: Buffer;
  /** The subject key's private key (PKCS#8 PEM). */
  keyPem: string;
  cn: string;
  notBefore: Date;
  notAfter: Date;
  /** Serial number, upper-case hex. */
  serial: string;
}

export interface Pkcs12Options {
  /** Omit for a certificate-only (no key) PKCS#12. */
  key?: TestKey;
  cert: TestCert;
  /** Further certificates stored in the bag (intermediates, root). */
  chain?: TestCert[];
  /** Default '' (empty password). */
  password?: string;
  friendlyName?: string;
  /** RC2/3DES encryption as older tools write (needs OpenSSL's legacy provider). */
  legacy?: boolean;
  /** Key-derivation iterations (openssl -iter; its default 2048). */
  iterations?: number;
  /** No MAC (openssl -nomac): nothing checks the password before decryption. */
  noMac?: boolean;
  /** Further `openssl pkcs12 -export` options, e.g. ['-macalg', 'sha1', '-certpbe', 'PBE-SHA1-3DES']. */
  opensslArgs?: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** now + n days (negative for the past), as a Date with whole seconds. */
export function daysFromNow(n: number, from: Date = new Date()): Date {
  return new Date(Math.floor((from.getTime() + n * DAY_MS) / 1000) * 1000);
}

export function makeKey(opts: KeyOptions): TestKey {
  const bits = opts.bits ?? 2048;
  let pair: crypto.KeyPairKeyObjectResult;
  switch (opts.type) {
    case 'rsa':
      pair = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
      break;
    case 'rsa-pss':
      pair = crypto.generateKeyPairSync('rsa-pss', { modulusLength: bits });
      break;
    case 'dsa':
      pair = crypto.generateKeyPairSync('dsa', { modulusLength: bits, divisorLength: bits >= 2048 ? 256 : 160 });
      break;
    case 'ec':
      pair = crypto.generateKeyPairSync('ec', { namedCurve: opts.curve ?? 'P-256' });
      break;
    case 'ed25519':
      pair = crypto.generateKeyPairSync('ed25519');
      break;
    case 'ed448':
      pair = crypto.generateKeyPairSync('ed448');
      break;
    default:
      throw new Error(`unknown key type ${String(opts.type)}`);
  }
  const key: TestKey = {
    type: opts.type,
    pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  if (opts.type === 'ec') key.curve = opts.curve ?? 'P-256';
  if (opts.type === 'rsa' || opts.type === 'rsa-pss' || opts.type === 'dsa') key.bits = bits;
  return key;
}

const CA_CONFIG = `[ ca ]
default_ca = CA_default
[ CA_default ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = default
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = optional
[ req ]
distinguished_name = req_dn
[ req_dn ]
`;

function opensslTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new Error('invalid date');
  // GeneralizedTime form; openssl ca stores UTCTime for years before 2050 itself.
  return d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

function subjectArg(cn: string, extra: Record<string, string> = {}): string {
  const esc = (v: string) => v.replace(/[\\/]/g, (c) => `\\${c}`);
  return [`CN=${esc(cn)}`, ...Object.entries(extra).map(([k, v]) => `${k}=${esc(v)}`)].map((p) => `/${p}`).join('');
}

function sanEntry(s: string): string {
  if (/^(DNS|IP|email|URI|RID|dirName|otherName):/.test(s)) return s;
  return /^[\d.]+$|:/.test(s) ? `IP:${s}` : `DNS:${s}`;
}

function extensions(o: CertOptions): string {
  const lines = ['[ ext ]', 'subjectKeyIdentifier = hash'];
  if (o.issuer) lines.push('authorityKeyIdentifier = keyid');
  if (o.ca) {
    lines.push(`basicConstraints = critical,CA:TRUE${o.pathLen !== undefined ? `,pathlen:${o.pathLen}` : ''}`);
    lines.push('keyUsage = critical,keyCertSign,cRLSign');
  } else {
    lines.push('basicConstraints = critical,CA:FALSE');
    lines.push(`keyUsage = critical,digitalSignature${o.key.type === 'rsa' ? ',keyEncipherment' : ''}`);
  }
  const eku = o.extKeyUsage ?? (o.ca ? undefined : 'serverAuth');
  if (eku) lines.push(`extendedKeyUsage = ${eku}`);
  if (o.sans?.length) lines.push(`subjectAltName = ${o.sans.map(sanEntry).join(',')}`);
  for (const e of o.extraExtensions ?? []) lines.push(e.replace('=', ' = '));
  return lines.join('\n') + '\n';
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-certs-'));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function openssl(args: string[], cwd: string): Buffer {
  try {
    return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/** PEM text -> DER bytes of the first block. */
export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(pem);
  if (!m) throw new Error('no PEM block');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

export function makeCert(o: CertOptions): TestCert {
  if (!(o.notAfter.getTime() > o.notBefore.getTime())) throw new Error('notAfter must be after notBefore');
  const serial = (
    o.serial ??
    crypto
      .randomBytes(8)
      .toString('hex')
      .replace(/^[089a-f]/, '1')
  ).toUpperCase();
  return withTempDir((dir) => {
    fs.writeFileSync(path.join(dir, 'ca.cnf'), CA_CONFIG);
    fs.writeFileSync(path.join(dir, 'ext.cnf'), extensions(o));
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), serial.length % 2 ? `0${serial}` : serial);
    fs.writeFileSync(path.join(dir, 'subject.key'), o.key.pem, { mode: 0o600 });
    openssl(
      ['req', '-new', '-utf8', '-config', 'ca.cnf', '-key', 'subject.key', '-subj', subjectArg(o.cn, o.subject), '-out', 'req.csr'],
      dir,
    );
    const args = [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-notext',
      '-preserveDN',
      '-utf8',
      '-in',
      'req.csr',
      '-out',
      'cert.pem',
      '-startdate',
      opensslTime(o.notBefore),
      '-enddate',
      opensslTime(o.notAfter),
      '-extfile',
      'ext.cnf',
      '-extensions',
      'ext',
    ];
    if (o.sigHash) args.push('-md', o.sigHash);
    if (o.issuer) {
      fs.writeFileSync(path.join(dir, 'issuer.pem'), o.issuer.cert.pem);
      fs.writeFileSync(path.join(dir, 'issuer.key'), o.issuer.key.pem, { mode: 0o600 });
      args.push('-cert', 'issuer.pem', '-keyfile', 'issuer.key');
    } else {
      args.push('-selfsign', '-keyfile', 'subject.key');
    }
    openssl(args, dir);
    const pem = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    return {
      pem,
      der: pemToDer(pem),
      keyPem: o.key.pem,
      cn: o.cn,
      notBefore: new Date(Math.floor(o.notBefore.getTime() / 1000) * 1000),
      notAfter: new Date(Math.floor(o.notAfter.getTime() / 1000) * 1000),
      serial: serial.replace(/^0+(?=.)/, ''),
    };
  });
}

export interface Chain {
  root: TestCert;
  rootKey: TestKey;
  intermediate: TestCert;
  intermediateKey: TestKey;
  leaf: TestCert;
  leafKey: TestKey;
  /** leaf + intermediate + root, PEM, in that order. */
  bundlePem: string;
}

/** A root -> intermediate -> leaf chain; the leaf gets the given validity, the CAs ten years around now. */
export function makeChain(o: {
  leafCn: string;
  sans?: string[];
  notBefore: Date;
  notAfter: Date;
  keyType?: KeyType;
  prefix?: string;
}): Chain {
  const keyType = o.keyType ?? 'ec';
  const prefix = o.prefix ?? 'CertLens Fixture';
  const rootKey = makeKey({ type: keyType });
  const intermediateKey = makeKey({ type: keyType });
  const leafKey = makeKey({ type: keyType });
  const caFrom = daysFromNow(-365 * 2);
  const caTo = daysFromNow(365 * 8);
  const root = makeCert({ cn: `${prefix} Root CA`, key: rootKey, ca: true, notBefore: caFrom, notAfter: caTo });
  const intermediate = makeCert({
    cn: `${prefix} Intermediate CA`,
    key: intermediateKey,
    ca: true,
    pathLen: 0,
    issuer: { cert: root, key: rootKey },
    notBefore: caFrom,
    notAfter: caTo,
  });
  const leaf = makeCert({
    cn: o.leafCn,
    sans: o.sans ?? [o.leafCn],
    key: leafKey,
    issuer: { cert: intermediate, key: intermediateKey },
    notBefore: o.notBefore,
    notAfter: o.notAfter,
  });
  return { root, rootKey, intermediate, intermediateKey, leaf, leafKey, bundlePem: leaf.pem + intermediate.pem + root.pem };
}

/** PKCS#12 (.p12/.pfx) bytes. */
export function pkcs12(o: Pkcs12Options): Buffer {
  return withTempDir((dir) => {
    fs.writeFileSync(path.join(dir, 'cert.pem'), o.cert.pem);
    const args = ['pkcs12', '-export', '-in', 'cert.pem', '-out', 'out.p12', '-passout', `pass:${o.password ?? ''}`];
    if (o.key) {
      fs.writeFileSync(path.join(dir, 'key.pem'), o.key.pem, { mode: 0o600 });
      args.push('-inkey', 'key.pem');
    } else {
      args.push('-nokeys');
    }
    if (o.chain?.length) {
      fs.writeFileSync(path.join(dir, 'chain.pem'), o.chain.map((c) => c.pem).join(''));
      args.push('-certfile', 'chain.pem');
    }
    if (o.friendlyName) args.push('-name', o.friendlyName);
    if (o.legacy) args.push('-legacy');
    if (o.iterations !== undefined) args.push('-iter', String(o.iterations));
    if (o.noMac) args.push('-nomac');
    if (o.opensslArgs) args.push(...o.opensslArgs);
    openssl(args, dir);
    return fs.readFileSync(path.join(dir, 'out.p12'));
  });
}

/** A certs-only PKCS#7 (.p7b) bundle: PEM text, or DER bytes with { der: true }. */
export function pkcs7(certs: TestCert[], opts: { der: true }): Buffer;
export function pkcs7(certs: TestCert[], opts?: { der?: false }): string;
export function pkcs7(certs: TestCert[], opts: { der?: boolean } = {}): Buffer | string {
  return withTempDir((dir) => {
    fs.writeFileSync(path.join(dir, 'certs.pem'), certs.map((c) => c.pem).join(''));
    const out = openssl(['crl2pkcs7', '-nocrl', '-certfile', 'certs.pem', '-outform', opts.der ? 'DER' : 'PEM'], dir);
    return opts.der ? out : out.toString('utf8');
  });
}

export interface CrlOptions {
  issuer: { cert: TestCert; key: TestKey };
  thisUpdate: Date;
  nextUpdate: Date;
  /** cRLNumber in hex; no number extension when absent. */
  number?: string;
  /** Certificates (issued by `issuer`) listed as revoked. */
  revoked?: TestCert[];
}

/** A CRL signed with `openssl ca -gencrl`: PEM text and DER bytes. */
export function makeCrl(o: CrlOptions): { pem: string; der: Buffer } {
  return withTempDir((dir) => {
    const config = CA_CONFIG.replace('default_md = default\n', `default_md = default\n${o.number ? 'crlnumber = crlnumber\n' : ''}`);
    fs.writeFileSync(path.join(dir, 'ca.cnf'), config);
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), '01');
    if (o.number) fs.writeFileSync(path.join(dir, 'crlnumber'), o.number.length % 2 ? `0${o.number}` : o.number);
    fs.writeFileSync(path.join(dir, 'issuer.pem'), o.issuer.cert.pem);
    fs.writeFileSync(path.join(dir, 'issuer.key'), o.issuer.key.pem, { mode: 0o600 });
    const ca = ['-config', 'ca.cnf', '-cert', 'issuer.pem', '-keyfile', 'issuer.key'];
    (o.revoked ?? []).forEach((c, i) => {
      fs.writeFileSync(path.join(dir, `revoked${i}.pem`), c.pem);
      openssl(['ca', ...ca, '-revoke', `revoked${i}.pem`], dir);
    });
    openssl(
      [
        'ca',
        ...ca,
        '-gencrl',
        '-out',
        'crl.pem',
        '-crl_lastupdate',
        opensslTime(o.thisUpdate),
        '-crl_nextupdate',
        opensslTime(o.nextUpdate),
      ],
      dir,
    );
    const pem = fs.readFileSync(path.join(dir, 'crl.pem'), 'utf8');
    return { pem, der: pemToDer(pem) };
  });
}
