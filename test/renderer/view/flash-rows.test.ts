import { describe, expect, it } from 'vitest';
import { flashRows, flashTotals, regionRow } from '../../../renderer/src/view/flash-rows.ts';
import { region } from '../sample-data.ts';

describe('flash rows', () => {
  it('shows write progress, then read-back progress, then full', () => {
    expect(regionRow(region(1, { phase: 'waiting' })).fraction).toBe(0);
    expect(regionRow(region(1, { phase: 'writing', writtenBytes: 1000 })).fraction).toBe(0.25);
    expect(regionRow(region(1, { phase: 'verifying', writtenBytes: 4000, verifiedBytes: 3000 }))).toMatchObject({ fraction: 0.75, doneBytes: 3000 });
    expect(regionRow(region(1, { phase: 'verified', writtenBytes: 4000, verifiedBytes: 0 })).fraction).toBe(1);
    expect(regionRow(region(1, { phase: 'writing', uncompressedBytes: 0 })).fraction).toBe(0);
  });

  it('uses the newest progress event, else the plan', () => {
    const plan = { type: 'plan' as const, jobId: 'j', device: '/dev/x', regions: [region(0), region(1)], totalWriteBytes: 8000 };
    expect(flashRows(plan, null).map((row) => row.region.number)).toEqual([0, 1]);
    expect(flashRows(null, null)).toEqual([]);
  });

  it('overall counts writing and verification as halves of the job', () => {
    const plan = { type: 'plan' as const, jobId: 'j', device: '/dev/x', regions: [region(0), region(1)], totalWriteBytes: 8000 };
    const progress = {
      type: 'progress' as const,
      jobId: 'j',
      elapsedMs: 1000,
      bytesPerSecond: 5,
      etaMs: 10,
      retries: 0,
      regions: [region(0, { phase: 'verified', writtenBytes: 4000, verifiedBytes: 4000 }), region(1, { phase: 'writing', writtenBytes: 4000 })],
    };
    expect(flashTotals(plan, progress)).toMatchObject({ totalBytes: 8000, writtenBytes: 8000, verifiedBytes: 4000, fraction: 0.75, bytesPerSecond: 5, etaMs: 10 });
    expect(flashTotals(plan, null)).toMatchObject({ fraction: 0, etaMs: null });
  });
});
