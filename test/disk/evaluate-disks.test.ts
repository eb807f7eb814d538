import { describe, expect, it } from 'vitest';
import { evaluateDisks } from '../../src/disk/evaluate-disks.ts';
import type { DiskInfo } from '../../src/model/disk-info.ts';
import { GiB, makeContext, makeDisk } from './make-disk.ts';

const selectedDevice = (disks: readonly DiskInfo[], context = makeContext()): string | null =>
  evaluateDisks(disks, context).find((candidate) => candidate.selected)?.disk.device ?? null;

describe('evaluateDisks', () => {
  it('keeps enumeration order and gives every disk its reasons', () => {
    const disks = [makeDisk({ device: '/dev/sda', system: true }), makeDisk({ device: '/dev/sdb' }), makeDisk({ device: '/dev/sdc', readOnly: true })];
    const candidates = evaluateDisks(disks, makeContext());
    expect(candidates.map((c) => [c.disk.device, c.eligible, c.selected, c.reasons.map((r) => r.code)])).toEqual([
      ['/dev/sda', false, false, ['system']],
      ['/dev/sdb', true, true, []],
      ['/dev/sdc', false, false, ['read-only']],
    ]);
  });

  it.each([
    ['smallest that fits wins', [['/dev/sda', 64], ['/dev/sdb', 16], ['/dev/sdc', 32]], '/dev/sdb'],
    ['exact size wins over bigger', [['/dev/sda', 9], ['/dev/sdb', 8], ['/dev/sdc', 7]], '/dev/sdb'],
    ['ties go to the first enumerated', [['/dev/sdc', 16], ['/dev/sda', 16]], '/dev/sdc'],
    ['nothing fits', [['/dev/sda', 4], ['/dev/sdb', 7]], null],
    ['no disks', [], null],
  ] as const)('%s', (_name, sizes, expected) => {
    const disks = sizes.map(([device, gib]) => makeDisk({ device, sizeBytes: gib * GiB }));
    expect(selectedDevice(disks)).toBe(expected);
  });

  it('never selects an ineligible disk, however well it fits', () => {
    const disks = [
      makeDisk({ device: '/dev/sda', sizeBytes: 8 * GiB, system: true }),
      makeDisk({ device: '/dev/sdb', sizeBytes: 8 * GiB, readOnly: true }),
      makeDisk({ device: '/dev/sdc', sizeBytes: 8 * GiB, logicalSectorBytes: 4096 }),
      makeDisk({ device: '/dev/sdd', sizeBytes: 8 * GiB, mountpoints: ['/mnt'] }),
      makeDisk({ device: '/dev/loop0', sizeBytes: 8 * GiB, virtual: true, bus: 'LOOP' }),
      makeDisk({ device: '/dev/sde', sizeBytes: 100 * GiB }),
    ];
    expect(selectedDevice(disks)).toBe('/dev/sde');
    expect(selectedDevice(disks, makeContext({ unmountConsent: true }))).toBe('/dev/sdd');
    expect(selectedDevice(disks.slice(0, 5), makeContext({ allowVirtual: true }))).toBe('/dev/loop0');
  });

  it('finds the disk holding the source from the whole list when no device numbers are given', () => {
    const root = makeDisk({ device: '/dev/sda', sizeBytes: 8 * GiB, mountpoints: ['/'] });
    const data = makeDisk({ device: '/dev/sdb', sizeBytes: 8 * GiB, mountpoints: ['/data'] });
    const candidates = evaluateDisks([root, data], makeContext({ sourcePath: '/data/a.cosi', unmountConsent: true }));
    expect(candidates.map((c) => c.reasons.map((r) => r.code))).toEqual([[], ['holds-source']]);
    expect(candidates.find((c) => c.selected)?.disk.device).toBe('/dev/sda');
  });

  it('uses the device numbers when the caller resolved them', () => {
    const root = makeDisk({ device: '/dev/sda', mountpoints: ['/'] });
    const data = makeDisk({ device: '/dev/sdb', mountpoints: ['/data'] });
    const candidates = evaluateDisks([root, data], makeContext({ sourcePath: '/data/a.cosi', sourceDisks: ['/dev/sda'], unmountConsent: true }));
    expect(candidates.map((c) => c.reasons.map((r) => r.code))).toEqual([['holds-source'], []]);
  });

  it('marks only one disk even when the same object is listed twice', () => {
    const disk = makeDisk();
    expect(evaluateDisks([disk, disk], makeContext()).map((c) => c.selected)).toEqual([true, false]);
  });
});
