import { describe, expect, it } from 'vitest';
import type { RegionVerdict } from '../../src/model/flash-progress.ts';
import { buildFlashReport, type TargetReportInput } from '../../src/pipeline/flash-report.ts';
import { makeDisk } from '../disk/make-disk.ts';

const verdict = (number: number, phase: RegionVerdict['phase'], writtenBytes = 0): RegionVerdict => ({
  number, name: `r${number}`, startLba: number * 2048, writtenBytes, compressedSha384: '', compressedSha384Ok: null, uncompressedSha384: null, readBackOk: null, phase, error: null,
});
const startedAt = new Date('2026-01-01T00:00:00Z');
const finishedAt = new Date('2026-01-01T00:00:02Z');
const base = { source: 'http://x/y.cosi', imageHash: 'sha384:ab', startedAt, finishedAt, downloadedBytes: 10, retries: 2 };
const target = (device: string, outcome: TargetReportInput['outcome'], regions: RegionVerdict[], more: Partial<TargetReportInput> = {}): TargetReportInput => ({
  disk: makeDisk({ device, sizeBytes: 1e9 }), outcome, error: null, diskTouched: true, finishedAt, regions, ...more,
});

describe('buildFlashReport', () => {
  it('reports a verified flash with throughput over the whole job', () => {
    const report = buildFlashReport({ ...base, targets: [target('/dev/loop9', 'verified', [verdict(0, 'verified', 1000), verdict(1, 'verified', 3000)])], jobError: null, cancelled: false });
    expect(report).toMatchObject({ outcome: 'verified', verified: true, writtenBytes: 4000, elapsedMs: 2000, bytesPerSecond: 2000, retries: 2, device: { path: '/dev/loop9', sizeBytes: 1e9 }, diskTouched: true });
    expect(report.targets).toHaveLength(1);
  });

  it('a job refused before a disk was chosen names the requested device and touched nothing', () => {
    const error = { code: 'E_HASH_MISMATCH', title: 't', detail: 'd' };
    const report = buildFlashReport({ ...base, targets: [], jobError: error, cancelled: false, requestedDevice: '/dev/loop9' });
    expect(report).toMatchObject({ outcome: 'failed', error, device: { path: '/dev/loop9', sizeBytes: 0 }, diskTouched: false, regions: [], targets: [] });
  });

  it('keeps the sections apart: one failed target fails the job, the verified one stays verified with its own timings', () => {
    const error = { code: 'E_WRITE', title: 't', detail: 'ENOSPC' };
    const report = buildFlashReport({
      ...base,
      targets: [
        target('/dev/loop8', 'failed', [verdict(0, 'waiting'), verdict(1, 'failed', 5)], { error, finishedAt: new Date('2026-01-01T00:00:01Z') }),
        target('/dev/loop9', 'verified', [verdict(0, 'verified', 1000), verdict(1, 'verified', 3000)]),
      ],
      jobError: null,
      cancelled: false,
    });
    expect(report.outcome).toBe('failed');
    expect(report.verified).toBe(false);
    expect(report.error).toEqual(error);
    expect(report.targets?.map((t) => [t.device.path, t.outcome, t.elapsedMs, t.writtenBytes])).toEqual([['/dev/loop8', 'failed', 1000, 5], ['/dev/loop9', 'verified', 2000, 4000]]);
    expect(report.targets?.[1]?.bytesPerSecond).toBe(2000);
  });

  it('written without read-back when every target was written', () => {
    const report = buildFlashReport({ ...base, targets: [target('/dev/a', 'written', [verdict(1, 'written', 1)]), target('/dev/b', 'written', [verdict(1, 'written', 1)])], jobError: null, cancelled: false });
    expect(report.outcome).toBe('written');
  });

  it('reports a cancelled flash', () => {
    const report = buildFlashReport({ ...base, targets: [target('/dev/a', 'cancelled', [verdict(1, 'cancelled', 5)])], jobError: { code: 'E_CANCELLED', title: 'Cancelled', detail: 'x' }, cancelled: true });
    expect(report.outcome).toBe('cancelled');
    expect(report.regions[0]?.phase).toBe('cancelled');
  });
});
