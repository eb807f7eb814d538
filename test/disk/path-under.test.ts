import { describe, expect, it } from 'vitest';
import { deepestMountpoint, isPathUnder } from '../../src/disk/path-under.ts';
import { parseProcSwaps } from '../../src/disk/system-disks.ts';

describe('isPathUnder', () => {
  it.each([
    ['/a/b', '/', true],
    ['/a/b', '/a', true],
    ['/a', '/a', true],
    ['/a/b', '/a/', true],
    ['/ab', '/a', false],
    ['/a/b', '[SWAP]', false],
    ['relative/a', '/', false],
    ['C:\\x\\y.cosi', 'c:\\', true],
    ['D:\\x', 'C:\\', false],
  ])('%s under %s → %s', (path, mountpoint, expected) => {
    expect(isPathUnder(path, mountpoint)).toBe(expected);
  });

  it('deepestMountpoint prefers the longest containing mount point', () => {
    expect(deepestMountpoint('/media/u/A/x', ['/', '/media/u/A', '/media'])).toBe('/media/u/A');
    expect(deepestMountpoint('/x', ['/y'])).toBeNull();
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
