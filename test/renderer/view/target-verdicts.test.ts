import { describe, expect, it } from 'vitest';
import type { TargetReport } from '../../../src/model/flash-progress.ts';
import { multiVerdict } from '../../../renderer/src/view/target-verdicts.ts';
import { sampleReport } from '../sample-data.ts';

function target(path: string, outcome: TargetReport['outcome'], diskTouched = true): TargetReport {
  return {
    device: { path, model: 'QEMU', serial: `S-${path}`, sizeBytes: 1 << 30 },
    identity: null,
    startedAt: '2026-12-03T09:00:00.000Z',
    finishedAt: '2026-12-03T09:01:00.000Z',
    elapsedMs: 60_000,
    writtenBytes: 100,
    bytesPerSecond: 10,
    verified: outcome === 'verified',
    outcome,
    regions: [],
    error: outcome === 'failed' ? { code: 'E_WRITE', title: 'Writing failed', detail: 'No space left on device' } : null,
    diskTouched,
  };
}

describe('multiVerdict', () => {
  it('a failed disk does not hide the others: "2 of 3 disks verified", the failed one says to try another disk', () => {
    const verdict = multiVerdict({ ...sampleReport('failed'), targets: [target('/dev/loop1', 'verified'), target('/dev/loop2', 'failed'), target('/dev/loop3', 'verified')] });
    expect(verdict?.headline).toBe('2 of 3 disks verified');
    expect(verdict?.tone).toBe('warn');
    expect(verdict?.disks.map((d) => [d.target.device.path, d.title])).toEqual([
      ['/dev/loop1', 'Verified'],
      ['/dev/loop2', 'Failed'],
      ['/dev/loop3', 'Verified'],
    ]);
    expect(verdict?.disks[1]?.text).toMatch(/try another disk/);
  });

  it('all verified, none flashed, and a one-disk report', () => {
    expect(multiVerdict({ ...sampleReport(), targets: [target('/dev/a', 'verified'), target('/dev/b', 'verified')] })).toMatchObject({ headline: 'All 2 disks verified', tone: 'ok' });
    const none = multiVerdict({ ...sampleReport('failed'), targets: [target('/dev/a', 'failed'), target('/dev/b', 'failed', false)] });
    expect(none).toMatchObject({ headline: 'None of the 2 disks was flashed', tone: 'failed' });
    expect(none?.disks[1]?.text).toMatch(/^Nothing was written/);
    expect(multiVerdict(sampleReport())).toBeNull();
  });
});
