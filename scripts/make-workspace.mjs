#!/usr/bin/env node
// Generates a workspace of certificates made now (so expiry dates stay relative to today) plus a
// manifest describing what it holds. The manifest is the test oracle: keep it OUTSIDE the workspace.
// Needs `node esbuild.js --tests` first (uses out/test/support/certs.js).
//
//   node scripts/make-workspace.mjs DIR [--manifest FILE] [--extras] [--overwrite]
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function loadCerts() {
  const file = path.join(root, 'out', 'test', 'support', 'certs.js');
  if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run \`node esbuild.js --tests\` first`);
  return createRequire(import.meta.url)(file);
}

/**
 * Writes the workspace into `dir` and returns its manifest.
 * extras: also DER, PKCS#12, PKCS#7 and a Kubernetes TLS secret (formats beyond plain PEM).
 * @returns {{ generatedAt: string, workspace: string, certificateCount: number,
 *   files: Array<{ path: string, format: string, certificates: Array<{ cn: string, notAfter: string, daysLeft: number, keyType: string, role: string }> }>,
 *   otherFiles: string[] }}
 */
export function makeWorkspace(dir, { extras = false, overwrite = false, manifestPath } = {}) {
  const { makeKey, makeCert, makeChain, daysFromNow, pkcs12, pkcs7 } = loadCerts();
  dir = path.resolve(dir);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    if (!overwrite) throw new Error(`${dir} is not empty (pass overwrite to replace it)`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });

  const now = new Date();
  const files = [];
  const otherFiles = [];
  const info = (cert, keyType, role) => ({
    cn: cert.cn,
    notAfter: cert.notAfter.toISOString(),
    daysLeft: Math.round((cert.notAfter.getTime() - now.getTime()) / 86400000),
    keyType,
    role,
  });
  const put = (rel, data) => {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
  };
  const addCerts = (rel, format, data, certs) => {
    put(rel, data);
    files.push({ path: rel, format, certificates: certs });
  };
  const addOther = (rel, data) => {
    put(rel, data);
    otherFiles.push(rel);
  };

  const rsa = makeKey({ type: 'rsa', bits: 2048 });
  const ec = makeKey({ type: 'ec', curve: 'P-256' });
  const ec2 = makeKey({ type: 'ec', curve: 'P-256' });
  const leaf = (cn, key, from, to) => makeCert({ cn, sans: [cn], key, notBefore: daysFromNow(from, now), notAfter: daysFromNow(to, now) });

  const expired = leaf('legacy.acme-shop.net', rsa, -400, -12);
  addCerts('certs/legacy-expired.pem', 'pem', expired.pem, [info(expired, 'rsa', 'self-signed')]);
  const soon = leaf('api.acme-shop.net', ec, -87, 3);
  addCerts('certs/api.crt', 'pem', soon.pem, [info(soon, 'ec', 'self-signed')]);
  const twoMonths = leaf('mail.acme-shop.net', rsa, -300, 60);
  addCerts('certs/mail.crt', 'pem', twoMonths.pem, [info(twoMonths, 'rsa', 'self-signed')]);
  const year = leaf('internal.acme-shop.net', ec2, -1, 365);
  addCerts('certs/internal.pem', 'pem', year.pem, [info(year, 'ec', 'self-signed')]);

  // Chain in one bundle: leaf (20 days) + intermediate + root, signed properly.
  const chain = makeChain({
    leafCn: 'www.acme-shop.net',
    sans: ['www.acme-shop.net', 'acme-shop.net'],
    notBefore: daysFromNow(-70, now),
    notAfter: daysFromNow(20, now),
    keyType: 'ec',
    prefix: 'CertLens Demo',
  });
  addCerts('tls/fullchain.pem', 'pem', chain.bundlePem, [
    info(chain.leaf, 'ec', 'leaf'),
    info(chain.intermediate, 'ec', 'intermediate'),
    info(chain.root, 'ec', 'root'),
  ]);
  addOther('tls/privkey.pem', chain.leafKey.pem); // a key, not a certificate

  addOther('README.md', '# Example service\n\nTLS material for the example service. Certificates live in `certs/` and `tls/`.\n');
  addOther(
    'config/server.yaml',
    [
      'server:',
      '  listen: 8443',
      '  tls:',
      '    certificate: ../tls/fullchain.pem',
      '    key: ../tls/privkey.pem',
      'upstreams:',
      '  - url: https://api.example.test:8443',
      '    ca: ../certs/api.crt',
      '',
    ].join('\n'),
  );

  if (extras) {
    const derCert = leaf('printer.acme-shop.net', rsa, -200, 10);
    addCerts('legacy/printer.cer', 'der', derCert.der, [info(derCert, 'rsa', 'self-signed')]);
    addCerts(
      'legacy/client.p12',
      'pkcs12',
      pkcs12({ cert: chain.leaf, key: chain.leafKey, chain: [chain.intermediate], password: '', friendlyName: 'www' }),
      [info(chain.leaf, 'ec', 'leaf'), info(chain.intermediate, 'ec', 'intermediate')],
    );
    addCerts('legacy/trust.p7b', 'pkcs7', pkcs7([chain.intermediate, chain.root]), [
      info(chain.intermediate, 'ec', 'intermediate'),
      info(chain.root, 'ec', 'root'),
    ]);
    const k8s = leaf('ingress.acme-shop.net', ec, -60, 45);
    const b64 = (s) => Buffer.from(s).toString('base64');
    addCerts(
      'k8s/ingress-tls.yaml',
      'kubernetes-secret',
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: ingress-tls',
        'type: kubernetes.io/tls',
        'data:',
        `  tls.crt: ${b64(k8s.pem)}`,
        `  tls.key: ${b64(ec.pem)}`,
        '',
      ].join('\n'),
      [info(k8s, 'ec', 'self-signed')],
    );
  }

  const manifest = {
    generatedAt: now.toISOString(),
    workspace: dir,
    certificateCount: files.reduce((n, f) => n + f.certificates.length, 0),
    files,
    otherFiles,
  };
  if (manifestPath) {
    if (path.resolve(manifestPath).startsWith(dir + path.sep)) throw new Error('the manifest must live outside the workspace');
    fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  }
  return manifest;
}

/**
 * A multi-root workspace in `dir`: folders alpha and beta, each with a certificate at its top and one
 * under thirdparty/, which beta's own folder settings exclude. Returns the .code-workspace file and
 * what each folder holds (the oracle of the multi-root tests).
 */
export function makeMultiRootWorkspace(dir, { manifestPath } = {}) {
  const { makeKey, makeCert, daysFromNow } = loadCerts();
  dir = path.resolve(dir);
  const key = makeKey({ type: 'ec' });
  const folders = {
    alpha: { top: 'site.alpha-corp.net', vendored: 'vendored.alpha-corp.net', days: -3 },
    beta: { top: 'api.beta-corp.net', vendored: 'vendored.beta-corp.net', days: 200 },
  };
  const manifest = { workspaceFile: path.join(dir, 'multiroot.code-workspace'), folders: [] };
  for (const [name, f] of Object.entries(folders)) {
    const folder = path.join(dir, name);
    fs.mkdirSync(path.join(folder, 'thirdparty'), { recursive: true });
    fs.writeFileSync(
      path.join(folder, 'cert.pem'),
      // Issued long ago: its bands follow the day thresholds alone (a third of a 230-day lifetime,
      // 77 days, would start the warning band later than a folder's warningDays of 250).
      makeCert({ cn: f.top, key, notBefore: daysFromNow(-1000), notAfter: daysFromNow(f.days) }).pem,
    );
    fs.writeFileSync(
      path.join(folder, 'thirdparty', 'ca.pem'),
      makeCert({ cn: f.vendored, key, notBefore: daysFromNow(-30), notAfter: daysFromNow(100) }).pem,
    );
    const excludesThirdParty = name === 'beta';
    if (excludesThirdParty) {
      fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
      fs.writeFileSync(
        path.join(folder, '.vscode', 'settings.json'),
        JSON.stringify({ 'certlens.exclude': ['**/thirdparty/**'] }, null, 2),
      );
    }
    manifest.folders.push({
      name,
      path: folder,
      top: { cn: f.top, file: path.join(folder, 'cert.pem'), daysLeft: f.days },
      vendored: { cn: f.vendored, file: path.join(folder, 'thirdparty', 'ca.pem'), excluded: excludesThirdParty },
    });
  }
  fs.writeFileSync(manifest.workspaceFile, JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta' }], settings: {} }, null, 2));
  if (manifestPath) fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return manifest;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name) => {
    const i = args.indexOf(name);
    if (i < 0) return false;
    args.splice(i, 1);
    return true;
  };
  const option = (name) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const manifestPath = option('--manifest');
  const extras = flag('--extras');
  const overwrite = flag('--overwrite');
  if (args.length !== 1) {
    console.error('usage: make-workspace.mjs DIR [--manifest FILE] [--extras] [--overwrite]');
    process.exit(2);
  }
  try {
    const m = makeWorkspace(args[0], { extras, overwrite, manifestPath });
    console.log(`${m.certificateCount} certificates in ${m.files.length} files written to ${m.workspace}`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
