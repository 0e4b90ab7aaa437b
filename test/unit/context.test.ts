import * as assert from 'node:assert/strict';
import {
  applyNonProductionPolicy,
  classifyFile,
  ContextClassifier,
  contentVerdict,
  contextByFolder,
  type FileContext,
  withCertificateContent,
} from '../../src/core/context';
import { fakeCertificate } from './helpers';
import { DAY_MS, type CertificateRecord, type Finding } from '../../src/core/model';
import { buildReport, type HostJson } from '../../src/core/report/schema';
import { meetsThreshold, toCsv, toMarkdown, toSarif, toTable } from '../../src/core/report/formats';

const RANGE = { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } };

describe('file context', () => {
  it('knows the test conventions of the major ecosystems', () => {
    for (const p of [
      'test/a.pem',
      'tests/a.pem',
      'src/__tests__/a.pem',
      'spec/fixtures/a.pem',
      'pkg/tls/testdata/a.pem',
      'test-data/a.pem',
      'fixtures/a.pem',
      'web/__fixtures__/a.pem',
      'mocks/a.pem',
      'src/test/resources/keystore.p12',
      'app/src/androidTest/res/a.pem',
      'crypto/tls/handshake_test.go',
      'src/tls.test.ts',
      'src/tls.spec.js',
      'pkg/test_tls.py',
      'pkg/tls_test.py',
      'lib/tls_spec.rb',
      'tests/cli/run.t',
      'Tests/Certs/a.pem',
      'src/MyApp.Tests/certs/a.pem',
      'src/MyApp.UnitTests/a.pem',
      'e2e/a.pem',
      'src/main/java/TlsTest.java',
      'src/TlsTests.cs',
      'src/main/java/TlsIT.java',
      'integration/resources/tls/ca.cert',
      'internal/testing/certs/a.pem',
      'caddytest/leafcert.pem',
      'net/http/httptest/a.pem',
      'test/e2e_test/a.pem',
      'api-tests/a.pem',
      'server_tests/a.pem',
      'benchmarks/tls/a.pem',
      'benches/a.pem',
      'pkg/testcerts/testcerts.go',
      'pilot/status/test-cert/cert.crt',
      'internal/testutil/a.pem',
      'testserver/a.pem',
      't/certs/etcd.pem',
      'test-network-k8s/kube/fabric-rest-sample.yaml',
      'internal/acceptance/pomerium/config.yaml',
      'acceptance/suites/a.pem',
      'spring-cloud-gateway-integration-tests/http2/src/main/resources/sample.jks',
      'cmd/load_e2e_tests/a.pem',
      'test-network-nano-bash/a.pem',
      'pkg/test_helpers_v2/a.pem',
      '.github/workflows/root.cert',
      '.github/actions/setup/ca.pem',
      '.circleci/certs/a.pem',
      '.buildkite/a.crt',
      '.gitlab/ci/tls.crt',
      // dotenv files that Vite, Next.js, Create React App and dotenv-flow load only in development or test mode.
      '.env.development',
      '.env.development.local',
      'web/.env.test',
      '.env.test.local',
      // A Vagrant VM's settings (govuk-puppet's hieradata for its local VMs) and Vagrant's state folder.
      'hieradata_aws/vagrant.yaml',
      'hieradata_aws/vagrant_credentials.yaml',
      'hiera.vagrant.yaml',
      'data/colo/vagrant.yaml',
      'scripts/vagrant-linux-bootstrap.sh',
      '.vagrant/machines/default/virtualbox/private_key',
      // Mbed TLS's test certificates where firmware vendors it: its framework submodule's data, 2.x's certs.c.
      'components/mbedtls/mbedtls/framework/data_files/server5.crt',
      'framework/data_files/dir-maxpath/c20.pem',
      'app/mbedtls/library/certs.c',
      'mbedtls/library/certs.c',
    ])
      assert.equal(classifyFile(p), 'test', p);
  });

  it('knows examples, documentation and vendored code', () => {
    const expect: Record<string, FileContext> = {
      'examples/nginx/tls.crt': 'example',
      'example/a.pem': 'example',
      'samples/a.pem': 'example',
      'sample/a.pem': 'example',
      'demo/a.pem': 'example',
      'docs/setup.pem': 'documentation',
      'doc/a.txt': 'documentation',
      'README.md': 'documentation',
      'guide/tls.markdown': 'documentation',
      'guide/tls.adoc': 'documentation',
      'guide/tls.asciidoc': 'documentation',
      'guide/tls.rst': 'documentation',
      'man/mosquitto.conf.5.xml': 'documentation',
      'src/man/tool.1': 'documentation',
      'src/plugins/vici/perl/Vici-Session/README.pod': 'documentation',
      'vendor/github.com/x/y/a.pem': 'vendored',
      'third_party/boringssl/a.pem': 'vendored',
      'third-party/a.pem': 'vendored',
      'external/a.pem': 'vendored',
      'node_modules/x/a.pem': 'vendored',
      'Vendor/a.pem': 'vendored',
      'lib/nghttp2-1.65.0/src/test.example.com.pem': 'vendored',
      'lib/c-ares-1.34.6/test/a.pem': 'vendored',
      'lib/monkey/deps/mbedtls-2.4.2/tests/data_files/server5.crt': 'vendored',
      'lib/wasm-micro-runtime-WAMR-2.4.1/a.pem': 'vendored',
      'plugins/filter_geoip2/libmaxminddb-1.12.2/t/a.pem': 'vendored',
      'deps/openssl-v3.0.13/a.pem': 'vendored',
      'data/assets/ssl-example/cert.pem': 'example',
      'nginx_examples/tls.crt': 'example',
      'example-app/certs/a.pem': 'example',
      'spring-boot-samples/x/src/main/resources/keystore.p12': 'example',
      'grpc-demo/a.pem': 'example',
      'sample_configs/a.pem': 'example',
    };
    for (const [p, c] of Object.entries(expect)) assert.equal(classifyFile(p), c, p);
  });

  it('leaves production paths alone, also when a name only looks like a convention', () => {
    for (const p of [
      'deploy/tls.crt',
      'k8s/secret.yaml',
      'config/ca.pem',
      'src/main/resources/keystore.p12',
      'latest/a.pem',
      'contest/a.pem',
      'testing.pem',
      'attest/a.pem',
      'src/Contest.java',
      'src/SPLIT.java',
      'protest.t.bak',
      'docsite.pem',
      'tls.mdx.bak',
      'vendors.pem',
      'a.pem',
      'specification/a.pem',
      'test.pem',
      'examples.yaml',
      'github/a.pem',
      'deps/rabbitmq_codegen/amqp-1.0/a.pem',
      'deploy/api-v2/a.pem',
      'releases/1.2.3/a.pem',
      'releases/v1.2.3/a.pem',
      'config/tls-2024.01/a.pem',
      'certs/ca-2.pem',
      'openssl-3.0.13.pem',
      'releases/latest/a.pem',
      'greatest/a.pem',
      'contests/a.pem',
      'fastest/a.pem',
      'testament/a.pem',
      'testimonials/a.pem',
      'testy/a.pem',
      'src/t/a.pem',
      'counterexamples/a.pem',
      'testament-v2/a.pem',
      'testimonials_page/a.pem',
      'api-latest/a.pem',
      'node_contest/a.pem',
      'release-greatest-hits/a.pem',
      'charts-latest-v2/a.pem',
      'resample/a.pem',
      'ssl-examples.pem',
      'config/example.com/tls.crt',
      'upsample-v2/a.pem',
      'demographics/a.pem',
      '.env',
      '.env.production',
      '.env.local',
      '.env.production.local',
      'deploy/.env.staging',
      '.env.developer-portal',
      // A Puppet module that installs Vagrant on real hosts, and names that only contain the word.
      'modules/vagrant/templates/mwvagrant.erb',
      'modules/vagrant/files/ca.pem',
      'modules/vagrant/templates/labs-vagrant.erb',
      'vagrants.pem',
      'Vagrantfile',
      'scripts/data_files/error.fmt',
      'data_files/ca.pem',
      'myframework/data_files/ca.pem',
      'sdk/library/certs.c',
      'mbedtls/port/certs.c',
      'manifests/tls.crt',
      'human/a.pem',
      'config/man.pem',
    ])
      assert.equal(classifyFile(p), 'production', p);
  });

  it('applies the precedence vendored > test > example > documentation', () => {
    assert.equal(classifyFile('vendor/x/test/a.pem'), 'vendored');
    assert.equal(classifyFile('test/vendor/a.pem'), 'vendored');
    assert.equal(classifyFile('examples/tests/a.pem'), 'test');
    assert.equal(classifyFile('docs/tls_test.go'), 'test');
    assert.equal(classifyFile('docs/examples/x.md'), 'example');
    assert.equal(classifyFile('examples/README.md'), 'example');
    assert.equal(classifyFile('docs/a.pem'), 'documentation');
  });

  it('lets user globs win over conventions; among them the same precedence', () => {
    const c = new ContextClassifier({
      production: ['examples/deploy/**'],
      test: ['qa/**', 'examples/deploy/fake/**'],
      vendored: ['**/*.vendored.pem'],
      documentation: [''],
    });
    assert.equal(c.classify('examples/deploy/tls.crt'), 'production');
    assert.equal(c.classify('examples/other/tls.crt'), 'example');
    assert.equal(c.classify('examples/deploy/fake/tls.crt'), 'test');
    assert.equal(c.classify('qa/tls.crt'), 'test');
    assert.equal(c.classify('tests/x.vendored.pem'), 'vendored');
    assert.equal(c.classify('.hidden/tests/a.pem'), 'test');
    assert.equal(c.classify('examples\\deploy\\tls.crt'), 'production', 'backslashes are separators');
  });

  it('classifies files relative to the deepest folder holding them, else to the fallback', () => {
    const contextOf = contextByFolder(new ContextClassifier(), ['/ws/tests', '/ws'], '/home/u');
    assert.equal(contextOf('/ws/tests/a.pem'), 'production', 'the scanned folder itself is no clue');
    assert.equal(contextOf('/ws/tests/docs/a.pem'), 'documentation');
    assert.equal(contextOf('/ws/vendor/a.pem'), 'vendored');
    assert.equal(contextOf('/home/u/test/a.pem'), 'test');
    assert.equal(contextOf('/home/u/a.pem'), 'production');
    assert.equal(contextOf('/wsx/test.pem'), 'production', 'a folder is a whole path segment');
  });

  it('classifies 20,000 paths in a few microseconds each', () => {
    const dirs = [
      'src',
      'pkg/tls',
      'internal/server',
      'test',
      'docs/guide',
      'vendor/github.com/acme/lib',
      'examples/nginx',
      'deploy/k8s/overlays/prod',
      'lib/Acme.Tests',
      'app/src/main/resources',
    ];
    const names = [
      'server.go',
      'server_test.go',
      'README.md',
      'tls.crt',
      'index.test.ts',
      'values.yaml',
      'CertTest.java',
      'notes.rst',
      'ca.pem',
      'main.py',
    ];
    const paths: string[] = [];
    for (let i = 0; i < 20_000; i++) paths.push(`${dirs[i % dirs.length]}/m${i % 97}/${names[(i * 7) % names.length]}`);
    const plain = new ContextClassifier();
    const withGlobs = new ContextClassifier({ production: ['examples/nginx/**'], test: ['**/qa/**', 'deploy/**/staging/**'] });
    // The best of five rounds: the machine is shared, and the first round warms the JIT up.
    const time = (c: ContextClassifier) => {
      let best = Infinity;
      let counted = 0;
      for (let round = 0; round < 5; round++) {
        counted = 0;
        const t0 = performance.now();
        for (const p of paths) if (c.classify(p) !== 'production') counted++;
        best = Math.min(best, performance.now() - t0);
      }
      return { us: (best * 1000) / paths.length, counted };
    };
    time(plain); // the first rounds run before the JIT has optimised classify
    const a = time(plain);
    const b = time(withGlobs);
    console.log(
      `      classify: ${a.us.toFixed(2)} µs/path by conventions, ${b.us.toFixed(2)} µs/path with 3 user globs (20,000 paths, ${a.counted} non-production)`,
    );
    assert.ok(a.us < 20 && b.us < 40, `${a.us} / ${b.us} µs per path`);
  });
});

describe('non-production policy', () => {
  const finding = (file: string, severity: Finding['severity']): Finding => ({
    file,
    range: RANGE,
    severity,
    code: 'expired',
    message: `m ${file}`,
  });
  const findings = [
    finding('/ws/deploy/a.pem', 'error'),
    finding('/ws/test/a.pem', 'error'),
    finding('/ws/docs/b.md', 'warning'),
    finding('/ws/vendor/c.pem', 'hint'),
  ];
  const contextOf = contextByFolder(new ContextClassifier(), ['/ws'], '/');

  it('hint: lowers every finding outside production to a hint, keeping code and message', () => {
    const out = applyNonProductionPolicy(findings, contextOf, 'hint');
    assert.deepEqual(
      out.map((f) => f.severity),
      ['error', 'hint', 'hint', 'hint'],
    );
    assert.deepEqual(
      out.map((f) => `${f.code} ${f.message}`),
      findings.map((f) => `${f.code} ${f.message}`),
    );
    assert.equal(findings[1].severity, 'error', 'the input is not changed');
  });

  it('normal keeps everything; exclude drops findings outside production', () => {
    assert.deepEqual(applyNonProductionPolicy(findings, contextOf, 'normal'), findings);
    assert.deepEqual(
      applyNonProductionPolicy(findings, contextOf, 'exclude').map((f) => f.file),
      ['/ws/deploy/a.pem'],
    );
  });
});

describe('report with contexts and hints', () => {
  const NOW = Date.parse('2026-06-01T00:00:00Z');
  const cert = (file: string): CertificateRecord => ({
    subject: 'CN=t',
    subjectCN: 't',
    issuer: 'CN=t',
    issuerCN: 't',
    sans: { dns: [], ip: [], email: [], uri: [] },
    serial: '01',
    notBefore: NOW - 100 * DAY_MS,
    notAfter: NOW - DAY_MS,
    sha256: `sha-${file}`,
    sha1: 'bb',
    spkiSha256: 'cc',
    keyType: 'EC',
    keyBits: 256,
    curve: 'P-256',
    signatureAlgorithm: 'ecdsa-with-SHA256',
    signatureAlgorithmOid: '1.2.840.10045.4.3.2',
    isCA: false,
    selfSigned: true,
    keyUsage: [],
    extendedKeyUsage: [],
    subjectRaw: 's',
    issuerRaw: 's',
    file,
    range: RANGE,
    source: 'pem',
    index: 0,
    role: 'leaf',
    der: new Uint8Array(),
  });
  const contextOf = contextByFolder(new ContextClassifier(), ['/ws'], '/');
  const certs = [cert('/ws/deploy/a.pem'), cert('/ws/test/b.pem')];
  const findings: Finding[] = [
    { file: '/ws/deploy/a.pem', range: RANGE, severity: 'error', code: 'expired', message: 'a expired', sha256: 'sha-/ws/deploy/a.pem' },
    { file: '/ws/test/b.pem', range: RANGE, severity: 'hint', code: 'expired', message: 'b expired', sha256: 'sha-/ws/test/b.pem' },
    { file: '/ws/test/c.yaml', range: RANGE, severity: 'hint', code: 'invalid-base64', message: 'c broken' },
    { file: '/ws/k8s/d.yaml', range: RANGE, severity: 'info', code: 'pkcs12-locked', message: 'd locked' },
  ];
  const host = {
    host: 'api.acme.io',
    port: 443,
    references: [
      { file: '/ws/test/e.env', range: RANGE, source: 'url' },
      { file: '/ws/k8s/f.yaml', range: RANGE, source: 'url' },
    ],
  } as HostJson;
  const report = buildReport(
    certs,
    findings,
    NOW,
    { files: 4, ms: 1 },
    { contextOf, hosts: [host, { ...host, host: 'qa.acme.io', references: [host.references[0]] }] },
  );

  it('writes the context of every certificate, finding and host, and counts both sides', () => {
    assert.deepEqual(
      report.certificates.map((c) => c.context),
      ['production', 'test'],
    );
    assert.deepEqual(
      report.findings.map((f) => f.context),
      ['production', 'test', 'test', 'production'],
    );
    assert.deepEqual(
      report.hosts?.map((h) => h.context),
      ['production', 'test'],
    );
    assert.deepEqual(report.summary, {
      production: { certificates: 1, findings: 2, expired: 1, error: 1, warning: 0, info: 1, hint: 0 },
      nonProduction: { certificates: 1, findings: 2, expired: 1, error: 0, warning: 0, info: 0, hint: 2 },
    });
    assert.equal(report.version, 1, 'additions only: still version 1');
    const unknown = buildReport(certs, findings, NOW, { files: 4, ms: 1 });
    assert.ok(
      unknown.certificates.every((c) => c.context === 'production'),
      'without contextOf everything is production',
    );
  });

  it('writes hints as SARIF level none (info stays note), with the context as a property', () => {
    const results = JSON.parse(toSarif(report, '0.0.0')).runs[0].results as { level: string; properties: { context: string } }[];
    assert.deepEqual(
      results.map((r) => r.level),
      ['error', 'none', 'none', 'note'],
    );
    assert.deepEqual(
      results.map((r) => r.properties.context),
      ['production', 'test', 'test', 'production'],
    );
  });

  it('adds a last CSV column and Markdown columns for the context', () => {
    const csv = toCsv(report).trim().split('\r\n');
    assert.match(csv[0], /,chainEarliestNotAfter,context,owners$/);
    assert.match(csv[2], /,test,$/);
    const md = toMarkdown(report, '/ws');
    assert.match(md, /\| File \| Context \|/);
    assert.match(md, /\| hint \| expired \| b expired \| test\/b\.pem:1 \| test \|/);
  });

  it('lists no hint problems in the table, only counts them', () => {
    const table = toTable(report, false, '/ws');
    assert.match(table, /k8s\/d\.yaml:1:1: info: d locked/);
    assert.doesNotMatch(table, /c broken/);
    assert.match(table, /1 problem in test, example, documentation or vendored files not listed/);
    assert.match(table, /4 findings \(2 hints\)/);
  });

  it('says in the table, without colour, what each certificate has, production first', () => {
    const at = (file: string, daysLeft: number) => ({ ...cert(file), notAfter: NOW + daysLeft * DAY_MS, sha256: `sha-${file}` });
    const expired = (file: string, severity: Finding['severity']): Finding => ({
      file,
      range: RANGE,
      severity,
      code: 'expired',
      message: `${file} expired`,
      sha256: `sha-${file}`,
    });
    // The test fixture expired first: by expiry alone it would head the table.
    const mixed = buildReport(
      [at('/ws/test/old.pem', -900), at('/ws/deploy/live.pem', -2), at('/ws/deploy/fine.pem', 400), at('/ws/vendor/ca.pem', 40)],
      [expired('/ws/test/old.pem', 'hint'), expired('/ws/deploy/live.pem', 'error')],
      NOW,
      { files: 4, ms: 1 },
      { contextOf },
    );
    const lines = toTable(mixed, false, '/ws').split('\n');
    assert.match(lines[0], /^STATUS\s+EXPIRES\s+DAYS\s+SUBJECT/);
    const rows = lines.filter((l) => l.includes('.pem:'));
    assert.deepEqual(
      rows.map((l) => [l.split(/\s{2,}/)[0], l.split(/\s{2,}/).pop()]),
      [
        ['error', 'deploy/live.pem:1'],
        ['ok', 'deploy/fine.pem:1'],
        // Outside production the file says why it is there.
        ['hint (test)', 'test/old.pem:1 (its folder `test/` marks a test file)'],
        ['ok (vendored)', 'vendor/ca.pem:1 (its folder `vendor/` marks a vendored file)'],
      ],
    );
    assert.equal(lines[3], '');
    assert.equal(lines[4], 'IN TEST, EXAMPLE, DOCUMENTATION OR VENDORED FILES');
    // Only one side: no heading, the context is still in each row.
    const onlyTests = toTable(
      buildReport([at('/ws/test/old.pem', -900)], [expired('/ws/test/old.pem', 'hint')], NOW, { files: 1, ms: 1 }, { contextOf }),
      false,
      '/ws',
    );
    assert.doesNotMatch(onlyTests, /IN TEST/);
    assert.match(onlyTests, /\nhint \(test\)\s+\S+\s+-900\s/);
  });

  it('puts production first in Markdown, with the rest and the hints folded under <details>', () => {
    const md = toMarkdown(report, '/ws');
    assert.match(md, /: 2 certificates \(1 in production files\), 4 findings \(2 hints\)\./);
    const [open, folds] = [md.split('<details>')[0], md.split('<details>').slice(1)];
    assert.match(open, /\| deploy\/a\.pem:1 \| production \|/);
    assert.doesNotMatch(open, /test\/b\.pem/, 'the test certificate is not in the open table');
    assert.match(
      folds[0],
      /^\n<summary>1 certificate in test, example, documentation or vendored files<\/summary>\n\n\|[^]*\| test\/b\.pem:1 \| test \|[^]*<\/details>/,
    );
    // Findings: error and info open, the two hints folded.
    const findings = md.slice(md.indexOf('## Findings')).split('<details>')[0];
    assert.match(findings, /\| error \| expired \| a expired \|/);
    assert.match(findings, /\| info \| pkcs12-locked \| d locked \|/);
    assert.doesNotMatch(findings, /\| hint \|/);
    assert.match(
      folds[1],
      /<summary>2 hints \(findings in test, example, documentation or vendored files\)<\/summary>[^]*\| hint \| invalid-base64 \| c broken \|/,
    );
    const none = toMarkdown(buildReport([], [], NOW, { files: 0, ms: 1 }, { contextOf }));
    assert.match(none, /No certificates in production files\./);
    assert.doesNotMatch(none, /<details>|## Findings/);
  });

  it('orders hint below info for --fail-on', () => {
    assert.equal(meetsThreshold('hint', 'info'), false);
    assert.equal(meetsThreshold('hint', 'hint'), true);
    assert.equal(meetsThreshold('info', 'hint'), true);
    assert.equal(meetsThreshold('error', 'hint'), true);
    assert.equal(meetsThreshold('hint', 'never'), false);
  });
});

describe('file context: conventions of repositories not seen before, and reasons', () => {
  const explain = (p: string) => new ContextClassifier().explain(p);

  it('knows example copies, local-development files, fuzz corpora, CI, suites and development folders', () => {
    const cases: [string, FileContext, RegExp][] = [
      ['certs.example/server.crt', 'example', /folder `certs\.example\/`/],
      ['config/artifacts.example/ca.pem', 'example', /folder `artifacts\.example\/`/],
      ['conf.sample/tls.pem', 'example', /conf\.sample/],
      ['config/app.yml.example', 'example', /name `app\.yml\.example`/],
      ['config/parameters.yml.dist', 'example', /name/],
      ['certs/server.sample.crt', 'example', /name/],
      ['internal/suites/example/compose/nginx/backend/ssl/server.crt', 'test', /folder `suites\/`/],
      ['seed/users.localdev.yml', 'test', /name `users\.localdev\.yml`/],
      ['docker-compose.dev.yml', 'test', /name/],
      ['xmlenc/corpus/5a1c.xml', 'test', /fuzzing inputs/],
      ['xmlenc/crashers/0f9e.pem', 'test', /fuzzing inputs/],
      ['.gitlab-ci/terraform.yml', 'test', /holds CI/],
      ['client/.snapshots/TestHandler-case=1.json', 'test', /folder `\.snapshots\/`/],
      ['src/__snapshots__/tls.test.ts.snap', 'test', /__snapshots__/],
      ['oryx/jsonx/fixture/embed/4.json', 'test', /folder `fixture\/`/],
      ['internal/httpclient/api/openapi.yaml', 'documentation', /name `openapi\.yaml`/],
      ['spec/swagger.json', 'test', /spec/],
      ['api/petstore.openapi.json', 'documentation', /name/],
      ['tools/stress_testing/add_test_users.py', 'test', /stress_testing/],
      ['load-testing/ca.pem', 'test', /load-testing/],
      ['molecule/default/playbook.yml', 'test', /Molecule/],
      ['driver/config/stub/.kratos.yaml', 'test', /folder `stub\/`/],
      ['hacks/manifests/rules.yaml', 'test', /local development/],
      ['contrib/quickstart/kratos/kratos.yml', 'example', /quickstart/],
      ['src/Sso/appsettings.QA.json', 'test', /appsettings\.QA\.json/],
      ['src/Api/appsettings.Development.json', 'test', /name/],
      ['dev.yaml', 'test', /name `dev\.yaml`/],
      ['config/local.env', 'test', /name/],
      ['stable/backstage/files/app-config.development.yaml.tpl', 'test', /app-config\.development\.yaml\.tpl/],
      ['helm/charts/oathkeeper/templates/configmap-config-demo.yaml', 'example', /configmap-config-demo\.yaml/],
      ['charts/app/ci/ingress-values.yaml', 'test', /holds CI/],
      ['hack/certs/ca.pem', 'test', /local development/],
      ['dev/tls_cluster/certs/server.pem', 'test', /local development/],
    ];
    for (const [p, context, reason] of cases) {
      const v = explain(p);
      assert.equal(v.context, context, p);
      assert.match(v.reason, reason, p);
    }
  });

  it('keeps production paths production, with no reason to give', () => {
    for (const p of [
      'deploy/tls.crt',
      'certs/server.crt',
      'config/app.yml',
      'devices/ca.pem',
      'distribution/ca.pem',
      'corpus-tools/ca.pem',
      'circle/ca.pem',
      'charts/app/values.yaml',
      'examplecorp/ca.pem',
    ]) {
      assert.deepEqual(explain(p), { context: 'production', reason: '' }, p);
    }
  });

  it('says which user glob decided', () => {
    const v = new ContextClassifier({ production: ['examples/prod/**'] }).explain('examples/prod/tls.crt');
    assert.deepEqual(v, { context: 'production', reason: 'it matches a production context glob you set' });
  });

  it('takes a certificate file whose certificates are all for development as a test file, and says why', () => {
    const dev = (over: Partial<CertificateRecord>) => fakeCertificate(Date.now(), { source: 'pem', ...over });
    const localhost = dev({ sans: { dns: ['localhost'], ip: ['127.0.0.1'], email: [], uri: [] }, subjectCN: 'localhost' });
    const exampleCom = dev({ sans: { dns: ['www.example.com', 'api.svc.test'], ip: [], email: [], uri: [] } });
    const fakeLe = dev({ issuerCN: 'Fake LE Intermediate X1', sans: { dns: ['shop.acme.io'], ip: [], email: [], uri: [] } });
    const real = dev({ sans: { dns: ['shop.acme.io'], ip: [], email: [], uri: [] }, subjectCN: 'shop.acme.io', issuerCN: 'R11' });
    assert.match(contentVerdict('/ws/certs/dev.pem', [localhost])?.reason ?? '', /development: it names only localhost, 127\.0\.0\.1/);
    assert.equal(contentVerdict('/ws/certs/dev.pem', [exampleCom])?.context, 'test');
    assert.match(contentVerdict('/ws/certs/s.pem', [fakeLe])?.reason ?? '', /"Fake LE Intermediate X1" calls itself a test certificate/);
    // One real certificate in the file keeps it production; so does configuration, which deploys what it holds.
    assert.equal(contentVerdict('/ws/certs/mixed.pem', [localhost, real]), undefined);
    assert.equal(contentVerdict('/ws/certs/real.pem', [real]), undefined);
    assert.equal(contentVerdict('/ws/charts/app/values.yaml', [localhost]), undefined);
    assert.equal(contentVerdict('/ws/k8s/secret.pem', [{ ...localhost, source: 'k8s-secret' }]), undefined);
    // Applied on top of the path: a path that already says test keeps its own reason.
    const byPath = contextByFolder(new ContextClassifier(), ['/ws'], '/');
    const files = new Map([
      ['/ws/certs/dev.pem', [localhost]],
      ['/ws/test/dev.pem', [localhost]],
      ['/ws/certs/real.pem', [real]],
    ]);
    const withContent = withCertificateContent(byPath, (f) => files.get(f));
    assert.deepEqual(
      [...files.keys()].map((f) => [withContent(f), withContent.reason(f).replace(/:.*/, '')]),
      [
        ['test', 'its certificate is for development'],
        ['test', 'its folder `test/` marks a test file'],
        ['production', ''],
      ],
    );
  });
});
