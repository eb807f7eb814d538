import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir } from '../../src/service/config-dir.ts';
import { RecentImages } from '../../src/service/recent-images.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-recent-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('RecentImages', () => {
  it('keeps the newest first, without duplicates, persisted as JSON', async () => {
    const recent = new RecentImages({ dir: path.join(dir, 'nested') });
    expect(await recent.list()).toEqual([]);
    await recent.add({ location: '/a.cosi' }, new Date('2026-01-01T00:00:00Z'));
    await recent.add({ location: '/b.cosi', expectedHash: 'sha384:ab' }, new Date('2026-01-02T00:00:00Z'));
    const list = await recent.add({ location: '/a.cosi', label: 'A again' }, new Date('2026-01-03T00:00:00Z'));
    expect(list).toEqual([
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
