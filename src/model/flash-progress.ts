import type { AppError } from './app-error.ts';
import type { DiskIdentity } from './disk-identity.ts';

/** Phase of one region during a flash. */
export type RegionPhase = 'waiting' | 'downloading' | 'writing' | 'verifying' | 'verified' | 'written' | 'failed' | 'cancelled';

/** Raw numbers for one region (a partition image or the GPT). Formatting happens in front ends. */
export interface RegionProgress {
  /** GPT slot number, or 0 for the partition table. */
  readonly number: number;
  readonly name: string;
  readonly phase: RegionPhase;
  readonly compressedBytes: number;
  readonly downloadedBytes: number;
  readonly uncompressedBytes: number;
  readonly writtenBytes: number;
  readonly verifiedBytes: number;
}

/** The progress stream of a flash job: one discriminated union, throttled at the source (≤ 4 Hz). */
export type FlashProgress =
  | {
      readonly type: 'plan';
      readonly jobId: string;
      /** The first target. */
      readonly device: string;
      readonly regions: readonly RegionProgress[];
      readonly totalWriteBytes: number;
      /** Every target of the job in order (`device` first); present when there is more than one. */
      readonly devices?: readonly string[];
    }
  | {
      readonly type: 'progress';
      readonly jobId: string;
      readonly elapsedMs: number;
      readonly bytesPerSecond: number;
      /** The time left of the whole job in ms (etaSeconds × 1000), null while unknown. */
      readonly etaMs: number | null;
      readonly regions: readonly RegionProgress[];
      readonly retries: number;
      /** 0–1 of the whole job, the read-back included when verifying (src/pipeline/eta-model.ts). Always set by the region ledger (src/pipeline/region-ledger.ts). */
      readonly fraction?: number;
      /** Seconds left for the whole job, null until the estimate is meaningful. Always set by the region ledger (src/pipeline/region-ledger.ts). */
      readonly etaSeconds?: number | null;
      /** The phase of the job: which partition of how many is written or verified, and how far that phase is (0–1). */
      readonly phase?: { readonly name: 'starting' | 'writing' | 'verifying' | 'finished'; readonly index: number; readonly count: number; readonly fraction: number };
      /**
       * One lane per target, present when the job has more than one. The top-level `regions`
       * are then the shared download/decode (the slowest live target's written/verified bytes).
       */
      readonly targets?: readonly TargetProgress[];
    }
  /** One target of a multi-target job was dropped (its table wiped); the others go on. */
  | { readonly type: 'target-failed'; readonly jobId: string; readonly device: string; readonly error: AppError }
  | {
      readonly type: 'retry';
      readonly jobId: string;
      readonly attempt: number;
      readonly offsetBytes: number;
      readonly reason: string;
      /** True when the server cannot be reached at all (refused, unreachable): retried for a time budget. */
      readonly unreachable?: boolean;
      /** How long the server has been unreachable so far (whole seconds), when `unreachable`. */
      readonly unreachableSeconds?: number;
      /** The time budget for an unreachable server, in seconds. */
      readonly retryForSeconds?: number;
    }
  /** Something the user should know that does not stop the flash (today: the image cache stopped caching). */
  | { readonly type: 'warning'; readonly jobId: string; readonly code: 'cache'; readonly message: string }
  | { readonly type: 'done'; readonly jobId: string; readonly report: FlashReport }
  | { readonly type: 'failed'; readonly jobId: string; readonly error: AppError; readonly report: FlashReport };

/** The state of one target's lane. */
export type TargetState = 'waiting' | 'writing' | 'verifying' | 'verified' | 'written' | 'failed' | 'cancelled';

/** Progress of one target of a multi-target job. */
export interface TargetProgress {
  readonly device: string;
  readonly state: TargetState;
  readonly writtenBytes: number;
  readonly verifiedBytes: number;
  /** This target's per-partition progress (downloadedBytes is the shared download). */
  readonly regions: readonly RegionProgress[];
  readonly error: AppError | null;
}

/** The section of a multi-target report for one disk. */
export interface TargetReport {
  readonly device: { readonly path: string; readonly model: string | null; readonly serial: string | null; readonly sizeBytes: number };
  /** The identity the writer checked after its exclusive open. */
  readonly identity: DiskIdentity | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly elapsedMs: number;
  readonly writtenBytes: number;
  readonly bytesPerSecond: number;
  readonly verified: boolean;
  readonly outcome: 'verified' | 'written' | 'failed' | 'cancelled';
  readonly regions: readonly RegionVerdict[];
  readonly error: AppError | null;
  readonly diskTouched: boolean;
}

export interface RegionVerdict {
  readonly number: number;
  readonly name: string;
  readonly startLba: number;
  readonly writtenBytes: number;
  readonly compressedSha384: string;
  readonly compressedSha384Ok: boolean | null;
  readonly uncompressedSha384: string | null;
  readonly readBackOk: boolean | null;
  readonly phase: RegionPhase;
  readonly error: AppError | null;
}

/** The saved result of a flash (`--report FILE`, "Save report"). */
export interface FlashReport {
  readonly tool: string;
  /** Cosiflash version that wrote the disk. */
  readonly toolVersion: string;
  /** The machine (host name, or `--station NAME`) that wrote the disk. */
  readonly station: string;
  readonly source: string;
  readonly imageHash: string;
  readonly device: { readonly path: string; readonly model: string | null; readonly serial: string | null; readonly sizeBytes: number };
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly elapsedMs: number;
  readonly writtenBytes: number;
  readonly downloadedBytes: number;
  /** Bytes of the image read from the verified image cache instead of the network (absent without --cache). */
  readonly cachedBytes?: number;
  readonly bytesPerSecond: number;
  readonly retries: number;
  readonly verified: boolean;
  readonly outcome: 'verified' | 'written' | 'failed' | 'cancelled';
  readonly regions: readonly RegionVerdict[];
  readonly error: AppError | null;
  /**
   * Something reached the disk (its ends are zeroed first): its old partition table is gone.
   * False when the flash was refused before writing (bad image, hash mismatch, disk refused).
   */
  readonly diskTouched: boolean;
  /**
   * A job with more than one target: one section per disk, in the job's order (the top-level
   * `device`, `regions`, `writtenBytes` are the first target's). The top-level `outcome` and
   * `error` are the worst target's; the job's final event is 'done' when at least one target
   * was verified (or written), 'failed' only when none was. Absent for a one-disk job.
   */
  readonly targets?: readonly TargetReport[];
}
