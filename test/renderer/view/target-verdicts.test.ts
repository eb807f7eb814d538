import { describe, expect, it } from 'vitest';
import type { TargetReport } from '../../../src/model/flash-progress.ts';
import { multiVerdict } from '../../../renderer/src/view/target-verdicts.ts';
import { sampleReport, sampleTarget } from '../sample-data.ts';

function target(path: string, outcome: TargetReport['outcome'], diskTouched = true): TargetReport {
  return sampleTarget(path, outcome, { device: { path, model: 'QEMU', serial: `S-${path}`, sizeBytes: 1 << 30 }, diskTouched });
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
