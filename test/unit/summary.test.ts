import * as assert from 'node:assert/strict';
import { DAY_MS } from '../../src/core/model';
import { DEFAULT_RULES, noUrgencies, type RuleSettings, type Urgency } from '../../src/core/rules/rules';
import { summarize, type SummaryInput } from '../../src/core/workspace/summary';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const days = (n: number) => NOW + n * DAY_MS;
const counts = (values: Partial<Record<Urgency, number>>) => ({ ...noUrgencies(), ...values });

function input(over: Partial<SummaryInput> = {}): SummaryInput {
  return {
    now: NOW,
    certificates: { counts: noUrgencies(), nonProduction: noUrgencies(), worst: new Map() },
    crls: [],
    metadata: [],
    hosts: [],
    setApart: (file) => file.startsWith('/ws/test/'),
    rulesOf: () => DEFAULT_RULES,
    windowRules: DEFAULT_RULES,
    ...over,
  };
}

describe('workspace summary (core/workspace/summary.ts)', () => {
  it('counts certificates, CRLs, SAML metadata and hosts alike: expired, critical, soon, urgent', () => {
    const s = summarize(
      input({
        certificates: {
          counts: counts({ expired: 1, critical: 2, later: 4 }),
          nonProduction: counts({ expired: 5 }),
          worst: new Map([['/ws/a.pem', 'expired']]),
        },
        crls: [
          { file: '/ws/ca.crl', thisUpdate: days(-400), nextUpdate: days(-1) },
          { file: '/ws/ca.crl', thisUpdate: days(-400), nextUpdate: days(20) },
          { file: '/ws/never.crl', thisUpdate: days(-400) },
        ],
        metadata: [{ file: '/ws/idp.xml', notAfter: days(3) }],
        hosts: [
          { file: '/ws/app.yaml', notBefore: days(-100), notAfter: days(-2) },
          { file: '/ws/app.yaml', notBefore: days(-100), notAfter: days(200) },
        ],
      }),
    );
    assert.deepEqual(s.byKind.certificates, counts({ expired: 1, critical: 2, later: 4 }));
    assert.deepEqual(s.byKind.crls, counts({ expired: 1, warning: 1 }), 'a CRL without nextUpdate is not counted');
    assert.deepEqual(s.byKind.metadata, counts({ critical: 1 }));
    assert.deepEqual(s.byKind.hosts, counts({ expired: 1, later: 1 }));
    assert.deepEqual(s.all, counts({ expired: 3, critical: 3, warning: 1, later: 5 }));
    assert.equal(s.expired, 3);
    assert.equal(s.critical, 3);
    assert.equal(s.soon, 4);
    assert.equal(s.urgent, 6);
    assert.deepEqual(s.nonProduction, counts({ expired: 5 }));
  });

  it('keeps tests, examples and docs apart (hosts are always counted)', () => {
    const s = summarize(
      input({
        crls: [{ file: '/ws/test/old.crl', thisUpdate: days(-400), nextUpdate: days(-1) }],
        metadata: [{ file: '/ws/test/idp.xml', notAfter: days(-1) }],
        hosts: [{ file: '/ws/test/app.yaml', notBefore: days(-10), notAfter: days(-1) }],
      }),
    );
    assert.equal(s.expired, 1);
    assert.deepEqual(s.byKind.hosts, counts({ expired: 1 }));
    assert.deepEqual(s.nonProduction, counts({ expired: 2 }));
    assert.equal(s.worst.size, 0, 'no Explorer badge on files set apart');
  });

  it('gives each production file its most urgent state, CRLs and metadata included, not the files naming hosts', () => {
    const s = summarize(
      input({
        certificates: { counts: counts({ warning: 1 }), nonProduction: noUrgencies(), worst: new Map([['/ws/both.pem', 'warning']]) },
        crls: [
          { file: '/ws/both.pem', thisUpdate: days(-400), nextUpdate: days(2) },
          { file: '/ws/ca.crl', thisUpdate: days(-400), nextUpdate: days(60) },
        ],
        metadata: [{ file: '/ws/idp.xml', notAfter: days(-1) }],
        hosts: [{ file: '/ws/app.yaml', notBefore: days(-10), notAfter: days(-1) }],
      }),
    );
    assert.deepEqual([...s.worst].sort(), [
      ['/ws/both.pem', 'critical'],
      ['/ws/ca.crl', 'info'],
      ['/ws/idp.xml', 'expired'],
    ]);
  });

  it("grades each item by its own folder's thresholds, and names the largest windows of the folders counted", () => {
    const wide: RuleSettings = { ...DEFAULT_RULES, criticalDays: 14, warningDays: 60 };
    const rulesOf = (file: string) => (file.startsWith('/wide/') ? wide : DEFAULT_RULES);
    const s = summarize(
      input({
        rulesOf,
        metadata: [
          { file: '/wide/idp.xml', notAfter: days(10) },
          { file: '/ws/idp.xml', notAfter: days(10) },
        ],
      }),
    );
    assert.deepEqual(s.byKind.metadata, counts({ critical: 1, warning: 1 }));
    assert.equal(s.warningDays, 60);
    assert.equal(s.criticalDays, 14);
  });

  it("names the window's thresholds when nothing is counted", () => {
    const s = summarize(input({ windowRules: { ...DEFAULT_RULES, warningDays: 45, criticalDays: 9 } }));
    assert.equal(s.warningDays, 45);
    assert.equal(s.criticalDays, 9);
    assert.equal(s.urgent, 0);
  });
});
