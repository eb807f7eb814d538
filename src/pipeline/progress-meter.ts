import type { FlashProgress, RegionPhase, RegionProgress } from '../model/flash-progress.ts';
import { createEtaModel } from './eta-model.ts';

/** The running counters of a region (`compressedBytes`/`uncompressedBytes` are its fixed sizes). */
type Counters = Pick<RegionProgress, 'downloadedBytes' | 'writtenBytes' | 'verifiedBytes'>;

export interface ProgressMeterOptions {
  readonly jobId: string;
  readonly regions: readonly RegionProgress[];
  /** Read back after writing: the work is then written + verified bytes. */
  readonly verify: boolean;
  readonly emit: (event: FlashProgress) => void;
  /** Minimum time between two 'progress' events (default 250 ms: ≤ 4 Hz). */
  readonly intervalMs?: number;
  /** Speed is measured over this trailing window (default 5 s). */
  readonly windowMs?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

/**
 * Per-region counters, an overall speed and the job's time left and fraction (one model:
 * eta-model.ts) for one flash, emitted as raw numbers at most every `intervalMs`
 * (docs/behavior.md §7: structured progress, ≤ 4 Hz).
 * Speed is work (bytes written, plus bytes verified when verifying) per second over a
 * sliding window, so a stall shows up within seconds instead of being averaged away.
 */
export interface ProgressMeter {
  update(number: number, patch: Partial<Counters> & { phase?: RegionPhase }): void;
  /** Adds to counters instead of setting them. */
  add(number: number, delta: Partial<Counters>): void;
  retry(): void;
  /** The disk's total busy time so far (ms, from the write worker), for the ETA model. */
  diskBusy(totalMs: number): void;
  readonly retries: number;
  /** Emits now, whatever the interval (phase changes, the end). */
  flush(): void;
  /** Bytes of work per second over the window. */
  bytesPerSecond(): number;
}

export function createProgressMeter(options: ProgressMeterOptions): ProgressMeter {
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 250;
  const windowMs = options.windowMs ?? 5000;
  const state = new Map<number, RegionProgress>(options.regions.map((r) => [r.number, { ...r }]));
  const startedAt = now();
  const samples: { atMs: number; work: number }[] = [{ atMs: startedAt, work: 0 }];
  let lastEmitAt = -Infinity;
  let retries = 0;
  let diskBusyMs: number | undefined;
  const eta = createEtaModel({ verify: options.verify });

  const work = (): number => {
    let sum = 0;
    for (const r of state.values()) sum += r.writtenBytes + (options.verify ? r.verifiedBytes : 0);
    return sum;
  };
  const sample = (atMs: number): number => {
    const done = work();
    samples.push({ atMs, work: done });
    while (samples.length > 2 && (samples[1]?.atMs ?? atMs) <= atMs - windowMs) samples.shift();
    return done;
  };
  const rate = (): number => {
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (first === undefined || last === undefined || last.atMs - first.atMs <= 0) return 0;
    return ((last.work - first.work) * 1000) / (last.atMs - first.atMs);
  };
  const emitNow = (atMs: number): void => {
    lastEmitAt = atMs;
    sample(atMs);
    const speed = rate();
    const regions = [...state.values()].map((r) => ({ ...r }));
    // Time left and fraction of the whole job come from the one ETA model (src/pipeline/eta-model.ts).
    const estimate = eta.observe(atMs, regions, diskBusyMs);
    const phase = { name: estimate.phase, index: estimate.phaseIndex, count: estimate.phaseCount, fraction: estimate.phaseFraction };
    const etaMs = estimate.etaSeconds === null ? null : estimate.etaSeconds * 1000;
    options.emit({ type: 'progress', jobId: options.jobId, elapsedMs: Math.round(atMs - startedAt), bytesPerSecond: Math.round(speed), etaMs, regions, retries, fraction: estimate.fraction, etaSeconds: estimate.etaSeconds, phase });
  };
  const maybeEmit = (): void => {
    const atMs = now();
    if (atMs - lastEmitAt >= intervalMs) emitNow(atMs);
  };
  const region = (number: number): RegionProgress => {
    const current = state.get(number);
    if (current === undefined) throw new Error(`Unknown region ${number}`);
    return current;
  };

  return {
    update(number, patch) {
      const before = region(number);
      state.set(number, { ...before, ...patch });
      if (patch.phase !== undefined && patch.phase !== before.phase) emitNow(now());
      else maybeEmit();
    },
    add(number, delta) {
      const r = region(number);
      state.set(number, {
        ...r,
        downloadedBytes: r.downloadedBytes + (delta.downloadedBytes ?? 0),
        writtenBytes: r.writtenBytes + (delta.writtenBytes ?? 0),
        verifiedBytes: r.verifiedBytes + (delta.verifiedBytes ?? 0),
      });
      maybeEmit();
    },
    retry() {
      retries += 1;
      emitNow(now());
    },
    diskBusy(totalMs) {
      diskBusyMs = totalMs;
    },
    get retries() {
      return retries;
    },
    flush: () => emitNow(now()),
    bytesPerSecond: () => {
      sample(now());
      return rate();
    },
  };
}
