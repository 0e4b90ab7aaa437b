import * as assert from 'node:assert/strict';
import { daysFromNow, makeCert, type TestCert } from '../support/certs';
import { reportsBrokenBlocks } from '../../src/core/formats/parse-file';
import { ParseMemo } from '../../src/core/scan/memo';
import { parseText, sharedKey } from './helpers';

const codes = (name: string, text: string) => parseText(name, text).problems.map((p) => p.code);

describe('PEM headers that are not certificates', () => {
  let cert: TestCert;
  before(() => {
    cert = makeCert({ cn: 'inline.certlens.dev', key: sharedKey({ type: 'ec' }), notBefore: daysFromNow(-10), notAfter: daysFromNow(100) });
  });

  const goSource = [
    'package pemutil',
    '',
    'import (',
    '\t"fmt"',
    '\t"strings"',
    ')',
    '',
    'const pemHeader = "-----BEGIN CERTIFICATE-----"',
    'const pemFooter = "-----END CERTIFICATE-----"',
    '',
    'func encode(t string, body string) string {',
    '\treturn fmt.Sprintf("-----BEGIN %s-----\\n%s\\n-----END %s-----\\n", t, body, t)',
    '}',
    '',
    'func isCertificate(s string) bool {',
    '\treturn strings.HasPrefix(s, "-----BEGIN CERTIFICATE-----")',
    '}',
    '',
  ].join('\n');

  const markdown = [
    '# Trusting the internal CA',
    '',
    'Fetch the chain and paste the root into `ca.pem`:',
    '',
    '```',
    '$ openssl s_client -connect internal.acme.io:443 -showcerts',
    '-----BEGIN CERTIFICATE-----',
    'MIIB...',
    '-----END CERTIFICATE-----',
    '```',
    '',
    'A transcript someone quoted:',
    '',
    '> -----BEGIN CERTIFICATE-----',
    '> MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ',
    '> -----END CERTIFICATE-----',
    '',
    'Keys look like `-----BEGIN PRIVATE KEY-----` and certificates like `-----BEGIN CERTIFICATE-----`.',
    '',
  ].join('\n');

  it('reports nothing for constants, format strings and prefixes in Go source', () => {
    assert.deepEqual(codes('pemutil/pem.go', goSource), []);
    // The same text in a certificate file is broken, and said so: the test can fail.
    assert.ok(codes('pemutil/pem.pem', goSource).length > 0);
  });

  it('reports nothing for truncated examples, quoted transcripts and inline headers in Markdown', () => {
    assert.deepEqual(codes('docs/tls.md', markdown), []);
    assert.deepEqual(codes('docs/tls.rst', markdown), []);
    assert.deepEqual(codes('notes.txt', markdown), []);
    assert.ok(codes('docs/tls.crt', markdown).length >= 2);
  });

  it('still reports a certificate that decodes, in a Python test string', () => {
    const python = [
      'import ssl',
      '',
      'CERT = """',
      cert.pem.trimEnd(),
      '"""',
      '',
      `ESCAPED = "${cert.pem.trimEnd().replace(/\n/g, '\\n')}"`,
      'TRUNCATED = "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----"',
      '',
      'def test_load():',
      '    ssl.PEM_cert_to_DER_cert(CERT)',
      '',
    ].join('\n');
    const r = parseText('tests/test_tls.py', python);
    assert.deepEqual(
      r.certificates.map((c) => c.subjectCN),
      ['inline.certlens.dev', 'inline.certlens.dev'],
    );
    assert.deepEqual(r.problems, [], 'the truncated one is not reported');
  });

  it('reports nothing for a broken base64-encoded PEM or certificate key in source code', () => {
    const ts = 'export const secret = {\n  "tls.crt": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIuLi4=",\n  "ca.crt": "CA1",\n};\n';
    assert.deepEqual(codes('src/fixtures.ts', ts), []);
    assert.ok(codes('k8s/secret.json', ts).length > 0, 'in a config file they are errors');
  });

  it('still reports a broken block in a certificate file', () => {
    assert.deepEqual(codes('certs/broken.pem', '-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n'), ['invalid-base64']);
    assert.deepEqual(codes('certs/cut.crt', '-----BEGIN CERTIFICATE-----\nMIIB\n'), ['pem-unterminated']);
    assert.deepEqual(codes('certs/server.key', '-----BEGIN PRIVATE KEY-----\nMIIB\n'), ['pem-unterminated']);
  });

  it('still reports a placeholder in a config file (a test fixture gets a hint from its context instead)', () => {
    const yaml = 'apiVersion: v1\nkind: Secret\ndata:\n  ca.crt: "CA1"\n  tls.crt: "n0t-base64!"\n';
    assert.deepEqual(codes('deploy/secret.yaml', yaml), ['invalid-certificate', 'invalid-base64']);
    assert.deepEqual(codes('tests/secret.yaml', yaml), ['invalid-certificate', 'invalid-base64'], 'parsing does not look at the context');
    for (const name of [
      'app.properties',
      '.env',
      '.env.example',
      'nginx.conf',
      'app.toml',
      'settings.ini',
      'app.cfg',
      'web.xml',
      'values.yml',
    ]) {
      assert.deepEqual(codes(name, '-----BEGIN CERTIFICATE-----\nMIIB\n'), ['pem-unterminated'], name);
    }
  });

  it('reports nothing for a PEM block whose whole body is a template placeholder (<rsa private key>, ${TLS_CRT}, {{ .Values.crt }})', () => {
    // lego's DNS provider descriptors: a service-account JSON with its key elided in angle brackets.
    const toml = "Example = '''\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----<rsa private key>-----END PRIVATE KEY-----\" \\\n'''\n";
    assert.deepEqual(codes('providers/dns/yandexcloud/yandexcloud.toml', toml), []);
    assert.deepEqual(
      codes('deploy/values.yaml', 'tls:\n  crt: |\n    -----BEGIN CERTIFICATE-----\n    ${TLS_CRT}\n    -----END CERTIFICATE-----\n'),
      [],
    );
    assert.deepEqual(codes('app.env', 'CA="-----BEGIN CERTIFICATE-----\\n{{ .Values.ca | b64dec }}\\n-----END CERTIFICATE-----"\n'), []);
    assert.deepEqual(codes('app.toml', 'ca = """\n-----BEGIN CERTIFICATE-----\n$CA_CERT\n-----END CERTIFICATE-----\n"""\n'), []);
    // Base64 with a placeholder inside it, or two of them, is a broken body: still reported.
    assert.deepEqual(codes('app.toml', 'ca = """\n-----BEGIN CERTIFICATE-----\nMIIB<cut>\n-----END CERTIFICATE-----\n"""\n'), [
      'invalid-base64',
    ]);
    assert.deepEqual(codes('certs/ca.pem', '-----BEGIN CERTIFICATE-----\n<first half>\n<second half>\n-----END CERTIFICATE-----\n'), [
      'invalid-base64',
    ]);
  });

  it('reports nothing for PEM markers around a regular expression that cuts blocks out of text', () => {
    // fedora-infra/ansible: an Ansible task keeps only the certificate of a file with regex_search.
    const task = `- name: Install IDP certificate
  ansible.builtin.copy:
    content: "{{ lookup('ansible.builtin.file', 'idp.crt')
            | regex_search('-----BEGIN CERTIFICATE-----\\n[^-]*\\n-----END CERTIFICATE-----',
            multiline=True) }}\\n"
    dest: /usr/share/zabbix/conf/certs/idp.crt
`;
    assert.deepEqual(codes('roles/zabbix/tasks/install.yml', task), []);
    assert.deepEqual(codes('deploy/extract.yaml', 'pattern: "-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----"\n'), []);
    assert.deepEqual(
      codes('app.toml', "cert_re = '-----BEGIN CERTIFICATE-----\\n(?P<body>[A-Za-z0-9+/=\\s]+)\\n-----END CERTIFICATE-----'\n"),
      [],
    );
    // Base64 beside a wildcard, or two wildcards, is not one pattern: still reported.
    assert.deepEqual(codes('app.toml', 'ca = """\n-----BEGIN CERTIFICATE-----\nMIIB.*\n-----END CERTIFICATE-----\n"""\n'), [
      'invalid-base64',
    ]);
    assert.deepEqual(codes('certs/ca.pem', '-----BEGIN CERTIFICATE-----\n.*\n.*\n-----END CERTIFICATE-----\n'), ['invalid-base64']);
  });

  it('says which delimiter line has a sixth dash, which makes OpenSSL skip the block', () => {
    // wikimedia/operations-puppet's puppet_ca.pem: the second certificate of a bundle, "------BEGIN" and "------END".
    const body = cert.pem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('\n');
    const text = `${cert.pem}------BEGIN CERTIFICATE-----\n${body}\n------END CERTIFICATE-----\n`;
    const problems = parseText('modules/profile/files/puppetserver/puppet_ca.pem', text).problems;
    assert.equal(problems.length, 1);
    assert.equal(problems[0].code, 'invalid-base64');
    const beginLine = text.split('\n').findIndex((l) => l.startsWith('------BEGIN')) + 1;
    assert.match(problems[0].message, new RegExp(`BEGIN line with more than five dashes.*do not read the block \\(line ${beginLine}\\)$`));
    const onlyEnd = `-----BEGIN CERTIFICATE-----\n${body}\n------END CERTIFICATE-----\n`;
    const endLine = onlyEnd.split('\n').findIndex((l) => l.startsWith('------END')) + 1;
    assert.match(
      parseText('ca.pem', onlyEnd).problems[0].message,
      new RegExp(`END line with more than five dashes.*\\(line ${endLine}\\)$`),
    );
    assert.match(
      parseText('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n').problems[0].message,
      /holds the character "%"/,
    );
  });

  it('knows a kubeconfig by its content, whatever its name', () => {
    const kubeconfig =
      'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIuLi4=\n    server: https://k8s.acme.io:6443\n';
    assert.deepEqual(codes('.kube/config', kubeconfig), ['pem-unterminated']);
    assert.equal(reportsBrokenBlocks('/home/u/.kube/config'), false, 'by name it is not a config file');
  });

  it('does not share a memoised result between files that differ in this (same extension, same bytes)', () => {
    const memo = new ParseMemo();
    const bytes = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n');
    assert.equal(memo.parse('/ws/Makefile', bytes, {}).problems.length, 0);
    assert.equal(memo.parse('/ws/.env', bytes, {}).problems.length, 1);
    assert.equal(memo.parse('/ws/LICENSE', bytes, {}).problems.length, 0);
  });
});

describe('PEM in config file comments', () => {
  let cert: TestCert;
  before(() => {
    cert = makeCert({
      cn: 'commented.certlens.dev',
      key: sharedKey({ type: 'ec' }),
      notBefore: daysFromNow(-10),
      notAfter: daysFromNow(100),
    });
  });

  it('gives no finding for a broken block or value that is documentation in a comment', () => {
    const values = [
      'ingress:',
      '  ## key and certificate should start with -----BEGIN CERTIFICATE----- or',
      '  ## -----BEGIN RSA PRIVATE KEY-----',
      '  ## e.g:',
      '  ## secrets:',
      '  ##   - name: site-tls',
      '  ##     certificate: |-',
      '  ##       -----BEGIN CERTIFICATE-----',
      '  ##       ...',
      '  ##       -----END CERTIFICATE-----',
      '  secrets: []',
      '#    value:',
      '#      ca.crt: |',
      '#        LS0tLS1CRUdJT0K',
      '#      cert.crt: "LS0tLS1CRUdJTiBlRJRklDQVRFLS0tLS0K"',
      '',
    ].join('\n');
    assert.deepEqual(codes('values.yaml', values), []);
    assert.deepEqual(codes('app.properties', '# tls.cert=-----BEGIN CERTIFICATE----- paste here\nserver.port=8443\n'), []);
  });

  it('reads a certificate commented out line by line as not in use, and still reports a broken block that is a value', () => {
    const commented = cert.pem
      .trimEnd()
      .split('\n')
      .map((l) => `# ${l}`)
      .join('\n');
    const r = parseText('values.yaml', `tls:\n${commented}\n`);
    assert.deepEqual([r.certificates.length, r.problems.length], [0, 0]);
    assert.deepEqual(
      parseText(
        'values.yaml',
        `tls:\n  crt: |\n${cert.pem
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}\n`,
      ).certificates.map((c) => c.subjectCN),
      ['commented.certlens.dev'],
    );
    assert.deepEqual(
      codes('values.yaml', 'tls:\n  crt: |\n    -----BEGIN CERTIFICATE-----\n    MIIB...\n    -----END CERTIFICATE-----\n'),
      ['invalid-base64'],
    );
  });
});
