import * as assert from 'node:assert/strict';
import { fakeCertificate } from './helpers';
import { DAY_MS, type CertificateRecord } from '../../src/core/model';
import { DEFAULT_RULES, evaluate, hasEmbeddedScts, tlsValidityLimit, urgencyOf, type RuleSettings } from '../../src/core/rules/rules';
import { daysFromNow, makeCert, makeKey } from '../support/certs';
import { isoDate, isoTime } from '../../src/core/dates';
import { isTrustStore } from '../../src/core/rules/trustStores';

const NOW = Date.parse('2026-06-01T12:00:00Z');

// 180 days: within the SC-081 limits in force now, so long-validity does not fire by default.
const cert = (over: Partial<CertificateRecord>): CertificateRecord => fakeCertificate(NOW, { notAfter: NOW + 150 * DAY_MS, ...over });

/** DER bytes around an embedded SCT list extension's OID (1.3.6.1.4.1.11129.2.4.2): a publicly logged certificate. */
const LOGGED_DER = Uint8Array.from([
  0x30, 0x10, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02, 0x04, 0x02, 0x04, 0x00,
]);

const codes = (certs: CertificateRecord[], s: RuleSettings = DEFAULT_RULES) =>
  evaluate(certs, NOW, s).map((f) => `${f.severity}:${f.code}`);

describe('rules', () => {
  it('grades expiry: expired, critical, warning, info, later, not yet valid', () => {
    assert.deepEqual(codes([cert({ notAfter: NOW - 2 * DAY_MS })]), ['error:expired']);
    assert.deepEqual(codes([cert({ notAfter: NOW })]), ['error:expired']);
    assert.deepEqual(codes([cert({ notAfter: NOW + 7 * DAY_MS })]), ['error:expires-critical']);
    assert.deepEqual(codes([cert({ notAfter: NOW + 7 * DAY_MS + 1000 })]), ['warning:expires-warning']);
    assert.deepEqual(codes([cert({ notAfter: NOW + 30 * DAY_MS })]), ['warning:expires-warning']);
    assert.deepEqual(codes([cert({ notAfter: NOW + 90 * DAY_MS })]), ['info:expires-info']);
    assert.deepEqual(codes([cert({ notAfter: NOW + 91 * DAY_MS })]), []);
    assert.deepEqual(codes([cert({ notBefore: NOW + DAY_MS })]), ['error:not-yet-valid']);
  });

  it('uses configured thresholds', () => {
    const s = { ...DEFAULT_RULES, criticalDays: 1, warningDays: 10, infoDays: 20 };
    assert.deepEqual(codes([cert({ notAfter: NOW + 5 * DAY_MS })], s), ['warning:expires-warning']);
    assert.deepEqual(codes([cert({ notAfter: NOW + 15 * DAY_MS })], s), ['info:expires-info']);
    assert.deepEqual(codes([cert({ notAfter: NOW + 25 * DAY_MS })], s), []);
    assert.equal(urgencyOf(cert({ notAfter: NOW + 12 * 3600_000 }), NOW, s), 'critical');
  });

  it('says how long ago a certificate expired and when', () => {
    const [f] = evaluate([cert({ notAfter: Date.parse('2026-05-20T00:00:00Z') })], NOW);
    // 12.5 days before NOW: whole days, counted toward zero.
    assert.equal(f.message, 'CN=t expired 12 days ago (2026-05-20)');
    assert.equal(f.sha256, 'aa');
  });

  describe('thresholds that fit the lifetime (worked examples of docs/findings.md)', () => {
    /** A certificate of `lifetimeDays` with `leftMs` to go at NOW. */
    const aged = (lifetimeDays: number, leftMs: number, over: Partial<CertificateRecord> = {}) =>
      cert({ notBefore: NOW + leftMs - lifetimeDays * DAY_MS, notAfter: NOW + leftMs, ...over });
    const urgencyLeft = (lifetimeDays: number, leftMs: number, s: RuleSettings = DEFAULT_RULES, over: Partial<CertificateRecord> = {}) =>
      urgencyOf(aged(lifetimeDays, leftMs, over), NOW, s);
    /** The urgency a millisecond before and at each band's start (time left), as "before>at". */
    const starts = (lifetimeDays: number, leftAtStart: number[], over: Partial<CertificateRecord> = {}) =>
      leftAtStart.map(
        (left) => `${urgencyLeft(lifetimeDays, left + 1, DEFAULT_RULES, over)}>${urgencyLeft(lifetimeDays, left, DEFAULT_RULES, over)}`,
      );
    const SHARES_OFF = { ...DEFAULT_RULES, criticalLifetimeShare: 0, lifetimeShare: 0, infoLifetimeShare: 0 };

    it('a 6-day certificate: quiet when issued and until half-life, a warning from its renewal point, an error in its last day', () => {
      // Before: an error from the minute it was issued (6 days < 7).
      assert.equal(urgencyLeft(6, 6 * DAY_MS, SHARES_OFF), 'critical');
      assert.deepEqual(codes([aged(6, 6 * DAY_MS)]), []);
      assert.deepEqual(starts(6, [3 * DAY_MS, 2 * DAY_MS, DAY_MS]), ['later>info', 'info>warning', 'warning>critical']);
      const at = (left: number) => evaluate([aged(6, left)], NOW).map((f) => `${f.severity}:${f.code}: ${f.message}`);
      assert.deepEqual(at(3 * DAY_MS), [
        `info:expires-info: CN=t expires in 3 days (${isoDate(NOW + 3 * DAY_MS)}), less than half of its 6-day lifetime left (renewal due with a third left)`,
      ]);
      assert.deepEqual(at(2 * DAY_MS), [
        `warning:expires-warning: CN=t expires in 2 days (${isoDate(NOW + 2 * DAY_MS)}), past its renewal point with a third of its 6-day lifetime left`,
      ]);
      assert.deepEqual(at(DAY_MS), [
        `error:expires-critical: CN=t expires in 1 day (${isoDate(NOW + DAY_MS)}), in the last sixth of its 6-day lifetime, past its renewal point with a third left`,
      ]);
      assert.deepEqual(
        at(-1).map((m) => m.split(':').slice(0, 2).join(':')),
        ['error:expired'],
      );
    });

    it('a 47-day certificate (public TLS from 2029): information at 23.5 days, a warning at its renewal point (15 days 16 h), an error at 7 days', () => {
      const renewal = Math.round((47 * DAY_MS) / 3);
      assert.equal(renewal, 15 * DAY_MS + 16 * 3_600_000);
      assert.deepEqual(starts(47, [23.5 * DAY_MS, renewal, 7 * DAY_MS]), ['later>info', 'info>warning', 'warning>critical']);
      // Before: information from issue and a warning at 30 days.
      assert.equal(urgencyLeft(47, 47 * DAY_MS, SHARES_OFF), 'info');
      assert.equal(urgencyLeft(47, 47 * DAY_MS), 'later');
      assert.equal(urgencyLeft(47, 30 * DAY_MS), 'later');
      // The error band is the days' (7 days come after the last sixth, 7.8 days).
      assert.equal(evaluate([aged(47, 7 * DAY_MS)], NOW)[0].message, `CN=t expires in 7 days (${isoDate(NOW + 7 * DAY_MS)})`);
      assert.match(evaluate([aged(47, renewal)], NOW)[0].message, /, past its renewal point with a third of its 47-day lifetime left$/);
    });

    it('a 90-day certificate: information from 45 days (not from issue), a warning at 30 days, an error at 7', () => {
      assert.deepEqual(starts(90, [45 * DAY_MS, 30 * DAY_MS, 7 * DAY_MS]), ['later>info', 'info>warning', 'warning>critical']);
      assert.equal(urgencyLeft(90, 90 * DAY_MS, SHARES_OFF), 'info');
      assert.deepEqual(codes([aged(90, 90 * DAY_MS)]), []);
      // At 30 days the renewal point and the warning days coincide: the days' message, nothing to explain.
      assert.equal(evaluate([aged(90, 30 * DAY_MS)], NOW)[0].message, `CN=t expires in 30 days (${isoDate(NOW + 30 * DAY_MS)})`);
    });

    for (const [what, lifetimeDays, over] of [
      ['a 1-year certificate', 365, {}],
      ['a 10-year CA', 3650, { role: 'root', isCA: true, selfSigned: true, subjectCN: 'Root CA', subject: 'CN=Root CA' }],
    ] as const) {
      it(`${what} keeps the day thresholds: 90, 30 and 7 days, the same messages`, () => {
        assert.deepEqual(starts(lifetimeDays, [90 * DAY_MS, 30 * DAY_MS, 7 * DAY_MS], over), [
          'later>info',
          'info>warning',
          'warning>critical',
        ]);
        for (const left of [120, 90, 45, 30, 10, 7, 1, 0.5]) {
          const c = aged(lifetimeDays, left * DAY_MS, over);
          assert.deepEqual(evaluate([c], NOW), evaluate([c], NOW, SHARES_OFF), `${left} days left`);
        }
      });
    }

    it('leaves every certificate of 180 days or more exactly as the day thresholds judge it', () => {
      for (let lifetimeDays = 180; lifetimeDays < 4000; lifetimeDays += 37)
        for (const left of [lifetimeDays, 150, 90, 89.99, 60, 30, 29.5, 7, 6.9, 0.01])
          if (left <= lifetimeDays)
            assert.equal(
              urgencyLeft(lifetimeDays, left * DAY_MS),
              urgencyLeft(lifetimeDays, left * DAY_MS, SHARES_OFF),
              `${lifetimeDays}/${left}`,
            );
    });

    it('follows the configured shares; 0 turns a share off; file expiries and CRLs have no lifetime', () => {
      const s = { ...DEFAULT_RULES, criticalLifetimeShare: 0.1, lifetimeShare: 0.25, infoLifetimeShare: 0 };
      // 40-day certificate: information by the days from issue, a warning from 10 days left, an error from 4.
      assert.equal(urgencyLeft(40, 40 * DAY_MS, s), 'info');
      assert.equal(urgencyLeft(40, 10 * DAY_MS + 1, s), 'info');
      assert.equal(urgencyLeft(40, 10 * DAY_MS, s), 'warning');
      assert.equal(urgencyLeft(40, 4 * DAY_MS, s), 'critical');
      assert.match(
        evaluate([aged(40, 10 * DAY_MS)], NOW, s)[0].message,
        /past its renewal point with a quarter of its 40-day lifetime left$/,
      );
      assert.match(
        evaluate([aged(40, 4 * DAY_MS)], NOW, s)[0].message,
        /in the last tenth of its 40-day lifetime, past its renewal point with a quarter left$/,
      );
      assert.match(
        evaluate([aged(40, 4 * DAY_MS)], NOW, { ...s, criticalLifetimeShare: 0.2 })[0].message,
        /expires in 4 days \(.*\)$/,
        'the days decide: 7 days come after a fifth (8 days)',
      );
      assert.match(
        evaluate([aged(40, 2 * DAY_MS)], NOW, { ...s, criticalLifetimeShare: 0.07 })[0].message,
        /in the last 7% of its 40-day lifetime/,
      );
      // Under two days the lifetime is said in hours.
      assert.match(evaluate([aged(1, 3_600_000)], NOW)[0].message, /in the last sixth of its 24-hour lifetime/);
      assert.equal(urgencyOf({ notBefore: -Infinity, notAfter: NOW + 6 * DAY_MS }, NOW, DEFAULT_RULES), 'critical');
    });
  });

  it('flags a chain member that expires before the leaf, on the leaf, once the member is within the info window', () => {
    const chainWith = (memberDays: number) => {
      const leaf = cert({
        index: 0,
        notAfter: NOW + 300 * DAY_MS,
        chain: { members: [0, 1], earliestIndex: 1, earliestNotAfter: NOW + memberDays * DAY_MS },
      });
      const inter = cert({
        index: 1,
        role: 'intermediate',
        isCA: true,
        subjectCN: 'Inter',
        notAfter: NOW + memberDays * DAY_MS,
        sha256: 'dd',
        chain: leaf.chain,
      });
      return evaluate([leaf, inter], NOW).filter((x) => x.code === 'chain-member-expires-first');
    };
    const f = chainWith(80);
    assert.equal(f.length, 1);
    assert.equal(f[0].sha256, 'aa');
    assert.match(f[0].message, /intermediate CN=Inter expires 2026-08-20/);
    // A member years away (a test chain of 2291) is nothing to act on yet.
    assert.deepEqual(chainWith(DEFAULT_RULES.infoDays + 10), []);
  });

  it('does not say the chain expires first when the certificate has expired itself: each expiry is its own error', () => {
    // apache/infrastructure-puppet's asf_internal.crt: a leaf expired a week after its root.
    const leaf = cert({
      index: 0,
      notAfter: NOW - 900 * DAY_MS,
      chain: { members: [0, 1], earliestIndex: 1, earliestNotAfter: NOW - 907 * DAY_MS },
    });
    const root = cert({
      index: 1,
      role: 'root',
      isCA: true,
      selfSigned: true,
      subjectCN: 'Root',
      notAfter: NOW - 907 * DAY_MS,
      sha256: 'dd',
      chain: leaf.chain,
    });
    assert.deepEqual(
      evaluate([leaf, root], NOW).map((x) => `${x.severity}:${x.code}:${x.sha256}`),
      ['error:expired:aa', 'error:expired:dd'],
    );
    // Still said while the certificate is valid and its root has expired.
    const valid = { ...leaf, notAfter: NOW + 30 * DAY_MS };
    assert.ok(
      evaluate([valid, root], NOW).some((x) => x.code === 'chain-member-expires-first' && x.sha256 === 'aa'),
      "an expired member of a valid certificate's chain",
    );
  });

  it('keeps a weak key a warning, but a hint for a self-signed certificate in a list of trusted ones (pinned signing certificates)', () => {
    const pinned = (i: number) =>
      cert({
        index: i,
        file: '/ws/aws_certificates.pem',
        keyType: 'RSA',
        keyBits: 1024,
        selfSigned: true,
        isCA: false,
        role: 'leaf',
        sha256: `p${i}`,
      });
    const list = [0, 1, 2, 3, 4].map(pinned);
    assert.deepEqual(
      evaluate(list, NOW).map((x) => `${x.severity}:${x.code}`),
      Array(5).fill('hint:weak-rsa-key'),
    );
    // Fewer of them, or one beside certificates it does not trust itself: the repository's own.
    assert.deepEqual(
      evaluate(list.slice(0, 2), NOW).map((x) => `${x.severity}:${x.code}`),
      ['warning:weak-rsa-key', 'warning:weak-rsa-key'],
    );
  });

  it('flags SHA-1/MD5 signatures (not on self-signed roots), small RSA keys and long leaf validity', () => {
    assert.deepEqual(codes([cert({ signatureAlgorithmOid: '1.2.840.113549.1.1.5', signatureAlgorithm: 'sha1WithRSAEncryption' })]), [
      'warning:weak-signature',
    ]);
    assert.deepEqual(codes([cert({ signatureAlgorithmOid: '1.2.840.113549.1.1.4', selfSigned: true, isCA: true, role: 'root' })]), []);
    assert.deepEqual(codes([cert({ keyType: 'RSA', keyBits: 1024 })]), ['warning:weak-rsa-key']);
    assert.deepEqual(codes([cert({ keyType: 'RSA', keyBits: 2048 })]), []);
    assert.deepEqual(codes([cert({ notBefore: NOW - 10 * DAY_MS, notAfter: NOW + 390 * DAY_MS, der: LOGGED_DER })]), [
      'info:long-validity',
    ]);
    // A private CA's leaf (no embedded SCTs: a VPN's, a Kafka cluster's) gets no browser talk.
    assert.deepEqual(codes([cert({ notBefore: NOW - 10 * DAY_MS, notAfter: NOW + 390 * DAY_MS })]), []);
    assert.deepEqual(codes([cert({ notBefore: NOW - 10 * DAY_MS, notAfter: NOW + 390 * DAY_MS, role: 'root', isCA: true })]), []);
  });

  it('skips ignored certificates and snoozes expiry findings until the snooze ends', () => {
    const c = cert({ notAfter: NOW - DAY_MS, sha256: 'ff' });
    assert.deepEqual(codes([c], { ...DEFAULT_RULES, ignore: new Set(['ff']) }), []);
    assert.deepEqual(codes([c], { ...DEFAULT_RULES, snoozed: new Map([['ff', NOW + DAY_MS]]) }), []);
    assert.deepEqual(codes([c], { ...DEFAULT_RULES, snoozed: new Map([['ff', NOW - 1]]) }), ['error:expired']);
  });
});

describe('trust stores', () => {
  const root = (file: string, i: number, over: Partial<CertificateRecord> = {}) =>
    cert({
      file,
      index: i,
      sha256: `r${i}`,
      subjectCN: `Root ${i}`,
      selfSigned: true,
      isCA: true,
      role: 'root',
      notBefore: NOW - 3000 * DAY_MS,
      notAfter: NOW + 3000 * DAY_MS,
      ...over,
    });
  const leaf = (file: string, i: number) => cert({ file, index: i, sha256: `l${i}` });

  it('is a well-known name with 2 roots, or 5 certificates of which 80% are roots', () => {
    assert.equal(isTrustStore('/etc/ssl/certs/ca-certificates.crt', [root('f', 0), root('f', 1)]), true);
    assert.equal(isTrustStore('/venv/certifi/cacert.pem', [root('f', 0), root('f', 1), leaf('f', 2)]), true);
    assert.equal(isTrustStore('/etc/ssl/certs/ca-certificates.crt', [root('f', 0), leaf('f', 1)]), false, 'one root');
    assert.equal(
      isTrustStore(
        '/ws/roots.go',
        [0, 1, 2, 3, 4].map((i) => root('f', i)),
      ),
      true,
    );
    assert.equal(isTrustStore('/ws/roots.go', [root('f', 0), root('f', 1), root('f', 2), root('f', 3), leaf('f', 4)]), true, '4 of 5');
    assert.equal(isTrustStore('/ws/roots.go', [root('f', 0), root('f', 1), root('f', 2), leaf('f', 3), leaf('f', 4)]), false, '3 of 5');
    assert.equal(
      isTrustStore(
        '/ws/corp-roots.pem',
        [0, 1, 2, 3].map((i) => root('f', i)),
      ),
      false,
      'a private bundle of a few roots',
    );
    assert.equal(isTrustStore('/ws/fullchain.pem', [leaf('f', 0), root('f', 1, { isCA: true, selfSigned: false }), root('f', 2)]), false);
  });

  it('makes an expired or expiring root in a trust store a hint; the same root elsewhere stays an error', () => {
    const store = '/etc/ssl/certs/ca-certificates.crt';
    const certs = [
      root(store, 0, { notAfter: NOW - 10 * DAY_MS }),
      root(store, 1, { notAfter: NOW + 5 * DAY_MS }),
      root(store, 2, { notAfter: NOW + 20 * DAY_MS }),
      root(store, 3),
    ];
    const findings = evaluate(certs, NOW);
    assert.deepEqual(
      findings.map((f) => `${f.severity}:${f.code}`),
      ['hint:expired', 'hint:expires-critical', 'hint:expires-warning'],
    );
    assert.equal(
      findings[0].message,
      'Expired root in a trust store: unused, consider removing it (CN=Root 0 expired 10 days ago, 2026-05-22)',
    );
    assert.equal(
      findings[1].message,
      'Root in a trust store expires in 5 days (2026-06-06): unused after that, consider removing it (CN=Root 1)',
    );
    // One file at a time (the editor) or all files together (the CLI): the same answer.
    assert.deepEqual(evaluate([...certs, leaf('/ws/a.pem', 0)], NOW).slice(0, 3), findings);
    const alone = [root('/ws/ca.pem', 0, { notAfter: NOW - 10 * DAY_MS }), leaf('/ws/ca.pem', 1)];
    assert.deepEqual(codes(alone), ['error:expired']);
    // A leaf in a trust store is not a root: reported in full.
    assert.deepEqual(codes([...certs.slice(3), root(store, 4), cert({ file: store, index: 5, notAfter: NOW - DAY_MS })]), [
      'error:expired',
    ]);
  });

  it('says once, as an error, that a trust store whose every member has expired verifies nothing', () => {
    // govuk-puppet's rds-combined-ca-bundle.pem, installed on every node: 45 of 45 expired.
    const store = '/ws/modules/govuk/files/etc/ssl/certs/rds-combined-ca-bundle.pem';
    const certs = [0, 1, 2, 3, 4].map((i) => root(store, i, { notAfter: NOW - (50 - i * 10) * DAY_MS }));
    const findings = evaluate(certs, NOW);
    assert.deepEqual(
      findings.map((f) => `${f.severity}:${f.code}:${f.sha256}`),
      ['hint:expired:r0', 'hint:expired:r1', 'hint:expired:r2', 'hint:expired:r3', 'error:expired:r4'],
    );
    assert.equal(
      findings[4].message,
      'Every certificate in this trust store has expired, the last of them CN=Root 4 10 days ago (2026-05-22): it verifies nothing; replace it with a current bundle or remove it',
    );
    assert.deepEqual(
      evaluate([certs[4], leaf('/ws/a.pem', 0), ...certs.slice(0, 4)], NOW)
        .filter((f) => f.severity === 'error')
        .map((f) => f.sha256),
      ['r4'],
      'in any order',
    );
    // One member still valid: the expired ones are unused, hints.
    assert.deepEqual(codes([...certs, root(store, 5)]), Array(5).fill('hint:expired'));
  });

  it('counts a collection of CAs (roots and intermediates, no leaf, 2 roots or more, 20 or more) as a trust store: its expired or SHA-1 intermediates are hints', () => {
    // Microsoft's TPM collection as WebAuthn libraries ship it: a few roots, many intermediates.
    const file = '/ws/lib/WebAuthn/rootCertificates/microsoftTpmCollection.pem';
    const intermediate = (i: number, over: Partial<CertificateRecord> = {}) =>
      root(file, i, { selfSigned: false, role: 'intermediate', subjectCN: `CA ${i}`, sha256: `i${i}`, ...over });
    const more = Array.from({ length: 15 }, (_, k) => intermediate(5 + k));
    const collection = [
      root(file, 0),
      root(file, 1),
      intermediate(2, { notAfter: NOW - 10 * DAY_MS }),
      intermediate(3, { signatureAlgorithm: 'sha1WithRSAEncryption', signatureAlgorithmOid: '1.2.840.113549.1.1.5' }),
      intermediate(4, { notAfter: NOW + 20 * DAY_MS }),
      ...more,
    ];
    assert.equal(isTrustStore(file, collection), true);
    const findings = evaluate(collection, NOW);
    assert.deepEqual(
      findings.map((f) => `${f.severity}:${f.code}`),
      ['hint:expired', 'hint:weak-signature', 'hint:expires-warning'],
    );
    assert.equal(
      findings[0].message,
      'Expired CA certificate in a trust store: unused, consider removing it (CN=CA 2 expired 10 days ago, 2026-05-22)',
    );
    assert.equal(
      findings[2].message,
      'CA certificate in a trust store expires in 20 days (2026-06-21): unused after that, consider removing it (CN=CA 4)',
    );
    // A served chain: one root at most, or a leaf among the CAs.
    assert.equal(isTrustStore(file, [root(file, 0), ...collection.slice(2)]), false, 'one root');
    assert.equal(isTrustStore(file, [...collection.slice(0, 19), leaf(file, 19)]), false, 'a leaf');
    assert.deepEqual(codes([root(file, 0), ...[1, 2, 3].map((i) => intermediate(i)), intermediate(4, { notAfter: NOW - DAY_MS })]), [
      'error:expired',
    ]);
    // A private PKI's own bundle, two root generations and three issuing CAs: its expiring old root is
    // what its services chain to, reported in full.
    const bundle = '/ws/deploy/pki/internal-ca-bundle.pem';
    const privateBundle = [
      root(bundle, 0, { notAfter: NOW + 20 * DAY_MS, sha256: 'old' }),
      root(bundle, 1, { sha256: 'new' }),
      ...[2, 3, 4].map((i) => root(bundle, i, { selfSigned: false, role: 'intermediate', subjectCN: `Issuing ${i}`, sha256: `b${i}` })),
    ];
    assert.equal(isTrustStore(bundle, privateBundle), false, 'five CAs, two roots: a private bundle');
    assert.deepEqual(codes(privateBundle), ['warning:expires-warning']);
  });
});

describe('trust stores: pools of intermediates', () => {
  const ca = (file: string, i: number, issuer: string, over: Partial<CertificateRecord> = {}) =>
    cert({
      file,
      index: i,
      sha256: `c${i}`,
      subjectCN: `CA ${i}`,
      subjectRaw: `ca${i}`,
      issuerRaw: issuer,
      isCA: true,
      role: 'intermediate',
      notBefore: NOW - 3000 * DAY_MS,
      notAfter: NOW + 3000 * DAY_MS,
      ...over,
    });

  it("counts 5 or more CAs issued by 3 or more CAs the file does not hold (cfssl's mkbundle intermediate bundle) as a trust store", () => {
    // cfssl/cmd/mkbundle/cert-bundle.crt: 14 public intermediates under 7 roots, none of them in the file.
    const file = '/ws/cmd/mkbundle/cert-bundle.crt';
    const pool = [
      ca(file, 0, 'AddTrust', { notAfter: NOW - 10 * DAY_MS }),
      ca(file, 1, 'AddTrust', { signatureAlgorithm: 'sha1WithRSAEncryption', signatureAlgorithmOid: '1.2.840.113549.1.1.5' }),
      ca(file, 2, 'GlobalSign'),
      ca(file, 3, 'DigiCert'),
      ca(file, 4, 'ca0'),
    ];
    assert.equal(isTrustStore(file, pool), true);
    assert.deepEqual(codes(pool), ['hint:expired', 'hint:weak-signature']);
  });

  it('makes "the chain expires first" a hint for a CA in a pool: the pool is not served as a chain; a leaf\'s chain keeps the warning', () => {
    // cfssl's bundle: COMODO's DV CA linked to COMODO RSA CA's AddTrust cross-signature (expired 2020).
    const file = '/ws/cmd/mkbundle/cert-bundle.crt';
    const chain = { members: [0, 1], earliestNotAfter: NOW - 10 * DAY_MS, earliestIndex: 1 };
    const pool = [
      ca(file, 0, 'ca1', { chain }),
      ca(file, 1, 'AddTrust', { notAfter: NOW - 10 * DAY_MS, chain }),
      ca(file, 2, 'GlobalSign'),
      ca(file, 3, 'GlobalSign'),
      ca(file, 4, 'DigiCert'),
    ];
    const findings = evaluate(pool, NOW).filter((f) => f.code === 'chain-member-expires-first');
    assert.deepEqual(
      findings.map((f) => f.severity),
      ['hint'],
    );
    assert.match(findings[0].message, /trust store/);
    const served = [
      cert({ file: '/ws/fullchain.pem', index: 0, issuerRaw: 'ca1', chain }),
      ca('/ws/fullchain.pem', 1, 'Root', { notAfter: NOW - 10 * DAY_MS, chain }),
    ];
    assert.ok(codes(served).includes('warning:chain-member-expires-first'));
  });

  it("keeps a chain of intermediates, a private issuing CA's siblings, a bundle with a leaf, and four CAs reported in full", () => {
    const file = '/ws/certs/intermediates.pem';
    // A served chain: each issued by the next, one issuer outside the file.
    const chain = [
      ca(file, 0, 'ca1', { notAfter: NOW - DAY_MS }),
      ca(file, 1, 'ca2'),
      ca(file, 2, 'ca3'),
      ca(file, 3, 'ca4'),
      ca(file, 4, 'Corp Root'),
    ];
    assert.equal(isTrustStore(file, chain), false, 'one chain');
    assert.deepEqual(codes(chain), ['error:expired']);
    // Five issuing CAs of one private root (not in the file): one issuer outside it.
    assert.equal(
      isTrustStore(
        file,
        [0, 1, 2, 3, 4].map((i) => ca(file, i, 'Corp Root')),
      ),
      false,
      'one private root',
    );
    // During a root rotation: issuing CAs under the old and the new private root, two issuers outside.
    const rotation = [
      ca(file, 0, 'Corp Root G1', { notAfter: NOW - DAY_MS }),
      ca(file, 1, 'Corp Root G1'),
      ca(file, 2, 'Corp Root G1'),
      ca(file, 3, 'Corp Root G2'),
      ca(file, 4, 'Corp Root G2'),
    ];
    assert.equal(isTrustStore(file, rotation), false, 'two private roots');
    assert.deepEqual(codes(rotation), ['error:expired']);
    const pool = [ca(file, 0, 'A'), ca(file, 1, 'A'), ca(file, 2, 'B'), ca(file, 3, 'B'), ca(file, 4, 'C')];
    assert.equal(isTrustStore(file, [...pool.slice(0, 4), cert({ file, index: 4, issuerRaw: 'C' })]), false, 'a leaf');
    assert.equal(isTrustStore(file, pool.slice(0, 4)), false, 'four');
  });
});

describe('date text', () => {
  it('formats like Date#toISOString (without .000) across years 0000-9999, leap days and odd instants', () => {
    const reference = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const samples = [
      0,
      -1000,
      Date.UTC(2000, 1, 29),
      Date.UTC(1900, 1, 28, 23, 59, 59),
      Date.UTC(2100, 2, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59),
      Date.UTC(0, 0, 1) - 0 /* year 1900 in Date.UTC's reading */,
      new Date('0000-01-01T00:00:00Z').getTime(),
      new Date('0001-03-01T12:00:00Z').getTime(),
      Date.UTC(2026, 10, 22, 4, 5, 6, 789),
      new Date('+010000-01-01T00:00:00Z').getTime(),
      new Date('-000001-06-01T00:00:00Z').getTime(),
    ];
    let seed = 11;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      samples.push(new Date('0000-01-01T00:00:00Z').getTime() + Math.floor((seed / 2 ** 32) * 316_000_000_000) * 1000);
    }
    for (const ms of samples) {
      assert.equal(isoTime(ms), reference(ms), String(ms));
      assert.equal(isoDate(ms), new Date(ms).toISOString().slice(0, 10), String(ms));
    }
    assert.equal(isoTime(NaN), 'NaN');
  });
});

describe('SC-081 TLS validity limits', () => {
  const at = (iso: string) => Date.parse(iso);
  const leaf = (notBefore: number, days: number, over: Partial<CertificateRecord> = {}) =>
    cert({ notBefore, notAfter: notBefore + days * DAY_MS, der: LOGGED_DER, ...over });
  const longValidity = (c: CertificateRecord) => evaluate([c], c.notBefore + DAY_MS).filter((f) => f.code === 'long-validity');

  it('judges a leaf by the limit in force at its notBefore: 398, 200, 100, then 47 days, each from March 15', () => {
    const boundaries: [string, number, number][] = [
      ['2026-03-15T00:00:00Z', 398, 200],
      ['2027-03-15T00:00:00Z', 200, 100],
      ['2029-03-15T00:00:00Z', 100, 47],
    ];
    for (const [iso, before, after] of boundaries) {
      const justBefore = at(iso) - 1000;
      const from = at(iso);
      assert.equal(tlsValidityLimit(justBefore).days, before, iso);
      assert.equal(tlsValidityLimit(from).days, after, iso);
      // At the limit: no finding; a second over: a finding naming the limit.
      assert.deepEqual(longValidity(leaf(justBefore, before)), [], `${iso} -1s, ${before} days`);
      const [over] = longValidity(leaf(justBefore, before + 1 / 86_400));
      assert.ok(over, `${iso} -1s, ${before} days + 1 s`);
      assert.match(over.message, new RegExp(`more than the ${before} browsers accept`));
      assert.deepEqual(longValidity(leaf(from, after)), [], `${iso}, ${after} days`);
      const [overAfter] = longValidity(leaf(from, after + 1));
      assert.match(
        overAfter.message,
        new RegExp(`more than the ${after} browsers accept for a TLS server certificate issued from ${iso.slice(0, 10)}`),
      );
      // A certificate issued a second before the change may still use the older, longer limit.
      assert.deepEqual(longValidity(leaf(justBefore, after + 1)), [], `${iso} -1s, ${after + 1} days`);
    }
    assert.match(tlsValidityLimit(at('2020-01-01T00:00:00Z')).when, /^before 2026-03-15$/);
    assert.match(tlsValidityLimit(at('2026-06-01T00:00:00Z')).when, /^from 2026-03-15 to 2027-03-14$/);
    assert.match(tlsValidityLimit(at('2030-01-01T00:00:00Z')).when, /^from 2029-03-15$/);
  });

  it('applies only to leaves issued by a CA for TLS servers (serverAuth, any, or no extended key usage)', () => {
    const nb = at('2027-06-01T00:00:00Z');
    assert.equal(longValidity(leaf(nb, 101)).length, 1);
    assert.equal(longValidity(leaf(nb, 101, { extendedKeyUsage: ['serverAuth', 'clientAuth'] })).length, 1);
    assert.equal(longValidity(leaf(nb, 101, { extendedKeyUsage: ['anyExtendedKeyUsage'] })).length, 1);
    assert.equal(longValidity(leaf(nb, 101, { extendedKeyUsage: ['clientAuth'] })).length, 0);
    assert.equal(longValidity(leaf(nb, 101, { extendedKeyUsage: ['codeSigning'] })).length, 0);
    assert.equal(longValidity(leaf(nb, 101, { selfSigned: true })).length, 0);
    assert.equal(longValidity(leaf(nb, 101, { isCA: true })).length, 0);
    assert.equal(longValidity(leaf(nb, 101, { role: 'intermediate' })).length, 0);
  });
});

describe('embedded SCTs: the sign of a public root program', () => {
  it('finds the extension in a certificate openssl made with it, and not in one without', () => {
    const key = makeKey({ type: 'ec' });
    const plain = makeCert({ cn: 'vpn.corp.internal', key, notBefore: daysFromNow(-1), notAfter: daysFromNow(800) });
    const logged = makeCert({
      cn: 'www.acme-corp.net',
      key,
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(800),
      extraExtensions: ['1.3.6.1.4.1.11129.2.4.2=DER:0400'],
    });
    assert.equal(hasEmbeddedScts(plain.der), false);
    assert.equal(hasEmbeddedScts(logged.der), true);
    assert.equal(hasEmbeddedScts(LOGGED_DER.subarray(0, 10)), false, 'a cut OID is none');
  });
});
