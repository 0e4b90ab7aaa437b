import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EvidenceIndex, mayDeploy, mentionsIn } from '../../src/core/deployment';
import type { Report } from '../../src/core/report/schema';
import { daysFromNow, makeCert } from '../support/certs';
import { sharedKey, tempDir } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

describe('deployment evidence: configuration that names a certificate file', () => {
  it('reads the certificate paths deployment files write, with their lines', () => {
    const wrapper = [
      'wrapper.java.mainclass=org.apache.activemq.console.Main',
      'wrapper.java.additional.5=-Djavax.net.ssl.keyStore=%ACTIVEMQ_CONF%/broker.ks',
      'wrapper.java.additional.6=-Djavax.net.ssl.trustStore="%ACTIVEMQ_CONF%/broker.ts"',
    ].join('\n');
    assert.deepEqual(mentionsIn(wrapper), [
      { written: '%ACTIVEMQ_CONF%/broker.ks', line: 1 },
      { written: '%ACTIVEMQ_CONF%/broker.ts', line: 2 },
    ]);
    const dockerfile = 'FROM nginx:1.27\nCOPY certs/server.crt /etc/nginx/tls/server.crt\nADD ./ca.pem /etc/ssl/ca.pem\n';
    assert.deepEqual(
      mentionsIn(dockerfile).map((m) => `${m.line}:${m.written}`),
      ['1:certs/server.crt', '1:/etc/nginx/tls/server.crt', '2:./ca.pem', '2:/etc/ssl/ca.pem'],
    );
    assert.deepEqual(mentionsIn('keyStore: "file:${activemq.conf}/broker.ks"\nurl: https://get.example.org/ca.pem\n'), [
      { written: '${activemq.conf}/broker.ks', line: 0 },
    ]);
    assert.ok(mayDeploy('/ws/docker/Dockerfile') && mayDeploy('/ws/bin/wrapper.conf') && mayDeploy('/ws/deploy/compose.yaml'));
    assert.ok(!mayDeploy('/ws/scripts/setup-dev.sh') && !mayDeploy('/ws/README.md') && !mayDeploy('/ws/src/main.go'));
  });

  it('resolves a written path as the programs that read it do, else matches the file name only', () => {
    const index = new EvidenceIndex(['/ws']);
    index.set('/ws/docker/Dockerfile', [{ written: 'certs/server.crt', line: 3 }]);
    index.set('/ws/infra/roles/web/tasks/main.yml', [{ written: 'site.pem', line: 7 }]);
    index.set('/ws/charts/app/templates/secret.yaml', [{ written: 'files/ca.pem', line: 1 }]);
    index.set('/ws/bin/wrapper.conf', [{ written: '%CONF%/broker.ks', line: 52 }]);
    assert.deepEqual(index.of('/ws/docker/certs/server.crt'), { file: '/ws/docker/Dockerfile', line: 3, strength: 'path' });
    // The repository's root as the build context (docker build -f docker/Dockerfile .).
    assert.equal(index.of('/ws/certs/server.crt')?.strength, 'path');
    assert.equal(index.of('/ws/infra/roles/web/files/site.pem')?.strength, 'path');
    assert.equal(index.of('/ws/charts/app/files/ca.pem')?.strength, 'path');
    assert.deepEqual(index.of('/ws/assembly/conf/broker.ks'), { file: '/ws/bin/wrapper.conf', line: 52, strength: 'name' });
    assert.equal(index.of('/ws/elsewhere/unnamed.pem'), undefined);
    const before = index.key();
    index.set('/ws/bin/wrapper.conf', []);
    assert.equal(index.of('/ws/assembly/conf/broker.ks'), undefined, 'a file that names nothing any more gives nothing');
    assert.notEqual(index.key(), before);
  });

  describe('in the CLI, streamed and not', () => {
    let tree: string;
    before(() => {
      assert.ok(fs.existsSync(CLI), 'run the build first (node esbuild.js)');
      const key = sharedKey({ type: 'ec' });
      const expired = (cn: string) => makeCert({ cn, key, notBefore: daysFromNow(-100), notAfter: daysFromNow(-5) }).pem;
      tree = tempDir('certlens-deployment-');
      const write = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
        fs.writeFileSync(path.join(tree, rel), text);
      };
      // A shipped default keystore's certificate for localhost that the service wrapper configures.
      write('assembly/conf/broker.pem', expired('localhost'));
      write('assembly/bin/wrapper.conf', 'wrapper.java.additional.5=-Djavax.net.ssl.keyStore=%CONF%/broker.pem\n');
      // The same kind of certificate that nothing names: a developer's.
      write('certs/dev.pem', expired('localhost'));
      // A test folder's certificate that a production Dockerfile copies into the image.
      write('test/fixtures/baked.pem', expired('baked.acme-corp.net'));
      write('Dockerfile', 'FROM alpine:3.20\nCOPY test/fixtures/baked.pem /etc/ssl/certs/baked.pem\n');
      // An example copy that only a development compose file names.
      write('certs.example/server.pem', expired('server.acme-corp.net'));
      write('docker-compose.dev.yml', 'services:\n  web:\n    volumes:\n      - ./certs.example/server.pem:/tls/server.pem\n');
    });

    const contexts = (report: Report) =>
      Object.fromEntries(report.certificates.map((c) => [path.relative(tree, c.file), `${c.context}: ${c.contextReason ?? ''}`]));

    it('keeps what production configuration names, deploys what it copies, and lets the rest go by path and content', () => {
      const out = path.join(tree, '..', `${path.basename(tree)}.json`);
      const streamed = spawnSync(process.execPath, [CLI, 'scan', tree, '--format', 'json', '--fail-on', 'never', '--output', out], {
        encoding: 'utf8',
      });
      assert.equal(streamed.status, 0, streamed.stderr);
      const whole = spawnSync(process.execPath, [CLI, 'scan', tree, '--format', 'json', '--fail-on', 'never', '--last-change'], {
        encoding: 'utf8',
      });
      assert.equal(whole.status, 0, whole.stderr);
      const a = contexts(JSON.parse(fs.readFileSync(out, 'utf8')) as Report);
      const b = contexts(JSON.parse(whole.stdout) as Report);
      assert.deepEqual(a, b, 'the streamed report and the whole one agree');
      assert.match(
        a['assembly/conf/broker.pem'],
        /^production: named by assembly\/bin\/wrapper\.conf:1, though its certificate is for development/,
      );
      assert.match(a['certs/dev.pem'], /^test: its certificate is for development: it names only localhost/);
      assert.match(a['test/fixtures/baked.pem'], /^production: deployed by Dockerfile:2, though its folder `test\/` marks a test file/);
      assert.match(a['certs.example/server.pem'], /^example: its folder `certs\.example\/`/);
      const table = spawnSync(process.execPath, [CLI, 'scan', tree], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(table.status, 1, 'the shipped and the deployed certificates are expired production certificates');
      assert.match(table.stdout, /^error\s.*assembly\/conf\/broker\.pem:1$/m);
      assert.match(table.stdout, /^error\s.*test\/fixtures\/baked\.pem:1$/m);
    });
  });
});
