import { describe, expect, it } from 'vitest';
import { allMountpoints } from '../../src/common/mount-points.ts';
import { ineligibleReasons, sourceDisksByMountpoint } from '../../src/disk/eligibility.ts';
import type { IneligibleReason } from '../../src/model/disk-info.ts';
import { GiB, makeContext, makeDisk } from './make-disk.ts';

const codes = (reasons: readonly IneligibleReason[]): string[] => reasons.map((reason) => reason.code);

describe('ineligibleReasons', () => {
  it('has no reason for a plain USB stick that fits', () => {
    expect(ineligibleReasons(makeDisk(), makeContext())).toEqual([]);
  });

  it.each([
    ['system disk', makeDisk({ system: true }), makeContext(), ['system']],
    ['read-only', makeDisk({ readOnly: true }), makeContext(), ['read-only']],
    ['partition', makeDisk({ device: '/dev/sdb1', isWholeDisk: false }), makeContext(), ['not-whole-disk']],
    ['loop without allowVirtual', makeDisk({ device: '/dev/loop3', bus: 'LOOP', virtual: true }), makeContext(), ['virtual']],
    ['loop with allowVirtual', makeDisk({ device: '/dev/loop3', bus: 'LOOP', virtual: true }), makeContext({ allowVirtual: true }), []],
    ['one byte too small', makeDisk({ sizeBytes: 8 * GiB - 1 }), makeContext(), ['too-small']],
    ['exactly the size', makeDisk({ sizeBytes: 8 * GiB }), makeContext(), []],
    ['4096-byte sectors for a 512 image', makeDisk({ logicalSectorBytes: 4096 }), makeContext(), ['sector-size']],
    ['512-byte sectors for a 4096 image', makeDisk(), makeContext({ lbaSize: 4096 }), ['sector-size']],
    ['4096 physical, 512 logical', makeDisk({ physicalSectorBytes: 4096 }), makeContext(), []],
    ['mounted partition, no consent', makeDisk({ mountpoints: ['/media/u/BOOT'], partitions: [{ device: '/dev/sdb1', sizeBytes: GiB, mountpoints: ['/media/u/BOOT'] }] }), makeContext(), ['mounted']],
    ['mounted partition, consent', makeDisk({ partitions: [{ device: '/dev/sdb1', sizeBytes: GiB, mountpoints: ['/media/u/BOOT'] }] }), makeContext({ unmountConsent: true }), []],
    ['mounted whole disk, no consent', makeDisk({ mountpoints: ['/mnt'] }), makeContext(), ['mounted']],
    ['source on it (device numbers)', makeDisk(), makeContext({ sourcePath: '/data/a.cosi', sourceDisks: ['/dev/sdb'] }), ['holds-source']],
    ['source elsewhere (device numbers)', makeDisk({ mountpoints: ['/data'] }), makeContext({ sourcePath: '/data/a.cosi', sourceDisks: ['/dev/sda'], unmountConsent: true }), []],
    ['source under its mount point (no device numbers)', makeDisk({ partitions: [{ device: '/dev/sdb1', sizeBytes: GiB, mountpoints: ['/media/u/DATA'] }] }), makeContext({ sourcePath: '/media/u/DATA/img/a.cosi', unmountConsent: true }), ['holds-source']],
    ['mount point name is only a prefix', makeDisk({ mountpoints: ['/media/u/DATA'] }), makeContext({ sourcePath: '/media/u/DATA2/a.cosi', unmountConsent: true }), []],
    ['remote source', makeDisk({ mountpoints: ['/data'] }), makeContext({ sourcePath: null, unmountConsent: true }), []],
  ])('%s', (_name, disk, context, expected) => {
    expect(codes(ineligibleReasons(disk, context))).toEqual(expected);
  });

  it('returns every reason at once, in a stable order', () => {
    const disk = makeDisk({ device: '/dev/loop0p1', system: true, readOnly: true, isWholeDisk: false, virtual: true, bus: 'LOOP', sizeBytes: GiB, logicalSectorBytes: 4096, mountpoints: ['/'] });
    const reasons = ineligibleReasons(disk, makeContext({ sourcePath: '/home/u/a.cosi' }));
    expect(codes(reasons)).toEqual(['system', 'read-only', 'not-whole-disk', 'virtual', 'too-small', 'sector-size', 'holds-source', 'mounted']);
  });

  it('explains each reason in words the user can act on', () => {
    const disk = makeDisk({ system: true, sizeBytes: 4 * GiB, logicalSectorBytes: 4096, partitions: [{ device: '/dev/sdb2', sizeBytes: GiB, mountpoints: ['/', '[SWAP]'] }] });
    const reasons = ineligibleReasons(disk, makeContext({ sourcePath: '/srv/a.cosi' }));
    const byCode = Object.fromEntries(reasons.map((reason) => [reason.code, reason]));
    expect(byCode.system?.detail).toBe('This disk holds the running system (/, swap); erasing it would break this computer.');
    expect(byCode['too-small']?.detail).toBe(`Too small: the image needs 8.0 GiB (${8 * GiB} bytes), this disk has 4.0 GiB (${4 * GiB} bytes).`);
    expect(byCode['too-small']).toMatchObject({ neededBytes: 8 * GiB });
    expect(byCode['sector-size']).toMatchObject({ lbaSize: 512, detail: 'The image is laid out for 512-byte sectors; this disk uses 4096-byte sectors.' });
    expect(byCode['holds-source']?.detail).toBe('The image file /srv/a.cosi is stored on this disk.');
    // A system disk is never offered for unmounting: its sentence does not ask to agree.
    expect(byCode.mounted).toMatchObject({ mountpoints: ['/', '[SWAP]'], detail: 'Mounted at /, swap.' });
  });

  it('offers to unmount a mounted non-system disk, naming each mount point once', () => {
    const disk = makeDisk({ mountpoints: ['/mnt/x'], partitions: [{ device: '/dev/sdb1', sizeBytes: GiB, mountpoints: ['/mnt/x'] }] });
    const reasons = ineligibleReasons(disk, makeContext());
    expect(reasons).toEqual([{ code: 'mounted', mountpoints: ['/mnt/x'], detail: 'Mounted at /mnt/x — Cosiflash will unmount it if you agree.' }]);
  });

  it('does not read the disk or the file system (pure)', () => {
    const disk = makeDisk({ device: '/dev/does-not-exist' });
    const context = makeContext({ sourcePath: '/does/not/exist.cosi' });
    expect(ineligibleReasons(disk, context)).toEqual(ineligibleReasons(disk, context));
  });
});

describe('sourceDisksByMountpoint', () => {
  const root = makeDisk({ device: '/dev/sda', system: true, partitions: [{ device: '/dev/sda2', sizeBytes: GiB, mountpoints: ['/'] }] });
  const usb = makeDisk({ device: '/dev/sdb', partitions: [{ device: '/dev/sdb1', sizeBytes: GiB, mountpoints: ['/media/u/USB'] }] });

  it('picks the disk with the deepest mount point containing the file', () => {
    expect(sourceDisksByMountpoint([root, usb], '/media/u/USB/a.cosi')).toEqual(['/dev/sdb']);
    expect(sourceDisksByMountpoint([root, usb], '/home/u/a.cosi')).toEqual(['/dev/sda']);
    expect(sourceDisksByMountpoint([usb], '/home/u/a.cosi')).toEqual([]);
  });

  it('understands Windows drive roots', () => {
    const c = makeDisk({ device: '\\\\.\\PhysicalDrive0', mountpoints: ['C:\\'] });
    const e = makeDisk({ device: '\\\\.\\PhysicalDrive1', mountpoints: ['E:\\'] });
    expect(sourceDisksByMountpoint([c, e], 'e:\\images\\a.cosi')).toEqual(['\\\\.\\PhysicalDrive1']);
  });
});

describe('allMountpoints', () => {
  it('merges the disk and partition mount points without duplicates', () => {
    const disk = makeDisk({ mountpoints: ['/a', '/b'], partitions: [{ device: '/dev/sdb1', sizeBytes: 1, mountpoints: ['/b', '/c'] }] });
    expect(allMountpoints(disk)).toEqual(['/a', '/b', '/c']);
  });
});
