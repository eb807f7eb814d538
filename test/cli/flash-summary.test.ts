import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import { allTargetsOk, flashSummary, reportExitCode } from '../../src/cli/flash-summary.ts';
import { failedTarget, multiTargetReport, targetReport } from '../support/multi-target-report.ts';

describe('flashSummary and reportExitCode for several disks', () => {
  it('every disk verified: one verdict per disk, exit 0', () => {
    const report = multiTargetReport([targetReport('/dev/loop1'), targetReport('/dev/loop2', { outcome: 'written', verified: false })]);
    const text = flashSummary(report);
    expect(text).toContain('all 2 disks');
    expect(text).toMatch(/VERIFIED +\/dev\/loop1 {2}Model 1 {2}serial SER-1: /);
    expect(text).toMatch(/WRITTEN +\/dev\/loop2 {2}Model 2 {2}serial SER-2: .*not read back/);
    expect(reportExitCode(report)).toBe(EXIT_CODES.ok);
    expect(allTargetsOk(report)).toBe(true);
  });

  it('one failed disk does not hide the others: their verdicts stay, the failure says why and what the disk holds; exit 5', () => {
    const report = multiTargetReport([targetReport('/dev/loop1'), failedTarget('/dev/loop2'), targetReport('/dev/loop3')]);
    const text = flashSummary(report);
    expect(text).toContain('2 of 3 disks OK, 1 disk not');
    expect(text).toMatch(/VERIFIED +\/dev\/loop1/);
    expect(text).toMatch(/VERIFIED +\/dev\/loop3/);
    expect(text).toMatch(/FAILED +\/dev\/loop2[^\n]*\n +E_WRITE: Writing to the disk failed — No space left on device/);
    expect(text).toContain('/dev/loop2 has no valid partition table now');
    expect(reportExitCode(report)).toBe(EXIT_CODES.writeFailed);
    expect(allTargetsOk(report)).toBe(false);
  });

  it('the worst disk decides: bytes on a failed disk (5) over a refused one (4); refused alone is 4', () => {
    const refused = failedTarget('/dev/loop2', { code: 'E_DISK_CHANGED', title: 'The disk changed', detail: 'd' }, false);
    expect(reportExitCode(multiTargetReport([targetReport('/dev/loop1'), refused]))).toBe(EXIT_CODES.refusedTarget);
    expect(flashSummary(multiTargetReport([targetReport('/dev/loop1'), refused]))).toContain('Nothing was written to /dev/loop2; it is as it was.');
    expect(reportExitCode(multiTargetReport([refused, failedTarget('/dev/loop3')]))).toBe(EXIT_CODES.writeFailed);
    const cancelled = targetReport('/dev/loop3', { outcome: 'cancelled', verified: false, error: { code: 'E_CANCELLED', title: 'c', detail: 'c' } });
    expect(reportExitCode(multiTargetReport([targetReport('/dev/loop1'), cancelled]))).toBe(EXIT_CODES.cancelled);
  });

  it('a one-disk report reads as before', () => {
    const single = { ...multiTargetReport([targetReport('/dev/loop1')]), targets: undefined };
    expect(flashSummary(single)).toMatch(/^\nVERIFIED: .* to \/dev\/loop1 in /);
    expect(reportExitCode(single)).toBe(EXIT_CODES.ok);
  });
});
