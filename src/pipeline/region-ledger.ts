import type { AppError } from '../model/app-error.ts';
import type { FlashProgress, RegionPhase, RegionProgress, RegionVerdict, TargetProgress, TargetState } from '../model/flash-progress.ts';
import { createEtaModel } from './eta-model.ts';

/** What the report keeps of one region of one target: exactly its verdict (flash-report.ts applies the outcome). */
export type RegionRecord = RegionVerdict;

/** One region of one target: its verdict fields and its live counters. */
type Entry = RegionRecord & RegionProgress;
/** What a flash may set on a region (fixed sizes and identity excluded). */
export type RegionPatch = Partial<Pick<Entry, 'phase' | 'downloadedBytes' | 'writtenBytes' | 'verifiedBytes' | 'compressedSha384' | 'compressedSha384Ok' | 'uncompressedSha384' | 'readBackOk' | 'error'>>;
type Counter = 'downloadedBytes' | 'writtenBytes' | 'verifiedBytes';

/** A region as planned: where it goes and how big it is. */
export interface PlannedRegion {
  readonly number: number;
  readonly name: string;
  readonly startLba: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

export interface RegionLedgerOptions {
  readonly jobId: string;
  readonly regions: readonly PlannedRegion[];
  /** The job's targets in order (one lane each; lanes are emitted when there is more than one). */
  readonly devices: readonly string[];
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
 * THE record of a flash job's regions (issue 8 §1): for every target, each region's phase,
 * counters, hashes and verdict, in one place. Progress events are derived from it (throttled
 * here, once: ≤ 4 Hz, phase changes at once; time left and fraction from the one ETA model,
 * eta-model.ts) and the report freezes it (`records`), so progress and report cannot disagree.
 *
 * A `target` argument names one target (its index in `devices`); without it a change applies
 * to every live target (the shared download, a phase every disk enters together). The
 * top-level `regions` of an event are the job's: the slowest live target's written and
 * verified bytes. Speed is work (bytes written, plus verified when verifying, of that view)
 * per second over a sliding window, so a stall shows within seconds.
 */
export interface RegionLedger {
  /** Every region as the job sees it now (the plan event's regions). */
  progress(): RegionProgress[];
  /** The region's state as the job sees it (the slowest live target), e.g. for a phase check. */
  region(number: number, target?: number): RegionProgress & RegionRecord;
  update(number: number, patch: RegionPatch, target?: number): void;
  /** Adds to counters instead of setting them. */
  add(number: number, delta: Partial<Record<Counter, number>>, target?: number): void;
  /** Sets a target's lane state (emits at once). */
  setTargetState(target: number, state: TargetState): void;
  /** Drops a target: its lane fails with `error`, its regions in progress take `failed`. */
  failTarget(target: number, error: AppError): void;
  isLive(target: number): boolean;
  /** Indices of the targets not failed. */
  liveTargets(): number[];
  targetError(target: number): AppError | null;
  retry(): void;
  /** The disks' total busy time so far (ms, from the write worker), for the ETA model. */
  diskBusy(totalMs: number): void;
  readonly retries: number;
  /** Emits now, whatever the interval (the end). */
  flush(): void;
  /** Bytes of work per second over the window. */
  bytesPerSecond(): number;
  /** The target's regions as the report keeps them (a copy). */
  records(target: number): RegionRecord[];
}

const ORDER: readonly RegionPhase[] = ['waiting', 'downloading', 'writing', 'written', 'verifying', 'verified'];
const IN_PROGRESS: ReadonlySet<RegionPhase> = new Set(['downloading', 'writing', 'verifying']);

export function createRegionLedger(options: RegionLedgerOptions): RegionLedger {
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 250;
  const windowMs = options.windowMs ?? 5000;
  const fresh = (r: PlannedRegion): Entry => ({
    number: r.number,
    name: r.name,
    startLba: r.startLba,
    phase: 'waiting',
    compressedBytes: r.compressedBytes,
    downloadedBytes: 0,
    uncompressedBytes: r.uncompressedBytes,
    writtenBytes: 0,
    verifiedBytes: 0,
    compressedSha384: '',
    compressedSha384Ok: null,
    uncompressedSha384: null,
    readBackOk: null,
    error: null,
  });
  const lanes = options.devices.map((device) => ({ device, state: 'waiting' as TargetState, error: null as AppError | null, entries: new Map(options.regions.map((r) => [r.number, fresh(r)])) }));
  if (lanes.length === 0) throw new Error('A region ledger needs a target');
  const startedAt = now();
  const samples: { atMs: number; work: number }[] = [{ atMs: startedAt, work: 0 }];
  let lastEmitAt = -Infinity;
  let retries = 0;
  let diskBusyMs: number | undefined;
  let wroteAny = false;
  const eta = createEtaModel({ verify: options.verify });

  const lane = (target: number): (typeof lanes)[number] => {
    const found = lanes[target];
    if (found === undefined) throw new Error(`Unknown target ${target}`);
    return found;
  };
  const live = (): number[] => lanes.flatMap((l, index) => (l.error === null ? [index] : []));
  const chosen = (target: number | undefined): number[] => (target === undefined ? live() : [target]);
  const entryOf = (target: number, number: number): Entry => {
    const found = lane(target).entries.get(number);
    if (found === undefined) throw new Error(`Unknown region ${number}`);
    return found;
  };
  /** The job's view of a region: the slowest live target (all targets once none is live). */
  const jobRegion = (number: number): Entry => {
    const indices = live().length > 0 ? live() : lanes.map((_, index) => index);
    const entries = indices.map((index) => entryOf(index, number));
    const slowest = entries.reduce((a, b) => (rank(b.phase) < rank(a.phase) ? b : a));
    return { ...slowest, writtenBytes: Math.min(...entries.map((e) => e.writtenBytes)), verifiedBytes: Math.min(...entries.map((e) => e.verifiedBytes)) };
  };
  const jobRegions = (): RegionProgress[] => options.regions.map((r) => progressOf(jobRegion(r.number)));

  const work = (regions: readonly RegionProgress[]): number => regions.reduce((sum, r) => sum + r.writtenBytes + (options.verify ? r.verifiedBytes : 0), 0);
  const sample = (atMs: number, regions: readonly RegionProgress[]): void => {
    samples.push({ atMs, work: work(regions) });
    while (samples.length > 2 && (samples[1]?.atMs ?? atMs) <= atMs - windowMs) samples.shift();
  };
  const rate = (): number => {
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (first === undefined || last === undefined || last.atMs - first.atMs <= 0) return 0;
    return ((last.work - first.work) * 1000) / (last.atMs - first.atMs);
  };
  const emitNow = (atMs: number): void => {
    lastEmitAt = atMs;
    const regions = jobRegions();
    sample(atMs, regions);
    const estimate = eta.observe(atMs, regions, diskBusyMs);
    const phase = { name: estimate.phase, index: estimate.phaseIndex, count: estimate.phaseCount, fraction: estimate.phaseFraction };
    const etaMs = estimate.etaSeconds === null ? null : estimate.etaSeconds * 1000;
    const event = { type: 'progress' as const, jobId: options.jobId, elapsedMs: Math.round(atMs - startedAt), bytesPerSecond: Math.round(rate()), etaMs, regions, retries, fraction: estimate.fraction, etaSeconds: estimate.etaSeconds, phase };
    options.emit(lanes.length > 1 ? { ...event, targets: lanes.map(laneProgress) } : event);
  };
  const maybeEmit = (): void => {
    const atMs = now();
    if (atMs - lastEmitAt >= intervalMs) emitNow(atMs);
  };

  return {
    progress: jobRegions,
    region: (number, target) => ({ ...(target === undefined ? jobRegion(number) : entryOf(target, number)) }),
    update(number, patch, target) {
      let phaseChanged = false;
      for (const index of chosen(target)) {
        const before = entryOf(index, number);
        if (patch.phase !== undefined && patch.phase !== before.phase) phaseChanged = true;
        lane(index).entries.set(number, { ...before, ...patch });
      }
      if (phaseChanged) emitNow(now());
      else maybeEmit();
    },
    add(number, delta, target) {
      // The job's first written bytes are emitted at once (time to first byte is measured from them).
      const first = (delta.writtenBytes ?? 0) > 0 && !wroteAny;
      if (first) wroteAny = true;
      for (const index of chosen(target)) {
        const r = entryOf(index, number);
        lane(index).entries.set(number, {
          ...r,
          downloadedBytes: r.downloadedBytes + (delta.downloadedBytes ?? 0),
          writtenBytes: r.writtenBytes + (delta.writtenBytes ?? 0),
          verifiedBytes: r.verifiedBytes + (delta.verifiedBytes ?? 0),
        });
      }
      if (first) emitNow(now());
      else maybeEmit();
    },
    setTargetState(target, state) {
      const l = lane(target);
      if (l.state === state) return;
      l.state = state;
      emitNow(now());
    },
    failTarget(target, error) {
      const l = lane(target);
      if (l.error !== null) return;
      l.error = error;
      l.state = 'failed';
      for (const [number, entry] of l.entries) {
        if (IN_PROGRESS.has(entry.phase)) l.entries.set(number, { ...entry, phase: 'failed', error: entry.error ?? error });
      }
      emitNow(now());
    },
    isLive: (target) => lane(target).error === null,
    liveTargets: live,
    targetError: (target) => lane(target).error,
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
      sample(now(), jobRegions());
      return rate();
    },
    records: (target) => [...lane(target).entries.values()].map(recordOf),
  };
}

function rank(phase: RegionPhase): number {
  const index = ORDER.indexOf(phase);
  // failed/cancelled rank lowest: the job's region is not done while one is.
  return index === -1 ? -1 : index;
}

function progressOf(entry: Entry): RegionProgress {
  const { number, name, phase, compressedBytes, downloadedBytes, uncompressedBytes, writtenBytes, verifiedBytes } = entry;
  return { number, name, phase, compressedBytes, downloadedBytes, uncompressedBytes, writtenBytes, verifiedBytes };
}

function recordOf(entry: Entry): RegionRecord {
  const { number, name, startLba, writtenBytes, compressedSha384, compressedSha384Ok, uncompressedSha384, readBackOk, phase, error } = entry;
  return { number, name, startLba, writtenBytes, compressedSha384, compressedSha384Ok, uncompressedSha384, readBackOk, phase, error };
}

function laneProgress(l: { device: string; state: TargetState; error: AppError | null; entries: Map<number, Entry> }): TargetProgress {
  const regions = [...l.entries.values()].map(progressOf);
  return {
    device: l.device,
    state: l.state,
    writtenBytes: regions.reduce((sum, r) => sum + r.writtenBytes, 0),
    verifiedBytes: regions.reduce((sum, r) => sum + r.verifiedBytes, 0),
    regions,
    error: l.error,
  };
}
