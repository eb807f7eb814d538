/**
 * What the Flash screen shows, derived from the plan and the newest progress event:
 * one row per region with its fraction and phase, plus overall totals.
 * Every number comes from the writer's measurements; nothing is estimated here except
 * the fractions of what it reported.
 */
import type { RegionPhase, RegionProgress } from '../../../src/model/flash-progress.ts';
import type { PlanEvent, ProgressEvent } from '../store/flash-slice.ts';
import { jobPhaseText } from '../../../src/common/format-units.ts';

export const PHASE_LABELS: Readonly<Record<RegionPhase, string>> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  writing: 'Writing',
  verifying: 'Verifying',
  verified: 'Verified',
  written: 'Written',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export interface FlashRow {
  readonly region: RegionProgress;
  /** 0..1 of the current phase's work (writing, then verifying). */
  readonly fraction: number;
  /** The byte count the fraction describes (written, or verified while verifying). */
  readonly doneBytes: number;
}

export interface FlashTotals {
  readonly totalBytes: number;
  readonly writtenBytes: number;
  readonly verifiedBytes: number;
  readonly downloadedBytes: number;
  /** 0..1 over writing and read-back verification together. */
  readonly fraction: number;
  readonly bytesPerSecond: number;
  readonly etaMs: number | null;
  readonly elapsedMs: number;
  /** "Writing 2 of 3 · 45 %" (src/common/job-phase-text.ts). */
  readonly phaseText: string;
}

function ratio(done: number, total: number): number {
  if (total <= 0) return done > 0 ? 1 : 0;
  return Math.max(0, Math.min(1, done / total));
}

export function regionRow(region: RegionProgress): FlashRow {
  switch (region.phase) {
    case 'verified':
    case 'written':
      return { region, fraction: 1, doneBytes: region.uncompressedBytes };
    case 'verifying':
      return { region, fraction: ratio(region.verifiedBytes, region.uncompressedBytes), doneBytes: region.verifiedBytes };
    default:
      return { region, fraction: ratio(region.writtenBytes, region.uncompressedBytes), doneBytes: region.writtenBytes };
  }
}

/** The regions to show: the newest progress event's, else the plan's. */
export function flashRows(plan: PlanEvent | null, progress: ProgressEvent | null): FlashRow[] {
  const regions = progress?.regions ?? plan?.regions ?? [];
  return regions.map(regionRow);
}

export function flashTotals(plan: PlanEvent | null, progress: ProgressEvent | null): FlashTotals {
  const regions = progress?.regions ?? plan?.regions ?? [];
  const sum = (pick: (region: RegionProgress) => number): number => regions.reduce((total, region) => total + pick(region), 0);
  const totalBytes = plan?.totalWriteBytes ?? sum((region) => region.uncompressedBytes);
  const writtenBytes = sum((region) => region.writtenBytes);
  const verifiedBytes = sum((region) => (region.phase === 'verified' ? region.uncompressedBytes : region.verifiedBytes));
  return {
    totalBytes,
    writtenBytes,
    verifiedBytes,
    downloadedBytes: sum((region) => region.downloadedBytes),
    // The whole job's fraction from the writer's ETA model (src/pipeline/eta-model.ts), the same the CLI shows.
    fraction: progress?.fraction ?? ratio(writtenBytes + verifiedBytes, 2 * totalBytes),
    bytesPerSecond: progress?.bytesPerSecond ?? 0,
    etaMs: progress?.etaSeconds === undefined ? (progress?.etaMs ?? null) : progress.etaSeconds === null ? null : progress.etaSeconds * 1000,
    phaseText: jobPhaseText(progress?.phase),
    elapsedMs: progress?.elapsedMs ?? 0,
  };
}
