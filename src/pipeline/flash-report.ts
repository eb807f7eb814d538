import os from 'node:os';
import type { AppError } from '../model/app-error.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import { APP_VERSION } from '../common/app-version.ts';
import type { FlashReport, RegionPhase, RegionVerdict } from '../model/flash-progress.ts';

/** The mutable per-region record a flash fills in; frozen into a {@link RegionVerdict} at the end. */
export interface RegionRecord {
  number: number;
  name: string;
  startLba: number;
  writtenBytes: number;
  compressedSha384: string;
  compressedSha384Ok: boolean | null;
  uncompressedSha384: string | null;
  readBackOk: boolean | null;
  phase: RegionPhase;
  error: AppError | null;
}

export interface ReportInput {
  readonly source: string;
  readonly imageHash: string;
  readonly disk: DiskInfo | null;
  readonly requestedDevice: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly downloadedBytes: number;
  readonly retries: number;
  readonly verify: boolean;
  readonly regions: readonly RegionRecord[];
  readonly error: AppError | null;
  readonly cancelled: boolean;
  /** Anything was written to the disk (the edge zeroing counts). */
  readonly diskTouched: boolean;
}

const IN_PROGRESS: ReadonlySet<RegionPhase> = new Set(['downloading', 'writing', 'verifying']);

/**
 * Builds the saved result of a flash (docs/behavior.md §7): hashes, timings,
 * throughput, retries, device identity and a verdict per region. A region that was in
 * progress when the flash stopped takes the flash's outcome (failed/cancelled) as its phase.
 */
export function buildFlashReport(input: ReportInput): FlashReport {
  const elapsedMs = Math.max(0, input.finishedAt.getTime() - input.startedAt.getTime());
  const outcome: FlashReport['outcome'] = input.cancelled ? 'cancelled' : input.error !== null ? 'failed' : input.verify ? 'verified' : 'written';
  const regions: RegionVerdict[] = input.regions.map((r) => ({
    number: r.number,
    name: r.name,
    startLba: r.startLba,
    writtenBytes: r.writtenBytes,
    compressedSha384: r.compressedSha384,
    compressedSha384Ok: r.compressedSha384Ok,
    uncompressedSha384: r.uncompressedSha384,
    readBackOk: r.readBackOk,
    phase: (outcome === 'failed' || outcome === 'cancelled') && IN_PROGRESS.has(r.phase) ? outcome : r.phase,
    error: r.error,
  }));
  const writtenBytes = input.regions.reduce((sum, r) => sum + r.writtenBytes, 0);
  return {
    tool: 'cosiflash',
    toolVersion: APP_VERSION,
    station: os.hostname(),
    source: input.source,
    imageHash: input.imageHash,
    device: {
      path: input.disk?.device ?? input.requestedDevice ?? '',
      model: input.disk?.model ?? null,
      serial: input.disk?.serial ?? null,
      sizeBytes: input.disk?.sizeBytes ?? 0,
    },
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    elapsedMs,
    writtenBytes,
    downloadedBytes: input.downloadedBytes,
    bytesPerSecond: elapsedMs > 0 ? Math.round((writtenBytes * 1000) / elapsedMs) : 0,
    retries: input.retries,
    verified: outcome === 'verified',
    outcome,
    regions,
    error: input.error,
    diskTouched: input.diskTouched,
  };
}
