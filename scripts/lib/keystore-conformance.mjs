// Conformance of Java keystores (JKS, JCEKS, PKCS#12) with `keytool -list -v`: every certificate
// keytool lists (SHA-256 fingerprint, "until" date) must be one the engine reports, and no more.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ENGLISH = ['-J-Duser.language=en', '-J-Duser.country=US'];

export function haveKeytool() {
  return spawnSync('keytool', ['-help'], { stdio: 'ignore' }).status !== null;
}

/**
 * keytool's certificates in a keystore, as `sha256 -> notAfter ms`, or undefined when keytool cannot
 * list it. Without a password keytool still lists JKS/JCEKS (an empty answer to its prompt).
 */
export function keytoolCertificates(file, storepass) {
  const args = [...ENGLISH, '-list', '-v', '-keystore', file, ...(storepass !== undefined ? ['-storepass', storepass] : [])];
  const r = spawnSync('keytool', args, { input: '\n', encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return undefined;
  const certs = new Map();
  let until;
  for (const line of r.stdout.split('\n')) {
    const valid = /^Valid from: .* until: (.*)$/.exec(line.trim());
    if (valid) until = Date.parse(valid[1]);
    const fp = /^SHA256: ([0-9A-F:]+)$/.exec(line.trim());
    if (fp && until !== undefined) certs.set(fp[1].replace(/:/g, '').toLowerCase(), until);
  }
  return certs;
}

/** Compares the engine's certificates of one keystore file with keytool's; returns disagreement lines. */
export function compareKeystore(file, engineCerts, storepass) {
  const reference = keytoolCertificates(file, storepass);
  if (!reference) return { compared: 0, disagree: [`${file}: keytool cannot list it`] };
  const disagree = [];
  const engine = new Map(engineCerts.map((c) => [c.sha256, c]));
  for (const [sha256, until] of reference) {
    const c = engine.get(sha256);
    if (!c) disagree.push(`${file}: keytool lists ${sha256}, the engine does not`);
    else if (Math.floor(Date.parse(c.notAfter) / 1000) !== until / 1000)
      disagree.push(`${file}: ${sha256} keytool until ${new Date(until).toISOString()}, engine ${c.notAfter}`);
  }
  for (const sha256 of engine.keys())
    if (!reference.has(sha256)) disagree.push(`${file}: the engine reports ${sha256}, keytool does not list it`);
  return { compared: reference.size, disagree };
}

/**
 * Keystores made now with keytool (JKS and JCEKS with key entries, chains, trusted certificates and a
 * secret key; PKCS#12 with Java's default password), scanned by the CLI and compared with keytool.
 */
export function generatedKeystores(cli) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-keystores-'));
  try {
    const kt = (...args) => execFileSync('keytool', [...ENGLISH, ...args], { cwd: dir, stdio: 'ignore', timeout: 60_000 });
    const stores = [
      ['store.jks', 'JKS', 'storepw'],
      ['store.jceks', 'JCEKS', 'changeit'],
      ['store.p12', 'PKCS12', 'changeit'],
    ];
    for (const [file, type, pass] of stores) {
      const common = ['-keystore', file, '-storetype', type, '-storepass', pass];
      kt(
        '-genkeypair',
        ...common,
        '-keypass',
        pass,
        '-alias',
        'ca',
        '-dname',
        'CN=Conformance CA',
        '-keyalg',
        'EC',
        '-validity',
        '3650',
        '-ext',
        'bc:c',
      );
      kt(
        '-genkeypair',
        ...common,
        '-keypass',
        pass,
        '-alias',
        'server',
        '-dname',
        'CN=server.conformance.test',
        '-keyalg',
        'RSA',
        '-keysize',
        '2048',
        '-validity',
        '30',
      );
      // Sign the server's key with the CA: its entry then holds a chain of two.
      kt('-certreq', ...common, '-alias', 'server', '-file', 'server.csr');
      kt('-gencert', ...common, '-alias', 'ca', '-infile', 'server.csr', '-outfile', 'server.crt', '-validity', '90');
      kt('-exportcert', ...common, '-alias', 'ca', '-file', 'ca.crt');
      kt('-importcert', '-noprompt', ...common, '-alias', 'server', '-file', 'server.crt');
      kt('-importcert', '-noprompt', ...common, '-alias', 'trusted-ca', '-file', 'ca.crt');
      if (type === 'JCEKS') kt('-genseckey', ...common, '-keypass', pass, '-alias', 'aes', '-keyalg', 'AES', '-keysize', '128');
      for (const f of ['server.csr', 'server.crt', 'ca.crt']) fs.rmSync(path.join(dir, f));
    }
    const scan = spawnSync(process.execPath, [cli, 'scan', dir, '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8' });
    if (scan.status !== 0) return { compared: 0, disagree: [`certlens crashed on generated keystores: ${scan.stderr}`] };
    const report = JSON.parse(scan.stdout);
    let compared = 0;
    const disagree = [];
    for (const [file, , pass] of stores) {
      const abs = path.join(dir, file);
      const r = compareKeystore(
        abs,
        report.certificates.filter((c) => c.file === abs),
        pass,
      );
      compared += r.compared;
      disagree.push(...r.disagree);
      const problems = report.findings.filter((f) => f.file === abs && !f.sha256);
      for (const p of problems) disagree.push(`${abs}: unexpected finding ${p.code}: ${p.message}`);
    }
    return { compared, disagree };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
