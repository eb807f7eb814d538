/**
 * Speed and the emit throttle of a flash's progress stream (docs/behavior.md §7:
 * structured progress, ≤ 4 Hz). It holds no region state: the region ledger
 * (region-ledger.ts) owns the counters and asks this meter when an event is due and what
 * the speed is; the job's time left, fraction and phase come from the one ETA model
 * (eta-model.ts), which the ledger feeds. Speed is work (bytes written, plus bytes verified when verifying) per second
 * over a sliding window, so a stall shows up within seconds instead of being averaged away.
 */
export interface ProgressMeterOptions {
  /** Minimum time between two throttled events (default 250 ms: ≤ 4 Hz). */
  readonly intervalMs?: number;
  /** Speed is measured over this trailing window (default 5 s). */
  readonly windowMs?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

export interface ProgressStats {
  /** The meter's clock at this measurement (ms, the clock's own origin). */
  readonly atMs: number;
  readonly elapsedMs: number;
  readonly bytesPerSecond: number;
}

export interface ProgressMeter {
  /** True when the interval since the last measured event has passed. */
  due(): boolean;
  /** Samples `doneWork`, marks an event as sent now, and returns the speed. */
  measure(doneWork: number): ProgressStats;
  /** Bytes of work per second over the window, after sampling `doneWork`. */
  bytesPerSecond(doneWork: number): number;
}

export function createProgressMeter(options: ProgressMeterOptions = {}): ProgressMeter {
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 250;
  const windowMs = options.windowMs ?? 5000;
  const startedAt = now();
  const samples: { atMs: number; work: number }[] = [{ atMs: startedAt, work: 0 }];
  let lastEmitAt = -Infinity;

  const sample = (atMs: number, work: number): void => {
    samples.push({ atMs, work });
    while (samples.length > 2 && (samples[1]?.atMs ?? atMs) <= atMs - windowMs) samples.shift();
  };
  const rate = (): number => {
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (first === undefined || last === undefined || last.atMs - first.atMs <= 0) return 0;
    return Math.max(0, ((last.work - first.work) * 1000) / (last.atMs - first.atMs));
  };

  return {
    due: () => now() - lastEmitAt >= intervalMs,
    measure(doneWork) {
      const atMs = now();
      lastEmitAt = atMs;
      sample(atMs, doneWork);
      return { atMs, elapsedMs: Math.round(atMs - startedAt), bytesPerSecond: Math.round(rate()) };
    },
    bytesPerSecond(doneWork) {
      sample(now(), doneWork);
      return rate();
    },
  };
}
