import * as assert from 'node:assert/strict';
import { daysFromNow, makeCert, makeKey, type TestCert, type TestKey } from '../support/certs';
import { parseFile } from '../../src/core/formats/parse-file';
import { evaluate } from '../../src/core/rules/rules';

/** What `openssl req` writes when every prompt is left at its default (Red Hat's openssl.cnf). */
const OPENSSL_DEFAULT = { C: 'XX', L: 'Default City', O: 'Default Company Ltd' };

const b64 = (s: string) => Buffer.from(s).toString('base64');

function webhook(cert: TestCert): string {
  return [
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata:',
    '  name: example-validating-webhook',
    'webhooks:',
    '  - name: validate.example.io',
    '    clientConfig:',
    `      caBundle: ${b64(cert.pem)}`,
    '      service:',
    '        name: webhook-service',
    '        namespace: example-system',
    '        path: /validate',
    '',
  ].join('\n');
}

function secret(cert: TestCert): string {
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: webhook-tls',
    'type: kubernetes.io/tls',
    'data:',
    `  tls.crt: ${b64(cert.pem)}`,
    '',
  ].join('\n');
}

const findingsOf = (file: string, text: string, now: Date) =>
  evaluate(parseFile(file, Buffer.from(text)).certificates, now.getTime()).map((f) => ({
    what: `${f.severity}:${f.code}`,
    message: f.message,
  }));

describe('placeholder certificates (OpenSSL default subject)', function () {
  this.timeout(60000);
  const now = new Date();
  let key: TestKey;
  let expiredDefault: TestCert;
  let expiringDefault: TestCert;
  let expiredNamed: TestCert;
  let expiredWithSan: TestCert;
  before(() => {
    key = makeKey({ type: 'ec', curve: 'P-256' });
    // cn '' leaves the common name out: the subject is exactly C=XX, L=Default City, O=Default Company Ltd.
    expiredDefault = makeCert({
      cn: '',
      subject: OPENSSL_DEFAULT,
      key,
      ca: true,
      notBefore: daysFromNow(-400, now),
      notAfter: daysFromNow(-370, now),
    });
    expiringDefault = makeCert({
      cn: '',
      subject: OPENSSL_DEFAULT,
      key,
      ca: true,
      notBefore: daysFromNow(-25, now),
      notAfter: daysFromNow(3, now),
    });
    expiredWithSan = makeCert({
      cn: '',
      subject: OPENSSL_DEFAULT,
      sans: ['webhook-service.example-system.svc'],
      key,
      notBefore: daysFromNow(-400, now),
      notAfter: daysFromNow(-370, now),
    });
    expiredNamed = makeCert({
      cn: 'webhook-service.example-system.svc',
      subject: OPENSSL_DEFAULT,
      key,
      ca: true,
      notBefore: daysFromNow(-400, now),
      notAfter: daysFromNow(-370, now),
    });
  });

  it("makes an expired webhook caBundle with OpenSSL's default subject a hint that says why", () => {
    const parsed = parseFile('/repo/config/webhook.yaml', Buffer.from(webhook(expiredDefault)));
    assert.equal(parsed.certificates.length, 1);
    assert.equal(parsed.certificates[0].subject, 'C=XX, L=Default City, O=Default Company Ltd');
    const findings = findingsOf('/repo/config/webhook.yaml', webhook(expiredDefault), now);
    assert.deepEqual(
      findings.map((f) => f.what),
      ['hint:expired'],
    );
    assert.match(findings[0].message, /placeholder/i);
    assert.match(findings[0].message, /OpenSSL's default/);
    assert.match(findings[0].message, /expired \d+ days ago/);
  });

  it('makes an expiring one a hint too', () => {
    assert.deepEqual(
      findingsOf('/repo/config/webhook.yaml', webhook(expiringDefault), now).map((f) => f.what),
      ['hint:expires-critical'],
    );
  });

  it('keeps the error for the same certificate in a certificate file or a TLS Secret: something may serve it', () => {
    assert.deepEqual(
      findingsOf('/repo/deploy/tls/server.pem', expiredDefault.pem, now).map((f) => f.what),
      ['error:expired'],
    );
    assert.deepEqual(
      findingsOf('/repo/deploy/webhook-tls.yaml', secret(expiredDefault), now).map((f) => f.what),
      ['error:expired'],
    );
  });

  it('keeps the error when the certificate names something besides the defaults (a CN, a SAN)', () => {
    assert.deepEqual(
      findingsOf('/repo/config/webhook.yaml', webhook(expiredNamed), now).map((f) => f.what),
      ['error:expired'],
    );
    assert.deepEqual(
      findingsOf('/repo/config/webhook.yaml', webhook(expiredWithSan), now).map((f) => f.what),
      ['error:expired'],
    );
  });
});

describe('placeholder caBundle values that decode to a blank', () => {
  const crdPatch = (value: string) =>
    [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: widgets.example.io',
      'spec:',
      '  conversion:',
      '    strategy: Webhook',
      '    webhookClientConfig:',
      `      caBundle: ${value}`,
      '      service:',
      '        namespace: system',
      '        name: webhook-service',
      '',
    ].join('\n');
  const problemsOf = (value: string) =>
    parseFile('/repo/config/crd/patches/webhook_in_widgets.yaml', Buffer.from(crdPatch(value))).problems.map(
      (p) => `${p.severity}:${p.code}`,
    );

  it("reports nothing for base64 of a newline or of spaces (kubebuilder's Cg==): a value injected later", () => {
    for (const blank of ['\n', ' ', '\r\n', ' \n\t']) assert.deepEqual(problemsOf(b64(blank)), [], JSON.stringify(blank));
  });

  it('still reports a value that decodes to something other than a certificate', () => {
    assert.deepEqual(problemsOf(b64('not a certificate\n')), ['error:invalid-certificate']);
    assert.deepEqual(problemsOf(b64('\n\0')), ['error:invalid-certificate']);
    assert.deepEqual(problemsOf('AAAA'), ['error:invalid-certificate']);
  });
});

describe("placeholder certificates with upstream OpenSSL's default subject (C=AU, Some-State, Internet Widgits)", function () {
  this.timeout(60000);
  const UPSTREAM_DEFAULT = { C: 'AU', ST: 'Some-State', O: 'Internet Widgits Pty Ltd' };
  const now = new Date();
  let expiredWeak: TestCert;
  let validWeak: TestCert;
  let expiredNamedWeak: TestCert;
  before(() => {
    const weak = makeKey({ type: 'rsa', bits: 1024 });
    expiredWeak = makeCert({
      cn: '',
      subject: UPSTREAM_DEFAULT,
      key: weak,
      ca: true,
      notBefore: daysFromNow(-1100, now),
      notAfter: daysFromNow(-735, now),
    });
    validWeak = makeCert({
      cn: '',
      subject: UPSTREAM_DEFAULT,
      key: weak,
      ca: true,
      notBefore: daysFromNow(-10, now),
      notAfter: daysFromNow(355, now),
    });
    expiredNamedWeak = makeCert({
      cn: 'webhook-service.example-system.svc',
      subject: UPSTREAM_DEFAULT,
      key: weak,
      ca: true,
      notBefore: daysFromNow(-1100, now),
      notAfter: daysFromNow(-735, now),
    });
  });

  // A Go constant in a non-test file that tests use, as gatekeeper's pkg/util ValidCABundle.
  const goConstant = (cert: TestCert) => `package util\n\nconst ValidCABundle = "${b64(cert.pem)}"\n`;

  it('makes the expired one held as a value a hint, its weak key too, saying which default', () => {
    const parsed = parseFile('/repo/pkg/util/cabundle.go', Buffer.from(goConstant(expiredWeak)));
    assert.equal(parsed.certificates[0]?.subject, 'C=AU, ST=Some-State, O=Internet Widgits Pty Ltd');
    const findings = findingsOf('/repo/pkg/util/cabundle.go', goConstant(expiredWeak), now);
    assert.deepEqual(
      findings.map((f) => f.what),
      ['hint:expired', 'hint:weak-rsa-key'],
    );
    for (const f of findings) assert.match(f.message, /placeholder.*Internet Widgits Pty Ltd/);
    assert.deepEqual(
      findingsOf('/repo/config/webhook.yaml', webhook(expiredWeak), now).map((f) => f.what),
      ['hint:expired', 'hint:weak-rsa-key'],
    );
  });

  it('keeps the weak-key warning on a valid one: a nameless CA may be in use', () => {
    assert.deepEqual(
      findingsOf('/repo/config/webhook.yaml', webhook(validWeak), now).map((f) => f.what),
      ['warning:weak-rsa-key'],
    );
  });

  it('keeps the errors in a certificate file, and for a certificate with a name', () => {
    assert.deepEqual(
      findingsOf('/repo/deploy/tls/ca.pem', expiredWeak.pem, now).map((f) => f.what),
      ['error:expired', 'warning:weak-rsa-key'],
    );
    assert.deepEqual(
      findingsOf('/repo/config/webhook.yaml', webhook(expiredNamedWeak), now).map((f) => f.what),
      ['error:expired', 'warning:weak-rsa-key'],
    );
  });
});
