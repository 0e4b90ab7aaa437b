// Authentication certificates and their kin in a real VS Code: a CRL and SAML metadata get their
// diagnostics and calendar events; a JKS keystore's certificates are listed.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { daysFromNow, makeCert, makeCrl, makeKey } from '../support/certs';
import { api, writeWorkspaceFile, certDiagnostics, workspaceUri } from './helpers';

describe('CertLens reads CRLs, SAML metadata and Java keystores', function () {
  this.timeout(120_000);
  const dir = 'authn';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certlens-it-formats-'));
  const write = (rel: string, data: string | Buffer) => writeWorkspaceFile(path.posix.join(dir, rel), data);
  let crlUri: vscode.Uri;
  let samlUri: vscode.Uri;
  let jksUri: vscode.Uri | undefined;

  before(async () => {
    const key = makeKey({ type: 'ec' });
    const ca = makeCert({ cn: 'Authn Test CA', key, ca: true, notBefore: daysFromNow(-100), notAfter: daysFromNow(1000) });
    // Issued 60 days before: a third of its 70-day lifetime is past 10 days left, so the day threshold (30) decides.
    crlUri = write('pki/ca.crl', makeCrl({ issuer: { cert: ca, key }, thisUpdate: daysFromNow(-60), nextUpdate: daysFromNow(10) }).der);
    const signing = makeCert({ cn: 'idp-signing.authn.acme-corp.net', key, notBefore: daysFromNow(-10), notAfter: daysFromNow(200) });
    const b64 = signing.der.toString('base64').replace(/.{64}/g, '$&\n          ');
    const validUntil = new Date(Date.now() + 20 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    samlUri = write(
      'sso/idp-metadata.xml',
      `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.authn.test/idp" validUntil="${validUntil}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>
          ${b64}
      </ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`,
    );
    try {
      const pem = path.join(tmp, 'ca.pem');
      fs.writeFileSync(pem, ca.pem);
      const store = path.join(tmp, 'trust.jks');
      execFileSync(
        'keytool',
        ['-importcert', '-noprompt', '-alias', 'authn-ca', '-file', pem, '-keystore', store, '-storetype', 'JKS', '-storepass', 'changeit'],
        { stdio: 'ignore' },
      );
      jksUri = write('java/trust.jks', fs.readFileSync(store));
    } catch {
      jksUri = undefined; // no keytool on this machine: the keystore part is covered by unit tests
    }
    await (await api()).scan();
  });

  after(async () => {
    fs.rmSync(workspaceUri(dir).fsPath, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    await (await api()).settled();
  });

  it('puts diagnostics on a CRL near its nextUpdate and on SAML metadata near its validUntil', () => {
    assert.deepEqual(
      certDiagnostics(crlUri).map((d) => d.code),
      ['crl-expires-warning'],
    );
    const onSaml = certDiagnostics(samlUri).map((d) => d.code);
    assert.ok(onSaml.includes('metadata-expires-warning'), JSON.stringify(onSaml));
  });

  it("lists the SAML signing certificate and the keystore's trusted certificate, with their sources", async () => {
    const report = (await api()).report();
    const saml = report.certificates.find((c) => c.file === samlUri.fsPath);
    assert.equal(saml?.subjectCN, 'idp-signing.authn.acme-corp.net');
    assert.equal(saml?.source, 'saml');
    assert.equal(saml?.saml?.entityID, 'https://idp.authn.test/idp');
    if (jksUri) {
      const jks = report.certificates.find((c) => c.file === jksUri!.fsPath);
      assert.equal(jks?.subjectCN, 'Authn Test CA');
      assert.equal(jks?.source, 'jks');
    }
  });

  it("shows the metadata's validUntil and the CRL in the tree, and a lens at the date", async () => {
    const a = await api();
    const warning = a.tree().find((g) => g.label === 'Within warning days');
    const labels = warning?.children.map((c) => c.label) ?? [];
    assert.ok(
      labels.some((l) => /SAML metadata/.test(l)),
      `metadata in the warning group: ${labels.join(', ')}`,
    );
    assert.ok(
      labels.some((l) => /^CRL · /.test(l)),
      `CRL in the warning group: ${labels.join(', ')}`,
    );
    const doc = await vscode.workspace.openTextDocument(samlUri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
    const dateLine = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('validUntil='));
    assert.ok(
      lenses.some((l) => l.range.start.line === dateLine && /SAML metadata/.test(l.command?.title ?? '')),
      `a lens on line ${dateLine}: ${lenses.map((l) => `${l.range.start.line}:${l.command?.title ?? ''}`).join(' | ')}`,
    );
  });

  it('adds calendar events for the CRL and the metadata', async () => {
    const icsUri = vscode.Uri.file(path.join(tmp, 'expiry.ics'));
    await vscode.commands.executeCommand('certlens.exportCalendar', icsUri);
    const ics = fs.readFileSync(icsUri.fsPath, 'utf8').replace(/\r\n /g, '');
    assert.match(ics, /SUMMARY:CRL expires: CRL of CN=Authn Test CA/);
    assert.match(ics, /SUMMARY:Metadata expires: SAML metadata/);
  });
});
