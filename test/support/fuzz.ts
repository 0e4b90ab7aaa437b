// Mutation fuzzing of the certificate engine's file parser (parseFile). Shared by scripts/fuzz.mjs
// (long runs, through out/test/support/fuzz.js) and the unit tests (a short run with a fixed seed,
// and the replay of saved failures under test/fixtures/fuzz/).
//
// Seeds are real certificates, PKCS#7, PKCS#12 and keys; each case picks a seed, mutates its DER
// (byte-level or structure-aware), wraps it in a container the engine reads (PEM, Kubernetes Secret,
// kubeconfig, JSON, .env, SAML metadata, JWKS, raw DER, PKCS#7, PKCS#12), and may mutate the container text too.
// Everything random comes from one seeded PRNG, so a run is a pure function of its seed and seeds.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { kdfWorkRun } from '../../src/core/formats/forge-asn1';
import { parseFile } from '../../src/core/formats/parse-file';
import type { FileResult } from '../../src/core/model';
import { runInBackground } from '../../src/core/background';

// ---------------------------------------------------------------------------------------------
// PRNG

/** sfc32, seeded through a string hash: small, fast and the same on every platform. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string | number) {
    const h = crypto.createHash('sha256').update(String(seed)).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.u32() / 4294967296) * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let r = this.int(total);
    for (const [w, v] of items) {
      if (r < w) return v;
      r -= w;
    }
    return items[items.length - 1][1];
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}

// ---------------------------------------------------------------------------------------------
// Seeds

export type SeedKind = 'cert' | 'p7' | 'p12' | 'key' | 'crl' | 'text' | 'keystore';

export interface Seed {
  name: string;
  kind: SeedKind;
  /** DER for cert/p7/p12/key/crl seeds; absent for free text. */
  der?: Buffer;
  /** The file as found (PEM text, YAML, JSON, ...), for text seeds and PEM-wrapped ones. */
  text?: string;
  /** Extension of the original file. */
  ext: string;
  /**
   * Why inputs made from this seed must not be committed: it comes from a shared corpus (which is
   * not copied into the project) or holds a private key. Their failures are saved outside the project.
   */
  sensitive?: string;
}

const FROM_CORPUS = 'derived from a shared corpus file';
const HOLDS_KEY = 'holds a private key';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 #._-]+)-----([\s\S]*?)-----END \1-----/g;

function kindOfLabel(label: string): SeedKind | undefined {
  if (/CERTIFICATE$/.test(label)) return 'cert';
  if (label === 'PKCS7' || label === 'CMS' || label === 'PKCS #7 SIGNED DATA') return 'p7';
  if (/PRIVATE KEY$/.test(label)) return 'key';
  if (label === 'X509 CRL') return 'crl';
  return undefined;
}

/** The DER blocks of a PEM text (or of a JSON text with \n escapes), as seeds. */
export function seedsFromPem(name: string, text: string, limit = Infinity): Seed[] {
  const out: Seed[] = [];
  const unescaped = text.includes('\\n') ? text.replace(/\\n/g, '\n') : text;
  PEM_BLOCK.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PEM_BLOCK.exec(unescaped)) && out.length < limit) {
    const kind = kindOfLabel(m[1]);
    if (!kind) continue;
    const der = Buffer.from(m[2].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    if (der.length < 8) continue;
    out.push({ name: `${name}#${out.length}`, kind, der, ext: kind === 'p7' ? '.p7b' : '.pem', sensitive: FROM_CORPUS });
  }
  return out;
}

export interface CorpusOptions {
  /** Most files read from each directory. */
  perDirectory?: number;
  /** Most certificates taken from one bundle file. */
  perFile?: number;
}

/** Reads certificate files under the given files/directories (missing ones are ignored). */
export function corpusSeeds(roots: readonly string[], options: CorpusOptions = {}): Seed[] {
  const perDirectory = options.perDirectory ?? Infinity;
  const perFile = options.perFile ?? Infinity;
  const seeds: Seed[] = [];
  const readOne = (file: string) => {
    let data: Buffer;
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > 2 * 1024 * 1024) return;
      data = fs.readFileSync(file);
    } catch {
      return;
    }
    const ext = path.extname(file).toLowerCase() || '.txt';
    if (data[0] === 0x30) {
      seeds.push({
        name: file,
        kind: ext === '.p12' || ext === '.pfx' ? 'p12' : ext === '.p7b' || ext === '.p7c' ? 'p7' : 'cert',
        der: data,
        ext,
        sensitive: FROM_CORPUS,
      });
      return;
    }
    const text = data.toString('utf8');
    const blocks = seedsFromPem(file, text, perFile);
    seeds.push(...blocks);
    // Whole files too (zlint's text dumps, limbo's JSON, bundles): the containers as they occur.
    if (blocks.length && text.length <= 256 * 1024) seeds.push({ name: file, kind: 'text', text, ext, sensitive: FROM_CORPUS });
  };
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return;
    }
    let taken = 0;
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && taken < perDirectory && /\.(pem|crt|cer|der|json|key|p7b|p12|pfx)$/i.test(e.name)) {
        readOne(p);
        taken++;
      }
    }
  };
  for (const r of roots) {
    let st: fs.Stats;
    try {
      st = fs.statSync(r);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(r);
    else readOne(r);
  }
  return seeds;
}

/** Default corpora: the system CA bundle and the shared real-world test suites, where present. */
export const DEFAULT_CORPORA = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/work/shared/corpora/zlint/v3/testdata',
  '/work/shared/corpora/x509-limbo',
];

/**
 * Seeds made now with the test certificate factory (openssl): every key type's certificate, a chain,
 * PKCS#7 (DER and PEM), PKCS#12 (empty password, a password, legacy, certificate-only) and private keys.
 */
export function generatedSeeds(options: { rsa?: boolean } = {}): Seed[] {
  // Required lazily: the factory needs openssl, and scripts that only replay fixtures do not.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const f = require('./certs') as typeof import('./certs');
  const from = f.daysFromNow(-30);
  const to = f.daysFromNow(60);
  const seeds: Seed[] = [];
  const ec = f.makeKey({ type: 'ec' });
  const ed = f.makeKey({ type: 'ed25519' });
  const chain = f.makeChain({
    leafCn: 'fuzz.certlens.dev',
    sans: ['fuzz.certlens.dev', '10.0.0.1', 'email:a@b.c'],
    notBefore: from,
    notAfter: to,
    keyType: 'ec',
  });
  const edCert = f.makeCert({ cn: 'ed.certlens.dev', key: ed, notBefore: from, notAfter: f.daysFromNow(20000) });
  const certs = [chain.leaf, chain.intermediate, chain.root, edCert];
  let rsaKey: ReturnType<typeof f.makeKey> | undefined;
  if (options.rsa) {
    rsaKey = f.makeKey({ type: 'rsa', bits: 2048 });
    certs.push(f.makeCert({ cn: 'rsa.certlens.dev', key: rsaKey, notBefore: from, notAfter: to, sigHash: 'sha1' }));
  }
  certs.forEach((c, i) => seeds.push({ name: `generated-cert-${i}`, kind: 'cert', der: c.der, ext: '.pem' }));
  seeds.push({ name: 'generated-bundle', kind: 'text', text: chain.bundlePem, ext: '.pem' });
  seeds.push({ name: 'generated-p7', kind: 'p7', der: f.pkcs7(certs, { der: true }), ext: '.p7b' });
  seeds.push({ name: 'generated-p7-pem', kind: 'text', text: f.pkcs7([chain.leaf, chain.root]), ext: '.p7b' });
  seeds.push({
    name: 'generated-p12',
    kind: 'p12',
    der: f.pkcs12({ key: chain.leafKey, cert: chain.leaf, chain: [chain.intermediate, chain.root] }),
    ext: '.p12',
    sensitive: HOLDS_KEY,
  });
  seeds.push({
    name: 'generated-p12-password',
    kind: 'p12',
    der: f.pkcs12({ key: chain.rootKey, cert: chain.root, password: 'fuzz-pass' }),
    ext: '.p12',
    sensitive: HOLDS_KEY,
  });
  seeds.push({ name: 'generated-p12-certonly', kind: 'p12', der: f.pkcs12({ cert: edCert }), ext: '.pfx' });
  if (rsaKey)
    seeds.push({
      name: 'generated-p12-legacy',
      kind: 'p12',
      der: f.pkcs12({ key: rsaKey, cert: certs[certs.length - 1], legacy: true }),
      ext: '.p12',
      sensitive: HOLDS_KEY,
    });
  const keyObj = crypto.createPrivateKey(ec.pem);
  seeds.push({
    name: 'generated-key-pkcs8',
    kind: 'key',
    der: keyObj.export({ type: 'pkcs8', format: 'der' }),
    ext: '.key',
    sensitive: HOLDS_KEY,
  });
  seeds.push({
    name: 'generated-key-sec1',
    kind: 'key',
    der: keyObj.export({ type: 'sec1', format: 'der' }),
    ext: '.key',
    sensitive: HOLDS_KEY,
  });
  seeds.push({
    name: 'generated-key-ed25519',
    kind: 'key',
    der: crypto.createPrivateKey(ed.pem).export({ type: 'pkcs8', format: 'der' }),
    ext: '.key',
    sensitive: HOLDS_KEY,
  });
  seeds.push({
    name: 'generated-jks',
    kind: 'keystore',
    der: javaKeystore(
      'jks',
      [
        { alias: 'server', chain: [chain.leaf.der, chain.intermediate.der], key: crypto.randomBytes(64) },
        { alias: 'root', chain: [chain.root.der] },
      ],
      'changeit',
    ),
    ext: '.jks',
  });
  seeds.push({
    name: 'generated-jceks',
    kind: 'keystore',
    der: javaKeystore('jceks', [{ alias: 'ed', chain: [edCert.der] }], 'fuzz-pass'),
    ext: '.jceks',
  });
  const crl = f.makeCrl({
    issuer: { cert: chain.intermediate, key: chain.intermediateKey },
    thisUpdate: from,
    nextUpdate: to,
    number: '1F',
    revoked: [chain.leaf],
  });
  seeds.push({ name: 'generated-crl', kind: 'crl', der: crl.der, ext: '.crl' });
  if (rsaKey)
    seeds.push({
      name: 'generated-key-pkcs1',
      kind: 'key',
      der: crypto.createPrivateKey(rsaKey.pem).export({ type: 'pkcs1', format: 'der' }),
      ext: '.key',
      sensitive: HOLDS_KEY,
    });
  return seeds;
}

/**
 * A JKS or JCEKS keystore (version 2): trusted-certificate entries, or key entries (`key`: stand-in
 * bytes where the encrypted key goes) with their chains; the keyed SHA-1 integrity digest at the end.
 */
export function javaKeystore(
  format: 'jks' | 'jceks',
  entries: { alias: string; chain: Buffer[]; key?: Buffer }[],
  password: string,
): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const utf = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  const cert = (der: Buffer) => Buffer.concat([utf('X.509'), u32(der.length), der]);
  const parts: Buffer[] = [Buffer.from(format === 'jks' ? 'feedfeed' : 'cececece', 'hex'), u32(2), u32(entries.length)];
  for (const e of entries) {
    parts.push(u32(e.key ? 1 : 2), utf(e.alias), Buffer.alloc(8));
    if (e.key) parts.push(u32(e.key.length), e.key, u32(e.chain.length), ...e.chain.map(cert));
    else parts.push(cert(e.chain[0]));
  }
  const body = Buffer.concat(parts);
  const pw = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), i * 2);
  return Buffer.concat([body, crypto.createHash('sha1').update(pw).update('Mighty Aphrodite').update(body).digest()]);
}

// ---------------------------------------------------------------------------------------------
// DER building and a lenient ASN.1 tree for structure-aware mutations

export function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const c = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(c.length), c]);
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [arcs[0] * 40 + arcs[1]];
  for (const a of arcs.slice(2)) {
    const parts: number[] = [];
    let v = a;
    do {
      parts.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < parts.length - 1; i++) parts[i] |= 0x80;
    out.push(...parts);
  }
  return tlv(0x06, Buffer.from(out));
}

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** A certs-only PKCS#7 SignedData holding the given DER values as its certificates. */
export function wrapPkcs7(certs: Buffer[]): Buffer {
  const signedData = tlv(0x30, tlv(0x02, Buffer.from([1])), tlv(0x31), tlv(0x30, oid(OID_DATA)), tlv(0xa0, ...certs), tlv(0x31));
  return tlv(0x30, oid(OID_SIGNED_DATA), tlv(0xa0, signedData));
}

/** An unencrypted PKCS#12 without MAC (as `openssl pkcs12 -export -nomac -certpbe NONE` writes) holding the DER values as certBags. */
export function wrapPkcs12(certs: Buffer[]): Buffer {
  const bags = certs.map((der) =>
    tlv(0x30, oid('1.2.840.113549.1.12.10.1.3'), tlv(0xa0, tlv(0x30, oid('1.2.840.113549.1.9.22.1'), tlv(0xa0, tlv(0x04, der))))),
  );
  const safeContents = tlv(0x30, ...bags);
  const authSafe = tlv(0x30, tlv(0x30, oid(OID_DATA), tlv(0xa0, tlv(0x04, safeContents))));
  return tlv(0x30, tlv(0x02, Buffer.from([3])), tlv(0x30, oid(OID_DATA), tlv(0xa0, tlv(0x04, authSafe))));
}

/** `depth` nested SEQUENCEs around `inner`: definite lengths, or BER indefinite ones. */
export function nestedSequences(depth: number, indefinite: boolean, inner: Buffer = Buffer.alloc(0)): Buffer {
  if (indefinite) {
    return Buffer.concat([Buffer.alloc(depth * 2, Buffer.from([0x30, 0x80])), inner, Buffer.alloc(depth * 2, 0)]);
  }
  // Built inside out; each level adds a tag and a length of up to 5 bytes.
  const parts: Buffer[] = [];
  let len = inner.length;
  for (let i = 0; i < depth; i++) {
    const header = Buffer.concat([Buffer.from([0x30]), derLength(len)]);
    parts.push(header);
    len += header.length;
  }
  parts.reverse();
  return Buffer.concat([...parts, inner]);
}

interface Node {
  /** Identifier octets as found. */
  tag: Buffer;
  /** Replaces the computed length octets (for wrong, huge or indefinite lengths). */
  lengthOverride?: Buffer;
  children?: Node[];
  /** OCTET/BIT STRING holding DER: the BIT STRING's unused-bits octet, or empty. */
  encapsulatedPrefix?: Buffer;
  content?: Buffer;
}

/** Parses definite-length DER (and DER inside OCTET/BIT STRINGs) into a tree; undefined when it is not DER. */
function parseTree(buf: Buffer, budget = { nodes: 4000 }, depth = 0): Node[] | undefined {
  const out: Node[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (--budget.nodes < 0 || depth > 40) return undefined;
    const start = pos;
    if ((buf[pos] & 0x1f) === 0x1f) {
      pos++;
      while (pos < buf.length && buf[pos] & 0x80) pos++;
    }
    pos++;
    if (pos >= buf.length) return undefined;
    const tag = buf.subarray(start, pos);
    const first = buf[pos++];
    let len = first;
    if (first & 0x80) {
      const n = first & 0x7f;
      if (n === 0 || n > 4 || pos + n > buf.length) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
    }
    if (pos + len > buf.length) return undefined;
    const content = buf.subarray(pos, pos + len);
    pos += len;
    const node: Node = { tag };
    if (tag[0] & 0x20) {
      const kids = parseTree(content, budget, depth + 1);
      if (!kids) return undefined;
      node.children = kids;
    } else if ((tag[0] === 0x04 || tag[0] === 0x03) && content.length > 2) {
      const prefix = tag[0] === 0x03 ? content.subarray(0, 1) : Buffer.alloc(0);
      const inner = content.subarray(prefix.length);
      const kids = inner[0] === 0x30 || inner[0] === 0x31 ? parseTree(inner, { nodes: 2000 }, depth + 1) : undefined;
      if (kids && kids.length === 1) {
        node.children = kids;
        node.encapsulatedPrefix = prefix;
      } else {
        node.content = content;
      }
    } else {
      node.content = content;
    }
    out.push(node);
  }
  return out;
}

function serialize(nodes: Node[]): Buffer {
  return Buffer.concat(
    nodes.map((n) => {
      const content = n.children
        ? Buffer.concat([n.encapsulatedPrefix ?? Buffer.alloc(0), serialize(n.children)])
        : (n.content ?? Buffer.alloc(0));
      return Buffer.concat([n.tag, n.lengthOverride ?? derLength(content.length), content]);
    }),
  );
}

/** Every node with its parent's child list, depth first. */
function allNodes(roots: Node[]): { node: Node; siblings: Node[] }[] {
  const out: { node: Node; siblings: Node[] }[] = [];
  const stack: Node[][] = [roots];
  while (stack.length) {
    const list = stack.pop()!;
    for (const node of list) {
      out.push({ node, siblings: list });
      if (node.children) stack.push(node.children);
    }
  }
  return out;
}

const INTERESTING_INTEGERS = [
  '00',
  '01',
  'ff',
  '7f',
  '80',
  '0080',
  '7fff',
  '8000',
  '00ff',
  '0800',
  'c350',
  '00c350',
  '030d40',
  '0f4240',
  '7fffffff',
  '80000000',
  '00ffffffff',
  '0100000000',
  'ffffffffffffffff',
  '00' + 'ff'.repeat(16),
  '7f'.repeat(64),
].map((h) => Buffer.from(h, 'hex'));

const INTERESTING_STRINGS = [
  '',
  '\u0000',
  'a'.repeat(1000),
  '\u202e\u0000\u001b[31m',
  '\ud800',
  '%s%n',
  '=cmd|calc',
  '<script>',
  'CN=x, O=y',
  '\\',
  '"',
  ',+;<>#=',
  '991231235959Z',
  '000000000000Z',
  '20501301000000Z',
  '99999999999999Z',
  '20240229120000+2400',
  '1',
  'ZZZZZZZZZZZZZ',
].map((s) => Buffer.from(s, 'utf8'));

// ---------------------------------------------------------------------------------------------
// Mutations

type Mutator = (rng: Rng, input: Buffer, other: () => Buffer) => Buffer | undefined;

/** Cap for anything a mutation builds by repetition: keeps failing inputs small enough to commit. */
const REPEAT_LIMIT = 200 * 1024;

function insertAt(buf: Buffer, at: number, piece: Buffer): Buffer {
  return Buffer.concat([buf.subarray(0, at), piece, buf.subarray(at)]);
}

/** Byte-level mutations: work on any input. */
export const BYTE_MUTATIONS: Record<string, Mutator> = {
  bitflip: (rng, b) => {
    const out = Buffer.from(b);
    for (let n = rng.range(1, 8); n > 0 && out.length; n--) out[rng.int(out.length)] ^= 1 << rng.int(8);
    return out;
  },
  byteset: (rng, b) => {
    const out = Buffer.from(b);
    for (let n = rng.range(1, 4); n > 0 && out.length; n--)
      out[rng.int(out.length)] = rng.pick([0x00, 0xff, 0x7f, 0x80, 0x30, 0x0a, 0x2d, 0x3d, rng.int(256)]);
    return out;
  },
  truncate: (rng, b) => b.subarray(0, rng.int(b.length)),
  extend: (rng, b) =>
    Buffer.concat([b, rng.chance(0.5) ? rng.bytes(rng.range(1, 64)) : Buffer.alloc(rng.range(1, 4096), rng.pick([0, 0xff, 0x41]))]),
  'insert-bytes': (rng, b) => insertAt(b, rng.int(b.length + 1), rng.bytes(rng.range(1, 32))),
  'delete-range': (rng, b) => {
    const at = rng.int(b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + rng.range(1, 64))]);
  },
  'nul-bytes': (rng, b) => {
    let out = b;
    for (let n = rng.range(1, 5); n > 0; n--) out = insertAt(out, rng.int(out.length + 1), Buffer.alloc(rng.pick([1, 1, 2, 16, 1024])));
    return out;
  },
  'chunk-repeat': (rng, b) => {
    if (!b.length) return undefined;
    const at = rng.int(b.length);
    const chunk = b.subarray(at, at + rng.range(1, 80));
    const times = Math.min(rng.pick([2, 10, 100, 1000, 5000, 20000, 100000]), Math.floor(REPEAT_LIMIT / chunk.length));
    return Buffer.concat([b.subarray(0, at), Buffer.alloc(chunk.length * times, chunk), b.subarray(at)]);
  },
  splice: (rng, b, other) => {
    const o = other();
    return Buffer.concat([b.subarray(0, rng.int(b.length + 1)), o.subarray(rng.int(o.length + 1))]);
  },
};

/** Structure-aware mutations on DER: lengths stay consistent except where the mutation is the length. */
export const DER_MUTATIONS: Record<string, Mutator> = {
  'asn1-length': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const n = rng.pick(t);
      const real = serialize(n.node.children ?? []).length + (n.node.encapsulatedPrefix?.length ?? 0) + (n.node.content?.length ?? 0);
      const wrong = Math.max(0, rng.pick([real + 1, real - 1, 0, real * 2, rng.int(real + 2), real + 128]));
      n.node.lengthOverride = rng.chance(0.3)
        ? Buffer.from([0x84, ...Buffer.from(wrong.toString(16).padStart(8, '0'), 'hex')])
        : derLength(wrong);
    }),
  'asn1-huge-length': (rng, b) =>
    treeEdit(b, rng, (t) => {
      rng.pick(t).node.lengthOverride = Buffer.from(
        rng.pick(['84ffffffff', '847fffffff', '8480000000', '88ffffffffffffffff', '8900000000000000000001', '850100000000', 'ff']),
        'hex',
      );
    }),
  'asn1-indefinite': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const n = rng.pick(t).node;
      n.lengthOverride = Buffer.from([0x80]);
      if (rng.chance(0.5) && n.children) n.children.push({ tag: Buffer.from([0x00]), content: Buffer.alloc(0) });
    }),
  'asn1-tag': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const n = rng.pick(t).node;
      n.tag = Buffer.from(
        rng.pick([
          [n.tag[0] ^ 0x20],
          [0x1f, 0x81, 0x01],
          [0x3f, 0xff, 0xff, 0xff, 0xff, 0x7f],
          [0x00],
          [0xa0 | rng.int(4)],
          [0x30],
          [0x31],
          [0x05],
          [rng.int(256)],
        ]),
      );
    }),
  'asn1-int': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const ints = t.filter((n) => n.node.tag[0] === 0x02);
      const n = ints.length ? rng.pick(ints) : rng.pick(t);
      n.node.children = undefined;
      n.node.content = rng.chance(0.8) ? rng.pick(INTERESTING_INTEGERS) : rng.bytes(rng.range(1, 12));
    }),
  'asn1-string': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const strings = t.filter((n) => [0x0c, 0x13, 0x16, 0x14, 0x1e, 0x1c, 0x17, 0x18, 0x81, 0x82, 0x86, 0x87].includes(n.node.tag[0]));
      const n = strings.length ? rng.pick(strings) : rng.pick(t);
      n.node.children = undefined;
      n.node.content = rng.chance(0.7) ? rng.pick(INTERESTING_STRINGS) : rng.bytes(rng.range(0, 40));
    }),
  'asn1-oid': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const oids = t.filter((n) => n.node.tag[0] === 0x06);
      const n = oids.length ? rng.pick(oids) : rng.pick(t);
      n.node.children = undefined;
      n.node.content = Buffer.from(
        rng.pick([
          '',
          '80',
          'ff'.repeat(40) + '01',
          '2a864886f70d01',
          '2a864886f70d010c0a0103',
          '2b0601050507030' + rng.int(10),
          '55041d',
          '551d11',
          '551d13',
          '88378c99',
          '7f'.repeat(300),
        ]),
        'hex',
      );
    }),
  'asn1-drop': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const n = rng.pick(t);
      n.siblings.splice(n.siblings.indexOf(n.node), 1);
    }),
  'asn1-dup': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const n = rng.pick(t);
      const times = rng.pick([1, 1, 2, 10, 200, 2000]);
      const i = n.siblings.indexOf(n.node);
      n.siblings.splice(i, 0, ...Array.from({ length: times }, () => n.node)); // at most 2,000: fits a spread
    }),
  'asn1-swap': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const n = rng.pick(t);
      if (n.siblings.length < 2) return;
      const i = rng.int(n.siblings.length);
      const j = rng.int(n.siblings.length);
      [n.siblings[i], n.siblings[j]] = [n.siblings[j], n.siblings[i]];
    }),
  'deep-nesting': (rng, b) =>
    treeEdit(b, rng, (t) => {
      const n = rng.pick(t).node;
      const depth = rng.pick([100, 300, 1000, 10000, 30000]);
      n.children = undefined;
      n.encapsulatedPrefix = undefined;
      n.content = nestedSequences(depth, rng.chance(0.3));
    }),
};

function treeEdit(b: Buffer, _rng: Rng, edit: (nodes: { node: Node; siblings: Node[] }[]) => void): Buffer | undefined {
  const roots = parseTree(b);
  if (!roots || !roots.length) return undefined;
  edit(allNodes(roots));
  const out = serialize(roots);
  return out.length > 4 * 1024 * 1024 ? out.subarray(0, 4 * 1024 * 1024) : out;
}

const PEM_LABELS = [
  'CERTIFICATE',
  'X509 CERTIFICATE',
  'TRUSTED CERTIFICATE',
  'PKCS7',
  'CMS',
  'PRIVATE KEY',
  'EC PRIVATE KEY',
  'RSA PRIVATE KEY',
  'CERTIFICATE REQUEST',
  'X509 CRL',
  'X',
];

/** Text-level mutations for PEM and the text containers around it. */
export const TEXT_MUTATIONS: Record<string, (rng: Rng, text: string) => string | undefined> = {
  'pem-garbage': (rng, t) => {
    const body = pemBodyRange(t);
    if (!body) return undefined;
    let out = t;
    for (let n = rng.range(1, 4); n > 0; n--) {
      const at = rng.range(body[0], Math.min(body[1], out.length));
      const junk = rng.pick([
        '!',
        '*',
        '=',
        '==',
        '-',
        '-----',
        ':',
        ' ',
        '\t',
        '\u0000',
        '\u00e9',
        '\u2028',
        '\ufeff',
        '\ud83d\ude00',
        '\\n',
        '\\',
        '"',
        '%',
        '\r',
        'Proc-Type: 4,ENCRYPTED\n',
        '\n\n',
      ]);
      out = out.slice(0, at) + junk + out.slice(at);
    }
    return out;
  },
  'pem-dup-header': (rng, t) => {
    const m = /-----BEGIN [^\n]*-----\r?\n?/.exec(t);
    if (!m) return undefined;
    const times = Math.min(rng.pick([1, 2, 10, 500, 3000, 10000]), Math.floor(REPEAT_LIMIT / m[0].length));
    return t.slice(0, m.index) + m[0].repeat(times + 1) + t.slice(m.index + m[0].length);
  },
  'pem-missing-footer': (rng, t) => {
    const ends = [...t.matchAll(/-----END [^\n]*-----/g)];
    if (!ends.length) return undefined;
    const m = rng.chance(0.5) ? ends[ends.length - 1] : rng.pick(ends);
    return t.slice(0, m.index) + (rng.chance(0.3) ? '-----END ' + rng.pick(PEM_LABELS) + '-----' : '') + t.slice(m.index + m[0].length);
  },
  'pem-label': (rng, t) => t.replace(/-----(BEGIN|END) ([A-Z0-9 ]+)-----/, (_s, w: string) => `-----${w} ${rng.pick(PEM_LABELS)}-----`),
  'pem-many-blocks': (rng, t) => {
    const m = /-----BEGIN ([^\n]*)-----[\s\S]*?-----END \1-----\r?\n?/.exec(t);
    if (!m) return undefined;
    const times = Math.min(rng.pick([10, 100, 1000]), Math.floor(REPEAT_LIMIT / m[0].length));
    return t.slice(0, m.index) + m[0].repeat(times) + t.slice(m.index);
  },
  'pem-headers': (rng, t) => {
    // RFC 1421 headers (legacy encrypted keys) at the start of a body, sometimes followed by a long run of blank lines.
    const b = /-----BEGIN [^\n]*-----\r?\n/.exec(t);
    if (!b) return undefined;
    const at = b.index + b[0].length;
    const headers = rng.pick([
      'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n',
      'X-Junk: value\n',
      ': \n',
      'Proc-Type:\n',
    ]);
    const blank = rng.chance(0.5) ? rng.pick(['\n', ' \n', '\r\n', '\t']).repeat(rng.pick([1, 1000, 50000])) : '\n';
    return rng.chance(0.5) ? t.slice(0, at) + headers + blank + t.slice(at) : t.slice(0, at) + blank + headers + t.slice(at);
  },
  'lines-repeat': (rng, t) => {
    // A run of consecutive lines repeated: documents of a YAML stream, PEM blocks, key/value pairs.
    const lines = t.split('\n');
    const i = rng.int(lines.length);
    const run = lines.slice(i, i + rng.range(1, 8));
    const size = run.join('\n').length + 1;
    const times = Math.min(rng.pick([10, 1000, 20000]), Math.floor(REPEAT_LIMIT / size));
    // concat, not splice(...spread): a spread of 100,000 lines overflows the stack.
    return lines
      .slice(0, i)
      .concat(...Array.from({ length: times }, () => run), lines.slice(i))
      .join('\n');
  },
  'line-delete': (rng, t) => {
    const lines = t.split('\n');
    lines.splice(rng.int(lines.length), rng.range(1, 3));
    return lines.join('\n');
  },
  'line-dup': (rng, t) => {
    const lines = t.split('\n');
    const i = rng.int(lines.length);
    const times = Math.min(rng.pick([1, 5, 100, 10000]), Math.floor(REPEAT_LIMIT / (lines[i].length + 1)));
    return lines
      .slice(0, i)
      .concat(
        Array.from({ length: times }, () => lines[i]),
        lines.slice(i),
      )
      .join('\n');
  },
  'whitespace-flood': (rng, t) => {
    const at = rng.int(t.length + 1);
    return t.slice(0, at) + rng.pick([' ', '\n', '\r\n', '\t', '\\n', ' \n']).repeat(rng.pick([100, 10000, 60000])) + t.slice(at);
  },
  crlf: (rng, t) => (rng.chance(0.5) ? t.replace(/\n/g, '\r\n') : t.replace(/\n/g, '\r')),
  'base64-huge': (rng, t) => {
    const at = rng.int(t.length + 1);
    const token = (rng.chance(0.5) ? 'LS0tLS1CRUdJTi' : 'MII') + 'QUJD'.repeat(rng.pick([1000, 100000, 700000]));
    return t.slice(0, at) + token + t.slice(at);
  },
  unicode: (rng, t) => {
    const at = rng.int(t.length + 1);
    return t.slice(0, at) + rng.pick(['\ufeff', '\u0000', '\ud800', '\u00ff'.repeat(100), '\u{10ffff}', '\u0085', 'é']) + t.slice(at);
  },
};

function pemBodyRange(t: string): [number, number] | undefined {
  const b = /-----BEGIN [^\n]*-----/.exec(t);
  if (!b) return undefined;
  const start = b.index + b[0].length;
  const e = t.indexOf('-----END', start);
  return [start, e < 0 ? t.length : e];
}

// ---------------------------------------------------------------------------------------------
// Containers

export interface Wrapped {
  ext: string;
  bytes: Buffer;
  /** True when the bytes are text the engine reads as such (text mutations apply). */
  text: boolean;
}

export function pemOf(der: Buffer, label: string, width = 64): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function labelFor(kind: SeedKind, rng: Rng): string {
  if (rng.chance(0.05)) return rng.pick(PEM_LABELS);
  if (kind === 'p7') return rng.pick(['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA']);
  if (kind === 'key') return rng.pick(['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY']);
  if (kind === 'crl') return 'X509 CRL';
  return rng.pick(['CERTIFICATE', 'CERTIFICATE', 'CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
}

const text = (ext: string, s: string): Wrapped => ({ ext, bytes: Buffer.from(s, 'utf8'), text: true });
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

export const CONTAINERS: Record<string, { kinds: SeedKind[]; wrap: (der: Buffer, kind: SeedKind, rng: Rng) => Wrapped }> = {
  pem: {
    kinds: ['cert', 'p7', 'key', 'crl'],
    wrap: (der, kind, rng) =>
      text(rng.pick(['.pem', '.crt', '.cer', '.txt', '.md', '.conf']), pemOf(der, labelFor(kind, rng), rng.pick([64, 64, 76, 1000]))),
  },
  // Compiled into firmware: PEM as C's adjacent string literals (or a #define continued with \), DER as xxd -i bytes.
  'c-literals': {
    kinds: ['cert'],
    wrap: (der, kind, rng) => {
      const lines = pemOf(der, labelFor(kind, rng)).trimEnd().split('\n');
      return text(
        rng.pick(['.c', '.h', '.ino']),
        rng.chance(0.5)
          ? `static const char root_ca[] =\n${lines.map((l) => `"${l}\\r\\n"`).join('\n')};\n`
          : `#define ROOT_CA \\\n${lines.map((l) => `  "${l}\\n" \\`).join('\n')}\n`,
      );
    },
  },
  'c-bytes': {
    kinds: ['cert', 'key'],
    wrap: (der, _kind, rng) => {
      const hex = [...der].map((b) => `0x${b.toString(16).padStart(2, '0')}`);
      const rows: string[] = [];
      for (let i = 0; i < hex.length; i += 12) rows.push('  ' + hex.slice(i, i + 12).join(rng.pick([', ', ','])));
      return text(
        rng.pick(['.c', '.h', '.rs']),
        `const unsigned char ca_der[] = {\n${rows.join(',\n')}\n};\nunsigned int ca_der_len = ${der.length};\n`,
      );
    },
  },
  'k8s-secret': {
    kinds: ['cert', 'key'],
    wrap: (der, kind, rng) =>
      text(
        rng.pick(['.yaml', '.yml']),
        [
          'apiVersion: v1',
          'kind: Secret',
          'type: kubernetes.io/tls',
          'metadata:',
          '  name: fuzz',
          'data:',
          rng.chance(0.7) ? `  tls.crt: ${b64(pemOf(der, labelFor(kind, rng)))}` : `  ca.crt: ${der.toString('base64')}`,
          `  tls.key: ${b64('not a key')}`,
          '',
        ].join('\n'),
      ),
  },
  'yaml-stream': {
    kinds: ['cert'],
    wrap: (der, kind, rng) =>
      text(
        '.yaml',
        [
          `kind: Secret\ndata:\n  tls.crt: ${b64(pemOf(der, labelFor(kind, rng)))}`,
          `kind: ConfigMap\ndata:\n  ca.crt: ${der.toString('base64')}`,
          `kind: ValidatingWebhookConfiguration\nwebhooks:\n- clientConfig:\n    caBundle: ${der.toString('base64')}`,
          `kind: Secret\nstringData:\n  ca.crt: |\n${pemOf(der, labelFor(kind, rng))
            .trimEnd()
            .split('\n')
            .map((l) => '    ' + l)
            .join('\n')}`,
        ].join('\n---\n') + '\n',
      ),
  },
  kubeconfig: {
    kinds: ['cert'],
    wrap: (der, kind, rng) =>
      text(
        '.yaml',
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- cluster:',
          `    certificate-authority-data: ${rng.chance(0.5) ? b64(pemOf(der, labelFor(kind, rng))) : der.toString('base64')}`,
          '    server: https://127.0.0.1:6443',
          '  name: fuzz',
          'users:',
          '- name: fuzz',
          '  user:',
          `    client-certificate-data: ${der.toString('base64')}`,
          '    client-certificate: ../missing.crt',
          '',
        ].join('\n'),
      ),
  },
  json: {
    kinds: ['cert', 'p7', 'key'],
    wrap: (der, kind, rng) =>
      text(
        '.json',
        JSON.stringify({ name: 'fuzz', caBundle: der.toString('base64'), pem: pemOf(der, labelFor(kind, rng)) }, null, rng.pick([0, 2])),
      ),
  },
  saml: {
    kinds: ['cert'],
    wrap: (der, _kind, rng) => {
      const body = pemOf(der, 'X')
        .split('\n')
        .slice(1, -2)
        .join(rng.pick(['\n        ', '&#13;\n', '']));
      const p = rng.pick(['md:', 'ds:', '']);
      return text(
        rng.pick(['.xml', '.py']),
        [
          `<?xml version="1.0"?>\n<${p}EntitiesDescriptor validUntil="${rng.pick(['2030-01-01T00:00:00Z', '2001-01-01T00:00:00.5+02:00', 'soon'])}" cacheDuration="PT6H">`,
          `<${p}EntityDescriptor entityID="https://idp.example"><${p}IDPSSODescriptor><${p}KeyDescriptor use="${rng.pick(['signing', 'encryption', ''])}">`,
          `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n        ${body}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></${p}KeyDescriptor>`,
          `</${p}IDPSSODescriptor></${p}EntityDescriptor></${p}EntitiesDescriptor>\n`,
        ].join('\n'),
      );
    },
  },
  jwks: {
    kinds: ['cert'],
    wrap: (der, _kind, rng) => {
      const x5t = crypto.createHash('sha1').update(der).digest('base64url');
      if (rng.chance(0.5))
        return text(
          '.json',
          JSON.stringify(
            { keys: [{ kty: 'RSA', kid: 'k', use: 'sig', x5c: [der.toString('base64'), der.toString('base64')], x5t, 'x5t#S256': x5t }] },
            null,
            rng.pick([0, 2]),
          ),
        );
      return text(
        '.yaml',
        `keys:\n  - kid: k\n    x5c:\n      - ${der.toString('base64')}\n      - "${der.toString('base64')}"\n    x5t: ${x5t}\n  - x5c: [${der.toString('base64')}]\n`,
      );
    },
  },
  env: {
    kinds: ['cert', 'key'],
    wrap: (der, kind, rng) =>
      text(
        '.env',
        `TLS_CERT="${pemOf(der, labelFor(kind, rng)).replace(/\n/g, '\\n')}"\nTLS_B64=${b64(pemOf(der, labelFor(kind, rng)))}\n`,
      ),
  },
  der: {
    kinds: ['cert', 'p7', 'key', 'crl'],
    wrap: (der, kind, rng) => ({
      ext: rng.pick(kind === 'crl' ? ['.crl', '.der', '.pem'] : ['.der', '.cer', '.crt', '.cert']),
      bytes: der,
      text: false,
    }),
  },
  p7b: {
    kinds: ['cert', 'p7'],
    wrap: (der, kind, rng) => {
      const p7 = kind === 'p7' ? der : wrapPkcs7(rng.chance(0.8) ? [der] : [der, der]);
      return rng.chance(0.75)
        ? { ext: rng.pick(['.p7b', '.p7c']), bytes: p7, text: false }
        : text('.p7b', pemOf(p7, rng.pick(['PKCS7', 'CMS'])));
    },
  },
  keystore: {
    kinds: ['cert', 'keystore'],
    wrap: (der, kind, rng) => ({
      ext: rng.pick(['.jks', '.jceks', '.keystore', '.bin']),
      bytes: kind === 'keystore' ? der : javaKeystore(rng.pick(['jks', 'jceks'] as const), [{ alias: 'fuzz', chain: [der] }], 'changeit'),
      text: false,
    }),
  },
  p12: {
    kinds: ['cert', 'p12'],
    wrap: (der, kind, rng) => ({ ext: rng.pick(['.p12', '.pfx']), bytes: kind === 'p12' ? der : wrapPkcs12([der]), text: false }),
  },
};

// ---------------------------------------------------------------------------------------------
// Cases

export interface FuzzCase {
  /** Mutations applied, in order, joined with '+'. */
  mutation: string;
  container: string;
  ext: string;
  bytes: Buffer;
  /** Set when a seed behind the input is sensitive (see Seed.sensitive). */
  sensitive?: string;
}

const MAX_INPUT = 4 * 1024 * 1024;

/** Synthetic inputs that need no seed: the classic parser killers. */
export const GENERATORS: Record<string, (rng: Rng) => { ext: string; bytes: Buffer }> = {
  'deep-nesting': (rng) => {
    const depth = rng.pick([1000, 10000, 100000, 1000000]);
    const nested = nestedSequences(Math.min(depth, 200000), rng.chance(0.5));
    const ext = rng.pick(['.der', '.p12', '.p7b', '.pem', '.cer']);
    return { ext, bytes: ext === '.pem' ? Buffer.from(pemOf(nested, rng.pick(['CERTIFICATE', 'PKCS7']))) : nested };
  },
  'huge-length': (rng) => ({
    ext: rng.pick(['.der', '.p12', '.p7b', '.cer']),
    bytes: Buffer.concat([
      Buffer.from(rng.pick(['3084ffffffff', '30847fffffff', '3088ffffffffffffffff', '308900', '3080', '30ff']), 'hex'),
      rng.bytes(rng.int(64)),
    ]),
  }),
  'pem-many-begins': (rng) => {
    const label = rng.pick(PEM_LABELS);
    const n = rng.pick([1000, 5000, 10000]);
    const line = `-----BEGIN ${label}-----\n`;
    return { ext: '.pem', bytes: Buffer.from(line.repeat(n) + (rng.chance(0.5) ? `-----END ${label}-----\n` : '')) };
  },
  'huge-base64': (rng) => ({
    ext: rng.pick(['.yaml', '.pem', '.json']),
    bytes: Buffer.from(`tls.crt: LS0tLS1CRUdJTi${'QUJD'.repeat(rng.pick([10000, 500000]))}\n`),
  }),
  'random-bytes': (rng) => ({ ext: rng.pick(['.der', '.p12', '.p7b', '.pem', '.yaml']), bytes: rng.bytes(rng.range(0, 4096)) }),
};

/** One random case from the seeds. */
export function makeCase(rng: Rng, seeds: readonly Seed[]): FuzzCase {
  if (rng.chance(0.04)) {
    const name = rng.pick(Object.keys(GENERATORS));
    const g = GENERATORS[name](rng);
    return { mutation: name, container: 'raw', ext: g.ext, bytes: g.bytes };
  }
  const seed = pickSeed(rng, seeds);
  let sensitive = seed.sensitive;
  const other = () => {
    const s = rng.pick(seeds);
    sensitive ??= s.sensitive;
    return s.der ?? Buffer.from(s.text ?? '');
  };
  const applied: string[] = [];
  let wrapped: Wrapped;
  let container: string;
  if (seed.kind === 'text' || !seed.der) {
    container = 'file';
    wrapped = { ext: seed.ext, bytes: Buffer.from(seed.text ?? ''), text: true };
  } else {
    let der = seed.der;
    // Mostly mutate the DER and then wrap it; sometimes wrap intact DER and mutate the container only.
    if (rng.chance(0.7)) {
      for (
        let n = rng.weighted([
          [6, 1],
          [3, 2],
          [1, 3],
        ] as const);
        n > 0;
        n--
      ) {
        const useDer = rng.chance(0.6);
        const table = useDer ? DER_MUTATIONS : BYTE_MUTATIONS;
        const name = rng.pick(Object.keys(table));
        const out = table[name](rng, der, other);
        if (!out) continue;
        der = out.length > MAX_INPUT ? out.subarray(0, MAX_INPUT) : out;
        applied.push(name);
      }
    }
    const choices = Object.keys(CONTAINERS).filter((c) => CONTAINERS[c].kinds.includes(seed.kind));
    container = rng.pick(choices);
    wrapped = CONTAINERS[container].wrap(der, seed.kind, rng);
  }
  if (!applied.length || rng.chance(0.35)) {
    for (
      let n = rng.weighted([
        [7, 1],
        [3, 2],
      ] as const);
      n > 0;
      n--
    ) {
      let out: Buffer | undefined;
      let name: string;
      if (wrapped.text && rng.chance(0.6)) {
        name = rng.pick(Object.keys(TEXT_MUTATIONS));
        const t = TEXT_MUTATIONS[name](rng, wrapped.bytes.toString('utf8'));
        out = t === undefined ? undefined : Buffer.from(t, 'utf8');
      } else {
        name = rng.pick(Object.keys(BYTE_MUTATIONS));
        out = BYTE_MUTATIONS[name](rng, wrapped.bytes, other);
      }
      if (!out) continue;
      wrapped = { ...wrapped, bytes: out.length > MAX_INPUT ? out.subarray(0, MAX_INPUT) : out };
      applied.push(name);
    }
  }
  // Nothing larger than the scanner reads by default (5 MB) is worth timing.
  const bytes = wrapped.bytes.length > MAX_INPUT ? wrapped.bytes.subarray(0, MAX_INPUT) : wrapped.bytes;
  return { mutation: applied.length ? applied.join('+') : 'none', container, ext: wrapped.ext, bytes, sensitive };
}

/** Seeds by kind: the corpora hold thousands of certificates but few PKCS#12, PKCS#7 and key files. */
const KIND_WEIGHTS: readonly (readonly [number, SeedKind])[] = [
  [40, 'cert'],
  [22, 'text'],
  [14, 'p12'],
  [10, 'p7'],
  [14, 'key'],
  [8, 'keystore'],
  [8, 'crl'],
];
const seedsByKind = new WeakMap<readonly Seed[], Map<SeedKind, Seed[]>>();

function pickSeed(rng: Rng, seeds: readonly Seed[]): Seed {
  let byKind = seedsByKind.get(seeds);
  if (!byKind) {
    byKind = new Map();
    for (const s of seeds) {
      const list = byKind.get(s.kind);
      if (list) list.push(s);
      else byKind.set(s.kind, [s]);
    }
    seedsByKind.set(seeds, byKind);
  }
  const present = KIND_WEIGHTS.filter(([, k]) => byKind.has(k));
  return rng.pick(byKind.get(rng.weighted(present))!);
}

/** Every prefix of the seed, as it would be wrapped: the "truncation at every length" sweep. */
export function* truncations(seed: Seed, container: string, rng: Rng): Generator<FuzzCase> {
  const full = seed.der
    ? CONTAINERS[container].wrap(seed.der, seed.kind, rng)
    : { ext: seed.ext, bytes: Buffer.from(seed.text ?? ''), text: true };
  for (let len = 0; len < full.bytes.length; len++) {
    yield { mutation: 'truncate-every', container, ext: full.ext, bytes: full.bytes.subarray(0, len), sensitive: seed.sensitive };
  }
}

// ---------------------------------------------------------------------------------------------
// Running

export type FailureKind = 'exception' | 'slow' | 'memory';

export interface Failure {
  kind: FailureKind;
  mutation: string;
  container: string;
  ext: string;
  bytes: Buffer;
  ms: number;
  message: string;
  /** First 12 hex digits of the input's SHA-256. */
  hash: string;
  /** Where the input was saved, if it was. */
  saved?: string;
  /** Why it was saved outside the project, if it was. */
  sensitive?: string;
}

export interface CheckResult {
  ms: number;
  /** PKCS#12 key-derivation iterations the parse ran (bounded by MAX_PKCS12_WORK), and the time they took. */
  kdfIterations: number;
  kdfMs: number;
  error?: unknown;
  result?: FileResult;
}

/**
 * The time limit for an input of `bytes` bytes: `maxMs`, plus 100 ms per MB. Parsing is linear and
 * a real 4 MB bundle of 2,900 certificates takes ~150 ms, so a flat limit would fail honest large
 * inputs; the quadratic blow-ups this hunts exceed it by orders of magnitude.
 */
export function allowedMs(bytes: number, maxMs = 100): number {
  return maxMs + (bytes / (1024 * 1024)) * 100;
}

/**
 * The time of a parse minus its PKCS#12 key derivation: a .p12 may ask for up to MAX_PKCS12_WORK
 * iterations, which is slow by design (and bounded there), not a parser bug.
 */
export function unexplainedMs(r: Pick<CheckResult, 'ms' | 'kdfMs'>): number {
  return r.ms - r.kdfMs;
}

/** Parses one input and times it. Nothing may escape parseFile, so an exception here is a finding. */
export function checkInput(file: string, bytes: Uint8Array): CheckResult {
  const k0 = kdfWorkRun();
  const t0 = performance.now();
  const done = () => {
    const k1 = kdfWorkRun();
    return { ms: performance.now() - t0, kdfIterations: k1.iterations - k0.iterations, kdfMs: k1.ms - k0.ms };
  };
  try {
    const result = parseFile(file, bytes);
    return { ...done(), result };
  } catch (error) {
    return { ...done(), error };
  }
}

/** Times an input up to `tries` times and keeps the fastest: a slow input must be slow every time, not just under load. */
export function fastestOf(file: string, bytes: Uint8Array, tries: number, limitMs: number): CheckResult {
  let best = checkInput(file, bytes);
  for (let i = 1; i < tries && unexplainedMs(best) > limitMs && !best.error; i++) {
    const again = checkInput(file, bytes);
    if (unexplainedMs(again) < unexplainedMs(best) || again.error) best = again;
  }
  return best;
}

export function inputHash(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

/** File name for a saved failure: mutation, hash, original extension. */
export function fixtureName(f: Pick<Failure, 'mutation' | 'container' | 'hash' | 'ext'>): string {
  const mutation = f.mutation.replace(/[^a-z0-9+-]/gi, '_').slice(0, 80);
  return `${mutation}-${f.container}-${f.hash}${f.ext}`;
}

export interface FuzzOptions {
  seed: string | number;
  seeds: readonly Seed[];
  /** Wall-clock budget for the random phase. */
  seconds: number;
  /** Per-input limit; default 100 ms (plus 100 ms per MB, see allowedMs). */
  maxMs?: number;
  /** Times a slow input is parsed again before it counts as slow (the fastest counts); default 3. */
  tries?: number;
  /** Fail when RSS grows beyond the starting RSS by more than this; default 512 MB. */
  maxRssGrowthMb?: number;
  /** Seeds (the first N of distinct kinds) swept with a truncation at every length before the random phase. */
  truncateEvery?: number;
  /** Where failing inputs are written; nothing is written when absent. */
  saveDir?: string;
  /**
   * Where failing inputs made from sensitive seeds (shared corpora, private keys) are written instead
   * of saveDir, so they never land in the project. Default: <tmpdir>/certlens-fuzz-not-for-commit.
   */
  sensitiveDir?: string;
  /** Most inputs saved per failure signature (kind + mutation + container + message shape). */
  savePerSignature?: number;
  /** Most failures kept (and saved) in one run; all are counted. Default 40. */
  maxKept?: number;
  /** Called before each input with its bytes: lets a watchdog save the input if it hangs. */
  beforeInput?: (c: FuzzCase, file: string) => void;
  log?: (line: string) => void;
}

export interface Slowest {
  ms: number;
  mutation: string;
  container: string;
  ext: string;
  size: number;
  hash: string;
  kdfIterations: number;
}

export interface FuzzStats {
  seed: string;
  seeds: number;
  inputs: number;
  bytes: number;
  ms: number;
  perMutation: Record<string, number>;
  perContainer: Record<string, number>;
  slowest: Slowest;
  /** The slowest input that ran no key derivation. */
  slowestWithoutKdf: Slowest;
  failures: Failure[];
  failureCounts: Record<FailureKind, number>;
  /** Inputs over the limit only because of PKCS#12 key derivation within its budget: not failures. */
  slowByKdf: { count: number; ms: number; kdfIterations: number; kdfMs: number };
  rssStartMb: number;
  rssPeakMb: number;
  heapPeakMb: number;
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

/** Runs the truncation sweep, then random cases until the time is up. Synchronous: it owns the thread. */
export function runFuzz(o: FuzzOptions): FuzzStats {
  const rng = new Rng(o.seed);
  const maxMs = o.maxMs ?? 100;
  const rssLimit = (o.maxRssGrowthMb ?? 512) * 1024 * 1024;
  const log = o.log ?? (() => undefined);
  const started = performance.now();
  const rssStart = process.memoryUsage.rss();
  const stats: FuzzStats = {
    seed: String(o.seed),
    seeds: o.seeds.length,
    inputs: 0,
    bytes: 0,
    ms: 0,
    perMutation: {},
    perContainer: {},
    slowest: { ms: 0, mutation: '', container: '', ext: '', size: 0, hash: '', kdfIterations: 0 },
    slowestWithoutKdf: { ms: 0, mutation: '', container: '', ext: '', size: 0, hash: '', kdfIterations: 0 },
    failures: [],
    failureCounts: { exception: 0, slow: 0, memory: 0 },
    slowByKdf: { count: 0, ms: 0, kdfIterations: 0, kdfMs: 0 },
    rssStartMb: mb(rssStart),
    rssPeakMb: mb(rssStart),
    heapPeakMb: mb(process.memoryUsage().heapUsed),
  };
  const savedPerSignature = new Map<string, number>();
  let memoryFailed = false;

  const record = (c: FuzzCase, kind: FailureKind, ms: number, message: string) => {
    stats.failureCounts[kind]++;
    const f: Failure = {
      kind,
      mutation: c.mutation,
      container: c.container,
      ext: c.ext,
      bytes: c.bytes,
      ms,
      message,
      hash: inputHash(c.bytes),
    };
    // One signature per failure kind, last mutation and container: a bug tends to show through many inputs.
    const signature = `${kind}|${c.mutation.split('+').pop()}|${c.container}${c.ext}|${message.replace(/\d+(\.\d+)?/g, 'N').slice(0, 80)}`;
    const n = savedPerSignature.get(signature) ?? 0;
    savedPerSignature.set(signature, n + 1);
    if (n >= (o.savePerSignature ?? 2) || stats.failures.length >= (o.maxKept ?? 40)) return;
    const dir = o.saveDir && c.sensitive ? (o.sensitiveDir ?? path.join(os.tmpdir(), 'certlens-fuzz-not-for-commit')) : o.saveDir;
    if (dir) {
      fs.mkdirSync(dir, { recursive: true });
      f.saved = path.join(dir, fixtureName(f));
      fs.writeFileSync(f.saved, c.bytes);
    }
    f.sensitive = c.sensitive;
    stats.failures.push(f);
    log(
      `FAIL ${kind} ${c.mutation} [${c.container}${c.ext}] ${c.bytes.length} bytes, ${ms.toFixed(1)} ms: ${message}${f.saved ? ` -> ${f.saved}` : ''}${c.sensitive ? ` (${c.sensitive}: not saved in the project)` : ''}`,
    );
  };

  const run = (c: FuzzCase) => {
    const file = `/fuzz/input${c.ext}`;
    o.beforeInput?.(c, file);
    const rssBefore = process.memoryUsage.rss();
    const limit = allowedMs(c.bytes.length, maxMs);
    const r = fastestOf(file, c.bytes, o.tries ?? 3, limit);
    stats.inputs++;
    stats.bytes += c.bytes.length;
    for (const m of c.mutation.split('+')) stats.perMutation[m] = (stats.perMutation[m] ?? 0) + 1;
    stats.perContainer[c.container] = (stats.perContainer[c.container] ?? 0) + 1;
    const slow = (): Slowest => ({
      ms: r.ms,
      mutation: c.mutation,
      container: c.container,
      ext: c.ext,
      size: c.bytes.length,
      hash: inputHash(c.bytes),
      kdfIterations: r.kdfIterations,
    });
    if (r.ms > stats.slowest.ms) stats.slowest = slow();
    if (r.ms > stats.slowestWithoutKdf.ms && !r.kdfIterations) stats.slowestWithoutKdf = slow();
    if (r.error) {
      const e = r.error as Error;
      record(c, 'exception', r.ms, `${e?.name ?? 'Error'}: ${e?.message ?? inspect(r.error)}`);
    } else if (unexplainedMs(r) > limit) {
      const kdf = r.kdfIterations ? ` (${r.kdfIterations} key-derivation iterations, ${r.kdfMs.toFixed(0)} ms)` : '';
      record(c, 'slow', r.ms, `took ${r.ms.toFixed(1)} ms${kdf} (limit ${limit.toFixed(0)} ms) on every try`);
    } else if (r.ms > limit) {
      stats.slowByKdf.count++;
      if (r.ms > stats.slowByKdf.ms)
        stats.slowByKdf = { count: stats.slowByKdf.count, ms: r.ms, kdfIterations: r.kdfIterations, kdfMs: r.kdfMs };
    }
    const rss = process.memoryUsage.rss();
    stats.rssPeakMb = Math.max(stats.rssPeakMb, mb(rss));
    if (!memoryFailed && rss - rssStart > rssLimit) {
      memoryFailed = true;
      record(c, 'memory', r.ms, `RSS grew from ${mb(rssStart)} MB to ${mb(rss)} MB (this input: ${mb(rssBefore)} -> ${mb(rss)} MB)`);
    }
    if (stats.inputs % 256 === 0) stats.heapPeakMb = Math.max(stats.heapPeakMb, mb(process.memoryUsage().heapUsed));
  };

  // Truncation at every length for a few seeds of different kinds, in the container each is found in.
  const sweepKinds: [SeedKind, string][] = [
    ['cert', 'der'],
    ['cert', 'pem'],
    ['p12', 'p12'],
    ['crl', 'der'],
    ['p7', 'p7b'],
    ['key', 'pem'],
    ['cert', 'k8s-secret'],
    ['keystore', 'keystore'],
  ];
  for (const [kind, container] of sweepKinds.slice(0, o.truncateEvery ?? 3)) {
    const seed = o.seeds.find((s) => s.kind === kind && s.der && s.der.length < 3000);
    if (!seed) continue;
    for (const c of truncations(seed, container, rng)) run(c);
    log(`truncation sweep: ${seed.name} as ${container}, ${stats.inputs} inputs so far`);
  }

  const deadline = started + o.seconds * 1000;
  let nextReport = performance.now() + 10_000;
  while (performance.now() < deadline) {
    run(makeCase(rng, o.seeds));
    if (performance.now() > nextReport) {
      nextReport += 10_000;
      log(
        `${Math.round((performance.now() - started) / 1000)} s: ${stats.inputs} inputs, ${stats.failures.length} failures, RSS ${mb(process.memoryUsage.rss())} MB`,
      );
    }
  }
  stats.ms = Math.round(performance.now() - started);
  stats.heapPeakMb = Math.max(stats.heapPeakMb, mb(process.memoryUsage().heapUsed));
  return stats;
}

/**
 * A watchdog thread for long runs: parseFile is synchronous, so a hang cannot be interrupted from the
 * fuzzing thread. Before each input its bytes are copied to shared memory; if no new input starts for
 * `hangMs`, the watchdog saves the current one as a 'hang' fixture, reports it, and kills the process.
 */
export function startWatchdog(o: { hangMs: number; saveDir?: string; sensitiveDir?: string }): {
  beforeInput: (c: FuzzCase) => void;
  stop: () => void;
} {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const sab = new SharedArrayBuffer(16 + 1024 + MAX_INPUT);
  const ctl = new Int32Array(sab, 0, 4); // [input counter, input length, meta length, stopped]
  const meta = new Uint8Array(sab, 16, 1024);
  const data = new Uint8Array(sab, 16 + 1024);
  const worker = new Worker(
    `
    const { workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    const path = require('node:path');
    const { sab, hangMs, module } = workerData;
    const { fixtureName, inputHash } = require(module);
    const ctl = new Int32Array(sab, 0, 4);
    let last = 0, since = Date.now();
    setInterval(() => {
      if (Atomics.load(ctl, 3)) return;
      const c = Atomics.load(ctl, 0);
      if (c !== last || c === 0) { last = c; since = Date.now(); return; }
      if (Date.now() - since < hangMs) return;
      const bytes = Buffer.from(new Uint8Array(sab, 16 + 1024, Atomics.load(ctl, 1)));
      const m = JSON.parse(Buffer.from(new Uint8Array(sab, 16, Atomics.load(ctl, 2))).toString('utf8'));
      let where = '';
      const saveDir = workerData.saveDir && m.sensitive ? workerData.sensitiveDir : workerData.saveDir;
      if (saveDir) {
        fs.mkdirSync(saveDir, { recursive: true });
        where = path.join(saveDir, fixtureName({ ...m, mutation: 'hang-' + m.mutation, hash: inputHash(bytes) }));
        fs.writeFileSync(where, bytes);
      }
      process.stderr.write('FAIL hang ' + m.mutation + ' [' + m.container + m.ext + '] ' + bytes.length + ' bytes: no progress for ' + Math.round((Date.now() - since) / 1000) + ' s' + (where ? ' -> ' + where : '') + (m.sensitive ? ' (' + m.sensitive + ': not saved in the project)' : '') + '; killing the fuzzer\\n');
      process.kill(process.pid, 'SIGKILL');
    }, 250);
  `,
    {
      eval: true,
      workerData: {
        sab,
        hangMs: o.hangMs,
        saveDir: o.saveDir,
        sensitiveDir: o.sensitiveDir ?? path.join(os.tmpdir(), 'certlens-fuzz-not-for-commit'),
        module: __filename,
      },
    },
  );
  worker.unref();
  return {
    beforeInput: (c) => {
      const m = Buffer.from(
        JSON.stringify({ mutation: c.mutation, container: c.container, ext: c.ext, sensitive: c.sensitive }).slice(0, 1000),
      );
      meta.set(m);
      data.set(c.bytes.subarray(0, MAX_INPUT));
      Atomics.store(ctl, 2, m.length);
      Atomics.store(ctl, 1, Math.min(c.bytes.length, MAX_INPUT));
      Atomics.add(ctl, 0, 1);
    },
    stop: () => {
      Atomics.store(ctl, 3, 1);
      runInBackground(undefined, 'Stopping the fuzz worker', worker.terminate());
    },
  };
}

function describeSlowest(x: Slowest): string {
  return `${x.ms.toFixed(1)} ms (${x.mutation} [${x.container}${x.ext}], ${x.size} bytes, ${x.hash}${x.kdfIterations ? `, ${x.kdfIterations} key-derivation iterations` : ''})`;
}

/** A human-readable summary of a run. */
export function formatStats(s: FuzzStats): string {
  const lines = [
    `seed ${s.seed}: ${s.inputs} inputs (${mb(s.bytes)} MB) from ${s.seeds} seeds in ${(s.ms / 1000).toFixed(1)} s`,
    `slowest input: ${describeSlowest(s.slowest)}`,
    `slowest input without key derivation: ${describeSlowest(s.slowestWithoutKdf)}`,
    `memory: RSS ${s.rssStartMb} MB at start, ${s.rssPeakMb} MB peak; heap peak ${s.heapPeakMb} MB`,
    `failures: ${s.failureCounts.exception} exceptions, ${s.failureCounts.slow} slow, ${s.failureCounts.memory} memory (${s.failures.length} distinct kept)`,
    `over the limit only by PKCS#12 key derivation within MAX_PKCS12_WORK (not failures): ${s.slowByKdf.count}` +
      (s.slowByKdf.count
        ? `, slowest ${s.slowByKdf.ms.toFixed(1)} ms (${s.slowByKdf.kdfMs.toFixed(0)} ms deriving keys, ${s.slowByKdf.kdfIterations} iterations)`
        : ''),
    'per mutation:',
    ...Object.entries(s.perMutation)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `  ${k.padEnd(20)} ${v}`),
    'per container:',
    ...Object.entries(s.perContainer)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `  ${k.padEnd(20)} ${v}`),
  ];
  for (const f of s.failures)
    lines.push(
      `FAIL ${f.kind} ${f.mutation} [${f.container}${f.ext}] ${f.bytes.length} bytes ${f.ms.toFixed(1)} ms: ${f.message}${f.saved ? ` (${f.saved})` : ''}`,
    );
  return lines.join('\n');
}
