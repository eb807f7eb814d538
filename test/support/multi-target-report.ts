/** A synthetic finished flash of several disks (FlashReport with targets[]), for formatter and log tests. */
import type { AppError } from '../../src/model/app-error.ts';
import type { FlashReport, TargetReport } from '../../src/model/flash-progress.ts';

const region = { number: 0, name: 'partition table', startLba: 0, writtenBytes: 1, compressedSha384: '', compressedSha384Ok: true, uncompressedSha384: null, readBackOk: true, phase: 'verified', error: null } as const;

export function targetReport(path: string, overrides: Partial<TargetReport> = {}): TargetReport {
  return {
    device: { path, model: `Model ${path.slice(-1)}`, serial: `SER-${path.slice(-1)}`, sizeBytes: 64 * 1024 * 1024 },
    identity: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:02.000Z',
    elapsedMs: 2000,
    writtenBytes: 4000,
    bytesPerSecond: 2000,
    verified: true,
    outcome: 'verified',
    regions: [region],
    error: null,
    diskTouched: true,
    ...overrides,
  };
}

export const writeError: AppError = { code: 'E_WRITE', title: 'Writing to the disk failed', detail: 'No space left on device' };

/** A failed target: bytes reached it (or not), its table wiped. */
export function failedTarget(path: string, error: AppError = writeError, diskTouched = true): TargetReport {
  return targetReport(path, { outcome: 'failed', verified: false, error, diskTouched, regions: [{ ...region, phase: 'failed', readBackOk: null, error }] });
}

/** The report of a job over `targets` (top-level fields from the first, outcome/error the worst, as the engine composes it). */
export function multiTargetReport(targets: readonly TargetReport[], overrides: Partial<FlashReport> = {}): FlashReport {
  const [first] = targets;
  if (first === undefined) throw new Error('no targets');
  const worst = targets.find((t) => t.outcome === 'failed') ?? targets.find((t) => t.outcome === 'cancelled') ?? targets.find((t) => t.outcome === 'written') ?? first;
  return {
    tool: 'cosiflash', toolVersion: '0.1.0', station: 'host-a', source: 'http://127.0.0.1:1/os.cosi', imageHash: 'sha384:ab',
    device: first.device, startedAt: first.startedAt, finishedAt: first.finishedAt, elapsedMs: 2000, writtenBytes: first.writtenBytes,
    downloadedBytes: 100, bytesPerSecond: first.bytesPerSecond, retries: 0, verified: first.verified,
    outcome: worst.outcome, error: worst.error, regions: first.regions, diskTouched: first.diskTouched,
    targets,
    ...overrides,
  };
}
