// Deterministic synthetic workspace for benchmarks: source-like text (most files), certificate files
// of every kind CertLens reads, one 5 MB log, a node_modules tree that must be excluded, nested folders.
//   generateTree(dir, { files = 20000, seed = 1 }) -> { dir, files, certificateFiles, certificates }
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** mulberry32: small, fast, deterministic. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'const let function return import export class interface extends implements async await if else for while switch case break continue new this value result error config server client request response handler options timeout retry cache token user session data items index length map filter reduce promise resolve reject string number boolean undefined null true false'.split(
    ' ',
  );

function sourceText(rand, bytes) {
  const lines = [];
  let size = 0;
  while (size < bytes) {
    const indent = '  '.repeat(Math.floor(rand() * 4));
    const n = 3 + Math.floor(rand() * 9);
    const words = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]);
    const line = `${indent}${words.join(' ')}${rand() < 0.3 ? ';' : rand() < 0.5 ? ' {' : ''}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

/** A pool of real certificates (made with openssl once per pool, then reused deterministically). */
function certificatePool(count) {
  const certsJs = path.join(root, 'out', 'test', 'support', 'certs.js');
  if (!fs.existsSync(certsJs)) throw new Error('run `node esbuild.js --tests` first');
  const { makeKey, makeCert, makeChain, daysFromNow, pkcs12, pkcs7 } = createRequire(import.meta.url)(certsJs);
  const keys = [
    makeKey({ type: 'ec' }),
    makeKey({ type: 'ec', curve: 'P-384' }),
    makeKey({ type: 'ed25519' }),
    makeKey({ type: 'rsa', bits: 2048 }),
  ];
  const certs = [];
  for (let i = 0; i < count; i++) {
    certs.push(
      makeCert({
        cn: `svc-${i}.bench.certlens.dev`,
        sans: [`svc-${i}.bench.certlens.dev`],
        key: keys[i % keys.length],
        notBefore: daysFromNow(-100 - i),
        notAfter: daysFromNow(-20 + i * 7),
      }),
    );
  }
  const chain = makeChain({ leafCn: 'chain.bench.certlens.dev', notBefore: daysFromNow(-10), notAfter: daysFromNow(80), keyType: 'ec' });
  return {
    certs,
    chain,
    p12: pkcs12({ cert: chain.leaf, key: chain.leafKey, chain: [chain.intermediate, chain.root] }),
    p7b: pkcs7([chain.leaf, chain.intermediate, chain.root], { der: true }),
    key: chain.leafKey,
  };
}

export function generateTree(dir, { files = 20000, seed = 1, poolSize = 60 } = {}) {
  const marker = path.join(dir, '.certlens-bench.json');
  if (fs.existsSync(marker)) {
    const info = JSON.parse(fs.readFileSync(marker, 'utf8'));
    if (info.files === files && info.seed === seed && info.layout === 2) return info;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const rand = prng(seed);
  const pool = certificatePool(poolSize);
  const pick = () => pool.certs[Math.floor(rand() * pool.certs.length)];
  const b64 = (s) => Buffer.from(s).toString('base64');
  const write = (rel, data) => {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
  };
  // About one folder per 12 files, nested up to five levels, like a real repository.
  const folderCount = Math.max(1, Math.round(files / 12));
  const folder = (i) => {
    let k = (i * 7919) % folderCount;
    const parts = [];
    do {
      parts.unshift(`d${k % 8}`);
      k = Math.floor(k / 8);
    } while (k > 0 && parts.length < 5);
    return parts.join('/');
  };

  const certFiles = Math.round(files * 0.1);
  const nodeModules = Math.round(files * 0.1);
  let certificates = 0;
  const kinds = ['pem', 'bundle', 'der', 'p7b', 'p12', 'secret', 'kubeconfig', 'yaml', 'json'];
  for (let i = 0; i < certFiles; i++) {
    const kind = kinds[i % kinds.length];
    const base = `${folder(i)}/cert-${i}`;
    switch (kind) {
      case 'pem':
        write(`${base}.pem`, pick().pem);
        certificates += 1;
        break;
      case 'bundle': {
        const n = 50;
        write(
          `${base}.crt`,
          Array.from({ length: n }, pick)
            .map((c) => c.pem)
            .join(''),
        );
        certificates += n;
        break;
      }
      case 'der':
        write(`${base}.der`, pick().der);
        certificates += 1;
        break;
      case 'p7b':
        write(`${base}.p7b`, pool.p7b);
        certificates += 3;
        break;
      case 'p12':
        write(`${base}.p12`, pool.p12);
        certificates += 3;
        break;
      case 'secret':
        write(
          `${base}.yaml`,
          `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s${i}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${b64(pick().pem)}\n  ca.crt: ${b64(pool.chain.root.pem)}\n`,
        );
        certificates += 2;
        break;
      case 'kubeconfig':
        write(
          `${base}-kubeconfig.yaml`,
          `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: ${b64(pool.chain.root.pem)}\n    server: https://k8s-${i}.bench.certlens.dev:6443\n  name: c${i}\nusers:\n- name: u\n  user:\n    client-certificate-data: ${b64(pick().pem)}\n`,
        );
        certificates += 2;
        break;
      case 'yaml':
        write(
          `${base}-values.yaml`,
          `tls:\n  enabled: true\n  ca: |\n${pick()
            .pem.trimEnd()
            .split('\n')
            .map((l) => '    ' + l)
            .join('\n')}\n`,
        );
        certificates += 1;
        break;
      case 'json':
        write(`${base}.json`, JSON.stringify({ name: `svc${i}`, tls: { cert: pick().pem } }, null, 2));
        certificates += 1;
        break;
    }
  }
  for (let i = 0; i < nodeModules; i++)
    write(
      `node_modules/pkg${i % 97}/lib/f${i}.${i % 10 === 0 ? 'pem' : 'js'}`,
      i % 10 === 0 ? pick().pem : sourceText(rand, 500 + Math.floor(rand() * 3000)),
    );
  write('logs/big.log', sourceText(prng(seed + 7), 5 * 1024 * 1024));
  const sources = files - certFiles - nodeModules - 1;
  const exts = ['ts', 'js', 'py', 'go', 'md', 'yaml', 'json', 'txt', 'java', 'rs'];
  for (let i = 0; i < sources; i++) {
    const r = rand();
    const size =
      r < 0.7 ? 200 + Math.floor(rand() * 4000) : r < 0.95 ? 4000 + Math.floor(rand() * 30000) : 30000 + Math.floor(rand() * 200000);
    write(`${folder(i + 7)}/src-${i}.${exts[i % exts.length]}`, sourceText(rand, size));
  }
  const info = { dir, files, seed, layout: 2, certificateFiles: certFiles, certificates, nodeModulesFiles: nodeModules };
  fs.writeFileSync(marker, JSON.stringify(info));
  return info;
}
