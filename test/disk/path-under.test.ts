import { describe, expect, it } from 'vitest';
import { deepestMountpoint, isPathUnder } from '../../src/disk/path-under.ts';

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
