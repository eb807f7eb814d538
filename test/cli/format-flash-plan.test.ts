import { describe, expect, it } from 'vitest';
import { formatFlashPlan } from '../../src/cli/format-flash-plan.ts';
import { makeDisk } from '../disk/make-disk.ts';
import { sampleLayout } from '../renderer/sample-data.ts';

describe('formatFlashPlan', () => {
  it('names each mount point once (lsblk lists a partition\'s also on its disk), swap as "swap"', () => {
    const disk = makeDisk({
      mountpoints: ['/media/stick', '[SWAP]'],
      partitions: [{ device: '/dev/sdb1', sizeBytes: 1024 ** 3, mountpoints: ['/media/stick'] }, { device: '/dev/sdb2', sizeBytes: 1024 ** 3, mountpoints: ['[SWAP]'] }],
    });
    const plan = formatFlashPlan(sampleLayout(), disk, { verify: true, unmount: true });
    expect(plan).toContain('        Mounted now: /media/stick, swap (will be unmounted)\n');
    expect(plan).toContain('EVERYTHING ON /dev/sdb WILL BE ERASED.');
  });

  it('has no mount line for a disk with nothing mounted', () => {
    expect(formatFlashPlan(sampleLayout(), makeDisk(), { verify: false, unmount: false })).not.toContain('Mounted now');
  });
});
