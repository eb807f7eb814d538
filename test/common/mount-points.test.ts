import { describe, expect, it } from 'vitest';
import { allMountpoints, mountedSentence, mountpointList } from '../../src/common/mount-points.ts';

describe('mount points for people', () => {
  // lsblk-to-disk-info gives a disk the mount points of its partitions too: the bug the
  // Confirm dialog had was listing those twice.
  const disk = { mountpoints: ['/mnt/x', '[SWAP]'], partitions: [{ device: '/dev/sdb1', sizeBytes: 1, mountpoints: ['/mnt/x'] }, { device: '/dev/sdb2', sizeBytes: 1, mountpoints: ['[SWAP]'] }] };

  it('lists each mount point of a disk and its partitions once', () => {
    expect(allMountpoints(disk)).toEqual(['/mnt/x', '[SWAP]']);
    expect(mountpointList(['/mnt/x', '[SWAP]', '/mnt/x'])).toBe('/mnt/x, swap');
  });

  it('says Cosiflash will unmount them if the user agrees, except on a system disk', () => {
    expect(mountedSentence(['/mnt/x'], { system: false })).toBe('Mounted at /mnt/x — Cosiflash will unmount it if you agree.');
    expect(mountedSentence(allMountpoints(disk), { system: false })).toBe('Mounted at /mnt/x, swap — Cosiflash will unmount them if you agree.');
    expect(mountedSentence(['/', '/boot/efi'], { system: true })).toBe('Mounted at /, /boot/efi.');
    expect(mountedSentence(['/'], { system: true })).not.toMatch(/agree|unmount/i);
  });
});
