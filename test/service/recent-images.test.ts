import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir } from '../../src/service/config-dir.ts';
import { RecentImages, recentImageWarning } from '../../src/service/recent-images.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-recent-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('RecentImages', () => {
  const HASH_A = `sha384:${'a'.repeat(96)}`;
  const HASH_B = `sha384:${'b'.repeat(96)}`;
  const layout = (imageHash: string, versionId = '3.0') => ({ imageHash, os: { prettyName: `Azure Linux ${versionId}`, id: 'azurelinux', versionId } });

  it('remembers the hash of the first successful inspect and says when the location later serves another image', async () => {
    const recent = new RecentImages({ dir });
    expect(await recent.observe('https://h/os.cosi', layout(HASH_A), new Date('2026-01-01T00:00:00Z'))).toEqual({ status: 'new', rememberedHash: null, firstSeenAt: null, failed: null });
    expect(await recent.observe('https://h/os.cosi', layout(HASH_A))).toMatchObject({ status: 'same', rememberedHash: HASH_A });
    const changed = await recent.observe('https://h/os.cosi', layout(HASH_B, '3.1'));
    expect(changed).toEqual({ status: 'changed', rememberedHash: HASH_A, firstSeenAt: '2026-01-01T00:00:00.000Z', failed: null });
    // The first hash stays remembered (until the entry is removed); OS and version follow the newest inspect.
    const [entry] = await recent.list();
    expect(entry).toMatchObject({ location: 'https://h/os.cosi', imageHash: HASH_A, os: 'Azure Linux 3.1', osVersion: '3.1' });
    expect(await recent.check('https://h/os.cosi', HASH_B)).toMatchObject({ status: 'changed' });
    expect(recentImageWarning('https://h/os.cosi', HASH_B, changed)).toMatch(/served a different image when first opened \(2026-01-01\).*it now serves sha384:b/);
    expect(recentImageWarning('https://h/os.cosi', HASH_A, await recent.check('https://h/os.cosi', HASH_A))).toBeNull();
    await recent.remove('https://h/os.cosi');
    expect(await recent.observe('https://h/os.cosi', layout(HASH_B))).toMatchObject({ status: 'new' });
  });

  it('marks an image that failed verification, not as a good one; a verified flash of it clears the mark', async () => {
    const recent = new RecentImages({ dir });
    await recent.observe('/srv/os.cosi', layout(HASH_A));
    await recent.recordFlash('/srv/os.cosi', HASH_A, { verified: false, errorCode: 'E_DISK_OPEN' });
    expect((await recent.list())[0]?.failed).toBeNull();
    await recent.recordFlash('/srv/os.cosi', HASH_A, { verified: false, errorCode: 'E_IMAGE_HASH' }, new Date('2026-02-02T00:00:00Z'));
    expect((await recent.list())[0]?.failed).toEqual({ imageHash: HASH_A, code: 'E_IMAGE_HASH', at: '2026-02-02T00:00:00.000Z' });
    const check = await recent.observe('/srv/os.cosi', layout(HASH_A));
    expect(check.failed).toEqual({ code: 'E_IMAGE_HASH', at: '2026-02-02T00:00:00.000Z' });
    expect(recentImageWarning('/srv/os.cosi', HASH_A, check)).toMatch(/failed verification before \(E_IMAGE_HASH/);
    // Another image at that location is not the failed one.
    expect((await recent.check('/srv/os.cosi', HASH_B)).failed).toBeNull();
    await recent.recordFlash('/srv/os.cosi', HASH_A, { verified: true, errorCode: null });
    expect((await recent.list())[0]?.failed).toBeNull();
  });

  it('reads entries written before hashes were remembered', async () => {
    const recent = new RecentImages({ dir });
    await writeFile(recent.file, JSON.stringify([{ location: '/old.cosi', expectedHash: null, label: null, lastUsedAt: '2026-01-01T00:00:00Z' }]));
    expect(await recent.list()).toEqual([{ location: '/old.cosi', expectedHash: null, label: null, lastUsedAt: '2026-01-01T00:00:00Z', imageHash: null, firstSeenAt: null, os: null, osVersion: null, failed: null }]);
    expect(await recent.observe('/old.cosi', layout(HASH_A))).toMatchObject({ status: 'same', rememberedHash: null });
    expect((await recent.list())[0]?.imageHash).toBe(HASH_A);
  });

  it('keeps the newest first, without duplicates, persisted as JSON', async () => {
    const recent = new RecentImages({ dir: path.join(dir, 'nested') });
    expect(await recent.list()).toEqual([]);
    await recent.add({ location: '/a.cosi' }, new Date('2026-01-01T00:00:00Z'));
    await recent.add({ location: '/b.cosi', expectedHash: 'sha384:ab' }, new Date('2026-01-02T00:00:00Z'));
    const list = await recent.add({ location: '/a.cosi', label: 'A again' }, new Date('2026-01-03T00:00:00Z'));
    expect(list).toMatchObject([
      { location: '/a.cosi', expectedHash: null, label: 'A again', lastUsedAt: '2026-01-03T00:00:00.000Z' },
      { location: '/b.cosi', expectedHash: 'sha384:ab', label: null, lastUsedAt: '2026-01-02T00:00:00.000Z' },
    ]);
    expect(JSON.parse(await readFile(recent.file, 'utf8'))).toEqual(list);
    expect(await new RecentImages({ dir: path.join(dir, 'nested') }).list()).toEqual(list);
    expect((await recent.remove('/a.cosi')).map((item) => item.location)).toEqual(['/b.cosi']);
  });

  it('loses nothing under concurrent adds and caps the list', async () => {
    const recent = new RecentImages({ dir });
    await Promise.all(Array.from({ length: 20 }, (_, index) => recent.add({ location: `/img-${index}.cosi` })));
    const list = await recent.list();
    expect(list).toHaveLength(12);
    expect(list[0]?.location).toBe('/img-19.cosi');
  });

  it('treats a damaged file as an empty list', async () => {
    const recent = new RecentImages({ dir });
    await writeFile(recent.file, '{ not json');
    expect(await recent.list()).toEqual([]);
    await writeFile(recent.file, JSON.stringify([{ location: 5 }, { location: '/ok', expectedHash: null, label: null, lastUsedAt: 'x' }]));
    expect((await recent.list()).map((item) => item.location)).toEqual(['/ok']);
  });
});

describe('configDir', () => {
  it('follows XDG on Linux, APPDATA on Windows and honours the override', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux')).toBe('/x/cfg/cosiflash');
    expect(configDir({ XDG_CONFIG_HOME: 'relative' }, 'linux')).toBe(path.join(os.homedir(), '.config', 'cosiflash'));
    expect(configDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toContain('cosiflash');
    expect(configDir({ COSIFLASH_CONFIG_DIR: '/tmp/c', XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/tmp/c');
  });
});
