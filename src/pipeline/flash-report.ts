import os from 'node:os';
import type { AppError } from '../model/app-error.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import { APP_VERSION } from '../common/app-version.ts';
import type { DiskIdentity } from '../model/disk-identity.ts';
import type { FlashReport, RegionPhase, RegionVerdict, TargetReport } from '../model/flash-progress.ts';
import type { RegionRecord } from './region-ledger.ts';

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

/** One target's section of a multi-target report, from that target's own report. */
export function targetSection(report: FlashReport, identity: DiskIdentity | null): TargetReport {
  const { device, startedAt, finishedAt, elapsedMs, writtenBytes, bytesPerSecond, verified, outcome, regions, error, diskTouched } = report;
  return { device, identity, startedAt, finishedAt, elapsedMs, writtenBytes, bytesPerSecond, verified, outcome, regions, error, diskTouched };
}

const SEVERITY: Readonly<Record<FlashReport['outcome'], number>> = { verified: 0, written: 1, cancelled: 2, failed: 3 };

/**
 * The report of a job with several targets: the first target's report (device, regions, bytes),
 * with the worst target's outcome and error on top, and one section per target in order.
 * A one-target job's report is its target's report, unchanged.
 */
export function jobReport(perTarget: readonly { readonly report: FlashReport; readonly identity: DiskIdentity | null }[]): FlashReport {
  const first = perTarget[0];
  if (first === undefined) throw new Error('A job report needs a target');
  if (perTarget.length === 1) return first.report;
  const worst = perTarget.reduce((a, b) => (SEVERITY[b.report.outcome] > SEVERITY[a.report.outcome] ? b : a));
  return {
    ...first.report,
    outcome: worst.report.outcome,
    verified: perTarget.every((t) => t.report.verified),
    error: worst.report.error,
    diskTouched: perTarget.some((t) => t.report.diskTouched),
    targets: perTarget.map((t) => targetSection(t.report, t.identity)),
  };
}

/** A job ends 'done' when at least one of its targets was written (and verified, when asked). */
export function jobSucceeded(report: FlashReport): boolean {
  return report.targets === undefined ? report.error === null : report.targets.some((t) => t.error === null && (t.outcome === 'verified' || t.outcome === 'written'));
}
