import { describe, expect, it } from 'vitest';
import { chooseTargets, MAX_TARGETS } from '../../src/disk/choose-targets.ts';
import { GiB, makeContext, makeDisk } from './make-disk.ts';

const small = makeDisk({ device: '/dev/sdb', sizeBytes: 4 * GiB });
const middle = makeDisk({ device: '/dev/sdc', sizeBytes: 16 * GiB });
const large = makeDisk({ device: '/dev/sdd', sizeBytes: 64 * GiB });
const tiny = makeDisk({ device: '/dev/sde', sizeBytes: GiB / 2 });
const system = makeDisk({ device: '/dev/sda', sizeBytes: 8 * GiB, system: true, removable: false, mountpoints: ['/'] });

describe('chooseTargets', () => {
  const context = makeContext({ requiredBytes: 2 * GiB });

  it('without a selection: the one auto-selected disk (the smallest eligible that fits)', () => {
    expect(chooseTargets([large, system, small], context).map((c) => c.disk.device)).toEqual(['/dev/sdb']);
  });

  it('count N: the N smallest eligible disks that fit, smallest first, never a refused one', () => {
    const chosen = chooseTargets([large, tiny, system, middle, small], context, { count: 2 });
    expect(chosen.map((c) => c.disk.device)).toEqual(['/dev/sdb', '/dev/sdc']);
    expect(chosen.every((c) => c.eligible && c.selected)).toBe(true);
    expect(chooseTargets([large, tiny, system, middle, small], context, { count: 3 }).map((c) => c.disk.device)).toEqual(['/dev/sdb', '/dev/sdc', '/dev/sdd']);
  });

  it('count N with fewer eligible disks: E_NO_ELIGIBLE_DISK saying how many fit and why the others do not', () => {
    let thrown: unknown;
    try {
      chooseTargets([large, tiny, system, small], context, { count: 3 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'E_NO_ELIGIBLE_DISK' });
    const message = (thrown as Error).message;
    expect(message).toContain('only 2');
    expect(message).toContain('/dev/sde');
    expect(message).toContain('/dev/sda');
  });

  it('named devices: each checked by the same rules as one, in the order named; repeats and too many refused', () => {
    expect(chooseTargets([large, small, middle], context, { devices: ['/dev/sdd', '/dev/sdb'] }).map((c) => c.disk.device)).toEqual(['/dev/sdd', '/dev/sdb']);
    expect(() => chooseTargets([large, system], context, { devices: ['/dev/sdd', '/dev/sda'] })).toThrow(expect.objectContaining({ code: 'E_DISK_INELIGIBLE' }));
    expect(() => chooseTargets([large], context, { devices: ['/dev/sdd', '/dev/sdz'] })).toThrow(expect.objectContaining({ code: 'E_DISK_NOT_FOUND' }));
    expect(() => chooseTargets([large, small], context, { devices: ['/dev/sdd', '/dev/sdd'] })).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
    const many = Array.from({ length: MAX_TARGETS + 1 }, (_, i) => `/dev/sd${String.fromCharCode(98 + i)}`);
    expect(() => chooseTargets([large], context, { devices: many })).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
  });

  it('a count out of range is bad input', () => {
    for (const count of [0, -1, 1.5, MAX_TARGETS + 1]) expect(() => chooseTargets([large], context, { count }), String(count)).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
  });
});
