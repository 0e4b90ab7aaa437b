// A Clock for tests: wall time and timers move only when the test says so. Timers run on their own
// (monotonic) time, like real ones: `advance` moves both and runs the timers that come due, in
// order; `jump` moves only the wall clock, as a suspend/resume or an NTP correction does.
import { type Clock, MAX_TIMER_MS } from '../../src/core/workspace/clock';

interface FakeTimer {
  id: number;
  /** Monotonic ms at which it runs. */
  at: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private wall: number;
  private monotonic = 0;
  private nextId = 1;
  private timers: FakeTimer[] = [];
  /** Every delay asked of setTimer, in order. */
  readonly delays: number[] = [];

  constructor(startMs: number) {
    this.wall = startMs;
  }

  now(): number {
    return this.wall;
  }

  setTimer(fn: () => void, ms: number): unknown {
    // setTimeout turns a longer delay into 1 ms: a test must see that as a failure, not a fast timer.
    if (!(ms >= 0 && ms <= MAX_TIMER_MS)) throw new RangeError(`timer delay ${ms} ms is outside 0..${MAX_TIMER_MS}`);
    this.delays.push(ms);
    const timer = { id: this.nextId++, at: this.monotonic + ms, fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Timers waiting to run. */
  get pending(): number {
    return this.timers.length;
  }

  /** Lets `ms` pass: runs each timer that comes due (also ones set meanwhile) at its own moment. */
  advance(ms: number): void {
    const end = this.monotonic + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.moveTo(due.at);
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
    this.moveTo(end);
  }

  /** Moves the wall clock only (positive: forward); no timer runs. */
  jump(ms: number): void {
    this.wall += ms;
  }

  private moveTo(monotonic: number): void {
    this.wall += monotonic - this.monotonic;
    this.monotonic = monotonic;
  }
}
