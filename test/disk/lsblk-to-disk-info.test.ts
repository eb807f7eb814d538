import { describe, expect, it } from 'vitest';
import { parseLsblk, parseLsblkOutput } from '../../src/disk/lsblk-adapter.ts';
import { busOf, isListableDisk, lsblkToDiskInfo } from '../../src/disk/lsblk-to-disk-info.ts';

/** Shaped like `lsblk --json --bytes -o NAME,PATH,…` from util-linux 2.38 on a laptop with a USB stick. */
const SAMPLE = {
  blockdevices: [
    {
      name: 'nvme0n1', path: '/dev/nvme0n1', kname: 'nvme0n1', type: 'disk', size: 512110190592, 'log-sec': 512, 'phy-sec': 512, ro: false, rm: false,
      model: 'Samsung SSD 980 PRO 512GB', vendor: null, serial: 'S5GXNX0T123456 ', tran: 'nvme', mountpoints: [null], pkname: null, fstype: null,
      children: [
        { name: 'nvme0n1p1', path: '/dev/nvme0n1p1', kname: 'nvme0n1p1', type: 'part', size: 536870912, 'log-sec': 512, 'phy-sec': 512, ro: false, rm: false, model: null, vendor: null, serial: null, tran: 'nvme', mountpoints: ['/boot/efi'], pkname: 'nvme0n1', fstype: 'vfat' },
        {
          name: 'nvme0n1p2', path: '/dev/nvme0n1p2', kname: 'nvme0n1p2', type: 'part', size: 511571222528, 'log-sec': 512, 'phy-sec': 512, ro: false, rm: false, model: null, vendor: null, serial: null, tran: 'nvme', mountpoints: [null], pkname: 'nvme0n1', fstype: 'crypto_LUKS',
          children: [{ name: 'luks-root', path: '/dev/mapper/luks-root', kname: 'dm-0', type: 'crypt', size: 511554445312, 'log-sec': 512, 'phy-sec': 512, ro: false, rm: false, model: null, vendor: null, serial: null, tran: null, mountpoints: ['/home', '/'], pkname: 'nvme0n1p2', fstype: 'btrfs' }],
        },
      ],
    },
    {
      name: 'sda', path: '/dev/sda', kname: 'sda', type: 'disk', size: '15518924800', 'log-sec': '512', 'phy-sec': '512', ro: '0', rm: '1',
      model: 'Ultra Fit       ', vendor: 'SanDisk ', serial: '4C530001', tran: 'usb', mountpoint: null, pkname: null, fstype: null,
      children: [{ name: 'sda1', path: '/dev/sda1', kname: 'sda1', type: 'part', size: '15517876224', 'log-sec': '512', 'phy-sec': '512', ro: '0', rm: '1', model: null, vendor: null, serial: null, tran: 'usb', mountpoint: '/media/u/STICK', pkname: 'sda', fstype: 'exfat' }],
    },
    { name: 'sr0', path: '/dev/sr0', kname: 'sr0', type: 'rom', size: 1073741312, 'log-sec': 2048, 'phy-sec': 2048, ro: false, rm: true, model: 'DVD', vendor: null, serial: null, tran: 'sata', mountpoints: [null], pkname: null, fstype: null },
    { name: 'loop7', path: '/dev/loop7', kname: 'loop7', type: 'loop', size: 67108864, 'log-sec': 4096, 'phy-sec': 4096, ro: true, rm: false, model: null, vendor: null, serial: null, tran: null, mountpoints: [null], pkname: null, fstype: null },
    { name: 'zram0', path: '/dev/zram0', kname: 'zram0', type: 'disk', size: 0, 'log-sec': 4096, 'phy-sec': 4096, ro: false, rm: false, model: null, vendor: null, serial: null, tran: null, mountpoints: [null], pkname: null, fstype: null },
  ],
};

const devices = parseLsblk(SAMPLE);
const byName = (name: string) => {
  const device = devices.find((d) => d.name === name);
  if (device === undefined) throw new Error(name);
  return device;
};

describe('parseLsblk', () => {
  it('reads numbers, numeric strings, trimmed text and both mount point columns', () => {
    expect(byName('sda')).toMatchObject({ sizeBytes: 15518924800, logicalSectorBytes: 512, removable: true, readOnly: false, model: 'Ultra Fit', vendor: 'SanDisk' });
    expect(byName('sda').children[0]?.mountpoints).toEqual(['/media/u/STICK']);
    expect(byName('nvme0n1').mountpoints).toEqual([]);
    expect(byName('nvme0n1').serial).toBe('S5GXNX0T123456');
  });

  it('rejects output without blockdevices', () => {
    expect(() => parseLsblk({})).toThrow(/blockdevices/);
  });
});

describe('parseLsblkOutput', () => {
  it('reads lsblk printing nothing (no device left to list) as no devices', () => {
    expect(parseLsblkOutput('')).toEqual([]);
    expect(parseLsblkOutput('\n')).toEqual([]);
    expect(parseLsblkOutput('{"blockdevices": []}\n')).toEqual([]);
  });
});

describe('lsblkToDiskInfo', () => {
  const none = new Set<string>();

  it('lists disks and loop devices with a size, not optical drives or empty zram', () => {
    expect(devices.filter((d) => isListableDisk(d)).map((d) => d.name)).toEqual(['nvme0n1', 'sda', 'loop7']);
  });

  it('collects mount points of partitions and of what sits on them (LUKS, LVM)', () => {
    const disk = lsblkToDiskInfo(byName('nvme0n1'), { drive: null, systemDisks: none });
    expect(disk.mountpoints).toEqual(['/boot/efi', '/home', '/']);
    expect(disk.partitions).toEqual([
      { device: '/dev/nvme0n1p1', sizeBytes: 536870912, mountpoints: ['/boot/efi'] },
      { device: '/dev/nvme0n1p2', sizeBytes: 511571222528, mountpoints: ['/home', '/'] },
    ]);
    expect(disk).toMatchObject({ bus: 'NVME', system: true, removable: false, virtual: false, isWholeDisk: true, model: 'Samsung SSD 980 PRO 512GB' });
  });

  it('a USB stick is removable, not system', () => {
    expect(lsblkToDiskInfo(byName('sda'), { drive: null, systemDisks: none })).toMatchObject({ device: '/dev/sda', bus: 'USB', removable: true, system: false, mountpoints: ['/media/u/STICK'] });
  });

  it('a disk found by device number is system even with no system mount point', () => {
    expect(lsblkToDiskInfo(byName('sda'), { drive: null, systemDisks: new Set(['/dev/sda']) }).system).toBe(true);
  });

  it('a loop device is bus LOOP, virtual, with its own sector size and read-only flag', () => {
    expect(lsblkToDiskInfo(byName('loop7'), { drive: null, systemDisks: none })).toMatchObject({ bus: 'LOOP', virtual: true, logicalSectorBytes: 4096, readOnly: true, sizeBytes: 67108864 });
  });

  it.each([
    [{ type: 'loop', tran: null, kname: 'loop0' }, null, 'LOOP'],
    [{ type: 'disk', tran: 'sata', kname: 'sda' }, null, 'SATA'],
    [{ type: 'disk', tran: null, kname: 'vdb' }, null, 'VIRTIO'],
    [{ type: 'disk', tran: null, kname: 'mmcblk0' }, { busType: 'SD', isUSB: null }, 'SD'],
    [{ type: 'disk', tran: null, kname: 'mmcblk0' }, { busType: 'UNKNOWN', isUSB: null }, null],
    [{ type: 'disk', tran: null, kname: 'sdx' }, null, null],
  ])('bus of %o with drive %o is %s', (device, drive, expected) => {
    expect(busOf(device, drive as never)).toBe(expected);
  });
});
