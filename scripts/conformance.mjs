#!/usr/bin/env node
// Conformance with openssl: runs `certlens scan --format json` and `openssl x509 -noout -enddate`
// over every file in the given folders and compares every certificate's notAfter; and
// `openssl crl -noout -issuer -lastupdate -nextupdate -crlnumber` for every CRL (PEM block or DER file).
// Java keystores are compared with `keytool -list -v` (those found, and some generated at run time).
// Usage: npm run conformance -- DIR [DIR...]   (add --verbose to list every disagreement, --no-keystores to skip the generated ones)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareKeystore, generatedKeystores, haveKeytool } from './lib/keystore-conformance.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const dirs = args.filter((a) => !a.startsWith('--'));
const notFolders = dirs.filter((d) => !fs.statSync(d, { throwIfNoEntry: false })?.isDirectory());
if (dirs.length === 0 || notFolders.length) {
  if (notFolders.length) console.error(`conformance: not a folder: ${notFolders.join(', ')}`);
  console.error('usage: npm run conformance -- DIR [DIR...]');
  process.exit(2);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function opensslDate(s) {
  const m = /^(\w{3})\s+(\d+)\s+(\d\d):(\d\d):(\d\d)(?:\.\d+)?\s+(\d+)\s+GMT$/.exec(s.trim());
  if (!m) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[6]), MONTHS.indexOf(m[1]), Number(m[2]));
  d.setUTCHours(Number(m[3]), Number(m[4]), Number(m[5]), 0);
  return d.getTime();
}

/** openssl's answer for one input: a date (ms), 'bad-time', or 'unreadable'. */
function openssl(input, form) {
  const r = spawnSync('openssl', ['x509', '-noout', '-enddate', '-inform', form], { input, encoding: 'latin1' });
  if (r.status !== 0) return 'unreadable';
  const v = r.stdout.trim().replace(/^notAfter=/, '');
  return opensslDate(v) ?? 'bad-time';
}

/** The name options that print a DN as the engine does: certificate order, ", " and " + " separators, RFC 2253 escapes. */
const NAMEOPT = 'esc_2253,esc_ctrl,utf8,dump_nostr,dump_unknown,dump_der,sep_comma_plus_space,sname';

/** openssl's reading of one CRL, or 'unreadable'. */
function opensslCrl(input, form) {
  const r = spawnSync(
    'openssl',
    ['crl', '-noout', '-issuer', '-lastupdate', '-nextupdate', '-crlnumber', '-nameopt', NAMEOPT, '-inform', form],
    { input, encoding: 'utf8' },
  );
  if (r.status !== 0) return 'unreadable';
  const field = (name) => new RegExp(`^${name}=(.*)$`, 'm').exec(r.stdout)?.[1];
  const next = field('nextUpdate');
  const number = field('crlNumber');
  return {
    issuer: field('issuer') ?? '',
    thisUpdate: opensslDate(field('lastUpdate') ?? '') ?? 'bad-time',
    nextUpdate: next === undefined || next === 'NONE' ? null : (opensslDate(next) ?? 'bad-time'),
    crlNumber: number && number !== '<NONE>' ? number.replace(/^0x/, '') : null,
  };
}

/** Whether openssl reads a DER file as something that is not a certificate: a key, a CSR, an OCSP response. */
function opensslNonCertificate(file) {
  const ok = (args) => spawnSync('openssl', args, { stdio: 'ignore' }).status === 0;
  return (
    ok(['pkey', '-inform', 'DER', '-in', file, '-noout', '-passin', 'pass:']) ||
    ok(['pkey', '-pubin', '-inform', 'DER', '-in', file, '-noout']) ||
    ok(['req', '-inform', 'DER', '-in', file, '-noout']) ||
    ok(['ocsp', '-respin', file, '-noverify'])
  );
}

function listFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...listFiles(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** Sources whose certificates are base64 text inside a document: each is decoded at its range and given to openssl as DER. */
const DECODED_SOURCES = new Set(['saml', 'jwks']);

/** The text of a report range (0-based lines, UTF-16 characters) in a file's text. */
function textAt(lines, range) {
  if (range.start.line === range.end.line) return lines[range.start.line].slice(range.start.character, range.end.character);
  return [
    lines[range.start.line].slice(range.start.character),
    ...lines.slice(range.start.line + 1, range.end.line),
    lines[range.end.line].slice(0, range.end.character),
  ].join('\n');
}

/** openssl's notAfter and SHA-256 of a DER certificate, or 'unreadable'. */
function opensslDer(der) {
  const r = spawnSync('openssl', ['x509', '-noout', '-enddate', '-fingerprint', '-sha256', '-inform', 'DER'], {
    input: der,
    encoding: 'latin1',
  });
  if (r.status !== 0) return 'unreadable';
  const notAfter = opensslDate(/notAfter=(.*)/.exec(r.stdout)?.[1] ?? '');
  const sha256 = /Fingerprint=([0-9A-F:]+)/i.exec(r.stdout)?.[1].replace(/:/g, '').toLowerCase();
  return { notAfter, sha256 };
}

/**
 * SAML and JWKS certificates: the text at each certificate's range, blanks, `&#13;` and string
 * escapes removed, base64-decoded and read by openssl: its notAfter and SHA-256 must be the engine's.
 */
function compareDecoded(file, bytes, certs, tally) {
  const lines = bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split('\n');
  for (const c of certs) {
    tally.compared++;
    const base64 = textAt(lines, c.range)
      .replace(/\s+|&#(?:13|10|x0*[dDaA]);|\\+[rnt]/g, '')
      .replace(/\\\//g, '/');
    const answer = opensslDer(Buffer.from(base64, 'base64'));
    if (answer === 'unreadable')
      tally.disagree.push(`${file} ${c.source} #${c.index}: openssl cannot read the base64 at the engine's range`);
    else if (answer.sha256 !== c.sha256)
      tally.disagree.push(`${file} ${c.source} #${c.index}: SHA-256 openssl ${answer.sha256}, engine ${c.sha256}`);
    else if (answer.notAfter === undefined || Math.floor(Date.parse(c.notAfter) / 1000) !== answer.notAfter / 1000)
      tally.disagree.push(`${file} ${c.source} #${c.index}: openssl notAfter ${answer.notAfter}, engine ${c.notAfter}`);
    else {
      tally.agree++;
      tally.decoded++;
    }
  }
}

const BLOCK = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----[\s\S]*?-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;
const CRL_BLOCK = /-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g;

let exitCode = 0;
// Java keystores made now with keytool, compared with `keytool -list -v` (fingerprints, validity).
const keytool = haveKeytool();
if (keytool && !args.includes('--no-keystores')) {
  const { compared, disagree } = generatedKeystores(cli);
  console.log(
    `\ngenerated keystores (JKS, JCEKS, PKCS#12) against keytool -list -v: certificates compared: ${compared}; disagree: ${disagree.length}`,
  );
  for (const d of disagree) console.log(`    DISAGREE ${d}`);
  if (disagree.length || compared === 0) exitCode = 1;
}
for (const dir of dirs) {
  const abs = path.resolve(dir);
  const started = Date.now();
  const scan = spawnSync(
    process.execPath,
    [cli, 'scan', abs, '--format', 'json', '--fail-on', 'never', '--no-default-excludes', '--max-file-size', String(64 << 20)],
    { encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  if (scan.status !== 0) {
    console.error(`certlens crashed on ${abs} (exit ${scan.status}):\n${scan.stderr}`);
    exitCode = 1;
    continue;
  }
  const report = JSON.parse(scan.stdout);
  const certsByFile = new Map();
  for (const c of report.certificates) certsByFile.set(c.file, [...(certsByFile.get(c.file) ?? []), c]);
  const crlsByFile = new Map();
  for (const c of report.crls ?? []) crlsByFile.set(c.file, [...(crlsByFile.get(c.file) ?? []), c]);
  const problemsByFile = new Map();
  for (const f of report.findings) if (!f.sha256) problemsByFile.set(f.file, [...(problemsByFile.get(f.file) ?? []), f]);

  const tally = {
    files: 0,
    opensslFiles: 0,
    compared: 0,
    decoded: 0,
    agree: 0,
    bothRejectDate: 0,
    disagree: [],
    engineFindingOnRejected: 0,
    rejectedSilently: [],
    skippedNonCert: 0,
    engineOnly: [],
  };
  const crlTally = { compared: 0, agree: 0, disagree: [], engineOnly: 0, opensslOnly: [] };
  for (const file of listFiles(abs).sort()) {
    tally.files++;
    const bytes = fs.readFileSync(file);
    const text = bytes.toString('latin1');
    const engineCrls = [...(crlsByFile.get(file) ?? [])].sort((a, b) => a.index - b.index);
    compareCrls(file, bytes, text, engineCrls, problemsByFile.get(file) ?? [], crlTally);
    const readAsCrl = engineCrls.length > 0 && !text.includes('-----BEGIN ');
    const matches = [...text.matchAll(BLOCK)];
    const blocks = matches.map((m) => m[0]);
    // PEM inside JSON strings carries "\n" escapes: give openssl the unescaped block.
    const answers = blocks.length ? blocks.map((b) => openssl(b.replace(/\\n/g, '\n'), 'PEM')) : [openssl(bytes, 'DER')];
    const all = [...(certsByFile.get(file) ?? [])].sort((a, b) => a.index - b.index);
    const decoded = all.filter((c) => DECODED_SOURCES.has(c.source));
    if (decoded.length) compareDecoded(file, bytes, decoded, tally);
    const engine = all.filter((c) => !DECODED_SOURCES.has(c.source));
    if (decoded.length && !blocks.length && !engine.length) continue;
    const problems = problemsByFile.get(file) ?? [];
    // A JKS/JCEKS keystore: keytool is the reference (it lists them without the password).
    if (keytool && engine.some((c) => c.source === 'jks' || c.source === 'jceks')) {
      const r = compareKeystore(file, engine);
      tally.opensslFiles++;
      tally.compared += r.compared;
      tally.agree += r.compared - r.disagree.length;
      tally.disagree.push(...r.disagree);
      continue;
    }
    if (answers.every((a) => a === 'unreadable')) {
      if (engine.length) tally.engineOnly.push(`${file}: ${engine.length} certificate(s) openssl rejects`);
      if (problems.length) tally.engineFindingOnRejected++;
      else if (engine.length === 0) {
        const binaryNonCertificate = !blocks.length && bytes[0] === 0x30 && (readAsCrl || opensslNonCertificate(file));
        if (
          !binaryNonCertificate &&
          (blocks.length || (/\.(pem|crt|cer|der)$/i.test(file) && !/BEGIN (X509 CRL|.*KEY|.*REQUEST)/.test(text)))
        )
          tally.rejectedSilently.push(file);
        else tally.skippedNonCert++;
      }
      continue;
    }
    tally.opensslFiles++;
    // Engine certificates in file order; a block the engine rejected leaves a gap matched to its problem.
    const engineBlocks = blocks.length ? engine.filter((c) => c.source === 'pem' || c.source === 'inline') : engine;
    let e = 0;
    answers.forEach((answer, i) => {
      if (answer === 'unreadable') return;
      tally.compared++;
      const cert = engineBlocks[e];
      const blockLine = blocks.length ? text.slice(0, matches[i].index).split('\n').length - 1 : 0;
      if (answer === 'bad-time') {
        const flagged = problems.some((p) => p.range.start.line === blockLine);
        if (flagged) tally.bothRejectDate++;
        else
          tally.disagree.push(
            `${file} #${i}: openssl prints "Bad time value", engine ${cert ? `says ${cert.notAfter}` : 'reports nothing'}`,
          );
        if (cert && cert.range.start.line === blockLine) e++;
        return;
      }
      if (cert && (!blocks.length || cert.range.start.line === blockLine)) {
        e++;
        // openssl prints whole seconds; GeneralizedTime may carry fractions.
        if (Math.floor(Date.parse(cert.notAfter) / 1000) === answer / 1000) tally.agree++;
        else tally.disagree.push(`${file} #${i}: openssl ${new Date(answer).toISOString()}, engine ${cert.notAfter}`);
      } else {
        const p = problems.find((x) => x.range.start.line === blockLine);
        tally.disagree.push(
          `${file} #${i}: openssl ${new Date(answer).toISOString()}, engine ${p ? `rejects it: ${p.message}` : 'found nothing'}`,
        );
      }
    });
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\n${abs}  (${secs} s)`);
  console.log(`  files: ${tally.files}; files openssl reads: ${tally.opensslFiles}; certificates compared: ${tally.compared}`);
  console.log(`  SAML/JWKS certificates decoded at their range and read by openssl: ${tally.decoded} agree (SHA-256 and notAfter)`);
  console.log(`  notAfter agrees: ${tally.agree}; both reject a bad date: ${tally.bothRejectDate}; disagree: ${tally.disagree.length}`);
  console.log(
    `  files openssl cannot read: with an engine finding ${tally.engineFindingOnRejected}, without certificates to read (CRLs, keys, other) ${tally.skippedNonCert}, silently skipped ${tally.rejectedSilently.length}`,
  );
  console.log(`  files only the engine reads: ${tally.engineOnly.length}`);
  console.log(
    `  engine: ${report.stats.certificates} certificates (${report.certificates.filter((c) => c.keyType === 'EC').length} EC), ${report.findings.filter((f) => !f.sha256).length} parse findings, no crash`,
  );
  for (const d of verbose ? tally.disagree : tally.disagree.slice(0, 20)) console.log(`    DISAGREE ${d}`);
  for (const f of tally.rejectedSilently.slice(0, 20)) console.log(`    SILENT ${f}`);
  for (const f of tally.engineOnly) console.log(`    ENGINE-ONLY ${f}`);
  console.log(
    `  CRLs compared (issuer, thisUpdate, nextUpdate, number): ${crlTally.compared}; agree: ${crlTally.agree}; disagree: ${crlTally.disagree.length}; openssl reads, engine does not: ${crlTally.opensslOnly.length}; engine reads, openssl does not: ${crlTally.engineOnly}`,
  );
  for (const d of verbose ? crlTally.disagree : crlTally.disagree.slice(0, 20)) console.log(`    CRL DISAGREE ${d}`);
  for (const d of crlTally.opensslOnly.slice(0, 20)) console.log(`    CRL MISSED ${d}`);
  if (tally.disagree.length || tally.rejectedSilently.length || crlTally.disagree.length || crlTally.opensslOnly.length) exitCode = 1;
}
/** Compares each CRL openssl reads in a file (PEM blocks, or the file as DER) with the engine's, in order. */
function compareCrls(file, bytes, text, engine, problems, t) {
  const matches = [...text.matchAll(CRL_BLOCK)];
  const answers = matches.length
    ? matches.map((m) => opensslCrl(m[0].replace(/\\n/g, '\n'), 'PEM'))
    : bytes[0] === 0x30 && !text.includes('-----BEGIN ')
      ? [opensslCrl(bytes, 'DER')]
      : [];
  let e = 0;
  answers.forEach((answer, i) => {
    const line = matches.length ? text.slice(0, matches[i].index).split('\n').length - 1 : 0;
    const crl = engine[e] && engine[e].range.start.line === line ? engine[e++] : undefined;
    if (answer === 'unreadable') {
      if (crl) t.engineOnly++;
      return;
    }
    if (!crl) {
      const p = problems.find((x) => x.range.start.line === line);
      // A bad time both reject is agreement; anything else the engine missed is a disagreement.
      if (p && (answer.thisUpdate === 'bad-time' || answer.nextUpdate === 'bad-time')) t.agree++;
      else t.opensslOnly.push(`${file} #${i}: ${p ? `engine rejects it: ${p.message}` : 'engine found nothing'}`);
      t.compared++;
      return;
    }
    t.compared++;
    const sec = (iso) => (iso === null ? null : Math.floor(Date.parse(iso) / 1000) * 1000);
    const diffs = [];
    if (answer.issuer !== crl.issuer) diffs.push(`issuer "${answer.issuer}" vs "${crl.issuer}"`);
    if (answer.thisUpdate !== sec(crl.thisUpdate)) diffs.push(`thisUpdate ${answer.thisUpdate} vs ${crl.thisUpdate}`);
    if (answer.nextUpdate !== sec(crl.nextUpdate)) diffs.push(`nextUpdate ${answer.nextUpdate} vs ${crl.nextUpdate}`);
    if (answer.crlNumber !== crl.crlNumber) diffs.push(`number ${answer.crlNumber} vs ${crl.crlNumber}`);
    if (diffs.length) t.disagree.push(`${file} #${i}: openssl vs engine: ${diffs.join('; ')}`);
    else t.agree++;
  });
  // CRLs the engine reads beyond those openssl was asked about (none expected).
  t.engineOnly += engine.length - e;
}

process.exit(exitCode);
