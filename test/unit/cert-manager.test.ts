import * as assert from 'node:assert/strict';
import { daysFromNow, makeChain, type TestCert } from '../support/certs';
import { parseFile } from '../../src/core/formats/parse-file';
import { goDuration } from '../../src/core/formats/certManager';
import { Inventory } from '../../src/core/scan/inventory';
import { describeManifest, managedRenewal, nextRenewalChange, renewalTime } from '../../src/core/rules/renewal';
import { DAY_MS } from '../../src/core/model';
import { DEFAULT_RULES } from '../../src/core/rules/rules';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function secretYaml(leaf: TestCert, ca: TestCert, o: { annotated?: boolean; namespace?: string } = {}): string {
  const annotations =
    o.annotated === false
      ? ''
      : `  annotations:
    cert-manager.io/alt-names: web.certlens.dev
    cert-manager.io/certificate-name: web-cert
    cert-manager.io/issuer-kind: ClusterIssuer
    cert-manager.io/issuer-name: letsencrypt
`;
  return `apiVersion: v1
kind: Secret
metadata:
  name: web-tls
  namespace: ${o.namespace ?? 'prod'}
${annotations}type: kubernetes.io/tls
data:
  tls.crt: ${b64(leaf.pem + ca.pem)}
  tls.key: ""
`;
}

function certificateYaml(spec: string, namespace = 'prod'): string {
  return `---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web-cert
  namespace: ${namespace}
  labels:
    name: not-this
spec:
  secretName: web-tls
${spec}  dnsNames:
    - web.certlens.dev
  issuerRef:
    name: letsencrypt
    kind: ClusterIssuer
`;
}

describe('cert-manager renewal awareness', function () {
  this.timeout(60_000);
  // A 90-day certificate, 50 days old: cert-manager renews it by default 60 days after issue, in 10 days.
  const chain = makeChain({ leafCn: 'web.certlens.dev', notBefore: daysFromNow(-50), notAfter: daysFromNow(40) });
  const secret = () => parseFile('/ws/k8s/secret.yaml', Buffer.from(secretYaml(chain.leaf, chain.intermediate)));
  const now = Date.now();

  function findingsWith(manifest: string | undefined, at: number, namespace?: string) {
    const inventory = new Inventory();
    inventory.set(parseFile('/ws/k8s/secret.yaml', Buffer.from(secretYaml(chain.leaf, chain.intermediate, { namespace }))));
    if (manifest !== undefined) inventory.set(parseFile('/ws/k8s/certificate.yaml', Buffer.from(manifest)));
    return inventory.findings(at, DEFAULT_RULES).filter((f) => f.file === '/ws/k8s/secret.yaml');
  }

  it('marks the certificates of an annotated Secret as managed', () => {
    const r = secret();
    const leaf = r.certificates.find((c) => c.subjectCN === 'web.certlens.dev');
    assert.deepEqual(leaf?.managedBy, {
      certificateName: 'web-cert',
      namespace: 'prod',
      issuerName: 'letsencrypt',
      issuerKind: 'ClusterIssuer',
    });
    const plain = parseFile('/ws/k8s/secret.yaml', Buffer.from(secretYaml(chain.leaf, chain.intermediate, { annotated: false })));
    assert.ok(plain.certificates.every((c) => c.managedBy === undefined));
  });

  it("reads a Certificate manifest's renewal settings, also from a file holding nothing else", () => {
    const r = parseFile('/ws/k8s/certificate.yaml', Buffer.from(certificateYaml('  duration: 2160h0m0s\n  renewBefore: 360h\n')));
    assert.deepEqual(
      r.certManagerCertificates?.map(({ name, namespace, secretName, durationMs, renewBeforeMs }) => ({
        name,
        namespace,
        secretName,
        durationMs,
        renewBeforeMs,
      })),
      [{ name: 'web-cert', namespace: 'prod', secretName: 'web-tls', durationMs: 90 * DAY_MS, renewBeforeMs: 15 * DAY_MS }],
    );
    assert.equal(
      parseFile('/ws/k8s/c.yaml', Buffer.from(certificateYaml('  renewBeforePercentage: 25\n'))).certManagerCertificates?.[0]
        .renewBeforePercentage,
      25,
    );
    const inventory = new Inventory();
    inventory.set(r);
    assert.equal(inventory.certManagerCertificates().length, 1, 'a file with only a manifest is kept');
    assert.equal(goDuration('1h30m'), 90 * 60_000);
    assert.equal(goDuration('soon'), undefined);
  });

  it('keeps expiry findings as hints until two thirds of the lifetime, then warns', () => {
    const before = findingsWith(undefined, now);
    const expiring = before.find((f) => f.code === 'expires-info');
    assert.equal(expiring?.severity, 'hint');
    assert.match(expiring.message, /managed by cert-manager \(Certificate web-cert\), renewal due/);
    assert.ok(!before.some((f) => f.code === 'renewal-overdue'));

    const after = findingsWith(undefined, now + 11 * DAY_MS);
    assert.equal(
      after.find((f) => f.code === 'expires-warning')?.severity,
      'warning',
      'past the renewal point, expiry findings keep their severity',
    );
    const overdue = after.filter((f) => f.code === 'renewal-overdue');
    assert.equal(overdue.length, 1);
    assert.equal(overdue[0].severity, 'warning');
    const due = renewalTime({ notBefore: chain.leaf.notBefore.getTime(), notAfter: chain.leaf.notAfter.getTime() });
    assert.equal(
      overdue[0].message,
      `cert-manager should have renewed this by ${new Date(due).toISOString().slice(0, 10)}: check Certificate web-cert`,
    );
  });

  it("uses the matching Certificate's renewBefore or renewBeforePercentage, in another file", () => {
    // renewBefore 50 days: renewal was due 10 days ago.
    const early = findingsWith(certificateYaml('  renewBefore: 1200h\n'), now);
    assert.equal(early.filter((f) => f.code === 'renewal-overdue').length, 1);
    // 10% of 90 days before expiry: due in 31 days, still a hint.
    const late = findingsWith(certificateYaml('  renewBeforePercentage: 10\n'), now + 20 * DAY_MS);
    assert.equal(late.find((f) => f.code === 'expires-warning')?.severity, 'hint');
    assert.ok(!late.some((f) => f.code === 'renewal-overdue'));
    // A Certificate in another namespace is not the Secret's: the default applies.
    const other = findingsWith(certificateYaml('  renewBefore: 1200h\n', 'staging'), now);
    assert.ok(!other.some((f) => f.code === 'renewal-overdue'));
  });

  it('names the renewal moment as a time findings change, and describes a manifest for its hover', () => {
    const r = secret();
    const leaf = r.certificates.find((c) => c.subjectCN === 'web.certlens.dev')!;
    const renewal = managedRenewal(leaf, []);
    assert.equal(renewal?.renewAt, leaf.notAfter - Math.round((leaf.notAfter - leaf.notBefore) / 3));
    assert.equal(nextRenewalChange(r.certificates, [], now), renewal?.renewAt);
    assert.equal(nextRenewalChange(r.certificates, [], renewal.renewAt), Infinity);
    const manifest = parseFile('/ws/k8s/certificate.yaml', Buffer.from(certificateYaml('  duration: 2160h\n  renewBefore: 720h\n')))
      .certManagerCertificates![0];
    const lines = describeManifest(manifest, r.certificates);
    assert.equal(lines[0], 'cert-manager Certificate prod/web-cert (Secret web-tls)');
    assert.equal(lines[1], 'Duration: 90 days');
    assert.equal(lines[2], 'Renewal: 30 days before expiry (renewBefore); nominally 60 days after issue');
    assert.match(lines[3], /^web\.certlens\.dev in \/ws\/k8s\/secret\.yaml: issued .*, renewal due \d{4}-\d\d-\d\d, expires/);
  });
});
