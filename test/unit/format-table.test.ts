import * as assert from 'node:assert/strict';
import { daysFromNow, makeCert, pkcs12, pkcs7, type TestCert } from '../support/certs';
import { parseFile } from '../../src/core/formats/parse-file';
import { CERTIFICATE_EXTENSIONS, isCertificateFileName, isContainerFile } from '../../src/core/formats/extensions';
import {
  binaryFormatOf,
  FORMATS,
  type FormatId,
  formatNamed,
  mayHoldCertificates,
  mayHoldText,
  probeOf,
  TEXT_FORMATS,
} from '../../src/core/formats/table';
import type { FileResult, SourceKind } from '../../src/core/model';
import { sharedKey } from './helpers';

/** A file of each format, and what the table must say of it. */
interface Sample {
  file: string;
  bytes: Buffer;
  /** The descriptor that parses it (binary) or whose reader finds it (text). */
  format: FormatId;
  /** What its parse must find. */
  finds: (r: FileResult) => boolean;
}

const certsOf = (source: SourceKind) => (r: FileResult) => r.certificates.length > 0 && r.certificates.every((c) => c.source === source);
const problem = (code: string) => (r: FileResult) => r.problems.some((p) => p.code === code);

/** An empty JKS: magic, version 2, no entries, a 20-byte digest. */
function emptyJks(): Buffer {
  return Buffer.concat([Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 0]), Buffer.alloc(20)]);
}

function xxd(der: Buffer): string {
  const bytes = [...der].map((b) => `0x${b.toString(16).padStart(2, '0')}`);
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 12) rows.push('  ' + bytes.slice(i, i + 12).join(', '));
  return `const unsigned char root_der[] = {\n${rows.join(',\n')}\n};\n`;
}

describe('the format table', () => {
  let cert: TestCert;
  let samples: Sample[];
  /** Files no format reads: nothing may be found in them. */
  let nothing: { file: string; bytes: Buffer }[];

  before(() => {
    cert = makeCert({ cn: 'table.certlens.dev', key: sharedKey({ type: 'ec' }), notBefore: daysFromNow(-5), notAfter: daysFromNow(90) });
    const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
    const body = cert.der.toString('base64');
    const p12 = pkcs12({ cert });
    samples = [
      { file: '/ws/store.jks', bytes: emptyJks(), format: 'java-keystore', finds: () => true },
      { file: '/ws/broken.jks', bytes: Buffer.from('not a keystore\n'), format: 'java-keystore', finds: problem('keystore-invalid') },
      { file: '/ws/jre/lib/security/cacerts', bytes: p12, format: 'java-keystore', finds: certsOf('pkcs12') },
      { file: '/ws/app.keystore', bytes: p12, format: 'java-keystore', finds: certsOf('pkcs12') },
      { file: '/ws/id.p12', bytes: p12, format: 'pkcs12', finds: certsOf('pkcs12') },
      { file: '/ws/ID.PFX', bytes: Buffer.from('garbage'), format: 'pkcs12', finds: problem('pkcs12-invalid') },
      { file: '/ws/chain.p7b', bytes: pkcs7([cert], { der: true }), format: 'pkcs7', finds: certsOf('pkcs7') },
      { file: '/ws/cert.der', bytes: cert.der, format: 'der', finds: certsOf('der') },
      { file: '/ws/cert.crt', bytes: cert.der, format: 'der', finds: certsOf('der') },
      { file: '/ws/cert.pem', bytes: cert.der, format: 'der', finds: certsOf('der') },
      { file: '/ws/bundle.pem', bytes: Buffer.from(cert.pem), format: 'pem', finds: certsOf('pem') },
      { file: '/ws/chain.p7b.txt', bytes: Buffer.from(pkcs7([cert])), format: 'pem', finds: certsOf('pkcs7') },
      { file: '/ws/README.md', bytes: Buffer.from(`An example:\n\n${cert.pem}`), format: 'pem', finds: certsOf('inline') },
      { file: '/ws/tls.key', bytes: Buffer.from(cert.keyPem), format: 'pem', finds: (r) => r.privateKeys.length === 1 },
      { file: '/ws/root_ca.h', bytes: Buffer.from(xxd(cert.der)), format: 'byte-array', finds: certsOf('inline') },
      {
        file: '/ws/secret.yaml',
        format: 'base64-pem',
        finds: certsOf('k8s-secret'),
        bytes: Buffer.from(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: web\ndata:\n  tls.crt: ${b64(cert.pem)}\n`),
      },
      {
        file: '/ws/webhook.yaml',
        format: 'config-value',
        finds: certsOf('inline'),
        bytes: Buffer.from(`kind: ValidatingWebhookConfiguration\nwebhooks:\n  - clientConfig:\n      caBundle: ${body}\n`),
      },
      {
        file: '/ws/metadata.xml',
        format: 'saml',
        finds: certsOf('saml'),
        bytes: Buffer.from(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp">
<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
</md:EntityDescriptor>\n`),
      },
      {
        file: '/ws/keys.jwks',
        bytes: Buffer.from(JSON.stringify({ keys: [{ kty: 'EC', x5c: [body] }] })),
        format: 'jwks',
        finds: certsOf('jwks'),
      },
      {
        file: '/ws/certificate.yaml',
        format: 'cert-manager',
        finds: (r) => r.certManagerCertificates?.length === 1,
        bytes: Buffer.from(
          `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\nspec:\n  secretName: web-tls\n  duration: 2160h\n` +
            `  issuerRef:\n    name: le\n`,
        ),
      },
    ];
    nothing = [
      { file: '/ws/index.ts', bytes: Buffer.from('export const x = 1;\n') },
      { file: '/ws/values.yaml', bytes: Buffer.from('image: nginx\ncertificate: none\n') },
      { file: '/ws/blob.bin', bytes: cert.der },
      { file: '/ws/notes.keystore', bytes: Buffer.from('plain words\n') },
      { file: '/ws/table.c', bytes: Buffer.from('static const int t[] = { 0x30, 0x31 };\n') },
      { file: '/ws/pom.xml', bytes: Buffer.from('<project><modelVersion>4.0.0</modelVersion></project>') },
      { file: '/ws/jose.js', bytes: Buffer.from('const x5c = header.x5c;') },
    ];
  });

  it('gives each descriptor one id, and each extension and file name one descriptor', () => {
    const ids = FORMATS.map((d) => d.id);
    assert.equal(new Set(ids).size, ids.length);
    const owners = new Map<string, string[]>();
    for (const d of FORMATS)
      for (const name of [...d.extensions, ...(d.fileNames ?? [])]) owners.set(name, [...(owners.get(name) ?? []), d.id]);
    for (const [name, ds] of owners) assert.equal(ds.length, 1, `${name} belongs to ${ds.join(', ')}`);
    for (const d of FORMATS) for (const e of d.extensions) assert.match(e, /^\.[a-z0-9.+-]+$/, `${d.id}: ${e} is lower case with its dot`);
  });

  it('derives the name lists from the table, as they were written by hand before it', () => {
    const expected = [
      '.pem',
      '.crt',
      '.cer',
      '.cert',
      '.ca-bundle',
      '.chain',
      '.crl',
      '.der',
      '.p7b',
      '.p7c',
      '.p12',
      '.pfx',
      '.jks',
      '.jceks',
      '.keystore',
      '.truststore',
      '.key',
    ];
    assert.deepEqual([...CERTIFICATE_EXTENSIONS].sort(), expected.sort());
    assert.ok(isCertificateFileName('/etc/ssl/a.crt') && !isCertificateFileName('/etc/ssl/a.key') && !isCertificateFileName('/ws/a.jwks'));
    const containers = [
      '/ws/a.p7b',
      '/ws/a.p7c',
      '/ws/a.p12',
      '/ws/a.pfx',
      '/ws/a.jks',
      '/ws/a.jceks',
      '/ws/a.keystore',
      '/ws/a.truststore',
      '/ws/cacerts',
    ];
    for (const f of containers) assert.ok(isContainerFile(f), f);
    for (const f of ['/ws/a.pem', '/ws/a.der', '/ws/a.yaml', '/ws/cacerts.pem']) assert.ok(!isContainerFile(f), f);
    assert.deepEqual(
      FORMATS.filter((d) => d.shiftable).map((d) => d.id),
      ['pem'],
    );
    assert.equal(formatNamed('/ws/CERT.PEM')?.id, 'pem');
  });

  it('names every SourceKind among the sources of some descriptor', () => {
    const all: Record<SourceKind, true> = {
      pem: true,
      der: true,
      pkcs7: true,
      pkcs12: true,
      jks: true,
      jceks: true,
      'k8s-secret': true,
      kubeconfig: true,
      inline: true,
      saml: true,
      jwks: true,
    };
    const given = new Set(FORMATS.flatMap((d) => d.sources));
    for (const s of Object.keys(all)) assert.ok(given.has(s as SourceKind), s);
  });

  it('dispatches each sample to its format, whose sniff agrees, and finds what it holds', () => {
    const seen = new Set<FormatId>();
    for (const s of samples) {
      const probe = probeOf(s.file, s.bytes);
      const descriptor = FORMATS.find((d) => d.id === s.format)!;
      const binary = binaryFormatOf(probe);
      if (descriptor.kind === 'binary') assert.equal(binary?.id, s.format, s.file);
      else assert.equal(binary, undefined, `${s.file} is read as text`);
      assert.ok(descriptor.sniff(probe), `${s.format} sniffs ${s.file}`);
      assert.ok(mayHoldCertificates(s.file, s.bytes), s.file);
      assert.ok(s.finds(parseFile(s.file, s.bytes)), `${s.file}: ${JSON.stringify(parseFile(s.file, s.bytes).problems)}`);
      seen.add(s.format);
    }
    // Every format that reads anything has a sample (the private-key descriptor only names files).
    assert.deepEqual(
      FORMATS.map((d) => d.id).filter((id) => !seen.has(id)),
      ['private-key'],
    );
  });

  it('claims only what it sniffs, and finds nothing where no format sniffs', () => {
    for (const s of [...samples, ...nothing]) {
      const probe = probeOf(s.file, s.bytes);
      for (const d of FORMATS) if (d.kind === 'binary' && d.claims(probe)) assert.ok(d.sniff(probe), `${d.id} claims ${s.file} unsniffed`);
      assert.equal(
        mayHoldText(probe),
        TEXT_FORMATS.some((d) => d.sniff(probe)),
      );
    }
    for (const s of nothing) {
      // A keystore name is sniffed whatever it holds (a keystore is binary): the sniff may say more, never less.
      assert.equal(mayHoldCertificates(s.file, s.bytes), s.file.endsWith('.keystore'), s.file);
      const r = parseFile(s.file, s.bytes);
      assert.deepEqual([r.certificates.length, r.problems.length, r.privateKeys.length, r.crls.length], [0, 0, 0, 0], s.file);
    }
  });
});
