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

describe('formatFlashPlan with several targets', () => {
  it('lists every target with device, model, serial and size', () => {
    const a = makeDisk({ device: '/dev/sdb', model: 'Ultra', serial: 'S-1', sizeBytes: 16 * 1024 ** 3 });
    const b = makeDisk({ device: '/dev/sdc', model: 'Fit', serial: 'S-2', sizeBytes: 32 * 1024 ** 3 });
    const plan = formatFlashPlan(sampleLayout(), [a, b], { verify: true, unmount: false });
    expect(plan).toContain('Targets 2 disks');
    expect(plan).toMatch(/\/dev\/sdb {2}.*Ultra {2}serial S-1 {2}16/);
    expect(plan).toMatch(/\/dev\/sdc {2}.*Fit {2}serial S-2 {2}32/);
    expect(plan).toContain('to each disk');
  });
  it('one target in a list reads as the one-disk plan', () => {
    expect(formatFlashPlan(sampleLayout(), [makeDisk()], { verify: true, unmount: false })).toBe(formatFlashPlan(sampleLayout(), makeDisk(), { verify: true, unmount: false }));
  });
});
