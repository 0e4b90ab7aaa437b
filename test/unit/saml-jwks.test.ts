import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { daysFromNow, makeCert, makeChain, type Chain, type TestCert } from '../support/certs';
import { mayHoldCertificates, parseFile } from '../../src/core/formats/parse-file';
import { scanJwks } from '../../src/core/formats/jwks';
import { parseXmlDateTime, scanSaml } from '../../src/core/formats/saml';
import { type CertificateRecord, DAY_MS, type FileResult, placeCertificate, type Range } from '../../src/core/model';
import { DEFAULT_RULES, evaluate, evaluateExpiries } from '../../src/core/rules/rules';
import { nextExpiryChange } from '../../src/core/workspace/clock';
import { certificateJson } from '../../src/core/report/schema';
import { Inventory } from '../../src/core/scan/inventory';
import { ParseMemo } from '../../src/core/scan/memo';
import { parseText, sharedKey } from './helpers';

const sha256 = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');
const b64url = (algorithm: string, der: Uint8Array) => createHash(algorithm).update(der).digest('base64url');

/** Base64 of a certificate wrapped at `width` and indented, as metadata tools write it. */
function wrapped(c: TestCert, indent: string, width = 64): string {
  return c.der
    .toString('base64')
    .match(new RegExp(`.{1,${width}}`, 'g'))!
    .join(`\n${indent}`);
}

/** The range of `needle` (its n-th occurrence) in `text`, 0-based as VS Code counts. */
function rangeOf(text: string, needle: string, occurrence = 0): Range {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle.slice(0, 30)}…" occurs ${occurrence + 1} times`);
  }
  const pos = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  return { start: pos(at), end: pos(at + needle.length) };
}

const xmlTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Every finding of a file at `now`: parse problems, certificate rules and the file's own expiries. */
function findingsAt(r: FileResult, now: number) {
  return [...r.problems, ...evaluate(r.certificates, now), ...evaluateExpiries(r, now)];
}

describe('SAML metadata and JWKS', () => {
  let idpSigning: TestCert;
  let idpEncryption: TestCert;
  let spCert: TestCert;
  let signer: TestCert;
  let rsa: TestCert;
  let chain: Chain;
  const now = Date.now();

  before(() => {
    const ec = sharedKey({ type: 'ec' });
    idpSigning = makeCert({ cn: 'idp.example.org', key: ec, notBefore: daysFromNow(-10), notAfter: daysFromNow(300) });
    idpEncryption = makeCert({
      cn: 'idp-enc.example.org',
      key: sharedKey({ type: 'ec', curve: 'P-384' }),
      notBefore: daysFromNow(-100),
      notAfter: daysFromNow(20),
    });
    spCert = makeCert({ cn: 'sp.example.org', key: ec, ca: true, notBefore: daysFromNow(-200), notAfter: daysFromNow(-5) });
    signer = makeCert({ cn: 'Federation Signer', key: ec, notBefore: daysFromNow(-100), notAfter: daysFromNow(5) });
    rsa = makeCert({ cn: 'rsa-jwk.example.org', key: sharedKey({ type: 'rsa' }), notBefore: daysFromNow(-100), notAfter: daysFromNow(60) });
    chain = makeChain({ leafCn: 'jwk.example.org', notBefore: daysFromNow(-1), notAfter: daysFromNow(100) });
  });

  describe('SAML metadata', () => {
    let metadata: string;
    let federationUntil: Date;
    let spUntil: Date;

    before(() => {
      federationUntil = daysFromNow(25);
      spUntil = daysFromNow(-2);
      metadata = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!-- <md:KeyDescriptor><ds:X509Certificate>MIIold</ds:X509Certificate></md:KeyDescriptor> -->',
        `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Name="urn:example:federation" validUntil="${xmlTime(federationUntil)}" cacheDuration="PT6H">`,
        '  <ds:Signature>',
        '    <ds:SignedInfo><ds:Reference URI=""><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>',
        '    <ds:SignatureValue>c2lnbmF0dXJl</ds:SignatureValue>',
        `    <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${signer.der.toString('base64')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
        '  </ds:Signature>',
        '  <md:EntityDescriptor entityID="https://idp.example.org/idp/shibboleth">',
        '    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
        '      <md:KeyDescriptor use="signing">',
        '        <ds:KeyInfo>',
        '          <ds:X509Data>',
        '            <ds:X509Certificate>',
        `              ${wrapped(idpSigning, '              ')}`,
        '            </ds:X509Certificate>',
        '          </ds:X509Data>',
        '        </ds:KeyInfo>',
        '      </md:KeyDescriptor>',
        "      <md:KeyDescriptor use='encryption'>",
        `        <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${wrapped(idpEncryption, '', 76).replace(/\n/g, '&#13;\n')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
        '      </md:KeyDescriptor>',
        '      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/sso"/>',
        '    </md:IDPSSODescriptor>',
        '  </md:EntityDescriptor>',
        `  <EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example.org/shibboleth" validUntil="${xmlTime(spUntil)}">`,
        '    <SPSSODescriptor AuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
        '      <KeyDescriptor>',
        '        <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>',
        `\t\t${wrapped(spCert, '\t\t')}`,
        '        </X509Certificate></X509Data></KeyInfo>',
        '      </KeyDescriptor>',
        '    </SPSSODescriptor>',
        '  </EntityDescriptor>',
        '</md:EntitiesDescriptor>',
        '',
      ].join('\n');
    });

    it('finds every certificate with its fingerprint, notAfter, exact range and place in the metadata', () => {
      const r = parseText('federation-metadata.xml', metadata);
      assert.deepEqual(r.problems, []);
      assert.equal(r.certificates.length, 4);
      const [sig, idpSig, idpEnc, sp] = r.certificates;
      const expected: [CertificateRecord, TestCert, string][] = [
        [sig, signer, signer.der.toString('base64')],
        [idpSig, idpSigning, wrapped(idpSigning, '              ')],
        [idpEnc, idpEncryption, wrapped(idpEncryption, '', 76).replace(/\n/g, '&#13;\n')],
        [sp, spCert, wrapped(spCert, '\t\t')],
      ];
      for (const [record, cert, text] of expected) {
        assert.equal(record.sha256, sha256(cert.der), cert.cn);
        assert.equal(record.notAfter, cert.notAfter.getTime(), cert.cn);
        assert.equal(record.source, 'saml');
        assert.equal(record.role, 'leaf', cert.cn);
        assert.deepEqual(record.range, rangeOf(metadata, text), cert.cn);
      }
      assert.deepEqual(sig.saml, {
        signature: true,
        cacheDuration: 'PT6H',
        validUntil: federationUntil.getTime() - (federationUntil.getTime() % 1000),
      });
      assert.equal(idpSig.saml?.entityID, 'https://idp.example.org/idp/shibboleth');
      assert.equal(idpSig.saml?.role, 'IdP');
      assert.equal(idpSig.saml?.use, 'signing');
      assert.equal(idpSig.saml?.cacheDuration, 'PT6H');
      assert.equal(idpEnc.saml?.use, 'encryption');
      assert.deepEqual(sp.saml, {
        use: 'both',
        role: 'SP',
        entityID: 'https://sp.example.org/shibboleth',
        cacheDuration: 'PT6H',
        validUntil: spUntil.getTime() - (spUntil.getTime() % 1000),
      });
    });

    it('agrees with openssl on each decoded certificate', () => {
      const r = parseText('metadata.xml', metadata);
      for (const c of r.certificates) {
        const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(c.der).toString('base64')}\n-----END CERTIFICATE-----\n`;
        const fingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem }).toString();
        assert.equal(fingerprint.trim().replace(/^.*=/, '').replace(/:/g, '').toLowerCase(), c.sha256);
      }
    });

    it('judges each certificate and each validUntil with the certificate thresholds', () => {
      const r = parseText('metadata.xml', metadata);
      const found = findingsAt(r, Date.now());
      const bySha = (c: TestCert) => found.filter((f) => f.sha256 === sha256(c.der)).map((f) => `${f.severity}:${f.code}`);
      assert.deepEqual(bySha(idpSigning), []);
      assert.deepEqual(bySha(idpEncryption), ['warning:expires-warning']);
      assert.deepEqual(bySha(spCert), ['error:expired']);
      assert.deepEqual(bySha(signer), ['error:expires-critical']);
      const metadataFindings = found.filter((f) => f.code.startsWith('metadata-'));
      assert.deepEqual(
        metadataFindings.map((f) => [f.severity, f.code, f.range]),
        [
          ['warning', 'metadata-expires-warning', rangeOf(metadata, xmlTime(federationUntil))],
          ['error', 'metadata-expired', rangeOf(metadata, xmlTime(spUntil))],
        ],
      );
      assert.match(metadataFindings[0].message, /SAML metadata urn:example:federation expires in 25 days/);
      assert.match(metadataFindings[1].message, /SAML metadata of https:\/\/sp\.example\.org\/shibboleth expired 2 days ago/);
    });

    it("reports a certificate that is both the signing and the encryption key of a role once, on the first; another entity's copy has its own", () => {
      // fedora-infra/ansible's ipsilon SP list: each Bugzilla SP names its expired certificate for both uses.
      const keys = (uses: string[]) =>
        uses
          .map(
            (use) =>
              `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${spCert.der.toString('base64')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
          )
          .join('');
      const sp = (id: string) =>
        `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${id}"><md:SPSSODescriptor>${keys(['signing', 'encryption'])}</md:SPSSODescriptor></md:EntityDescriptor>`;
      const text = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">\n${sp('https://bugzilla.example.org/saml2')}\n${sp('https://bugzilla.stage.example.org/saml2')}\n</md:EntitiesDescriptor>\n`;
      const r = parseText('roles/ipsilon/templates/metadata.xml', text);
      assert.equal(r.certificates.length, 4, 'each copy is in the inventory');
      const expired = evaluate(r.certificates, now).filter((f) => f.code === 'expired');
      assert.deepEqual(
        expired.map((f) => f.range.start),
        [r.certificates[0].range.start, r.certificates[2].range.start],
      );
    });

    it('gives validUntil each band at its boundaries, and the clock the moments they change', () => {
      const until = Date.UTC(2030, 5, 1, 12, 0, 0);
      const text = `<EntityDescriptor entityID="https://e.example" validUntil="2030-06-01T12:00:00Z"><X509Certificate>${idpSigning.der.toString('base64')}</X509Certificate></EntityDescriptor>`;
      const r = parseText('e.xml', text);
      assert.deepEqual(
        r.expiries?.map((e) => e.notAfter),
        [until],
      );
      const at = (t: number) => evaluateExpiries(r, t).map((f) => `${f.severity}:${f.code}`);
      assert.deepEqual(at(until), ['error:metadata-expired']);
      assert.deepEqual(at(until - 1), ['error:metadata-expires-critical']);
      assert.deepEqual(at(until - 7 * DAY_MS), ['error:metadata-expires-critical']);
      assert.deepEqual(at(until - 7 * DAY_MS - 1), ['warning:metadata-expires-warning']);
      assert.deepEqual(at(until - 30 * DAY_MS), ['warning:metadata-expires-warning']);
      assert.deepEqual(at(until - 30 * DAY_MS - 1), ['info:metadata-expires-info']);
      assert.deepEqual(at(until - 90 * DAY_MS), ['info:metadata-expires-info']);
      assert.deepEqual(at(until - 90 * DAY_MS - 1), []);
      // The clock wakes when a band is entered, so the editor's findings follow.
      assert.equal(nextExpiryChange(r.expiries, until - 200 * DAY_MS, DEFAULT_RULES, { textRoundingMs: Infinity }), until - 90 * DAY_MS);
      assert.equal(nextExpiryChange(r.expiries, until - 20 * DAY_MS, DEFAULT_RULES, { textRoundingMs: Infinity }), until - 7 * DAY_MS);
      assert.equal(nextExpiryChange(r.expiries, until - 1000, DEFAULT_RULES, { textRoundingMs: Infinity }), until);
      assert.equal(nextExpiryChange(r.expiries, until, DEFAULT_RULES, { textRoundingMs: Infinity }), Infinity);
    });

    it('reads xs:dateTime values with fractions and time zones, and rejects others', () => {
      assert.equal(parseXmlDateTime('2030-06-01T12:00:00Z'), Date.UTC(2030, 5, 1, 12));
      assert.equal(parseXmlDateTime('2030-06-01T12:00:00.250Z'), Date.UTC(2030, 5, 1, 12, 0, 0, 250));
      assert.equal(parseXmlDateTime('2030-06-01T14:00:00+02:00'), Date.UTC(2030, 5, 1, 12));
      assert.equal(parseXmlDateTime(' 2030-06-01T12:00:00 '), Date.UTC(2030, 5, 1, 12));
      for (const bad of ['2030-06-01', '2030-02-30T00:00:00Z', 'tomorrow', '2030-13-01T00:00:00Z', ''])
        assert.ok(Number.isNaN(parseXmlDateTime(bad)), bad);
      const r = parseText('m.xml', '<md:EntityDescriptor entityID="x" validUntil="next year"><md:IDPSSODescriptor/></md:EntityDescriptor>');
      assert.deepEqual(
        r.problems.map((p) => [p.code, p.range]),
        [['invalid-date', { start: { line: 0, character: 46 }, end: { line: 0, character: 55 } }]],
      );
    });

    it('reads WS-Federation roles and other descriptors by name', () => {
      const text = [
        '<EntityDescriptor entityID="https://sts.example.org/?a=1&amp;b=&#47;" xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        `  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType"><KeyDescriptor use="signing"><KeyInfo><X509Data><X509Certificate>${idpSigning.der.toString('base64')}</X509Certificate></X509Data></KeyInfo></KeyDescriptor></RoleDescriptor>`,
        `  <AttributeAuthorityDescriptor><KeyDescriptor><KeyInfo><X509Data><X509Certificate>${idpSigning.der.toString('base64')}</X509Certificate></X509Data></KeyInfo></KeyDescriptor></AttributeAuthorityDescriptor>`,
        '</EntityDescriptor>',
      ].join('\r\n');
      const r = parseText('FederationMetadata.xml', text);
      assert.deepEqual(
        r.certificates.map((c) => [c.saml?.role, c.saml?.use, c.saml?.entityID]),
        [
          ['STS', 'signing', 'https://sts.example.org/?a=1&b=/'],
          ['AttributeAuthority', 'both', 'https://sts.example.org/?a=1&b=/'],
        ],
      );
      assert.deepEqual(r.certificates[0].range, rangeOf(text, idpSigning.der.toString('base64')));
    });

    it('reports what does not decode where it is, and never throws', () => {
      const b64 = idpSigning.der.toString('base64');
      const cut = b64.slice(0, 200);
      const text = [
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.org">',
        '  <md:IDPSSODescriptor>',
        `    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cut}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
        '    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>not base64!</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>',
        `    <md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
        `    <md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64.slice(0, 300)}`,
      ].join('\n');
      const r = parseText('idp-metadata.xml', text);
      assert.equal(r.certificates.length, 1);
      assert.equal(r.certificates[0].sha256, sha256(idpSigning.der));
      assert.deepEqual(
        r.problems.map((p) => [p.severity, p.code, p.range]),
        [
          ['error', 'invalid-certificate', rangeOf(text, cut)],
          ['error', 'invalid-base64', rangeOf(text, 'not base64!')],
          ['error', 'invalid-certificate', rangeOf(text, b64.slice(0, 300), 1)],
        ],
      );
      // A metadata document reports them whatever its name.
      assert.equal(parseText('idp-metadata', text).problems.length, 3);
      // In source code, metadata in a string is read, and a broken one is a sample: no finding.
      const java = `String metadata = "<md:EntityDescriptor entityID=\\"https://idp.example.org\\"><md:KeyDescriptor use=\\"signing\\"><ds:X509Certificate>${b64}</ds:X509Certificate>" +\n  "<ds:X509Certificate>${cut}</ds:X509Certificate>";`;
      const inJava = parseText('MetadataTest.java', java);
      assert.deepEqual(
        inJava.certificates.map((c) => [c.sha256, c.saml?.entityID, c.saml?.use]),
        [[sha256(idpSigning.der), 'https://idp.example.org', 'signing']],
      );
      assert.deepEqual(inJava.problems, []);
    });

    it("reads PEM and base64 PEM put where DER belongs as the metadata's, once", () => {
      const base64Pem = Buffer.from(idpSigning.pem).toString('base64');
      const text = [
        '<md:EntityDescriptor entityID="https://idp.example.org"><md:IDPSSODescriptor>',
        `<md:KeyDescriptor use="signing"><ds:X509Certificate>${base64Pem}</ds:X509Certificate></md:KeyDescriptor>`,
        `<md:KeyDescriptor use="encryption"><ds:X509Certificate>\n${idpEncryption.pem}</ds:X509Certificate></md:KeyDescriptor>`,
        '</md:IDPSSODescriptor></md:EntityDescriptor>',
      ].join('\n');
      const r = parseText('metadata.xml', text);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(
        r.certificates.map((c) => [c.sha256, c.source, c.saml?.use, c.saml?.entityID]),
        [
          [sha256(idpEncryption.der), 'saml', 'encryption', 'https://idp.example.org'],
          [sha256(idpSigning.der), 'saml', 'signing', 'https://idp.example.org'],
        ],
      );
      const jwk = parseText('jwks.json', JSON.stringify({ keys: [{ kid: 'pem', x5c: [rsa.pem] }] }));
      assert.deepEqual(jwk.problems, []);
      assert.deepEqual(
        jwk.certificates.map((c) => [c.sha256, c.source, c.jwk?.kid, c.jwk?.position]),
        [[sha256(rsa.der), 'jwks', 'pem', 0]],
      );
    });

    it('skips placeholders, templates and samples cut short', () => {
      for (const value of [
        'MIIC...',
        'MIIDdDCCAlygAwIBAgIGAX…',
        '${SAML_SIGNING_CERT}',
        '{{ .Values.saml.cert }}',
        '$(cat idp.crt)',
        '@IDP_CERT@',
        '#{idp.cert}',
        '%IDP_CERT%',
        '',
      ]) {
        const r = parseText(
          'metadata.xml',
          `<md:EntityDescriptor entityID="x"><md:IDPSSODescriptor><md:KeyDescriptor><ds:X509Certificate>${value}</ds:X509Certificate></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`,
        );
        assert.deepEqual([r.certificates, r.problems], [[], []], value);
      }
      const schema = parseText(
        'jwk-definitions.json',
        JSON.stringify({ properties: { x5c: { type: 'array', items: { type: 'string' } }, x5t: { type: 'string' } } }),
      );
      assert.deepEqual([schema.certificates, schema.problems], [[], []]);
      const openapi = parseText(
        'openapi.yaml',
        'Jwk:\n  properties:\n    x5c:\n      type: array\n      items:\n        type: string\n    other: x5c: string\n',
      );
      assert.deepEqual([openapi.certificates, openapi.problems], [[], []]);
      const samples = parseText('jwks.json', '{"keys":[{"kid":"a","x5c":["MIIC...", "${CERT}"]}]}');
      assert.deepEqual([samples.certificates, samples.problems], [[], []]);
    });

    it('never throws on metadata cut anywhere or mangled, and keeps ranges inside the text', function () {
      this.timeout(60_000);
      let seed = 42;
      const rand = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
      const junk = [
        '<',
        '>',
        '"',
        "'",
        '</',
        '<!--',
        ']]>',
        '<![CDATA[',
        '&#13;',
        '\n',
        '=',
        'ds:X509Certificate',
        '/>',
        '\\"',
        'validUntil="',
      ];
      for (let round = 0; round < 400; round++) {
        let text = metadata.slice(0, rand(metadata.length + 1));
        if (round % 2) {
          const at = rand(text.length + 1);
          text = text.slice(0, at) + junk[rand(junk.length)] + text.slice(at + rand(20));
        }
        const lines = text.split('\n');
        const r = parseFile('/ws/metadata.xml', Buffer.from(text));
        for (const item of [...r.certificates, ...r.problems, ...(r.expiries ?? [])]) {
          const { start, end } = item.range;
          assert.ok(start.line < lines.length && end.line < lines.length && end.character <= lines[end.line].length, `round ${round}`);
        }
        assert.ok(r.certificates.length <= 4);
      }
    });

    it('is found by the cheap pre-test, and the pre-test stays quiet on other XML', () => {
      assert.ok(mayHoldCertificates('/ws/metadata.xml', Buffer.from(metadata)));
      assert.ok(mayHoldCertificates('/ws/SamlTest.py', Buffer.from(metadata)));
      assert.ok(!mayHoldCertificates('/ws/pom.xml', Buffer.from('<project><modelVersion>4.0.0</modelVersion></project>')));
    });

    it('keeps its place in the metadata and validUntil through copies (memo, inventory)', () => {
      const memo = new ParseMemo();
      memo.parse('/ws/a.xml', Buffer.from(metadata), {});
      const copy = memo.parse('/ws/b.xml', Buffer.from(metadata), {});
      assert.equal(memo.hits, 1);
      assert.equal(copy.certificates[1].saml?.entityID, 'https://idp.example.org/idp/shibboleth');
      assert.equal(copy.expiries?.length, 2);
      const record = copy.certificates[1];
      const placed = placeCertificate(record, {
        file: record.file,
        range: record.range,
        source: record.source,
        index: record.index,
        role: record.role,
      });
      assert.deepEqual(Object.keys(placed).sort(), Object.keys(record).sort());
      // The CLI's inventory evaluates the files' own expiries with the certificates.
      const inventory = new Inventory();
      inventory.set(copy);
      inventory.set(parseText('only-validity.xml', '<EntitiesDescriptor validUntil="2001-01-01T00:00:00Z"></EntitiesDescriptor>'));
      const codes = inventory
        .findings(now, DEFAULT_RULES)
        .filter((f) => f.code.startsWith('metadata-'))
        .map((f) => `${f.file}:${f.code}`);
      assert.deepEqual(codes.sort(), [
        '/ws/b.xml:metadata-expired',
        '/ws/b.xml:metadata-expires-warning',
        '/ws/only-validity.xml:metadata-expired',
      ]);
      const json = certificateJson(record, now);
      assert.equal(json.source, 'saml');
      assert.deepEqual(json.saml, {
        entityID: 'https://idp.example.org/idp/shibboleth',
        role: 'IdP',
        use: 'signing',
        signature: false,
        validUntil: new Date(record.saml!.validUntil!).toISOString().replace('.000Z', 'Z'),
        cacheDuration: 'PT6H',
      });
    });

    it('never reports a metadata file as a trust store of unused roots', () => {
      const roots = Array.from(
        { length: 6 },
        () => `<md:KeyDescriptor><ds:X509Certificate>${spCert.der.toString('base64')}</ds:X509Certificate></md:KeyDescriptor>`,
      );
      const r = parseText(
        'ca-bundle.crt.xml',
        `<md:EntityDescriptor entityID="x"><md:SPSSODescriptor>${roots.join('')}</md:SPSSODescriptor></md:EntityDescriptor>`,
      );
      assert.equal(r.certificates.length, 6);
      assert.ok(r.certificates.every((c) => c.selfSigned && c.isCA));
      // Decoded once, placed six times: each copy has its own range and index.
      assert.deepEqual(
        r.certificates.map((c) => c.index),
        [0, 1, 2, 3, 4, 5],
      );
      assert.equal(new Set(r.certificates.map((c) => c.range.start.character)).size, 6);
      assert.deepEqual([...new Set(evaluate(r.certificates, now).map((f) => `${f.severity}:${f.code}`))], ['error:expired']);
    });

    it('scans a large aggregate in linear time', () => {
      const entity = (i: number) =>
        `<md:EntityDescriptor entityID="https://e${i}.example"><md:SPSSODescriptor><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${wrapped(idpSigning, '  ')}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:SPSSODescriptor></md:EntityDescriptor>\n`;
      const text = `<md:EntitiesDescriptor>${Array.from({ length: 2000 }, (_, i) => entity(i)).join('')}</md:EntitiesDescriptor>`;
      const scan = scanSaml(text);
      assert.equal(scan.certificates.length, 2000);
      assert.equal(scan.certificates[1999].info.entityID, 'https://e1999.example');
      // Unclosed elements and quotes everywhere: still one pass.
      const hostile = '<a b="'.repeat(20_000) + "<c d='".repeat(20_000) + '<X509Certificate>'.repeat(5000);
      assert.equal(scanSaml(hostile).certificates.length, 0);
    });
  });

  describe('JWKS', () => {
    let jwks: string;
    let members: string[];

    before(() => {
      members = [chain.leaf, chain.intermediate, chain.root].map((c) => c.der.toString('base64'));
      jwks = JSON.stringify(
        {
          keys: [
            {
              kty: 'EC',
              use: 'sig',
              kid: 'key-1',
              alg: 'ES256',
              crv: 'P-256',
              x: 'abc',
              y: 'def',
              x5c: members,
              x5t: b64url('sha1', chain.leaf.der),
              'x5t#S256': b64url('sha256', chain.leaf.der),
            },
            {
              kty: 'RSA',
              kid: 'key-2',
              alg: 'RS256',
              n: 'xyz',
              e: 'AQAB',
              x5c: [rsa.der.toString('base64')],
              x5t: b64url('sha1', chain.leaf.der),
              'x5t#S256': b64url('sha256', rsa.der),
            },
          ],
        },
        null,
        2,
      );
    });

    it("finds each x5c member with its own range, the first as the key's certificate", () => {
      const r = parseText('jwks.json', jwks);
      assert.equal(r.certificates.length, 4);
      const expected = [chain.leaf, chain.intermediate, chain.root, rsa];
      r.certificates.forEach((c, i) => {
        assert.equal(c.sha256, sha256(expected[i].der));
        assert.equal(c.notAfter, expected[i].notAfter.getTime());
        assert.equal(c.source, 'jwks');
        assert.deepEqual(c.range, rangeOf(jwks, expected[i].der.toString('base64')));
      });
      assert.deepEqual(
        r.certificates.map((c) => c.role),
        ['leaf', 'intermediate', 'root', 'leaf'],
      );
      assert.deepEqual(r.certificates[0].jwk, { kid: 'key-1', use: 'sig', alg: 'ES256', kty: 'EC', position: 0 });
      assert.deepEqual(r.certificates[2].jwk, { kid: 'key-1', use: 'sig', alg: 'ES256', kty: 'EC', position: 2 });
      assert.deepEqual(r.certificates[3].jwk, { kid: 'key-2', alg: 'RS256', kty: 'RSA', position: 0 });
      assert.deepEqual(r.certificates[0].chain?.members, [0, 1, 2]);
    });

    it('checks x5t and x5t#S256 against the first certificate', () => {
      const r = parseText('jwks.json', jwks);
      assert.deepEqual(
        r.problems.map((p) => [p.severity, p.code, p.range]),
        [['error', 'jwk-thumbprint-mismatch', rangeOf(jwks, b64url('sha1', chain.leaf.der), 1)]],
      );
      assert.match(r.problems[0].message, new RegExp(`x5t is not the SHA-1 thumbprint of x5c\\[0\\]: expected ${b64url('sha1', rsa.der)}`));
      const hex = parseText(
        'k.json',
        JSON.stringify({ x5c: [rsa.der.toString('base64')], x5t: createHash('sha1').update(rsa.der).digest('hex') }),
      );
      assert.match(hex.problems[0].message, /hex thumbprint/);
      const padded = parseText(
        'k.json',
        JSON.stringify({ x5c: [rsa.der.toString('base64')], 'x5t#S256': createHash('sha256').update(rsa.der).digest('base64') }),
      );
      assert.deepEqual(padded.problems, []);
    });

    it('judges each certificate with the usual thresholds', () => {
      const r = parseText('jwks.json', jwks);
      const found = findingsAt(r, now);
      assert.deepEqual(
        found.filter((f) => f.sha256 === sha256(rsa.der)).map((f) => `${f.severity}:${f.code}`),
        ['info:expires-info'],
      );
      assert.deepEqual(
        found.filter((f) => f.sha256 === sha256(chain.leaf.der)).map((f) => f.code),
        [],
      );
    });

    it('reads JSON escapes (\\/) and ranges over the escaped text', () => {
      const withSlashes = jwks.replace(/\//g, '\\/');
      const r = parseText('jwks.json', withSlashes);
      assert.deepEqual(
        r.certificates.map((c) => c.sha256),
        [chain.leaf, chain.intermediate, chain.root, rsa].map((c) => sha256(c.der)),
      );
      assert.deepEqual(r.certificates[3].range, rangeOf(withSlashes, rsa.der.toString('base64').replace(/\//g, '\\/')));
    });

    it("reads YAML block and flow sequences with the key's fields", () => {
      const [leaf, intermediate] = members;
      const rsa64 = rsa.der.toString('base64');
      const folded = leaf.match(/.{1,60}/g)!;
      const yaml = [
        'apiVersion: v1',
        'kind: ConfigMap',
        'data:',
        '  issuer: https://auth.example.org',
        'jwks:',
        '  keys:',
        '    - kty: EC',
        '      kid: yaml-key # the signing key',
        '      use: sig',
        '      key_ops:',
        '      - verify',
        '      x5c:',
        `        - ${leaf}`,
        `        - "${intermediate}"`,
        `      x5t#S256: ${b64url('sha256', chain.leaf.der)}`,
        '    - kid: flow-key',
        `      x5c: [ '${rsa64}', ${leaf} ]`,
        `      x5t: "${b64url('sha1', chain.leaf.der)}"`,
        '    - kid: same-indent',
        '      x5c:',
        `      - >-`,
        ...folded.map((l) => `        ${l}`),
        '      alg: ES256',
        '',
      ].join('\n');
      const r = parseText('auth.yaml', yaml);
      assert.deepEqual(
        r.certificates.map((c) => [c.sha256, c.jwk?.kid, c.jwk?.position]),
        [
          [sha256(chain.leaf.der), 'yaml-key', 0],
          [sha256(chain.intermediate.der), 'yaml-key', 1],
          [sha256(rsa.der), 'flow-key', 0],
          [sha256(chain.leaf.der), 'flow-key', 1],
          [sha256(chain.leaf.der), 'same-indent', 0],
        ],
      );
      assert.deepEqual(r.certificates[0].jwk, { kty: 'EC', kid: 'yaml-key', use: 'sig', position: 0 });
      assert.equal(r.certificates[4].jwk?.alg, 'ES256');
      assert.deepEqual(r.certificates[0].range, rangeOf(yaml, leaf));
      assert.deepEqual(r.certificates[1].range, rangeOf(yaml, intermediate));
      assert.deepEqual(r.certificates[2].range, rangeOf(yaml, rsa64));
      const foldedText = folded.join('\n        ');
      assert.deepEqual(r.certificates[4].range, rangeOf(yaml, foldedText));
      // Only the flow key's x5t is wrong (it is the EC leaf's, not the RSA certificate's).
      assert.deepEqual(
        r.problems.map((p) => [p.code, p.range]),
        [['jwk-thumbprint-mismatch', rangeOf(yaml, b64url('sha1', chain.leaf.der))]],
      );
    });

    it('reports truncated and bad members where they are, and never throws', () => {
      const cut = members[0].slice(0, 120);
      const text = `{"keys":[{"kid":"a","x5c":["${cut}","%%%"]},{"kid":"b","x5c":["${members[1]}"`;
      const r = parseText('jwks.json', text);
      assert.deepEqual(
        r.certificates.map((c) => c.sha256),
        [sha256(chain.intermediate.der)],
      );
      assert.deepEqual(
        r.problems.map((p) => [p.severity, p.code, p.range]),
        [
          ['error', 'invalid-certificate', rangeOf(text, cut)],
          ['error', 'invalid-base64', rangeOf(text, '%%%')],
        ],
      );
      const url = parseText('jwks.json', JSON.stringify({ keys: [{ x5c: [rsa.der.toString('base64url')] }] }));
      assert.equal(url.certificates[0]?.sha256, sha256(rsa.der));
      assert.match(url.problems[0]?.message ?? '', /base64url/);
      let seed = 7;
      const rand = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
      for (let round = 0; round < 300; round++) {
        const source = round % 2 ? jwks : jwks.replace(/[{}[\],"]/g, (c) => (rand(10) === 0 ? '' : c));
        const textCut = source.slice(0, rand(source.length + 1));
        const res = parseFile('/ws/jwks.json', Buffer.from(textCut));
        assert.ok(res.certificates.length <= 4);
      }
    });

    it('is found by the cheap pre-test in JSON and YAML only', () => {
      assert.ok(mayHoldCertificates('/ws/jwks.json', Buffer.from(jwks)));
      assert.ok(mayHoldCertificates('/ws/.well-known/jwks', Buffer.from(jwks)));
      assert.ok(mayHoldCertificates('/ws/keys.jwks', Buffer.from(jwks)));
      assert.ok(!mayHoldCertificates('/ws/jose.js', Buffer.from('const x5c = header.x5c;')));
    });

    it('scanJwks ignores other keys that end in x5c', () => {
      assert.deepEqual(scanJwks('{"my_x5c": ["a"], "x5c_url": "b"}'), []);
    });
  });
});
