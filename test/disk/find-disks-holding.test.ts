import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findDisksHolding, findDisksUnderNode, majorOf, minorOf } from '../../src/disk/find-disks-holding.ts';
import { findSystemDisks, parseProcSwaps } from '../../src/disk/system-disks.ts';

describe('dev_t decoding', () => {
  it.each([
    [0xfe01n, 254, 1],
    [0x10300n, 259, 0],
    // glibc makedev(0x123abc, 0xdead42)
    [(0x123000n << 32n) | (0xabcn << 8n) | (0xdead00n << 12n) | 0x42n, 0x123abc, 0xdead42],
  ])('%s → %i:%i', (dev, major, minor) => {
    expect([majorOf(dev), minorOf(dev)]).toEqual([major, minor]);
  });

  it('agrees with the kernel for a real device node', async () => {
    const info = await stat('/dev/null', { bigint: true });
    expect([majorOf(info.rdev), minorOf(info.rdev)]).toEqual([1, 3]);
  });
});

describe.skipIf(process.platform !== 'linux')('findDisksHolding (reads /sys, writes nothing)', () => {
  it('finds a whole disk under / unless / is not on a block device', async () => {
    const disks = await findDisksHolding('/');
    for (const disk of disks) expect(disk).toMatch(/^\/dev\/[a-z]/);
    expect(await findDisksHolding('/etc/hostname')).toEqual(disks);
  });

  it('finds nothing for files on tmpfs or paths that do not exist', async () => {
    expect(await findDisksHolding('/dev/shm')).toEqual([]);
    expect(await findDisksHolding('/no/such/file')).toEqual([]);
    expect(await findDisksUnderNode('/dev/null')).toEqual([]);
  });

  it('the system disks include the disk holding /', async () => {
    const system = await findSystemDisks();
    for (const disk of await findDisksHolding('/')) expect(system.has(disk)).toBe(true);
  });
});

describe('parseProcSwaps', () => {
  it('reads partitions and files, decoding octal escapes', () => {
    const text = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sda3                               partition\t8388604\t\t0\t\t-2\n/swap\\040file                          file\t\t1048572\t\t0\t\t-3\n';
    expect(parseProcSwaps(text)).toEqual([
      { path: '/dev/sda3', type: 'partition' },
      { path: '/swap file', type: 'file' },
    ]);
    expect(parseProcSwaps('Filename\tType\tSize\tUsed\tPriority\n')).toEqual([]);
  });
});
