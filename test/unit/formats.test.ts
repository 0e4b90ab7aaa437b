import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { daysFromNow, makeCert, makeChain, makeCrl, pkcs12, pkcs7, type TestCert } from '../support/certs';
import { mayHoldCertificates, parseFile } from '../../src/core/formats/parse-file';
import { findPemBlocks } from '../../src/core/formats/pem';
import { placeCertificate } from '../../src/core/model';
import { parseText, positionOf, sharedKey, tempDir } from './helpers';
import * as fs from 'node:fs';
import * as path from 'node:path';

describe('file formats', () => {
  let ec: TestCert;
  let rsa: TestCert;
  let other: TestCert;
  before(() => {
    ec = makeCert({ cn: 'ec.certlens.dev', key: sharedKey({ type: 'ec' }), notBefore: daysFromNow(-5), notAfter: daysFromNow(20) });
    rsa = makeCert({ cn: 'rsa.certlens.dev', key: sharedKey({ type: 'rsa' }), notBefore: daysFromNow(-5), notAfter: daysFromNow(200) });
    other = makeCert({
      cn: 'other.certlens.dev',
      key: sharedKey({ type: 'ed25519' }),
      notBefore: daysFromNow(-400),
      notAfter: daysFromNow(-3),
    });
  });

  describe('PEM', () => {
    it('finds every block of a bundle with exact ranges and indexes', () => {
      const text = ec.pem + rsa.pem + other.pem;
      const r = parseText('bundle.pem', text);
      assert.deepEqual(
        r.certificates.map((c) => c.subjectCN),
        ['ec.certlens.dev', 'rsa.certlens.dev', 'other.certlens.dev'],
      );
      assert.deepEqual(
        r.certificates.map((c) => c.index),
        [0, 1, 2],
      );
      assert.deepEqual(
        r.certificates.map((c) => c.source),
        ['pem', 'pem', 'pem'],
      );
      const ends = text
        .split('\n')
        .map((l, i) => [l, i] as const)
        .filter(([l]) => l.startsWith('-----END'));
      r.certificates.forEach((c, i) => {
        assert.deepEqual(c.range.start, positionOf(text, '-----BEGIN CERTIFICATE-----', i));
        assert.deepEqual(c.range.end, { line: ends[i][1], character: ends[i][0].length });
      });
      assert.equal(r.problems.length, 0);
    });

    it('reads blocks between text (an openssl -text dump), with CRLF and a UTF-8 BOM', () => {
      const dump = execFileSync('openssl', ['x509', '-text'], { input: rsa.pem }).toString();
      const text = '\ufeff' + ('Intro line\n' + dump + 'between\n' + ec.pem + 'trailer\n').replace(/\n/g, '\r\n');
      const r = parseFile('/ws/dump.crt', Buffer.from(text, 'utf8'));
      assert.deepEqual(
        r.certificates.map((c) => c.subjectCN),
        ['rsa.certlens.dev', 'ec.certlens.dev'],
      );
      const withoutBom = text.slice(1);
      assert.deepEqual(r.certificates[1].range.start, positionOf(withoutBom, '-----BEGIN CERTIFICATE-----', 1));
      assert.equal(r.certificates[1].range.end.character, '-----END CERTIFICATE-----'.length, 'the range ends before the CR');
    });

    it('accepts X509 CERTIFICATE and TRUSTED CERTIFICATE labels', () => {
      const trusted = execFileSync('openssl', ['x509', '-addtrust', 'serverAuth'], { input: ec.pem }).toString();
      assert.match(trusted, /BEGIN TRUSTED CERTIFICATE/);
      const x509 = rsa.pem.replace(/CERTIFICATE/g, 'X509 CERTIFICATE');
      const r = parseText('labels.pem', trusted + x509);
      assert.deepEqual(
        r.certificates.map((c) => c.subjectCN),
        ['ec.certlens.dev', 'rsa.certlens.dev'],
      );
      assert.equal(
        r.certificates[0].sha256,
        parseText('x.pem', ec.pem).certificates[0].sha256,
        'trust data after the certificate is not hashed',
      );
    });

    it('skips keys, CSRs and CRLs without errors, and pairs the key with its certificate', () => {
      const key = sharedKey({ type: 'ec' });
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'k.pem'), key.pem);
      const csr = execFileSync('openssl', ['req', '-new', '-key', path.join(dir, 'k.pem'), '-subj', '/CN=csr']).toString();
      fs.rmSync(dir, { recursive: true });
      const crl = makeCrl({ issuer: { cert: ec, key }, thisUpdate: daysFromNow(-1), nextUpdate: daysFromNow(300) }).pem;
      const r = parseText('mixed.pem', key.pem + csr + crl + ec.pem);
      assert.equal(r.certificates.length, 1);
      assert.equal(r.crls.length, 1);
      assert.equal(r.problems.length, 0);
      // A cut-off CRL block is a broken CRL, not a broken certificate.
      const cut = '-----BEGIN X509 CRL-----\nMIIBHDCBwwIBATAKBggqhkjOPQQDAjAVMRMwEQYDVQQDDApUZXN0IENSTCBDQRcN\n-----END X509 CRL-----\n';
      assert.deepEqual(
        parseText('cut.pem', cut).problems.map((p) => p.code),
        ['invalid-crl'],
      );
      assert.equal(r.privateKeys.length, 1);
      assert.equal(r.privateKeys[0].spkiSha256, r.certificates[0].spkiSha256);
      assert.ok(!JSON.stringify(r.privateKeys).includes(key.pem.split('\n')[1]), 'no key material is kept');
    });

    it('stops at maxCertificates and says how many more the file holds', () => {
      const r = parseFile('/ws/many.pem', Buffer.from(ec.pem.repeat(5) + rsa.pem.repeat(3)), { maxCertificates: 4 });
      assert.equal(r.certificates.length, 4);
      assert.equal(r.problems.length, 1);
      assert.equal(r.problems[0].code, 'too-many-certificates');
      assert.match(r.problems[0].message, /first 4 certificates .* 4 more/);
      assert.equal(parseFile('/ws/many.pem', Buffer.from(ec.pem.repeat(5) + rsa.pem.repeat(3))).certificates.length, 8);
    });

    it('gives the same result from its block cache as from a fresh parse, across edits', () => {
      const cache = new Map();
      const first = ec.pem + rsa.pem;
      parseFile('/ws/edit.pem', Buffer.from(first), { blockCache: cache });
      assert.equal(cache.size, 2);
      const edited = `# a comment typed above\n${rsa.pem}${ec.pem}${other.pem}`;
      const cached = parseFile('/ws/edit.pem', Buffer.from(edited), { blockCache: cache });
      const fresh = parseFile('/ws/edit.pem', Buffer.from(edited));
      const view = (r: typeof fresh) => r.certificates.map(({ der, ...c }) => ({ ...c, der: Buffer.from(der).toString('hex') }));
      assert.deepEqual(view(cached), view(fresh));
      assert.deepEqual(
        cached.certificates.map((c) => c.range.start.line),
        [1, 1 + rsa.pem.trimEnd().split('\n').length, fresh.certificates[2].range.start.line],
      );
      assert.equal(cache.size, 3);
    });

    it('reads PEM indented in a YAML block scalar with the range of the block', () => {
      const indented = ec.pem
        .trimEnd()
        .split('\n')
        .map((l) => '    ' + l)
        .join('\n');
      const text = `apiVersion: v1\nkind: ConfigMap\ndata:\n  ca.pem: |\n${indented}\n  other: x\n`;
      const r = parseText('cm.yaml', text);
      assert.equal(r.certificates.length, 1);
      assert.equal(r.certificates[0].source, 'inline');
      assert.deepEqual(r.certificates[0].range.start, { line: 4, character: 4 });
      assert.deepEqual(r.certificates[0].range.end, { line: 4 + ec.pem.trimEnd().split('\n').length - 1, character: 4 + 25 });
    });

    it('reads PEM inside a JSON string with \\n escapes', () => {
      const text = JSON.stringify({ name: 'svc', tls: { cert: ec.pem } }, null, 2);
      const r = parseText('config.json', text);
      assert.equal(r.certificates.length, 1);
      assert.equal(r.certificates[0].subjectCN, 'ec.certlens.dev');
      assert.deepEqual(r.certificates[0].range.start, positionOf(text, '-----BEGIN'));
    });

    it('reads PEM compiled into source code as a string literal split over lines, with the range of the block', () => {
      const lines = ec.pem.trimEnd().split('\n');
      // C's adjacent literals as firmware embeds its root CAs (Azure IoT C SDK's certs.c, ArduinoIoTCloud),
      // with \r\n escapes, a macro's `\` continuations and the `""\n"` variant; Java/JS `+`; one C literal
      // continued with `\` at line ends; PHP's `.`.
      const forms: Record<string, string> = {
        'certs.c': `const char certificates[] =\n/* Root */\n${lines.map((l) => `"${l}\\r\\n"`).join('\n')};\n`,
        'certs.h': `#define ROOT_CA_PEM \\\n${lines.map((l) => `    "${l}\\n" \\`).join('\n')}\n\nint x;\n`,
        'sample.c': `static const char* cert =\n${lines.map((l) => `"${l}""\\n"`).join('\n')};\n`,
        'Roots.java': `String root =\n${lines.map((l) => `    "${l}\\n"`).join(' +\n')};\n`,
        'roots.js': `const root =\n${lines.map((l) => `  '${l}\\n'`).join(' +\n')};\n`,
        'cont.c': `const char *ca = "${lines.map((l) => `${l}\\n\\`).join('\n')}\n";\n`,
        'roots.php': `$ca = "${lines.join('\\n" .\n  "')}\\n";\n`,
      };
      for (const [file, text] of Object.entries(forms)) {
        const r = parseText(file, text);
        assert.deepEqual(
          r.certificates.map((c) => c.subjectCN),
          ['ec.certlens.dev'],
          file,
        );
        assert.equal(r.certificates[0].sha256, parseText('x.pem', ec.pem).certificates[0].sha256, file);
        assert.deepEqual(r.certificates[0].range.start, positionOf(text, '-----BEGIN'), file);
        assert.deepEqual(
          r.certificates[0].range.end,
          { ...positionOf(text, '-----END'), character: positionOf(text, '-----END').character + 25 },
          file,
        );
      }
      // A commented-out literal, or text between the lines, is not a string literal's join: not read.
      assert.equal(parseText('old.c', lines.map((l) => `// "${l}\\n"`).join('\n')).certificates.length, 0);
      assert.equal(parseText('mixed.c', lines.map((l) => `"${l}\\n" x`).join('\n')).certificates.length, 0);
    });

    it('reads DER certificates compiled into source code as arrays of hex bytes (xxd -i), with the range of the bytes', () => {
      const rows = (der: Uint8Array, separator: string) => {
        const hex = [...der].map((b) => `0x${b.toString(16).padStart(2, '0')}`);
        const out: string[] = [];
        for (let i = 0; i < hex.length; i += 12) out.push('  ' + hex.slice(i, i + 12).join(separator));
        return out;
      };
      const xxd = `#include <stdint.h>\n/* the root */\nconst unsigned char root_ca_der[] = {\n${rows(rsa.der, ', ').join(',\n')}\n};\nunsigned int root_ca_der_len = ${rsa.der.length};\n`;
      const r = parseText('root_ca.h', xxd);
      assert.deepEqual(
        r.certificates.map((c) => c.subjectCN),
        ['rsa.certlens.dev'],
      );
      assert.equal(r.certificates[0].sha256, parseText('x.pem', rsa.pem).certificates[0].sha256);
      assert.deepEqual(r.certificates[0].range.start, positionOf(xxd, '0x30'));
      const lastRow = rows(rsa.der, ', ').at(-1) ?? '';
      assert.deepEqual(r.certificates[0].range.end, { line: positionOf(xxd, '\n};').line, character: lastRow.length });
      // Two certificates in one array, in a macro continued with `\`, bytes without spaces.
      const macro = `#define CA_BUNDLE { \\\n${[...rows(ec.der, ','), ...rows(rsa.der, ',')].map((l) => `${l}, \\`).join('\n')}\n}\n`;
      assert.deepEqual(
        parseText('bundle.c', macro).certificates.map((c) => c.subjectCN),
        ['ec.certlens.dev', 'rsa.certlens.dev'],
      );
      // Only in the languages that compile certificates in as bytes: the sniff and the parse agree.
      const der = (name: string) => [mayHoldCertificates(name, Buffer.from(xxd)), parseText(name, xxd).certificates.length];
      assert.deepEqual(
        [der('root_ca.h'), der('Roots.java'), der('certs.rs'), der('x.ino')],
        [
          [true, 1],
          [true, 1],
          [true, 1],
          [true, 1],
        ],
      );
      assert.deepEqual(
        [der('notes.txt'), der('dump.py'), der('page.html')],
        [
          [false, 0],
          [false, 0],
          [false, 0],
        ],
      );
      const table = 'static const uint8_t digits[] = { 0x30, 0x31, 0x32, 0x30,0x30, 0x30,  0x82 };\n';
      assert.equal(mayHoldCertificates('t.c', Buffer.from(table)), false, '0x30 followed by other bytes');
      assert.equal(mayHoldCertificates('t.c', Buffer.from(table + xxd)), true, 'the array after them');
      assert.equal(
        mayHoldCertificates('t.c', Buffer.from('static const uint8_t cut[] = { 0x30, 0x8')),
        false,
        'a file ending inside the marker',
      );
      // A public key's DER, a certificate cut short and a mere `0x30, 0x82` are not certificates, and not problems.
      const key = sharedKey({ type: 'rsa' });
      const spki = execFileSync('openssl', ['pkey', '-pubout', '-outform', 'DER'], { input: key.pem });
      for (const text of [
        `const uint8_t KEY[] = {\n${rows(spki, ', ').join(',\n')}\n};\n`,
        `const uint8_t CUT[] = {\n${rows(rsa.der.subarray(0, 300), ', ').join(',\n')}\n};\n`,
        'if (b[0] == 0x30, 0x82) {}\n',
      ]) {
        const parsed = parseText('key.c', text);
        assert.deepEqual([parsed.certificates.length, parsed.problems.length], [0, 0], text.slice(0, 40));
      }
    });

    it('sniffs any text file for PEM certificates', () => {
      const r = parseText('notes.md', `# Our cert\n\n\`\`\`\n${rsa.pem}\`\`\`\n`);
      assert.equal(r.certificates.length, 1);
      assert.equal(r.certificates[0].source, 'inline');
    });

    it('reports invalid base64, a missing END and corrupt DER at the block, and keeps the other blocks', () => {
      const lines = ec.pem.split('\n');
      lines[3] = lines[3].slice(0, 10) + '!' + lines[3].slice(11);
      const badB64 = lines.join('\n');
      const der = Buffer.from(rsa.der);
      der[der.length - 300] ^= 0xff;
      der[4] = 0x30;
      const corrupt = `-----BEGIN CERTIFICATE-----\n${der.subarray(0, der.length - 40).toString('base64')}\n-----END CERTIFICATE-----\n`;
      const unterminated = '-----BEGIN CERTIFICATE-----\nMIIB\n';
      const text = badB64 + other.pem + corrupt + rsa.pem + unterminated;
      const r = parseText('broken.pem', text);
      assert.deepEqual(
        r.certificates.map((c) => c.subjectCN),
        ['other.certlens.dev', 'rsa.certlens.dev'],
      );
      const codes = r.problems.map((p) => p.code);
      assert.deepEqual(codes, ['invalid-base64', 'invalid-certificate', 'pem-unterminated']);
      assert.match(r.problems[0].message, /"!".*not base64.*line 4/);
      assert.deepEqual(r.problems[0].range.start, { line: 0, character: 0 });
      assert.deepEqual(r.problems[1].range.start, positionOf(text, '-----BEGIN CERTIFICATE-----', 2));
      assert.deepEqual(r.problems[2].range.start, positionOf(text, '-----BEGIN CERTIFICATE-----', 4));
    });
  });

  describe('binary containers', () => {
    it('reads a DER certificate', () => {
      const r = parseFile('/ws/cert.der', ec.der);
      assert.equal(r.certificates.length, 1);
      assert.equal(r.certificates[0].source, 'der');
      assert.equal(r.certificates[0].subjectCN, 'ec.certlens.dev');
    });

    it('reports a truncated DER file as a finding', () => {
      const r = parseFile('/ws/cert.cer', ec.der.subarray(0, 100));
      assert.equal(r.certificates.length, 0);
      assert.equal(r.problems[0].code, 'invalid-certificate');
      assert.match(r.problems[0].message, /truncated|declares/);
    });

    it('reads every certificate of a PKCS#7, PEM and DER, including EC ones', () => {
      for (const [name, bytes] of [
        ['b.p7b', Buffer.from(pkcs7([ec, rsa, other]))],
        ['b.p7c', pkcs7([ec, rsa, other], { der: true })],
      ] as const) {
        const r = parseFile(`/ws/${name}`, bytes);
        assert.deepEqual(
          r.certificates.map((c) => c.subjectCN).sort(),
          ['ec.certlens.dev', 'other.certlens.dev', 'rsa.certlens.dev'],
          name,
        );
        assert.ok(r.certificates.every((c) => c.source === 'pkcs7'));
      }
    });

    it('opens a PKCS#12 with an empty password and keeps EC certificates node-forge cannot parse', () => {
      const chain = makeChain({ leafCn: 'p12.certlens.dev', notBefore: daysFromNow(-1), notAfter: daysFromNow(10), keyType: 'ec' });
      const bytes = pkcs12({ key: chain.leafKey, cert: chain.leaf, chain: [chain.intermediate, chain.root] });
      const r = parseFile('/ws/id.p12', bytes);
      assert.deepEqual(r.certificates.map((c) => c.subjectCN).sort(), [
        'CertLens Fixture Intermediate CA',
        'CertLens Fixture Root CA',
        'p12.certlens.dev',
      ]);
      assert.ok(r.certificates.every((c) => c.keyType === 'EC' && c.source === 'pkcs12'));
      assert.equal(
        r.certificates.find((c) => c.subjectCN === 'p12.certlens.dev')?.sha256,
        parseText('x.pem', chain.leaf.pem).certificates[0].sha256,
      );
      const leaf = r.certificates.find((c) => c.role === 'leaf');
      assert.ok(leaf?.chain && leaf.chain.members.length === 3);
    });

    it('opens legacy (RC2/3DES) RSA PKCS#12 files too', () => {
      const r = parseFile('/ws/legacy.pfx', pkcs12({ key: sharedKey({ type: 'rsa' }), cert: rsa, legacy: true }));
      assert.deepEqual(
        r.certificates.map((c) => c.subjectCN),
        ['rsa.certlens.dev'],
      );
    });

    it('reports a password-protected PKCS#12 as locked, and a wrong password as such', () => {
      const bytes = pkcs12({ cert: ec, key: sharedKey({ type: 'ec' }), password: 's3cret-pass' });
      const locked = parseFile('/ws/locked.p12', bytes);
      assert.equal(locked.certificates.length, 0);
      assert.equal(locked.problems[0].code, 'pkcs12-locked');
      const wrong = parseFile('/ws/locked.p12', bytes, { pkcs12Password: () => 'nope' });
      assert.equal(wrong.problems[0].code, 'pkcs12-wrong-password');
      const open = parseFile('/ws/locked.p12', bytes, { pkcs12Password: () => 's3cret-pass' });
      assert.equal(open.certificates[0]?.subjectCN, 'ec.certlens.dev');
      assert.ok(!JSON.stringify([locked, wrong, open].map((r) => r.problems)).includes('s3cret'), 'the password never appears in findings');
    });

    it('reports garbage in a .p12 as invalid without throwing', () => {
      const r = parseFile('/ws/bad.p12', Buffer.from('definitely not asn.1'));
      assert.equal(r.problems[0].code, 'pkcs12-invalid');
    });
  });

  describe('Kubernetes, kubeconfig, inline base64', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');

    it('reads Secret data and stringData, ConfigMap PEM and webhook caBundle across documents', () => {
      const pemIndented = rsa.pem
        .trimEnd()
        .split('\n')
        .map((l) => '    ' + l)
        .join('\n');
      const text = [
        'apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: web-tls\ndata:\n' +
          `  tls.crt: ${b64(ec.pem + other.pem)}\n  tls.key: ${b64('not a key')}\n  custom.pem: ${b64(rsa.pem)}\n`,
        `apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\nstringData:\n  ca.crt: |\n${pemIndented}\n`,
        `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nwebhooks:\n- name: v.certlens.dev\n  clientConfig:\n    caBundle: ${b64(other.pem)}\n`,
        `apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nspec:\n  caBundle: ${ec.der.toString('base64')}\n`,
      ].join('---\n');
      const r = parseText('manifests.yaml', text);
      const got = r.certificates.map((c) => `${c.subjectCN}/${c.source}/${c.range.start.line}`);
      const line = (needle: string, n = 0) => positionOf(text, needle, n).line;
      assert.deepEqual(
        got.sort(),
        [
          `ec.certlens.dev/inline/${line('caBundle', 1)}`,
          `ec.certlens.dev/k8s-secret/${line('tls.crt')}`,
          `other.certlens.dev/inline/${line('caBundle')}`,
          `other.certlens.dev/k8s-secret/${line('tls.crt')}`,
          `rsa.certlens.dev/k8s-secret/${line('-----BEGIN')}`,
          `rsa.certlens.dev/k8s-secret/${line('custom.pem')}`,
        ].sort(),
      );
      const tls = r.certificates.filter((c) => c.range.start.line === line('tls.crt'));
      assert.deepEqual(tls[0].range.start, { line: line('tls.crt'), character: '  tls.crt: '.length });
      assert.equal(tls[0].range.end.character, '  tls.crt: '.length + b64(ec.pem + other.pem).length);
      assert.deepEqual(
        tls.map((c) => c.index),
        [tls[0].index, tls[0].index + 1],
      );
      assert.equal(r.problems.length, 0);
    });

    it('reports a certificate value that is not base64 at the value', () => {
      const text = 'apiVersion: v1\nkind: Secret\ndata:\n  tls.crt: "LS0t!!notbase64"\n  ca.crt: ${CA_BUNDLE}\n';
      const r = parseText('bad-secret.yaml', text);
      assert.equal(r.certificates.length, 0);
      assert.equal(r.problems.length, 1);
      assert.equal(r.problems[0].code, 'invalid-base64');
      assert.deepEqual(r.problems[0].range.start, positionOf(text, 'LS0t!!'));
    });

    it('reads kubeconfig *-data values and resolves file paths relative to it', () => {
      const text = [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- cluster:',
        `    certificate-authority-data: ${b64(ec.pem)}`,
        '    server: https://k8s.certlens.dev:6443',
        '  name: prod',
        '- cluster:',
        '    certificate-authority: ../pki/ca.crt',
        '  name: dev',
        'users:',
        '- name: admin',
        '  user:',
        `    client-certificate-data: ${b64(rsa.pem)}`,
      ].join('\n');
      const r = parseText('kube/config', text);
      assert.deepEqual(
        r.certificates.map((c) => `${c.subjectCN}/${c.source}/${c.range.start.line}`),
        ['ec.certlens.dev/kubeconfig/4', 'rsa.certlens.dev/kubeconfig/13'],
      );
      assert.deepEqual(
        r.references.map((x) => [x.target, x.range.start.line, x.range.start.character]),
        [['/ws/pki/ca.crt', 8, '    certificate-authority: '.length]],
      );
    });

    it('takes no format-string placeholder for a file path (a kubeconfig inside a Go format string)', () => {
      const text = [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- cluster:',
        '    certificate-authority: %s',
        '  name: a',
        '- cluster:',
        '    certificate-authority: %-20v',
        '  name: b',
        'users:',
        '- name: u',
        '  user:',
        '    client-certificate: %s',
        '- name: v',
        '  user:',
        '    client-certificate: certs/%s.pem',
      ].join('\n');
      const r = parseText('kube/config', text);
      // Only the last is a path with a placeholder inside it: it is read as written, like any path.
      assert.deepEqual(
        r.references.map((x) => [x.target, x.range.start.line]),
        [['/ws/kube/certs/%s.pem', 15]],
      );
    });

    it('reads base64 PEM in .env files and JSON values', () => {
      const env = `# tls\nAPI_URL=https://api.certlens.dev\nTLS_CERT_B64=${b64(ec.pem)}\nTLS_PEM="${rsa.pem.replace(/\n/g, '\\n')}"\n`;
      const r = parseText('.env', env);
      assert.deepEqual(
        r.certificates.map((c) => [c.subjectCN, c.range.start.line]),
        [
          ['rsa.certlens.dev', 3],
          ['ec.certlens.dev', 2],
        ],
      );
      const json = JSON.stringify({ caData: b64(other.pem) });
      assert.equal(parseText('settings.json', json).certificates[0]?.subjectCN, 'other.certlens.dev');
    });
  });

  describe('chains', () => {
    it('gives roles and the earliest-expiring member of a bundle chain', () => {
      const chain = makeChain({ leafCn: 'chain.certlens.dev', notBefore: daysFromNow(-1), notAfter: daysFromNow(300), keyType: 'ec' });
      const r = parseText('chain.pem', chain.bundlePem);
      assert.deepEqual(
        r.certificates.map((c) => c.role),
        ['leaf', 'intermediate', 'root'],
      );
      const leaf = r.certificates[0];
      assert.deepEqual(leaf.chain?.members, [0, 1, 2]);
      assert.equal(leaf.chain?.earliestIndex, 0);
      assert.equal(leaf.chain?.earliestNotAfter, leaf.notAfter);
    });

    it('names the intermediate when it expires before the leaf', () => {
      const rootKey = sharedKey({ type: 'ec' });
      const intKey = sharedKey({ type: 'ec', curve: 'P-384' });
      const root = makeCert({ cn: 'Early Root', key: rootKey, ca: true, notBefore: daysFromNow(-100), notAfter: daysFromNow(3000) });
      const inter = makeCert({
        cn: 'Early Intermediate',
        key: intKey,
        ca: true,
        issuer: { cert: root, key: rootKey },
        notBefore: daysFromNow(-100),
        notAfter: daysFromNow(15),
      });
      const leaf = makeCert({
        cn: 'late.certlens.dev',
        key: sharedKey({ type: 'ed25519' }),
        issuer: { cert: inter, key: intKey },
        notBefore: daysFromNow(-1),
        notAfter: daysFromNow(200),
      });
      const r = parseText('chain.pem', leaf.pem + inter.pem + root.pem);
      assert.equal(r.certificates[0].chain?.earliestIndex, 1);
      assert.equal(r.certificates[0].chain?.earliestNotAfter, r.certificates[1].notAfter);
    });

    it('treats unrelated roots in a CA bundle as separate roots without chains', () => {
      const a = makeCert({
        cn: 'Root A',
        key: sharedKey({ type: 'ec' }),
        ca: true,
        notBefore: daysFromNow(-1),
        notAfter: daysFromNow(999),
      });
      const b = makeCert({
        cn: 'Root B',
        key: sharedKey({ type: 'ed25519' }),
        ca: true,
        notBefore: daysFromNow(-1),
        notAfter: daysFromNow(999),
      });
      const r = parseText('ca-bundle.crt', a.pem + b.pem);
      assert.deepEqual(
        r.certificates.map((c) => [c.role, c.chain]),
        [
          ['root', undefined],
          ['root', undefined],
        ],
      );
    });
  });

  describe('copies and bodies', () => {
    it('sniffs structured config by each key that can hold a certificate, alone', () => {
      const der = Buffer.from(ec.der).toString('base64');
      const only = {
        'tls.crt': `data:\n  tls.crt: ${der}\n`,
        'ca.crt': `data:\n  ca.crt: ${der}\n`,
        caBundle: `webhooks:\n- clientConfig:\n    caBundle: ${der}\n`,
        'certificate-authority-data': `clusters:\n- cluster:\n    certificate-authority-data: ${der}\n`,
        'client-certificate-data': `users:\n- user:\n    client-certificate-data: ${der}\n`,
      };
      for (const [key, text] of Object.entries(only)) {
        assert.ok(mayHoldCertificates('x.yaml', Buffer.from(text)), key);
        assert.equal(parseFile('x.yaml', Buffer.from(text)).certificates.length, 1, key);
      }
      for (const key of ['certificate-authority', 'client-certificate']) {
        const text = `apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- user:\n    ${key}: /etc/pki/x.crt.not\n`;
        assert.ok(mayHoldCertificates('kubeconfig', Buffer.from(text.replace('.crt', ''))), key);
        assert.equal(parseFile('kubeconfig', Buffer.from(text.replace('.crt', ''))).references.length, 1, key);
      }
      assert.ok(!mayHoldCertificates('values.yaml', Buffer.from('image: nginx\ncertificate: none\nauthority: x\n')));
    });

    it('placeCertificate copies every field of a parsed certificate', () => {
      const chain = makeChain({
        leafCn: 'copy.certlens.dev',
        sans: ['copy.certlens.dev', '10.0.0.1'],
        notBefore: daysFromNow(-5),
        notAfter: daysFromNow(30),
        keyType: 'rsa',
      });
      const [leaf] = parseText('chain.pem', chain.leaf.pem + chain.intermediate.pem).certificates;
      const placed = placeCertificate(leaf, {
        file: leaf.file,
        range: leaf.range,
        source: leaf.source,
        index: leaf.index,
        role: leaf.role,
        chain: leaf.chain,
      });
      // Every key the parser sets, defined or not, so that a field added to the parser and not to the copy fails here.
      assert.deepEqual(Object.keys(placed).sort(), Object.keys(leaf).sort());
      assert.deepEqual(placed, leaf);
      assert.ok(leaf.chain && leaf.subjectKeyId && leaf.authorityKeyId && leaf.keyBits, 'the sample sets the optional fields');
    });

    it('cleans PEM bodies exactly as the NOISE and BASE64 expressions define, on every kind of separator', () => {
      // The oracle: the definition in pem.ts, restated.
      const NOISE = /\\+[rnt]|\s/g;
      const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
      const LITERAL_JOIN = /["'][\s\\+.,]*["']|\\\r?\n/g;
      const der = Buffer.from(ec.der).toString('base64');
      const pieces = [
        '\n',
        '\r\n',
        ' ',
        '\t',
        '\\n',
        '\\\\n',
        '\\r\\n',
        '\\t',
        '\u00a0',
        '\f',
        '\v',
        '\\x',
        '-',
        '_',
        '*',
        '=',
        '==',
        '\u2028',
        'é',
        '\\',
      ];
      let seed = 7;
      const seen = { valid: 0, invalid: 0 };
      const rand = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
      const base = der.replace(/=+$/, '').slice(0, 60);
      const edges = ['=', '==', '===', '=\n', '=\n=', '= =', '=\\n=', '=A', '==\n\n', '\\', '\\\\', '\\\\t', '\\q'].map(
        (tail) => base + tail,
      );
      for (let round = 0; round < 400 + edges.length; round++) {
        // Lines cut at random widths, joined by one separator, sometimes with one odd piece inserted.
        const separator = pieces[rand(8)];
        const lines: string[] = [];
        for (let i = 0; i < der.length;) {
          const width = 4 + rand(76);
          lines.push(der.slice(i, i + width));
          i += width;
        }
        let raw = round >= 400 ? edges[round - 400] : lines.join(separator);
        if (round < 400 && rand(2) === 0) {
          const at = rand(raw.length + 1);
          raw = raw.slice(0, at) + pieces[rand(pieces.length)] + raw.slice(at);
        }
        const text = `-----BEGIN CERTIFICATE-----\n${raw}\n-----END CERTIFICATE-----\n`;
        const [block] = findPemBlocks(text);
        // Read again: a certificate body seen before comes from the known bodies, and must be the same.
        assert.deepEqual(findPemBlocks(text)[0], block, JSON.stringify(raw));
        const plain = raw.replace(NOISE, '');
        // Else the lines of a string literal joined (no piece here is a quote; a `\` may end a line,
        // the block's own included).
        const body = BASE64.test(plain) ? plain : `\n${raw}\n`.replace(LITERAL_JOIN, '').replace(NOISE, '');
        const valid = BASE64.test(body) && body.length % 4 !== 1;
        assert.equal(!block.error, valid, JSON.stringify(raw));
        seen[valid ? 'valid' : 'invalid']++;
        if (valid) assert.equal(block.body, body);
      }
      assert.ok(seen.valid > 50 && seen.invalid > 50, JSON.stringify(seen));
    });

    it('reads a certificate block seen before from its text alone: one character changed is read anew', () => {
      const known = ec.pem;
      assert.equal(findPemBlocks(known)[0].error, undefined);
      const lines = known.split('\n');
      for (const bad of ['*', '\u00e9', '-']) {
        const changed = [...lines.slice(0, 3), bad + lines[3].slice(1), ...lines.slice(4)].join('\n');
        assert.equal(findPemBlocks(changed)[0].error?.code, 'invalid-base64', bad);
      }
      const rewrapped = known.replace(/\n(?!-)/g, '\r\n');
      assert.equal(findPemBlocks(rewrapped)[0].body, findPemBlocks(known)[0].body, 'the same body, whatever the line breaks');
    });
  });
});
