import { describe, expect, it } from 'vitest';
import { buildFlashReport } from '../../src/pipeline/flash-report.ts';
import type { RegionRecord } from '../../src/pipeline/region-ledger.ts';

const record = (number: number, phase: RegionRecord['phase'], writtenBytes = 0): RegionRecord => ({
  number, name: `r${number}`, startLba: number * 2048, writtenBytes, compressedSha384: '', compressedSha384Ok: null, uncompressedSha384: null, readBackOk: null, phase, error: null,
});
const base = {
  source: 'http://x/y.cosi', imageHash: 'sha384:ab', disk: null, requestedDevice: '/dev/loop9',
  startedAt: new Date('2026-01-01T00:00:00Z'), finishedAt: new Date('2026-01-01T00:00:02Z'), downloadedBytes: 10, retries: 2, diskTouched: true,
};

describe('buildFlashReport', () => {
  it('reports a verified flash with throughput over the whole job', () => {
    const report = buildFlashReport({ ...base, verify: true, regions: [record(0, 'verified', 1000), record(1, 'verified', 3000)], error: null, cancelled: false });
    expect(report).toMatchObject({ outcome: 'verified', verified: true, writtenBytes: 4000, elapsedMs: 2000, bytesPerSecond: 2000, retries: 2, device: { path: '/dev/loop9', sizeBytes: 0 } });
  });

  it('marks the region in progress as failed and keeps finished and waiting ones', () => {
    const error = { code: 'E_WRITE', title: 't', detail: 'd' };
    const report = buildFlashReport({ ...base, verify: true, regions: [record(0, 'waiting'), record(1, 'written', 10), record(2, 'writing', 5), record(3, 'waiting')], error, cancelled: false });
    expect(report.outcome).toBe('failed');
    expect(report.verified).toBe(false);
    expect(report.regions.map((r) => r.phase)).toEqual(['waiting', 'written', 'failed', 'waiting']);
    expect(report.error).toEqual(error);
  });

  it('reports a cancelled flash', () => {
    const report = buildFlashReport({ ...base, verify: false, regions: [record(1, 'writing', 5)], error: { code: 'E_CANCELLED', title: 'Cancelled', detail: 'x' }, cancelled: true });
    expect(report.outcome).toBe('cancelled');
    expect(report.regions[0]?.phase).toBe('cancelled');
  });
});
