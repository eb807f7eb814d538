import { describe, expect, it } from 'vitest';
import { chooseTarget, chooseTargets } from '../../src/disk/choose-target.ts';
import { evaluateDisks } from '../../src/disk/evaluate-disks.ts';
import { thrownCosiflashError } from '../support/thrown-cosiflash-error.ts';
import { GiB, makeContext, makeDisk } from './make-disk.ts';

const system = makeDisk({ device: '/dev/sda', sizeBytes: 256 * GiB, model: 'Samsung SSD', system: true, bus: 'NVME', partitions: [{ device: '/dev/sda2', sizeBytes: 200 * GiB, mountpoints: ['/'] }], mountpoints: ['/'] });
const stick = makeDisk({ device: '/dev/sdb', sizeBytes: 16 * GiB });
const small = makeDisk({ device: '/dev/sdc', sizeBytes: 4 * GiB, model: null });

describe('chooseTarget', () => {
  it('auto-selects the smallest eligible disk that fits', () => {
    const big = makeDisk({ device: '/dev/sdd', sizeBytes: 64 * GiB });
    const chosen = chooseTarget([system, big, stick, small], makeContext());
    expect(chosen).toMatchObject({ eligible: true, selected: true, reasons: [] });
    expect(chosen.disk.device).toBe('/dev/sdb');
  });

  it('returns an explicit eligible disk even when auto-selection would pick another', () => {
    const big = makeDisk({ device: '/dev/sdd', sizeBytes: 64 * GiB });
    expect(chooseTarget([stick, big], makeContext(), '/dev/sdd')).toMatchObject({ disk: big, eligible: true, selected: true });
  });

  it('E_DISK_NOT_FOUND for a device that is not listed', () => {
    const error = thrownCosiflashError(() => chooseTarget([system, stick], makeContext(), '/dev/sdz'));
    expect(error.code).toBe('E_DISK_NOT_FOUND');
    expect(error.detail).toBe('/dev/sdz is not among the disks considered (/dev/sda, /dev/sdb).');
    expect(thrownCosiflashError(() => chooseTarget([], makeContext(), '/dev/loop4')).detail).toBe('/dev/loop4 is not among the disks considered (none were found). Loop devices are considered only when explicitly allowed.');
  });

  it('E_DISK_INELIGIBLE lists every reason of an explicit disk', () => {
    const error = thrownCosiflashError(() => chooseTarget([system, stick], makeContext({ sourcePath: '/home/u/a.cosi' }), '/dev/sda'));
    expect(error.code).toBe('E_DISK_INELIGIBLE');
    expect(error.detail).toMatch(/^\/dev\/sda \(256 GiB, Samsung SSD\): This disk holds the running system \(\/\).*The image file \/home\/u\/a\.cosi is stored on this disk\. Mounted at \/\./);
  });

  it('E_DISK_INELIGIBLE, not "not found", for a partition named as the target', () => {
    const error = thrownCosiflashError(() => chooseTarget([system, stick], makeContext({ requiredBytes: GiB }), '/dev/sda2'));
    expect(error.code).toBe('E_DISK_INELIGIBLE');
    expect(error.detail).toContain('/dev/sda2 is a partition, not a whole disk');
    expect(error.detail).toContain('This disk holds the running system');
  });

  it('E_NO_ELIGIBLE_DISK says why each disk was rejected', () => {
    const error = thrownCosiflashError(() => chooseTarget([system, small], makeContext()));
    expect(error.code).toBe('E_NO_ELIGIBLE_DISK');
    expect(error.detail.split('\n')).toEqual([
      'No disk can take an image of 8.0 GiB with 512-byte sectors:',
      expect.stringMatching(/^\/dev\/sda \(256 GiB, Samsung SSD\): This disk holds the running system/),
      `/dev/sdc (4.0 GiB): Too small: the image needs 8.0 GiB (${8 * GiB} bytes), this disk has 4.0 GiB (${4 * GiB} bytes).`,
    ]);
  });

  it('E_NO_ELIGIBLE_DISK when there are no disks at all', () => {
    const error = thrownCosiflashError(() => chooseTarget([], makeContext()));
    expect(error).toMatchObject({ code: 'E_NO_ELIGIBLE_DISK', detail: 'No disks were found.' });
  });

  it('an explicit disk holding the source (by mount point) is refused', () => {
    const data = makeDisk({ device: '/dev/sdb', partitions: [{ device: '/dev/sdb1', sizeBytes: GiB, mountpoints: ['/data'] }] });
    const error = thrownCosiflashError(() => chooseTarget([system, data], makeContext({ sourcePath: '/data/a.cosi', unmountConsent: true }), '/dev/sdb'));
    expect(error.code).toBe('E_DISK_INELIGIBLE');
    expect(error.detail).toContain('The image file /data/a.cosi is stored on this disk.');
  });
});

describe('chooseTargets (flash --count N)', () => {
  const big = makeDisk({ device: '/dev/sdd', sizeBytes: 64 * GiB });
  const twin = makeDisk({ device: '/dev/sde', sizeBytes: 16 * GiB });
  it('the N smallest eligible disks that fit, smallest first, ties in enumeration order', () => {
    const context = makeContext({ requiredBytes: 2 * GiB });
    expect(chooseTargets([system, big, stick, small, twin], context, 2).map((c) => c.disk.device)).toEqual(['/dev/sdc', '/dev/sdb']);
    expect(chooseTargets([system, big, twin, stick, small], context, 3).map((c) => c.disk.device)).toEqual(['/dev/sdc', '/dev/sde', '/dev/sdb']);
    expect(chooseTargets([system, big, stick, small], context, 1)).toEqual([chooseTarget([system, big, stick, small], context)]);
  });
  it('evaluateDisks marks the same N; one by default, as before', () => {
    const context = makeContext({ requiredBytes: 2 * GiB });
    expect(evaluateDisks([system, big, stick, small], context, 2).filter((c) => c.selected).map((c) => c.disk.device)).toEqual(['/dev/sdb', '/dev/sdc']);
    expect(evaluateDisks([system, big, stick, small], context).filter((c) => c.selected).map((c) => c.disk.device)).toEqual(['/dev/sdc']);
  });
  it('fewer than N: E_NO_ELIGIBLE_DISK says how many were found and why the others were refused', () => {
    const error = thrownCosiflashError(() => chooseTargets([system, stick, small, big], makeContext(), 3));
    expect(error.code).toBe('E_NO_ELIGIBLE_DISK');
    expect(error.detail.split('\n')).toEqual([
      '3 disks were asked for, but only 2 can (/dev/sdb, /dev/sdd) take an image of 8.0 GiB with 512-byte sectors; refused:',
      expect.stringMatching(/^\/dev\/sda \(256 GiB, Samsung SSD\): This disk holds the running system/),
      expect.stringMatching(/^\/dev\/sdc \(4.0 GiB\): Too small/),
    ]);
    expect(thrownCosiflashError(() => chooseTargets([], makeContext(), 2)).detail).toBe('2 disks were asked for, but no disks were found.');
    expect(thrownCosiflashError(() => chooseTargets([small], makeContext(), 2)).detail).toMatch(/^2 disks were asked for, but none can take/);
  });
});
