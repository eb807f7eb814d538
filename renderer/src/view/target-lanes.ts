/**
 * The Flash screen's lanes for a multi-target job: one per disk (device, state, fraction,
 * per-partition rows from progress.targets[i].regions, the reason when it failed). Before the
 * first progress event every disk of the plan waits with the plan's regions. A `target-failed`
 * event marks its lane failed at once, before the next progress event says so too.
 */
import type { AppError } from '../../../src/model/app-error.ts';
import type { TargetState } from '../../../src/model/flash-progress.ts';
import type { PlanEvent, ProgressEvent } from '../store/flash-slice.ts';
import { regionRow, type FlashRow } from './flash-rows.ts';

export interface TargetLane {
  readonly device: string;
  readonly state: TargetState;
  /** 0..1 of this disk's work: its bytes written plus read back, over twice the image. */
  readonly fraction: number;
  readonly rows: readonly FlashRow[];
  readonly error: AppError | null;
}

export const TARGET_STATE_LABELS: Readonly<Record<TargetState, string>> = {
  waiting: 'Waiting',
  writing: 'Writing',
  verifying: 'Verifying',
  verified: 'Verified',
  written: 'Written',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The lanes to show, or [] for a one-disk job (its regions are the screen's own rows). */
export function targetLanes(plan: PlanEvent | null, progress: ProgressEvent | null, failed: Readonly<Record<string, AppError>>): TargetLane[] {
  const total = plan?.totalWriteBytes ?? 0;
  const lanes: TargetLane[] =
    progress?.targets !== undefined && progress.targets.length > 1
      ? progress.targets.map((target) => ({
          device: target.device,
          state: target.state,
          fraction: total <= 0 ? 0 : Math.min(1, (target.writtenBytes + target.verifiedBytes) / (2 * total)),
          rows: target.regions.map(regionRow),
          error: target.error,
        }))
      : (plan?.devices ?? []).length > 1
        ? (plan?.devices ?? []).map((device) => ({ device, state: 'waiting', fraction: 0, rows: (plan?.regions ?? []).map(regionRow), error: null }))
        : [];
  return lanes.map((lane) => {
    const error = failed[lane.device];
    return error === undefined || lane.state === 'failed' ? lane : { ...lane, state: 'failed', error: lane.error ?? error };
  });
}

/** The shared download (one for every disk): the top-level regions' downloaded bytes. */
export function sharedDownloadBytes(progress: ProgressEvent | null): number {
  return progress === null ? 0 : progress.regions.reduce((sum, region) => sum + region.downloadedBytes, 0);
}
