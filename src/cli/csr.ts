import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { parseFile } from '../core/formats/parse-file';
import { hexDigest } from '../core/x509/certificate';
import {
  buildCsr,
  generateKey,
  isNewKeyAlgorithm,
  loadPrivateKey,
  NEW_KEY_ALGORITHMS,
  privateKeyPem,
  RenewalError,
  toPem,
} from '../core/renewal/csr';
import { checkOutputPath, OutputError, writeFileAtomically } from './output';

export const CSR_HELP = `Usage: certlens csr FILE [--index N] (--key KEY | --new-key ALG) --out CSR [--key-out KEY]

Writes a certificate signing request (PKCS#10, PEM) to renew a certificate of FILE: the same
subject, subject alternative names, key usage and extended key usage.

  --index N             the certificate of FILE to renew, counting from 0 in the file's order
                        (default: 0; certlens scan --format json lists them with their index)
  --key KEY             sign with the private key in KEY (PEM: PKCS#8, PKCS#1 or SEC1; RSA,
                        EC P-256/P-384/P-521 or Ed25519; not encrypted)
  --new-key ALG         make a new key here: ${NEW_KEY_ALGORITHMS.join('|')}
  --out CSR             where to write the request
  --key-out KEY         with --new-key: where to write the new key (PKCS#8 PEM, mode 0600; an
                        existing file is never replaced). The key is never printed.

Exit codes: 0 written; 2 usage or an error (nothing written).
`;

type Usage = (message: string) => Error;

/** One-based line of `offset` in `text`. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function csrCommand(args: string[], usage: Usage): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      index: { type: 'string' },
      key: { type: 'string' },
      'new-key': { type: 'string' },
      out: { type: 'string' },
      'key-out': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(CSR_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw usage('csr takes one certificate FILE');
  const [file] = positionals;
  if ((values.key === undefined) === (values['new-key'] === undefined)) throw usage('csr needs --key KEY or --new-key ALG (one of them)');
  const alg = values['new-key'];
  if (alg !== undefined && !isNewKeyAlgorithm(alg)) throw usage(`--new-key takes ${NEW_KEY_ALGORITHMS.join(', ')}, not "${alg}"`);
  if (alg !== undefined && values['key-out'] === undefined)
    throw usage('--new-key needs --key-out FILE: the new key is written only where you say');
  if (values.key !== undefined && values['key-out'] !== undefined)
    throw usage('--key-out goes with --new-key (the key of --key is not copied)');
  if (values.out === undefined) throw usage('csr needs --out FILE for the request');
  if (values.index !== undefined && !/^\d+$/.test(values.index)) throw usage(`--index needs a whole number, got "${values.index}"`);
  const index = values.index === undefined ? 0 : Number(values.index);
  checkOutputPath(values.out);
  if (values['key-out'] !== undefined) {
    checkOutputPath(values['key-out']);
    if (fs.existsSync(values['key-out'])) throw new OutputError(`${values['key-out']} exists; CertLens does not replace a key file`);
  }

  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new OutputError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const result = parseFile(file, bytes);
  const certs = result.certificates;
  if (!certs.length) {
    const problem = result.problems[0];
    throw new OutputError(problem ? `${file}:${problem.range.start.line + 1}: ${problem.message}` : `${file}: no certificate found`);
  }
  const cert = certs.find((c) => c.index === index);
  if (!cert) throw new OutputError(`${file}: no certificate ${index} (it holds ${certs.length}: --index 0 to ${certs.length - 1})`);
  const where = `${file}:${cert.range.start.line + 1}`;

  let key: crypto.KeyObject;
  if (alg !== undefined && isNewKeyAlgorithm(alg)) {
    key = generateKey(alg);
  } else {
    const keyFile = values.key ?? '';
    let text: Buffer;
    try {
      text = fs.readFileSync(keyFile);
    } catch (e) {
      throw new OutputError(`cannot read ${keyFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      key = loadPrivateKey(text);
    } catch (e) {
      const latin = text.toString('latin1');
      const at = latin.search(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      throw new OutputError(`${keyFile}${at >= 0 ? `:${lineOf(latin, at)}` : ''}: ${(e as Error).message}`);
    }
  }

  let der: Buffer;
  try {
    der = buildCsr(cert.der, key);
  } catch (e) {
    if (e instanceof RenewalError) throw new OutputError(`${values.key ?? where}: ${e.message}`);
    throw new OutputError(`${where}: cannot build a request from this certificate (${(e as Error).message})`);
  }
  if (values['key-out'] !== undefined) {
    // Written first and never replaced: a request without its key is worthless.
    try {
      fs.writeFileSync(values['key-out'], privateKeyPem(key), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      throw new OutputError(`cannot write ${values['key-out']} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  writeFileAtomically(values.out, toPem('CERTIFICATE REQUEST', der));

  const spki = hexDigest('sha256', crypto.createPublicKey(key).export({ type: 'spki', format: 'der' }));
  const sans = [...cert.sans.dns, ...cert.sans.ip, ...cert.sans.email, ...cert.sans.uri];
  const keyText =
    alg !== undefined
      ? `a new ${alg} key, written to ${values['key-out']} (mode 0600)`
      : spki === cert.spkiSha256
        ? `the certificate's own key (${values.key})`
        : `the key in ${values.key} (not the certificate's: the renewed certificate gets this key)`;
  process.stdout.write(
    `Wrote ${values.out}: a request for ${cert.subject || '(empty subject)'}` +
      `${sans.length ? ` with ${sans.length} alternative name${sans.length === 1 ? '' : 's'}` : ''}` +
      ` (from ${where}), signed with ${keyText}.\n`,
  );
  return 0;
}
