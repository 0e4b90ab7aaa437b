import * as assert from 'node:assert/strict';
import { hostFindings } from '../../src/core/hosts/assess';
import type { HostReference } from '../../src/core/hosts/discover';
import type { ChainMember, ProbeResult } from '../../src/core/hosts/tlsHandshake';
import { DAY_MS } from '../../src/core/model';
import { findingJson } from '../../src/core/report/schema';
import { DEFAULT_RULES } from '../../src/core/rules/rules';

const NOW = Date.UTC(2026, 10, 22);

function ref(file: string, line: number, source = 'url'): HostReference {
  return { host: 'api.acme-corp.net', port: 443, file, range: { start: { line, character: 4 }, end: { line, character: 21 } }, source };
}

function leaf(daysLeft: number): ChainMember {
  return {
    subject: 'CN=api.acme-corp.net',
    subjectCN: 'api.acme-corp.net',
    issuer: 'CN=Acme CA',
    issuerCN: 'Acme CA',
    dnsNames: ['api.acme-corp.net'],
    notBefore: NOW - 60 * DAY_MS,
    notAfter: NOW + daysLeft * DAY_MS,
    sha256: 'ab'.repeat(32),
    isCA: false,
    selfSigned: false,
  };
}

function result(extra: Partial<ProbeResult>): ProbeResult {
  return {
    host: 'api.acme-corp.net',
    port: 443,
    address: 'api.acme-corp.net:443',
    checkedAt: NOW,
    ms: 12,
    authorized: true,
    hostnameMatch: true,
    chain: [],
    ...extra,
  };
}

describe('host findings', () => {
  // Production references first, as the caller passes them; then a second production file.
  const references = [ref('/ws/deploy/prod.env', 2), ref('/ws/k8s/ingress.yaml', 9, 'ingress'), ref('/ws/config/app.yaml', 0)];

  it('reports each issue of a host once, at its first reference, with the other references as related locations', () => {
    const expiring = result({ chain: [leaf(5)], notAfter: NOW + 5 * DAY_MS });
    const mismatch = { ...expiring, hostnameMatch: false };
    const findings = hostFindings(references, mismatch, NOW, DEFAULT_RULES);
    assert.deepEqual(
      findings.map((f) => [f.code, f.file, f.range.start.line, f.host]),
      [
        ['expires-critical', '/ws/deploy/prod.env', 2, 'api.acme-corp.net:443'],
        ['host-hostname-mismatch', '/ws/deploy/prod.env', 2, 'api.acme-corp.net:443'],
      ],
    );
    for (const f of findings) {
      assert.deepEqual(f.related, [
        { file: '/ws/k8s/ingress.yaml', range: references[1].range },
        { file: '/ws/config/app.yaml', range: references[2].range },
      ]);
    }
    // The JSON report keeps them.
    assert.deepEqual(findingJson(findings[0]).related, [
      { file: '/ws/k8s/ingress.yaml', range: references[1].range },
      { file: '/ws/config/app.yaml', range: references[2].range },
    ]);
  });

  it('has no related locations for a host named once, and no findings for a host named nowhere', () => {
    const down = result({ error: 'connection refused by 10.0.0.5:443', authorized: false, hostnameMatch: undefined });
    const [finding, ...rest] = hostFindings([references[1]], down, NOW, DEFAULT_RULES);
    assert.equal(rest.length, 0);
    assert.equal(finding.code, 'host-unreachable');
    assert.equal(finding.file, '/ws/k8s/ingress.yaml');
    assert.equal('related' in finding, false);
    assert.equal('related' in findingJson(finding), false);
    assert.deepEqual(hostFindings([], down, NOW, DEFAULT_RULES), []);
  });

  it('reports an unreachable host as a warning (a name with no DNS record as information) unless told otherwise (information in the editor, an error in certlens check)', () => {
    const down = result({ error: 'timed out after 5 s', authorized: false, hostnameMatch: undefined });
    assert.deepEqual(
      hostFindings(references, down, NOW).map((f) => f.severity),
      ['warning'],
    );
    assert.deepEqual(
      hostFindings(references, down, NOW, DEFAULT_RULES, { unreachable: 'info' }).map((f) => f.severity),
      ['info'],
    );
    assert.deepEqual(
      hostFindings(references, down, NOW, DEFAULT_RULES, { unreachable: 'error' }).map((f) => f.severity),
      ['error'],
    );
    // A name that does not exist in DNS is a note unless told otherwise; through a proxy it stays a warning.
    const noSuchName = result({
      error: 'DNS lookup failed for core.harbor.domain: no such host',
      errorCode: 'ENOTFOUND',
      authorized: false,
      hostnameMatch: undefined,
    });
    assert.deepEqual(
      hostFindings(references, noSuchName, NOW).map((f) => f.severity),
      ['info'],
    );
    assert.deepEqual(
      hostFindings(references, { ...noSuchName, viaProxy: 'proxy.corp.net:3128' }, NOW).map((f) => f.severity),
      ['warning'],
    );
    assert.deepEqual(
      hostFindings(references, { ...noSuchName, errorCode: 'EAI_AGAIN' }, NOW).map((f) => f.severity),
      ['warning'],
    );
    assert.deepEqual(
      hostFindings(references, noSuchName, NOW, DEFAULT_RULES, { unreachable: 'error' }).map((f) => f.severity),
      ['error'],
    );
    // Only reachability follows the option: an expired certificate stays an error.
    const expired = result({ chain: [leaf(-3)], notAfter: NOW - 3 * DAY_MS, authorized: false, authorizationError: 'CERT_HAS_EXPIRED' });
    assert.deepEqual(
      hostFindings(references, expired, NOW, DEFAULT_RULES, { unreachable: 'info' }).map((f) => [f.code, f.severity]),
      [['expired', 'error']],
    );
  });
});
