/**
 * Time for results that must stay true while the editor stays open: when the next thing the rules
 * compute changes (a certificate expiring, entering a band, a day count stepping, a snooze ending,
 * a host's cached check going stale), and one wall-clock alarm that wakes the caller then, even
 * across suspend/resume and clock jumps.
 */
import { DAY_MS, type FileExpiry } from '../model';
import {
  BANDS,
  bandThresholds,
  crlValidity,
  daysLeft,
  expiryDates,
  type RuleSettings,
  shareOfLifetimeMs,
  withinBand,
} from '../rules/rules';
import type { ProbeResult } from '../hosts/tlsHandshake';

/** Wall time and timers, replaceable in tests. */
export interface Clock {
  /** Wall time, epoch ms. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The longest delay setTimeout honours (a longer one fires after 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the rules read of a certificate's dates: a CertificateRecord or a host's ChainMember fits. */
export interface DatedCertificate {
  notBefore: number;
  notAfter: number;
  /** Looks up a snooze. */
  sha256?: string;
}

export interface NextChangeOptions {
  /**
   * Day counts ("expires in 5 days") in texts step at each certificate's own moments, so many
   * certificates step every few seconds between them. Rounding those
   * text-only steps up to a multiple of this many ms (counted from the epoch) lets them share one
   * refresh, at the cost of a text being up to this late. Urgency, severity and snooze changes are
   * never rounded. 0 (default): exact. Infinity: ignore text-only steps.
   */
  textRoundingMs?: number;
}

/**
 * The earliest whole ms strictly after `now` at which anything rules.ts computes for this
 * certificate changes: notBefore or notAfter passing, entering the info/warning/critical bands (at
 * the day threshold or the share of the lifetime, whichever is nearer to expiry), a snooze ending,
 * the days-left count stepping. At that moment urgencyOf/daysLeft/evaluate already give the
 * new value. Infinity when nothing ever changes (dates that are not numbers). `rules.ignore` is not
 * consulted (urgencyOf and daysLeft do not either): leave ignored certificates out yourself.
 */
export function nextChangeOf(c: DatedCertificate, now: number, rules: RuleSettings, options: NextChangeOptions = {}): number {
  const { notBefore, notAfter } = c;
  let next = Infinity;
  const consider = (t: number) => {
    if (t > now && t < next) next = t;
  };
  const considerText = (t: number) => consider(roundText(t, options.textRoundingMs));

  const snoozedUntil = c.sha256 === undefined ? undefined : rules.snoozed.get(c.sha256);
  if (snoozedUntil !== undefined) consider(snoozedUntil);
  // Validity and band changes count only where urgencyOf shows them (not before notBefore, not after notAfter).
  if (notBefore > now && notBefore < notAfter) consider(notBefore);
  if (notAfter > now) {
    consider(notAfter);
    // urgencyOf: a band applies from the later of its day threshold and its share of the lifetime
    // (withinBand), and shows unless a band nearer to expiry applies already: shares need not be in
    // the order of the days (an information share under the warning one), so one band may be
    // entered after the next. Bands stay entered until notAfter.
    let nearerFrom = Infinity;
    for (const band of BANDS) {
      const within = (t: number) => withinBand(c, t, rules, band);
      if (within(now)) break;
      const { days, share } = bandThresholds(rules, band);
      const t = firstMomentWhen(now, notAfter - Math.min(days * DAY_MS, shareOfLifetimeMs(share, notAfter - notBefore)), within);
      if (t >= notBefore && t < nearerFrom) consider(t);
      nearerFrom = Math.min(nearerFrom, t);
    }
  }
  // daysLeft = ceil((notAfter - now) / DAY): it steps from N to N - 1 at notAfter - (N - 1) days, also after expiry.
  const left = daysLeft(notAfter, now);
  if (Number.isFinite(left)) considerText(notAfter - (left - 1) * DAY_MS);
  return next;
}

/** The earliest moment after `now` at which a finding of a file's expiries (FileResult.expiries, evaluateExpiries) changes. */
export function nextExpiryChange(
  expiries: readonly FileExpiry[] | undefined,
  now: number,
  rules: RuleSettings,
  options: NextChangeOptions = {},
): number {
  let next = Infinity;
  for (const e of expiries ?? []) next = Math.min(next, nextChangeOf(expiryDates(e), now, rules, options));
  return next;
}

/**
 * nextChangeOf for a CRL: its nextUpdate is graded as a certificate's notAfter, its thisUpdate as
 * its notBefore (crlValidity, as evaluateCrls grades it). Infinity for a CRL without nextUpdate.
 */
export function nextChangeOfCrl(
  c: { thisUpdate: number; nextUpdate?: number; sha256?: string },
  now: number,
  rules: RuleSettings,
  options: NextChangeOptions = {},
): number {
  const validity = crlValidity(c, now);
  if (!validity) return Infinity;
  const next = nextChangeOf({ ...validity, sha256: c.sha256 }, now, rules, options);
  // Until a thisUpdate still to come, the days alone grade it; from then on its lifetime too.
  return c.thisUpdate > now ? Math.min(next, c.thisUpdate) : next;
}

function roundText(t: number, roundingMs = 0): number {
  if (roundingMs === Infinity) return Infinity;
  if (!(roundingMs > 0)) return t;
  return Math.ceil(t / roundingMs) * roundingMs;
}

/**
 * The first whole ms after `now` at which `holds` (false at `now`, true from some moment on) is
 * true, from a `guess` within a few ms of it: float thresholds are settled by the very comparison
 * the rules make, so the returned moment already gives the new value and the one before does not.
 */
function firstMomentWhen(now: number, guess: number, holds: (t: number) => boolean): number {
  if (Number.isNaN(guess)) return Infinity;
  let t = Math.max(now + 1, Math.ceil(guess));
  for (let i = 0; i < 64 && t - 1 > now && holds(t - 1); i++) t--;
  for (let i = 0; i < 64 && !holds(t); i++) t++;
  return t;
}

/**
 * The next local midnight strictly after `now` (lenses, tree and status bar speak of "today").
 * Date's setHours(24) keeps it right across DST changes, also where midnight itself is skipped.
 */
export function nextLocalMidnight(now: number): number {
  const d = new Date(now);
  d.setHours(24, 0, 0, 0);
  return d.getTime();
}

/**
 * The earliest change over many certificates (nextChangeOf), or the next local midnight if that
 * comes first. Pass only the certificates that are shown (not ignored).
 */
export function nextChangeOfAll<T extends DatedCertificate>(
  certificates: Iterable<T>,
  now: number,
  rulesFor: (c: T) => RuleSettings,
  options: NextChangeOptions = {},
): number {
  let next = nextLocalMidnight(now);
  for (const c of certificates) {
    const t = nextChangeOf(c, now, rulesFor(c), options);
    if (t < next) next = t;
  }
  return next;
}

/** What the host assessment reads of a probe result. */
export type HostCheck = Pick<ProbeResult, 'checkedAt' | 'error' | 'chain' | 'chainEarliestIndex'>;

/**
 * The earliest moment after `now` at which a host's shown result changes: the served leaf's
 * changes (nextChangeOf), the chain member that expires first changing urgency (it decides the
 * severity of "the chain expires before the certificate"), or the result going stale:
 * `checkedAt + cacheMs`, when the Prober's cache drops it and a re-check is due (pass the failure
 * TTL for an error result). A result that is already stale adds nothing.
 */
export function nextHostChange(
  result: HostCheck,
  now: number,
  rules: RuleSettings,
  cacheMs: number,
  options: NextChangeOptions = {},
): number {
  const stale = result.checkedAt + cacheMs;
  let next = stale > now ? stale : Infinity;
  const leaf = result.chain[0];
  if (result.error || !leaf) return next;
  next = Math.min(next, nextChangeOf(leaf, now, rules, options));
  const i = result.chainEarliestIndex ?? 0;
  const member = result.chain[i];
  if (i > 0 && member && member.notAfter < leaf.notAfter) {
    next = Math.min(
      next,
      nextChangeOf({ notBefore: member.notBefore, notAfter: member.notAfter }, now, rules, { textRoundingMs: Infinity }),
    );
  }
  return next;
}

/** A wall-clock jump seen between two wakes of a WallClockAlarm. */
export interface ClockJump {
  /** Wall time at the wake. */
  now: number;
  /** What the timer was asked to sleep. */
  sleptMs: number;
  /** What the wall clock says passed meanwhile. */
  wallElapsedMs: number;
  /** wallElapsedMs - sleptMs: positive when the wall clock jumped forward (suspend, NTP). */
  jumpMs: number;
}

export interface WallClockAlarmOptions {
  /** Longest single sleep; a jump is noticed within this. Default 60 s, at most MAX_TIMER_MS. */
  maxSleepMs?: number;
  /** Wall time elapsed may differ from the sleep by this much before it counts as a jump. Default 5 s. */
  jumpToleranceMs?: number;
  onJump?: (jump: ClockJump) => void;
}

/**
 * One timer for one due moment in wall time. Timers run on monotonic time, so the alarm sleeps
 * at most `maxSleepMs` at a time and reads the wall clock when it wakes: once the due moment has
 * passed (also by a jump forward, e.g. after a suspend) it calls `onDue(now)`, once per `arm`.
 * A jump backward also calls `onDue`: results computed for a later time may no longer hold.
 */
export class WallClockAlarm {
  private due = Infinity;
  private handle: unknown;
  private sleptAt = 0;
  private sleptMs = 0;
  private readonly maxSleepMs: number;
  private readonly jumpToleranceMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (now: number) => void,
    private readonly options: WallClockAlarmOptions = {},
  ) {
    this.maxSleepMs = Math.min(Math.max(1, options.maxSleepMs ?? 60_000), MAX_TIMER_MS);
    this.jumpToleranceMs = options.jumpToleranceMs ?? 5_000;
  }

  /** The armed due moment, if any. */
  get dueAt(): number | undefined {
    return this.due === Infinity ? undefined : this.due;
  }

  /** Sets the due moment (epoch ms), replacing the previous one. Infinity or NaN disarms. */
  arm(moment: number): void {
    this.cancel();
    if (!(moment < Infinity)) return;
    this.due = moment;
    this.sleep();
  }

  dispose(): void {
    this.cancel();
  }

  private cancel(): void {
    if (this.handle !== undefined) this.clock.clearTimer(this.handle);
    this.handle = undefined;
    this.due = Infinity;
  }

  private sleep(): void {
    this.sleptAt = this.clock.now();
    this.sleptMs = Math.min(Math.max(0, this.due - this.sleptAt), this.maxSleepMs);
    this.handle = this.clock.setTimer(() => this.wake(), this.sleptMs);
  }

  private wake(): void {
    this.handle = undefined;
    const now = this.clock.now();
    const wallElapsedMs = now - this.sleptAt;
    const jumpMs = wallElapsedMs - this.sleptMs;
    const jumped = Math.abs(jumpMs) > this.jumpToleranceMs;
    if (jumped) this.options.onJump?.({ now, sleptMs: this.sleptMs, wallElapsedMs, jumpMs });
    if (now >= this.due || (jumped && jumpMs < 0)) {
      this.due = Infinity;
      this.onDue(now);
    } else {
      this.sleep();
    }
  }
}
