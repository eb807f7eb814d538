/**
 * The one record of a flash job's regions: for every target, each region's phase, counters,
 * hashes and verdict. Progress events are built from it (throttled here, and only here) and
 * the report is frozen from it, so what the user watched and what the report says cannot
 * disagree. A job writing several disks has one target ledger per disk; the compressed bytes
 * are fetched once, so download counters are shared by every target. Each target has its own
 * ETA model (eta-model.ts, fed with its regions and its writer's disk-busy time); the job's
 * time left, fraction and phase are those of the slowest target still running.
 */
import type { AppError } from '../model/app-error.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import type { FlashProgress, FlashReport, RegionPhase, RegionProgress, TargetProgress, TargetState } from '../model/flash-progress.ts';
import { createEtaModel, type EtaEstimate, type EtaModel } from './eta-model.ts';
import { buildFlashReport, type TargetReportInput } from './flash-report.ts';
import { createProgressMeter, type ProgressMeterOptions } from './progress-meter.ts';

/** A region as the plan knows it before anything is written (number 0: the partition table). */
export interface RegionPlan {
  readonly number: number;
  readonly name: string;
  readonly startLba: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

/** The verdict fields a flash fills in for a region of one target. */
export interface RegionFacts {
  compressedSha384: string;
  compressedSha384Ok: boolean | null;
  uncompressedSha384: string | null;
  readBackOk: boolean | null;
}

interface RegionEntry extends RegionFacts {
  readonly plan: RegionPlan;
  phase: RegionPhase;
  writtenBytes: number;
  verifiedBytes: number;
  error: AppError | null;
}

/** One target's regions. Every change goes through here; phase changes emit at once. */
export interface TargetLedger {
  readonly device: string;
  readonly disk: DiskInfo;
  readonly state: TargetState;
  /** Why the target was dropped. */
  readonly error: AppError | null;
  /** The old table is gone: something was written to this disk. */
  touched: boolean;
  phase(number: number, phase: RegionPhase): void;
  add(number: number, delta: { readonly writtenBytes?: number; readonly verifiedBytes?: number }): void;
  /** This target's total disk-busy time so far (ms, from its write worker), for the ETA model. */
  diskBusy(totalMs: number): void;
  record(number: number, facts: Partial<RegionFacts> & { readonly writtenBytes?: number; readonly verifiedBytes?: number }): void;
  facts(number: number): Readonly<RegionFacts> & { readonly writtenBytes: number };
  /** Drops the target: the region in progress (or `number`) and the target fail with `error`. */
  fail(error: AppError, number?: number): void;
  /** Replaces the reason of a dropped target with a fuller one (what it left behind). */
  explain(error: AppError): void;
  /** The target is done (`verified`, or `written` without read-back). */
  finish(state: 'verified' | 'written'): void;
}

export interface FlashLedger {
  readonly targets: readonly TargetLedger[];
  /** Targets not yet failed or finished. */
  running(): TargetLedger[];
  /** Compressed bytes of `number` received (once for all targets). */
  downloaded(number: number, bytes: number): void;
  retry(): void;
  readonly retries: number;
  /** Emits a progress event now, whatever the interval (the end). */
  flush(): void;
  bytesPerSecond(): number;
  /** The plan event (once, before anything is written). */
  emitPlan(totalWriteBytes: number): void;
  /** The report; running targets take the job's outcome (cancelled, or failed with `jobError`). */
  freeze(input: { source: string; imageHash: string; downloadedBytes: number; jobError: AppError | null; cancelled: boolean; finishedAt?: Date }): FlashReport;
}

export interface FlashLedgerOptions extends ProgressMeterOptions {
  readonly jobId: string;
  readonly regions: readonly RegionPlan[];
  readonly disks: readonly DiskInfo[];
  readonly verify: boolean;
  readonly emit: (event: FlashProgress) => void;
  readonly startedAt?: Date;
}

const IN_PROGRESS: ReadonlySet<RegionPhase> = new Set(['downloading', 'writing', 'verifying']);

export function createFlashLedger(options: FlashLedgerOptions): FlashLedger {
  const meter = createProgressMeter(options);
  const startedAt = options.startedAt ?? new Date();
  const downloadedBytes = new Map<number, number>(options.regions.map((r) => [r.number, 0]));
  let retries = 0;
  /** The job's fraction never goes back (a dropped slowest target makes the next one the slowest). */
  let jobFraction = 0;

  interface TargetInternal {
    readonly ledger: TargetLedger;
    readonly entries: Map<number, RegionEntry>;
    readonly eta: EtaModel;
    busyMs: number | undefined;
    finishedAt: Date | null;
  }
  const internals: TargetInternal[] = [];

  const work = (): number => {
    let sum = 0;
    for (const t of internals) for (const e of t.entries.values()) sum += e.writtenBytes + (options.verify ? e.verifiedBytes : 0);
    return sum;
  };
  const regionsOf = (t: TargetInternal): RegionProgress[] =>
    [...t.entries.values()].map((e) => ({
      number: e.plan.number,
      name: e.plan.name,
      phase: e.phase,
      compressedBytes: e.plan.compressedBytes,
      downloadedBytes: downloadedBytes.get(e.plan.number) ?? 0,
      uncompressedBytes: e.plan.uncompressedBytes,
      writtenBytes: e.writtenBytes,
      verifiedBytes: e.verifiedBytes,
    }));
  /**
   * The job's estimate: every target's ETA model observes its own regions; the slowest target
   * still running (lowest fraction: all models share the clock, so the most time left) sets the
   * job's fraction, time left and phase. The time left is unknown while any running target's is.
   */
  const estimateJob = (atMs: number): EtaEstimate | null => {
    const observed = internals.map((t) => ({ t, estimate: t.eta.observe(atMs, regionsOf(t), t.busyMs) }));
    const running = observed.filter((o) => o.t.ledger.state === 'running');
    const notFailed = observed.filter((o) => o.t.ledger.state !== 'failed');
    const candidates = running.length > 0 ? running : notFailed.length > 0 ? notFailed : observed;
    let slowest: EtaEstimate | null = null;
    for (const { estimate } of candidates) if (slowest === null || estimate.fraction < slowest.fraction) slowest = estimate;
    if (slowest === null) return null;
    const unknown = candidates.some((o) => o.estimate.etaSeconds === null);
    const etaSeconds = unknown ? null : Math.max(...candidates.map((o) => o.estimate.etaSeconds ?? 0));
    jobFraction = Math.max(jobFraction, slowest.fraction);
    return { ...slowest, fraction: jobFraction, etaSeconds };
  };
  const emitNow = (): void => {
    const { atMs, ...stats } = meter.measure(work());
    const lanes: TargetProgress[] = internals.map((t) => ({ device: t.ledger.device, state: t.ledger.state, regions: regionsOf(t), error: t.ledger.error }));
    const primary = internals.find((t) => t.ledger.state === 'running') ?? internals[0];
    const estimate = estimateJob(atMs);
    const timing =
      estimate === null
        ? { etaMs: null }
        : {
            etaMs: estimate.etaSeconds === null ? null : estimate.etaSeconds * 1000,
            fraction: estimate.fraction,
            etaSeconds: estimate.etaSeconds,
            phase: { name: estimate.phase, index: estimate.phaseIndex, count: estimate.phaseCount, fraction: estimate.phaseFraction },
          };
    options.emit({ type: 'progress', jobId: options.jobId, ...stats, ...timing, regions: primary === undefined ? [] : regionsOf(primary), retries, targets: lanes });
  };
  const maybeEmit = (): void => {
    if (meter.due()) emitNow();
  };

  for (const disk of options.disks) {
    const entries = new Map<number, RegionEntry>(
      options.regions.map((plan) => [plan.number, { plan, phase: 'waiting', writtenBytes: 0, verifiedBytes: 0, error: null, compressedSha384: '', compressedSha384Ok: null, uncompressedSha384: null, readBackOk: null }]),
    );
    const entry = (number: number): RegionEntry => {
      const found = entries.get(number);
      if (found === undefined) throw new Error(`Unknown region ${number}`);
      return found;
    };
    let state: TargetState = 'running';
    let error: AppError | null = null;
    const internal: TargetInternal = {
      entries,
      eta: createEtaModel({ verify: options.verify }),
      busyMs: undefined,
      finishedAt: null,
      ledger: {
        device: disk.device,
        disk,
        get state() {
          return state;
        },
        get error() {
          return error;
        },
        touched: false,
        phase(number, phase) {
          const e = entry(number);
          if (e.phase === phase) return;
          e.phase = phase;
          emitNow();
        },
        add(number, delta) {
          const e = entry(number);
          e.writtenBytes += delta.writtenBytes ?? 0;
          e.verifiedBytes += delta.verifiedBytes ?? 0;
          maybeEmit();
        },
        diskBusy(totalMs) {
          internal.busyMs = totalMs;
        },
        record(number, facts) {
          Object.assign(entry(number), facts);
        },
        facts(number) {
          return entry(number);
        },
        fail(reason, number) {
          if (state !== 'running') return;
          const failing = number === undefined ? [...entries.values()].filter((e) => IN_PROGRESS.has(e.phase)) : [entry(number)];
          for (const e of failing) {
            e.phase = 'failed';
            e.error = reason;
          }
          state = 'failed';
          error = reason;
          internal.finishedAt = new Date();
          emitNow();
        },
        explain(reason) {
          if (state !== 'failed') return;
          for (const e of entries.values()) if (e.error === error) e.error = reason;
          error = reason;
        },
        finish(done) {
          if (state !== 'running') return;
          state = done;
          internal.finishedAt = new Date();
        },
      },
    };
    internals.push(internal);
  }

  return {
    targets: internals.map((t) => t.ledger),
    running: () => internals.map((t) => t.ledger).filter((t) => t.state === 'running'),
    downloaded(number, bytes) {
      downloadedBytes.set(number, (downloadedBytes.get(number) ?? 0) + bytes);
      maybeEmit();
    },
    retry() {
      retries += 1;
      emitNow();
    },
    get retries() {
      return retries;
    },
    flush: emitNow,
    bytesPerSecond: () => meter.bytesPerSecond(work()),
    emitPlan(totalWriteBytes) {
      const first = internals[0];
      options.emit({
        type: 'plan',
        jobId: options.jobId,
        device: first?.ledger.device ?? '',
        regions: first === undefined ? [] : regionsOf(first),
        totalWriteBytes,
        targets: internals.map((t) => ({ device: t.ledger.device, sizeBytes: t.ledger.disk.sizeBytes, model: t.ledger.disk.model })),
      });
    },
    freeze(input) {
      const finishedAt = input.finishedAt ?? new Date();
      const targets: TargetReportInput[] = internals.map((t) => {
        const { ledger } = t;
        const outcome: TargetReportInput['outcome'] =
          ledger.state === 'running' ? (input.cancelled ? 'cancelled' : input.jobError !== null ? 'failed' : options.verify ? 'verified' : 'written') : ledger.state;
        const targetError = ledger.error ?? (outcome === 'failed' ? input.jobError : null);
        return {
          disk: ledger.disk,
          outcome,
          error: input.cancelled && ledger.state === 'running' ? input.jobError : targetError,
          diskTouched: ledger.touched,
          finishedAt: t.finishedAt ?? finishedAt,
          regions: [...t.entries.values()].map((e) => ({
            number: e.plan.number,
            name: e.plan.name,
            startLba: e.plan.startLba,
            writtenBytes: e.writtenBytes,
            compressedSha384: e.compressedSha384,
            compressedSha384Ok: e.compressedSha384Ok,
            uncompressedSha384: e.uncompressedSha384,
            readBackOk: e.readBackOk,
            phase: (outcome === 'failed' || outcome === 'cancelled') && IN_PROGRESS.has(e.phase) ? outcome : e.phase,
            error: e.error,
          })),
        };
      });
      return buildFlashReport({ source: input.source, imageHash: input.imageHash, startedAt, finishedAt, downloadedBytes: input.downloadedBytes, retries, targets, jobError: input.jobError, cancelled: input.cancelled });
    },
  };
}
