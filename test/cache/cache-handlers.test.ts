import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheStore } from '../../src/cache/cache-store.ts';
import { payloadProblem } from '../../src/ipc/guards.ts';
import { cacheSetting } from '../../src/service/cache-setting.ts';
import { createHandlers } from '../../src/service/create-handlers.ts';

const MiB = 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cosiflash-cache-handlers-'));
  dirs.push(dir);
  return dir;
}

describe('cache:list and cache:remove (handler table)', () => {
  it('lists cached images with their size, removes one by location, refuses one in use', async () => {
    const base = tempDir();
    const cacheDir = path.join(base, 'cache');
    const store = new CacheStore({ dir: cacheDir, maxBytes: 64 * MiB, owner: null });
    const location = 'http://127.0.0.1:1/a.cosi';
    const { entry } = store.acquire({ location, validator: { kind: 'etag', value: '"x"' }, sizeBytes: 2 * MiB });
    await entry.writeRecord(0, [Buffer.alloc(MiB, 1)]);
    const runtime = createHandlers({ mode: 'web', configDir: path.join(base, 'config'), cache: { dir: cacheDir, maxBytes: null } });
    const listed = await runtime.handlers['cache:list']({});
    expect(listed).toEqual({ enabled: true, entries: [{ id: entry.id, location, sizeBytes: 2 * MiB, cachedBytes: MiB, complete: false, imageHash: null, inUse: true }] });
    await expect(runtime.handlers['cache:remove']({ location })).rejects.toMatchObject({ code: 'E_CACHE_IN_USE' });
    entry.close();
    expect(await runtime.handlers['cache:remove']({ location })).toEqual({ enabled: true, entries: [] });
    await expect(runtime.handlers['cache:remove']({ location })).rejects.toMatchObject({ code: 'E_CACHE_NOT_FOUND' });
    await runtime.dispose();
  });

  it('is off without a cache option, and settings.json can turn it off or cap it', async () => {
    const base = tempDir();
    const runtime = createHandlers({ mode: 'web', configDir: base });
    expect(await runtime.handlers['cache:list']({})).toEqual({ enabled: false, entries: [] });
    await runtime.dispose();
    expect(cacheSetting(base, {}, { XDG_CACHE_HOME: '/x' })).toEqual({ dir: '/x/cosiflash', maxBytes: null });
    writeFileSync(path.join(base, 'settings.json'), JSON.stringify({ imageCacheMaxBytes: 5 * MiB }));
    expect(cacheSetting(base, {}, { XDG_CACHE_HOME: '/x' })?.maxBytes).toBe(5 * MiB);
    writeFileSync(path.join(base, 'settings.json'), JSON.stringify({ imageCache: false }));
    expect(cacheSetting(base, {}, { XDG_CACHE_HOME: '/x' })).toBeNull();
    expect(cacheSetting(base, { enabled: true }, { XDG_CACHE_HOME: '/x' })).not.toBeNull();
  });

  it('guards the cache channels like every other', () => {
    expect(payloadProblem('cache:remove', { location: 42 })).not.toBeNull();
    expect(payloadProblem('cache:list', { extra: 1 })).not.toBeNull();
    expect(payloadProblem('cache:remove', { location: 'http://x/a.cosi' })).toBeNull();
  });
});
