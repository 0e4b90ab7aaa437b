import { hostPortKey } from './names';
import { DEFAULT_TIMEOUT_MS, type ProbeOptions, type ProbeResult, type ProbeTarget, type ProxyConfig, probeHost } from './tlsHandshake';
import { type FailureLog, runInBackground } from '../background';

export interface ProberOptions {
  /** Probes running at once, across all callers. Default 8. */
  concurrency?: number;
  /** How long a completed handshake stays fresh. Default 6 h. */
  ttlMs?: number;
  /** How long a failure (refused, timeout ...) is remembered. Default 1 min. */
  failureTtlMs?: number;
  timeoutMs?: number;
  /** Extra trusted CAs (PEM). */
  ca?: readonly string[];
  /** The proxy for a target, e.g. `(t) => proxyFor(t.host, t.port)`; none by default. */
  proxy?: (target: ProbeTarget) => ProxyConfig | undefined;
  /** Clock for TTLs and result time stamps. */
  now?: () => number;
  /** Cache entries kept; the oldest go first. Default 2000. */
  maxEntries?: number;
  /** The probe itself; replaceable in tests. */
  probe?: (target: ProbeTarget, options: ProbeOptions) => Promise<ProbeResult>;
  /** Where its background work's failures go (default: stderr). */
  log?: FailureLog;
}

export interface ProbeCallOptions {
  signal?: AbortSignal;
  /** Ignore the cache (an in-flight probe of the same target is still shared). */
  force?: boolean;
}

/** The cache as plain JSON, for the extension's workspace state. */
export interface ProbeCacheSnapshot {
  version: 1;
  entries: { key: string; expiresAt: number; result: ProbeResult }[];
}

interface InFlight {
  promise: Promise<ProbeResult>;
  controller: AbortController;
  waiters: number;
}

/**
 * Probes hosts with a global concurrency cap, one shared probe per target in flight, and a TTL
 * cache (short for failures). Cancelled probes are never cached.
 */
export class Prober {
  private readonly cache = new Map<string, { expiresAt: number; result: ProbeResult }>();
  private readonly inFlight = new Map<string, InFlight>();
  private readonly queue: { start: () => void; cancel: () => void }[] = [];
  /** One listener per caller signal, however many probes wait on it. */
  private readonly abortHandlers = new WeakMap<AbortSignal, Set<() => void>>();
  private running = 0;
  private attempts = 0;
  private readonly concurrency: number;
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: ProberOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.ttlMs = options.ttlMs ?? 6 * 3_600_000;
    this.failureTtlMs = options.failureTtlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 2000;
    this.now = options.now ?? Date.now;
  }

  /** TCP connections opened so far (to hosts or proxies). */
  get connectionsAttempted(): number {
    return this.attempts;
  }

  /** Probes running or waiting for a slot. */
  get pending(): number {
    return this.inFlight.size;
  }

  static key(target: ProbeTarget): string {
    const to = target.connectTo ? hostPortKey(target.connectTo.host, target.connectTo.port) : '';
    return `${hostPortKey(target.host, target.port)}|${target.servername ?? ''}|${to}|${target.starttls ?? ''}`;
  }

  /** The fresh cached result, if any. */
  cached(target: ProbeTarget): ProbeResult | undefined {
    const key = Prober.key(target);
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.cache.delete(key);
      return undefined;
    }
    return entry.result;
  }

  probe(target: ProbeTarget, call: ProbeCallOptions = {}): Promise<ProbeResult> {
    if (call.signal?.aborted) return Promise.resolve(cancelled(target, this.now()));
    if (!call.force) {
      const hit = this.cached(target);
      if (hit) return Promise.resolve(hit);
    }
    const key = Prober.key(target);
    let flight = this.inFlight.get(key);
    // A probe everyone else gave up on is stopping: start afresh rather than join it.
    if (!flight || flight.controller.signal.aborted) flight = this.start(key, target);
    return this.join(flight, target, call.signal);
  }

  /** Probes every target (bounded by the cap); `onResult` as each completes. */
  probeAll(
    targets: readonly ProbeTarget[],
    call: ProbeCallOptions & { onResult?: (target: ProbeTarget, result: ProbeResult) => void } = {},
  ): Promise<ProbeResult[]> {
    return Promise.all(
      targets.map((t) =>
        this.probe(t, call).then((r) => {
          call.onResult?.(t, r);
          return r;
        }),
      ),
    );
  }

  clearCache(): void {
    this.cache.clear();
  }

  exportCache(): ProbeCacheSnapshot {
    const now = this.now();
    return {
      version: 1,
      entries: [...this.cache].filter(([, e]) => e.expiresAt > now).map(([key, e]) => ({ key, expiresAt: e.expiresAt, result: e.result })),
    };
  }

  /** Loads a snapshot from `exportCache`; malformed or expired entries are dropped. Returns how many were kept. */
  importCache(snapshot: unknown): number {
    if (!isObject(snapshot) || snapshot.version !== 1 || !Array.isArray(snapshot.entries)) return 0;
    const now = this.now();
    let kept = 0;
    for (const e of snapshot.entries.slice(0, this.maxEntries)) {
      if (!isObject(e) || typeof e.key !== 'string' || typeof e.expiresAt !== 'number' || e.expiresAt <= now || !isProbeResult(e.result))
        continue;
      const current = this.cache.get(e.key);
      if (current && current.expiresAt >= e.expiresAt) continue;
      this.store(e.key, { expiresAt: e.expiresAt, result: e.result });
      kept++;
    }
    return kept;
  }

  private start(key: string, target: ProbeTarget): InFlight {
    const controller = new AbortController();
    const flight: InFlight = { controller, waiters: 0, promise: this.run(key, target, controller.signal) };
    this.inFlight.set(key, flight);
    runInBackground(
      this.options.log,
      'A host probe',
      flight.promise.finally(() => {
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      }),
    );
    return flight;
  }

  private async run(key: string, target: ProbeTarget, signal: AbortSignal): Promise<ProbeResult> {
    const release = await this.slot(signal);
    if (!release) return cancelled(target, this.now());
    try {
      const probe = this.options.probe ?? probeHost;
      const result = await probe(target, {
        timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal,
        proxy: this.options.proxy?.(target),
        ca: this.options.ca,
        now: this.now(),
        onConnectAttempt: () => this.attempts++,
      });
      if (result.errorCode !== 'ABORT_ERR') {
        this.store(key, { expiresAt: this.now() + (result.error ? this.failureTtlMs : this.ttlMs), result });
      }
      return result;
    } catch (e) {
      // A probe reports failures as results; one that throws is a bug, still answered (never a hang or an unhandled rejection).
      return {
        ...cancelled(target, this.now()),
        error: `the probe failed: ${e instanceof Error ? e.message : String(e)}`,
        errorCode: 'PROBE_FAILED',
      };
    } finally {
      release();
    }
  }

  /** A caller's view of a shared probe: its own signal cancels only its wait, the probe stops when nobody waits. */
  private join(flight: InFlight, target: ProbeTarget, signal?: AbortSignal): Promise<ProbeResult> {
    if (signal?.aborted) return Promise.resolve(cancelled(target, this.now()));
    flight.waiters++;
    if (!signal) return flight.promise;
    return new Promise((resolve) => {
      const unsubscribe = this.onAbort(signal, () => {
        if (--flight.waiters === 0) flight.controller.abort();
        resolve(cancelled(target, this.now()));
      });
      runInBackground(
        this.options.log,
        'A host probe',
        flight.promise.then((r) => {
          unsubscribe();
          resolve(r);
        }),
      );
    });
  }

  private onAbort(signal: AbortSignal, handler: () => void): () => void {
    let handlers = this.abortHandlers.get(signal);
    if (!handlers) {
      const set = new Set<() => void>();
      handlers = set;
      this.abortHandlers.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          for (const h of [...set]) h();
          set.clear();
        },
        { once: true },
      );
    }
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  /** Waits for a free slot; resolves undefined when aborted while waiting. */
  private slot(signal: AbortSignal): Promise<(() => void) | undefined> {
    const release = () => {
      this.running--;
      this.queue.shift()?.start();
    };
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve(release);
    }
    return new Promise((resolve) => {
      const entry = {
        start: () => {
          signal.removeEventListener('abort', entry.cancel);
          this.running++;
          resolve(release);
        },
        cancel: () => {
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          resolve(undefined);
        },
      };
      signal.addEventListener('abort', entry.cancel, { once: true });
      this.queue.push(entry);
    });
  }

  private store(key: string, entry: { expiresAt: number; result: ProbeResult }): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
  }
}

function cancelled(target: ProbeTarget, now: number): ProbeResult {
  return {
    host: target.host,
    port: target.port,
    address: hostPortKey(target.connectTo?.host ?? target.host, target.connectTo?.port ?? target.port),
    checkedAt: now,
    ms: 0,
    error: 'cancelled',
    errorCode: 'ABORT_ERR',
    authorized: false,
    chain: [],
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isProbeResult(v: unknown): v is ProbeResult {
  return (
    isObject(v) &&
    typeof v.host === 'string' &&
    typeof v.port === 'number' &&
    typeof v.authorized === 'boolean' &&
    typeof v.checkedAt === 'number' &&
    Array.isArray(v.chain) &&
    v.chain.every((m) => isObject(m) && typeof m.subject === 'string' && typeof m.notAfter === 'number' && typeof m.sha256 === 'string')
  );
}
