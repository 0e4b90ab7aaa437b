import * as assert from 'node:assert/strict';
import { fakeCertificate } from './helpers';
import { performance } from 'node:perf_hooks';
import {
  type ClockJump,
  MAX_TIMER_MS,
  nextChangeOf,
  nextChangeOfAll,
  nextHostChange,
  nextLocalMidnight,
  type NextChangeOptions,
  systemClock,
  WallClockAlarm,
  type WallClockAlarmOptions,
} from '../../src/core/workspace/clock';
import { assessHost } from '../../src/core/hosts/assess';
import type { ChainMember, ProbeResult } from '../../src/core/hosts/tlsHandshake';
import { type CertificateRecord, DAY_MS } from '../../src/core/model';
import { daysLeft, DEFAULT_RULES, evaluate, type RuleSettings, urgencyOf } from '../../src/core/rules/rules';
import { FakeClock } from '../support/fakeClock';

const HOUR = 3_600_000;
/** Noon UTC: whole hours from the epoch. */
const NOW = Date.parse('2026-06-01T12:00:00Z');

const cert = (over: Partial<CertificateRecord>): CertificateRecord => fakeCertificate(NOW, over);

/** Everything the rules say about one certificate at `t`; `withText: false` leaves out day counts and percentages. */
function stateAt(c: CertificateRecord, t: number, rules: RuleSettings, withText = true): string {
  const findings = evaluate([c], t, rules).map((f) => (withText ? `${f.code}:${f.message}` : `${f.severity}:${f.code}`));
  const snoozed = (rules.snoozed.get(c.sha256) ?? 0) > t;
  return JSON.stringify({ urgency: urgencyOf(c, t, rules), days: withText ? daysLeft(c.notAfter, t) : null, snoozed, findings });
}

/** The change comes at `t` exactly: the state at `t` differs from the one a millisecond earlier, which is still the state at `now`. */
function assertChangesAt(c: CertificateRecord, now: number, t: number, rules: RuleSettings, withText = true): void {
  assert.ok(t > now, `next change ${t - now} ms after now`);
  assert.equal(stateAt(c, t - 1, rules, withText), stateAt(c, now, rules, withText), 'nothing changes before the returned moment');
  assert.notEqual(stateAt(c, t, rules, withText), stateAt(c, t - 1, rules, withText), 'something changes at the returned moment');
}

const NO_TEXT = { textRoundingMs: Infinity };

/** A share of the lifetime for random settings: mostly between 0 and 1, sometimes exactly 0 or 1. */
const share = (random: () => number): number => {
  const r = random();
  return r < 0.1 ? 0 : r < 0.2 ? 1 : random();
};

/** Repeatable numbers in [0, 1) (mulberry32). */
function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('clock: nextChangeOf', () => {
  it('notBefore passing: not yet valid until notBefore, valid at it', () => {
    const c = cert({ notBefore: NOW + 3 * HOUR });
    const t = nextChangeOf(c, NOW, DEFAULT_RULES);
    assert.equal(t, NOW + 3 * HOUR);
    assert.equal(urgencyOf(c, t - 1, DEFAULT_RULES), 'not-yet-valid');
    assert.equal(urgencyOf(c, t, DEFAULT_RULES), 'later');
    assertChangesAt(c, NOW, t, DEFAULT_RULES);
  });

  it('notAfter passing: expired at notAfter itself (urgencyOf uses <=)', () => {
    const c = cert({ notAfter: NOW + 5 * HOUR });
    const t = nextChangeOf(c, NOW, DEFAULT_RULES);
    assert.equal(t, NOW + 5 * HOUR);
    assert.deepEqual(
      evaluate([c], t - 1).map((f) => f.code),
      ['expires-critical'],
    );
    assert.deepEqual(
      evaluate([c], t).map((f) => f.code),
      ['expired'],
    );
    assert.equal(nextChangeOf(c, NOW, DEFAULT_RULES, NO_TEXT), NOW + 5 * HOUR);
  });

  for (const [band, days, before] of [
    ['info', 90, 'later'],
    ['warning', 30, 'info'],
    ['critical', 7, 'warning'],
  ] as const) {
    it(`entering the ${band} band at notAfter - ${days} days: urgencyOf already says ${band} then`, () => {
      const c = cert({ notAfter: NOW + days * DAY_MS + 5 * HOUR + 17 });
      for (const options of [{}, NO_TEXT]) {
        const t = nextChangeOf(c, NOW, DEFAULT_RULES, options);
        assert.equal(t, NOW + 5 * HOUR + 17);
        assert.equal(c.notAfter - t, days * DAY_MS, 'exactly the <= boundary');
        assert.equal(urgencyOf(c, t - 1, DEFAULT_RULES), before);
        assert.equal(urgencyOf(c, t, DEFAULT_RULES), band);
        assertChangesAt(c, NOW, t, DEFAULT_RULES, options === NO_TEXT ? false : true);
      }
    });
  }

  it('bands of fractional days are settled by the comparison urgencyOf makes', () => {
    const rules = { ...DEFAULT_RULES, criticalDays: 0.1, warningDays: 1 / 3, infoDays: 2.7 };
    for (const [notAfter, band] of [
      [NOW + 0.1 * DAY_MS + 999, 'critical'],
      [NOW + DAY_MS / 3 + 5, 'warning'],
      [NOW + 2.7 * DAY_MS + 1234, 'info'],
    ] as const) {
      const c = cert({ notAfter: Math.round(notAfter) });
      const t = nextChangeOf(c, NOW, rules, NO_TEXT);
      assert.equal(urgencyOf(c, t, rules), band);
      assert.notEqual(urgencyOf(c, t - 1, rules), band);
      assert.ok(t - NOW < 2000, `${band} entered ${t - NOW} ms after now`);
    }
  });

  it('a 6-day certificate: its changes come at half-life, at its renewal point, in its last sixth and at expiry', () => {
    const c = cert({ notBefore: NOW, notAfter: NOW + 6 * DAY_MS });
    const moments: number[] = [];
    for (
      let now = NOW, t = nextChangeOf(c, now, DEFAULT_RULES, NO_TEXT);
      t < Infinity;
      now = t, t = nextChangeOf(c, now, DEFAULT_RULES, NO_TEXT)
    ) {
      assertChangesAt(c, now, t, DEFAULT_RULES, false);
      moments.push(t);
    }
    assert.deepEqual(
      moments.map((t) => `${(t - NOW) / DAY_MS}:${urgencyOf(c, t, DEFAULT_RULES)}`),
      ['3:info', '4:warning', '5:critical', '6:expired'],
    );
    // With no information share (the info band by its 90 days: information from issue), the first change is the renewal point.
    const noInfoShare = { ...DEFAULT_RULES, infoLifetimeShare: 0 };
    assert.equal(urgencyOf(c, NOW, noInfoShare), 'info');
    const t = nextChangeOf(c, NOW, noInfoShare, NO_TEXT);
    assert.equal(t, NOW + 4 * DAY_MS, 'two thirds into its lifetime');
    assert.deepEqual(
      evaluate([c], t - 1, noInfoShare).map((f) => f.code),
      ['expires-info'],
    );
    assert.deepEqual(
      evaluate([c], t, noInfoShare).map((f) => f.code),
      ['expires-warning'],
    );
    // A third of a lifetime of 47 days and 1 ms is not a whole ms: rounded, as cert-manager rounds its renewal point.
    const tls = cert({ notBefore: NOW - 40 * DAY_MS, notAfter: NOW + 7 * DAY_MS + 1 });
    assert.equal(urgencyOf(tls, NOW - 10 * DAY_MS, DEFAULT_RULES), 'info');
    const u = nextChangeOf(tls, NOW - 10 * DAY_MS, DEFAULT_RULES, NO_TEXT);
    assert.equal(urgencyOf(tls, u, DEFAULT_RULES), 'warning');
    assert.equal(urgencyOf(tls, u - 1, DEFAULT_RULES), 'info');
    assert.equal(u, tls.notAfter - Math.round((47 * DAY_MS + 1) / 3));
  });

  it('a 1-year certificate: its bands change at the day thresholds alone', () => {
    const c = cert({ notBefore: NOW - 275 * DAY_MS, notAfter: NOW + 90 * DAY_MS + 5 * HOUR });
    const moments: number[] = [];
    for (
      let now = NOW, t = nextChangeOf(c, now, DEFAULT_RULES, NO_TEXT);
      t < Infinity;
      now = t, t = nextChangeOf(c, now, DEFAULT_RULES, NO_TEXT)
    )
      moments.push(t);
    assert.deepEqual(
      moments.map((t) => c.notAfter - t),
      [90 * DAY_MS, 30 * DAY_MS, 7 * DAY_MS, 0],
    );
  });

  it('the days-left count stepping, before and after expiry', () => {
    const c = cert({ notAfter: NOW + 10 * DAY_MS + 5 * HOUR });
    const t = nextChangeOf(c, NOW, DEFAULT_RULES);
    assert.equal(t, NOW + 5 * HOUR);
    assert.equal(daysLeft(c.notAfter, t - 1), 11);
    assert.equal(daysLeft(c.notAfter, t), 10);
    assert.match(evaluate([c], t, DEFAULT_RULES)[0].message, /expires in 10 days/);
    assertChangesAt(c, NOW, t, DEFAULT_RULES);
    // Expired 12.5 days ago: "13 days ago" half a day later.
    const old = cert({ notAfter: NOW - 12 * DAY_MS - 12 * HOUR });
    const u = nextChangeOf(old, NOW, DEFAULT_RULES);
    assert.equal(u, NOW + 12 * HOUR);
    assert.match(evaluate([old], u - 1)[0].message, /expired 12 days ago/);
    assert.match(evaluate([old], u)[0].message, /expired 13 days ago/);
    assert.equal(nextChangeOf(old, NOW, DEFAULT_RULES, NO_TEXT), Infinity, 'an expired certificate changes only in its text');
  });

  it('a snooze ending', () => {
    const rules = { ...DEFAULT_RULES, snoozed: new Map([['aa', NOW + 2 * HOUR + 1]]) };
    const c = cert({ notAfter: NOW + 10 * DAY_MS });
    const t = nextChangeOf(c, NOW, rules);
    assert.equal(t, NOW + 2 * HOUR + 1);
    assert.deepEqual(evaluate([c], t - 1, rules), []);
    assert.deepEqual(
      evaluate([c], t, rules).map((f) => f.code),
      ['expires-warning'],
    );
    assertChangesAt(c, NOW, t, rules);
    // Without a fingerprint there is no snooze to look up: the next change is the day step.
    assert.equal(nextChangeOf({ notBefore: c.notBefore, notAfter: c.notAfter }, NOW, rules), NOW + DAY_MS);
  });

  it('rounds text-only steps up to textRoundingMs, never urgency changes', () => {
    const c = cert({ notAfter: NOW + 10 * DAY_MS + 5 * HOUR + 123 });
    assert.equal(nextChangeOf(c, NOW, DEFAULT_RULES), NOW + 5 * HOUR + 123);
    assert.equal(nextChangeOf(c, NOW, DEFAULT_RULES, { textRoundingMs: HOUR }), NOW + 6 * HOUR);
    assert.equal(nextChangeOf(c, NOW, DEFAULT_RULES, NO_TEXT), NOW + 3 * DAY_MS + 5 * HOUR + 123, 'the critical band');
    const expiring = cert({ notAfter: NOW + 5 * HOUR + 123 });
    assert.equal(nextChangeOf(expiring, NOW, DEFAULT_RULES, { textRoundingMs: HOUR }), NOW + 5 * HOUR + 123, 'expiry is not rounded');
  });

  it('never changes when the dates are not numbers', () => {
    assert.equal(nextChangeOf({ notBefore: NaN, notAfter: NaN }, NOW, DEFAULT_RULES), Infinity);
  });

  it('holds for random certificates and settings: the state changes exactly at the returned moment, not before', () => {
    const random = seededRandom(12345);
    const span = (maxDays: number) => Math.floor((random() * 2 - 1) * maxDays * DAY_MS);
    for (let i = 0; i < 400; i++) {
      const notBefore = NOW + span(120);
      const notAfter = notBefore + 1 + Math.floor(random() * (random() < 0.5 ? 5 : 200) * DAY_MS);
      const days = [random() * 10, random() * 40, random() * 120].map((d) => (random() < 0.5 ? Math.round(d) : d)).sort((a, b) => a - b);
      const rules: RuleSettings = {
        ...DEFAULT_RULES,
        criticalDays: days[0],
        warningDays: days[1],
        infoDays: days[2],
        // A third of them with the default shares, the others with any (0 and 1 included: off).
        ...(random() < 0.33
          ? {}
          : { criticalLifetimeShare: share(random), lifetimeShare: share(random), infoLifetimeShare: share(random) }),
        snoozed: random() < 0.3 ? new Map([['aa', NOW + span(3)]]) : new Map(),
      };
      const c = cert({ notBefore, notAfter });
      for (const withText of [true, false]) {
        let now = NOW;
        // Follow each certificate through a few successive changes.
        for (let step = 0; step < 4; step++) {
          const t = nextChangeOf(c, now, rules, withText ? {} : NO_TEXT);
          if (t === Infinity) break;
          assertChangesAt(c, now, t, rules, withText);
          const between = now + Math.floor(random() * (t - now));
          assert.equal(stateAt(c, between, rules, withText), stateAt(c, now, rules, withText), `no change between now and ${t - now} ms`);
          now = t;
        }
      }
    }
  });
});

describe('clock: nextLocalMidnight', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('is the next local midnight, also on DST days and where midnight is skipped', () => {
    process.env.TZ = 'UTC';
    assert.equal(nextLocalMidnight(NOW), Date.parse('2026-06-02T00:00:00Z'));
    assert.equal(nextLocalMidnight(Date.parse('2026-06-02T00:00:00Z')), Date.parse('2026-06-03T00:00:00Z'), 'strictly after now');
    assert.equal(nextLocalMidnight(Date.parse('2026-06-01T23:59:59.999Z')), Date.parse('2026-06-02T00:00:00Z'));
    process.env.TZ = 'Europe/Berlin';
    // 2024-03-31 has 23 hours in Berlin; 2024-10-27 has 25.
    assert.equal(nextLocalMidnight(Date.parse('2024-03-31T10:00:00Z')), Date.parse('2024-03-31T22:00:00Z'));
    assert.equal(nextLocalMidnight(Date.parse('2024-10-27T10:00:00Z')), Date.parse('2024-10-27T23:00:00Z'));
    process.env.TZ = 'America/Sao_Paulo';
    // 2018-11-04 began at 01:00 (DST started at midnight): the day's first moment.
    const t = nextLocalMidnight(Date.parse('2018-11-03T15:00:00Z'));
    assert.equal(t, Date.parse('2018-11-04T03:00:00Z'));
    assert.equal(new Date(t).getDate(), 4);
  });
});

describe('clock: nextChangeOfAll', () => {
  // Local midnight takes part: pin the time zone so it is 12 h after NOW.
  const savedTz = process.env.TZ;
  before(() => (process.env.TZ = 'UTC'));
  after(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('is the earliest change over all certificates, or local midnight', () => {
    const certs = [
      cert({ notAfter: NOW + 40 * DAY_MS }),
      cert({ notAfter: NOW + 5 * HOUR + 7, file: '/ws/b.pem' }),
      cert({ notBefore: NOW + 9 * HOUR }),
    ];
    const rulesFor = () => DEFAULT_RULES;
    assert.equal(nextChangeOfAll(certs, NOW, rulesFor), NOW + 5 * HOUR + 7);
    const midnight = nextLocalMidnight(NOW);
    assert.equal(midnight, NOW + 12 * HOUR);
    assert.equal(nextChangeOfAll([certs[0]], NOW, rulesFor, NO_TEXT), midnight, 'the warning band is 10 days away');
    assert.equal(nextChangeOfAll([], NOW, rulesFor), midnight);
    // Each certificate is judged by its own settings.
    const strict = { ...DEFAULT_RULES, infoDays: 40 - 1 / 24 };
    assert.ok(Math.abs(nextChangeOfAll([certs[0]], NOW, () => strict, NO_TEXT) - (NOW + HOUR)) <= 1);
  });

  it('is cheap for 30,000 certificates (figures in the output)', function () {
    const random = seededRandom(7);
    const certs = Array.from({ length: 30_000 }, (_, i) => {
      const notBefore = NOW - Math.floor(random() * 400 * DAY_MS);
      return cert({
        notBefore,
        notAfter: notBefore + Math.floor((random() < 0.3 ? 90 : 400) * DAY_MS * random()) + 1,
        sha256: i.toString(16),
      });
    });
    const rulesFor = () => DEFAULT_RULES;
    nextChangeOfAll(certs, NOW, rulesFor);
    const runs = 5;
    const start = performance.now();
    let exact = 0;
    for (let i = 0; i < runs; i++) exact = nextChangeOfAll(certs, NOW, rulesFor);
    const ms = (performance.now() - start) / runs;
    const hourly = nextChangeOfAll(certs, NOW, rulesFor, { textRoundingMs: HOUR });
    const none = nextChangeOfAll(certs, NOW, rulesFor, NO_TEXT);
    const changesInHour = (options: NextChangeOptions) =>
      certs.filter((c) => nextChangeOf(c, NOW, DEFAULT_RULES, options) < NOW + HOUR).length;
    console.log(
      `      30,000 certificates: ${ms.toFixed(1)} ms; next change in ${((exact - NOW) / 1000).toFixed(1)} s exact, ${((hourly - NOW) / 60_000).toFixed(1)} min with hourly text rounding, ${((none - NOW) / 60_000).toFixed(1)} min without text steps; certificates changing within the hour: ${changesInHour({})} exact, ${changesInHour(NO_TEXT)} without text steps`,
    );
    assert.ok(ms < 10_000, `${ms} ms (a hang guard; the figure is printed, speed is for benchmarks)`);
    assert.ok(exact > NOW && exact <= hourly && hourly <= none);
    assert.ok(
      certs.some((c) => nextChangeOf(c, NOW, DEFAULT_RULES) === exact),
      "it is one of the certificates' changes",
    );
  });
});

describe('clock: nextHostChange', () => {
  const member = (over: Partial<ChainMember>): ChainMember => ({
    subject: 'CN=h',
    subjectCN: 'h',
    issuer: 'CN=ca',
    dnsNames: ['h.test'],
    notBefore: NOW - 30 * DAY_MS,
    notAfter: NOW + 200 * DAY_MS,
    sha256: 'aa',
    isCA: false,
    selfSigned: false,
    ...over,
  });
  const probe = (over: Partial<ProbeResult>): ProbeResult => ({
    host: 'h.test',
    port: 443,
    address: 'h.test:443',
    checkedAt: NOW - HOUR,
    ms: 20,
    authorized: true,
    hostnameMatch: true,
    chain: [member({})],
    ...over,
  });
  const CACHE = 6 * HOUR;
  const issues = (r: ProbeResult, t: number) => assessHost(r, t, DEFAULT_RULES).map((i) => `${i.severity}:${i.code}`);

  it('a re-check is due when the cached result gets older than the cache time', () => {
    assert.equal(nextHostChange(probe({}), NOW, DEFAULT_RULES, CACHE), NOW + 5 * HOUR);
    assert.equal(
      nextHostChange(probe({ error: 'connection refused', chain: [] }), NOW, DEFAULT_RULES, 60_000),
      Infinity,
      'failure remembered 1 min, already stale',
    );
    assert.equal(
      nextHostChange(probe({ error: 'connection refused', chain: [], checkedAt: NOW - 10_000 }), NOW, DEFAULT_RULES, 60_000),
      NOW + 50_000,
    );
    // Stale already: only the leaf's changes remain (its next day step).
    assert.equal(nextHostChange(probe({ checkedAt: NOW - 7 * HOUR }), NOW, DEFAULT_RULES, CACHE), NOW + DAY_MS);
  });

  it('the served leaf expiring before the re-check', () => {
    const r = probe({ chain: [member({ notAfter: NOW + 2 * HOUR })] });
    const t = nextHostChange(r, NOW, DEFAULT_RULES, CACHE);
    assert.equal(t, NOW + 2 * HOUR);
    assert.deepEqual(issues(r, t - 1), ['error:expires-critical']);
    assert.deepEqual(issues(r, t), ['error:expired']);
  });

  it('the chain member that expires first turning critical', () => {
    const r = probe({
      chain: [
        member({}),
        member({
          subject: 'CN=int',
          subjectCN: 'int',
          notBefore: NOW - 3000 * DAY_MS,
          notAfter: NOW + 7 * DAY_MS + 3 * HOUR,
          isCA: true,
          sha256: 'bb',
        }),
      ],
      chainEarliestIndex: 1,
    });
    const t = nextHostChange(r, NOW, DEFAULT_RULES, CACHE);
    assert.equal(t, NOW + 3 * HOUR);
    assert.deepEqual(issues(r, t - 1), ['warning:chain-member-expires-first']);
    assert.deepEqual(issues(r, t), ['error:chain-member-expires-first']);
  });
});

describe('clock: WallClockAlarm', () => {
  function setup(options: WallClockAlarmOptions = {}) {
    const clock = new FakeClock(NOW);
    const fired: number[] = [];
    const jumps: ClockJump[] = [];
    const alarm = new WallClockAlarm(clock, (now) => fired.push(now), { onJump: (j) => jumps.push(j), ...options });
    return { clock, fired, jumps, alarm };
  }

  it('fires once, at the due moment', () => {
    const { clock, fired, jumps, alarm } = setup();
    alarm.arm(NOW + 150_000);
    assert.equal(alarm.dueAt, NOW + 150_000);
    clock.advance(149_999);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [NOW + 150_000]);
    clock.advance(DAY_MS);
    assert.deepEqual(fired, [NOW + 150_000], 'once per arm');
    assert.equal(clock.pending, 0);
    assert.equal(alarm.dueAt, undefined);
    assert.deepEqual(jumps, []);
    assert.ok(Math.max(...clock.delays) <= 60_000, 'sleeps at most maxSleepMs');
  });

  it('a far-future moment: no timer beyond the limit, still fires at the moment after many wakes', () => {
    const { clock, fired, alarm } = setup({ maxSleepMs: Infinity });
    alarm.arm(NOW + 100 * DAY_MS);
    clock.advance(100 * DAY_MS - 1);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [NOW + 100 * DAY_MS]);
    assert.equal(Math.max(...clock.delays), MAX_TIMER_MS);
    assert.equal(clock.delays.length, Math.ceil((100 * DAY_MS) / MAX_TIMER_MS));
    // With the default 60 s: one wake a minute.
    const short = setup();
    short.alarm.arm(NOW + DAY_MS + 5);
    short.clock.advance(2 * DAY_MS);
    assert.deepEqual(short.fired, [NOW + DAY_MS + 5]);
    assert.equal(short.clock.delays.length, 1441);
  });

  it('a wall-clock jump forward past the due moment fires at the next wake and is reported', () => {
    const { clock, fired, jumps, alarm } = setup();
    alarm.arm(NOW + 3 * HOUR);
    clock.advance(10_000);
    clock.jump(4 * HOUR);
    clock.advance(49_999);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [NOW + 4 * HOUR + 60_000], 'within maxSleepMs of the jump');
    assert.deepEqual(jumps, [{ now: NOW + 4 * HOUR + 60_000, sleptMs: 60_000, wallElapsedMs: 4 * HOUR + 60_000, jumpMs: 4 * HOUR }]);
    clock.advance(DAY_MS);
    assert.equal(fired.length, 1);
  });

  it('a jump forward short of the due moment is reported and the alarm still fires on time', () => {
    const { clock, fired, jumps, alarm } = setup();
    alarm.arm(NOW + 10 * HOUR);
    clock.jump(4 * HOUR);
    clock.advance(60_000);
    assert.deepEqual(fired, []);
    assert.equal(jumps.length, 1);
    clock.advance(6 * HOUR - 60_001);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [NOW + 10 * HOUR]);
  });

  it('a jump backward fires (results were computed for a later time); small drift is no jump', () => {
    const { clock, fired, jumps, alarm } = setup();
    alarm.arm(NOW + 10 * HOUR);
    clock.advance(30_000);
    clock.jump(1_000);
    clock.advance(30_000);
    assert.equal(jumps.length, 0, 'a timer a second late is no jump');
    assert.deepEqual(fired, []);
    clock.jump(-2 * HOUR);
    clock.advance(60_000);
    assert.equal(jumps.length, 1);
    assert.equal(jumps[0].jumpMs, -2 * HOUR);
    assert.deepEqual(fired, [NOW + 121_000 - 2 * HOUR]);
  });

  it('arm replaces the due moment: earlier fires sooner, later does not fire early', () => {
    const { clock, fired, alarm } = setup();
    alarm.arm(NOW + HOUR);
    alarm.arm(NOW + 10_000);
    clock.advance(10_000);
    assert.deepEqual(fired, [NOW + 10_000]);
    clock.advance(2 * HOUR);
    assert.deepEqual(fired, [NOW + 10_000], 'the replaced moment never fires');
    assert.equal(clock.pending, 0);
    alarm.arm(clock.now() + 10_000);
    alarm.arm(clock.now() + HOUR);
    clock.advance(HOUR - 1);
    assert.equal(fired.length, 1);
    clock.advance(1);
    assert.equal(fired.length, 2);
  });

  it('a moment already past fires at the next tick, once; Infinity disarms', () => {
    const { clock, fired, alarm } = setup();
    alarm.arm(NOW - 5);
    assert.deepEqual(fired, [], 'not synchronously');
    clock.advance(0);
    assert.deepEqual(fired, [NOW]);
    alarm.arm(NOW + 1000);
    alarm.arm(Infinity);
    clock.advance(DAY_MS);
    assert.deepEqual(fired, [NOW]);
    assert.equal(clock.pending, 0);
  });

  it('dispose stops it', () => {
    const { clock, fired, alarm } = setup();
    alarm.arm(NOW + 1000);
    alarm.dispose();
    assert.equal(clock.pending, 0);
    clock.advance(DAY_MS);
    assert.deepEqual(fired, []);
  });

  it('keeps results true while the window stays open: a certificate expiring with no file touched', () => {
    const clock = new FakeClock(NOW);
    const c = cert({ notAfter: NOW + 2 * DAY_MS + 5 * HOUR + 321 });
    const shown: { at: number; codes: string[] }[] = [];
    const refresh = (now: number) => {
      shown.push({ at: now, codes: evaluate([c], now).map((f) => f.code) });
      alarm.arm(nextChangeOfAll([c], now, () => DEFAULT_RULES));
    };
    const alarm = new WallClockAlarm(clock, refresh);
    refresh(clock.now());
    clock.advance(3 * DAY_MS);
    const expiredAt = shown.find((s) => s.codes.includes('expired'))?.at;
    assert.equal(expiredAt, c.notAfter, 'shown as expired at notAfter exactly');
    assert.deepEqual(shown.at(-1)?.codes, ['expired']);
    alarm.dispose();
  });
});

describe('clock: systemClock', () => {
  it('runs and clears real timers', async () => {
    let ran = 0;
    const cleared = systemClock.setTimer(() => ran++, 1);
    systemClock.clearTimer(cleared);
    await new Promise<void>((resolve) => systemClock.setTimer(resolve, 5));
    assert.equal(ran, 0);
    assert.ok(Math.abs(systemClock.now() - Date.now()) < 50);
  });
});
