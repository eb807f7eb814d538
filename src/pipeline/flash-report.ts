import os from 'node:os';
import type { AppError } from '../model/app-error.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import { APP_VERSION } from '../common/app-version.ts';
import type { FlashReport, FlashTargetReport, RegionVerdict } from '../model/flash-progress.ts';

/** One target's frozen section, as the region ledger hands it over. */
export interface TargetReportInput {
  readonly disk: DiskInfo;
  readonly outcome: FlashTargetReport['outcome'];
  readonly error: AppError | null;
  readonly diskTouched: boolean;
  readonly finishedAt: Date;
  readonly regions: readonly RegionVerdict[];
}

export interface ReportInput {
  readonly source: string;
  readonly imageHash: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly downloadedBytes: number;
  readonly retries: number;
  /** Every target of the job; empty when the job stopped before any disk was chosen. */
  readonly targets: readonly TargetReportInput[];
  /** What stopped the job as a whole (bad image, cancel, source failure); null when it ran to the end. */
  readonly jobError: AppError | null;
  readonly cancelled: boolean;
  /** The device the user named, for the report of a job refused before a disk was chosen. */
  readonly requestedDevice?: string | null;
}

const deviceOf = (disk: DiskInfo): FlashTargetReport['device'] => ({ path: disk.device, model: disk.model, serial: disk.serial, sizeBytes: disk.sizeBytes });
const rate = (bytes: number, elapsedMs: number): number => (elapsedMs > 0 ? Math.round((bytes * 1000) / elapsedMs) : 0);

/**
 * Builds the saved result of a flash job (docs/behavior.md §7): hashes, timings,
 * throughput, retries, and per target its identity, timings and a verdict per region.
 * The job is verified (or written) only when every target is; a failed target fails the job
 * but keeps its own section, so the others' success stays visible.
 */
export function buildFlashReport(input: ReportInput): FlashReport {
  const elapsedMs = Math.max(0, input.finishedAt.getTime() - input.startedAt.getTime());
  const sections: FlashTargetReport[] = input.targets.map((t) => {
    const targetElapsedMs = Math.max(0, t.finishedAt.getTime() - input.startedAt.getTime());
    const writtenBytes = t.regions.reduce((sum, r) => sum + r.writtenBytes, 0);
    return {
      device: deviceOf(t.disk),
      startedAt: input.startedAt.toISOString(),
      finishedAt: t.finishedAt.toISOString(),
      elapsedMs: targetElapsedMs,
      writtenBytes,
      bytesPerSecond: rate(writtenBytes, targetElapsedMs),
      verified: t.outcome === 'verified',
      outcome: t.outcome,
      regions: t.regions,
      error: t.error,
      diskTouched: t.diskTouched,
    };
  });
  const firstFailure = sections.find((s) => s.outcome === 'failed');
  const outcome: FlashReport['outcome'] = input.cancelled
    ? 'cancelled'
    : input.jobError !== null || firstFailure !== undefined || sections.length === 0
      ? 'failed'
      : sections.every((s) => s.outcome === 'verified')
        ? 'verified'
        : 'written';
  const first = sections[0];
  const writtenBytes = first?.writtenBytes ?? 0;
  return {
    tool: 'cosiflash',
    toolVersion: APP_VERSION,
    station: os.hostname(),
    source: input.source,
    imageHash: input.imageHash,
    device: first?.device ?? { path: input.requestedDevice ?? '', model: null, serial: null, sizeBytes: 0 },
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    elapsedMs,
    writtenBytes,
    downloadedBytes: input.downloadedBytes,
    bytesPerSecond: rate(writtenBytes, elapsedMs),
    retries: input.retries,
    verified: outcome === 'verified',
    outcome,
    regions: first?.regions ?? [],
    error: input.jobError ?? firstFailure?.error ?? null,
    diskTouched: first?.diskTouched ?? false,
    targets: sections,
  };
}
