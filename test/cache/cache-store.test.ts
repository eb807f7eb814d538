import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheStore, type CacheKey } from '../../src/cache/cache-store.ts';
import { parseJournal } from '../../src/cache/cache-journal.ts';
import { parseSizeBytes } from '../../src/cache/parse-size.ts';
import { CosiflashError } from '../../src/errors.ts';

const MiB = 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cosiflash-store-'));
  dirs.push(dir);
  return dir;
}
const key = (name: string, sizeBytes = 4 * MiB, etag = '"v1"'): CacheKey => ({ location: `http://127.0.0.1:1/${name}`, validator: { kind: 'etag', value: etag }, sizeBytes });
const bytes = (length: number, seed: number): Buffer => Buffer.alloc(length, seed);

describe('CacheStore', () => {
  it('creates the folder 0700 and its files 0600; records survive reopening; plan splits cached and missing', async () => {
    const dir = path.join(tempDir(), 'cosiflash');
    const store = new CacheStore({ dir, maxBytes: 64 * MiB, owner: null });
    const { entry, warnings } = store.acquire(key('a'));
    expect(warnings).toEqual([]);
    await entry.writeRecord(MiB, [bytes(MiB / 2, 1), bytes(MiB / 2, 2)]);
    entry.close();
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lstatSync(path.join(dir, entry.id)).mode & 0o777).toBe(0o700);
    for (const file of ['data', 'journal', 'meta.json']) expect(lstatSync(path.join(dir, entry.id, file)).mode & 0o777).toBe(0o600);
    const again = store.acquire(key('a')).entry;
    expect(again.cachedBytes).toBe(MiB);
    expect(again.plan(0, 3 * MiB).map((s) => [s.kind, s.offsetBytes, s.lengthBytes])).toEqual([
      ['missing', 0, MiB],
      ['cached', MiB, MiB],
      ['missing', 2 * MiB, MiB],
    ]);
    const segment = again.plan(MiB, MiB)[0]!;
    if (segment.kind !== 'cached') throw new Error('expected cached');
    const read = await again.readRecord(segment.record);
    expect(read?.equals(Buffer.concat([bytes(MiB / 2, 1), bytes(MiB / 2, 2)]))).toBe(true);
    again.close();
  });

  it('re-hashes a record before use: a flipped byte makes it missing (and journals the discard)', async () => {
    const dir = tempDir();
    const store = new CacheStore({ dir, maxBytes: 64 * MiB, owner: null });
    const { entry } = store.acquire(key('b'));
    await entry.writeRecord(0, [bytes(MiB, 7)]);
    const fd = openSync(path.join(dir, entry.id, 'data'), 'r+');
    writeFileSync(fd, Buffer.from([8]), {});
    closeSync(fd);
    const segment = entry.plan(0, MiB)[0]!;
    if (segment.kind !== 'cached') throw new Error('expected cached');
    expect(await entry.readRecord(segment.record)).toBeNull();
    expect(entry.plan(0, MiB)[0]?.kind).toBe('missing');
    entry.close();
    expect(store.acquire(key('b')).entry.cachedBytes).toBe(0);
  });

  it('ignores a torn last journal line and malformed or out-of-range lines', () => {
    const good = JSON.stringify({ t: 'r', o: 0, n: 10, h: 'a'.repeat(64) });
    const lines = parseJournal(`${good}\n{"t":"r","o":-1,"n":5,"h":"${'b'.repeat(64)}"}\n{"t":"r","o":0,"n":999,"h":"${'b'.repeat(64)}"}\nnot json\n{"t":"v","o":0,"n":10}\n{"t":"r","o":10,"n":5`, 100);
    expect(lines).toEqual([{ t: 'r', o: 0, n: 10, h: 'a'.repeat(64) }, { t: 'v', o: 0, n: 10 }]);
  });

  it('a changed validator or size discards the old entry of that location', async () => {
    const dir = tempDir();
    const store = new CacheStore({ dir, maxBytes: 64 * MiB, owner: null });
    const first = store.acquire(key('c')).entry;
    await first.writeRecord(0, [bytes(MiB, 1)]);
    first.close();
    const second = store.acquire(key('c', 4 * MiB, '"v2"')).entry;
    expect(second.cachedBytes).toBe(0);
    second.close();
    expect(store.list().map((e) => e.validator.value)).toEqual(['"v2"']);
  });

  it('evicts the least recently used entries for room, never one in use; an image over the cap is not cached', async () => {
    const dir = tempDir();
    const store = new CacheStore({ dir, maxBytes: 10 * MiB, owner: null });
    const held = store.acquire(key('held')).entry;
    await held.writeRecord(0, [bytes(4 * MiB, 1)]);
    const old = store.acquire(key('old')).entry;
    await old.writeRecord(0, [bytes(4 * MiB, 2)]);
    old.close();
    // 4 + 4 + 4 > 10: "old" goes, "held" (in use) stays.
    const fresh = store.acquire(key('fresh'));
    expect(fresh.entry.writable).toBe(true);
    expect(store.list().map((e) => e.location).sort()).toEqual([key('fresh').location, key('held').location]);
    fresh.entry.close();
    // Too big for the cap: read-only, with the reason.
    const huge = store.acquire(key('huge', 11 * MiB));
    expect(huge.entry.writable).toBe(false);
    expect(huge.warnings.join()).toMatch(/larger than the cache cap/);
    huge.entry.close();
    expect(() => store.remove(key('held').location)).toThrow(CosiflashError);
    held.close();
    expect(store.remove(key('held').location).map((e) => e.location)).toEqual([key('held').location]);
    expect(() => store.remove('nothing-like-this')).toThrow(/Nothing in the cache/);
  });

  it('a second opener of the same entry only reads it (one writer per entry)', () => {
    const store = new CacheStore({ dir: tempDir(), maxBytes: 64 * MiB, owner: null });
    const first = store.acquire(key('d'));
    const second = store.acquire(key('d'));
    expect(first.entry.writable).toBe(true);
    expect(second.entry.writable).toBe(false);
    expect(second.warnings.join()).toMatch(/another Cosiflash process/);
    first.entry.close();
    second.entry.close();
    const third = store.acquire(key('d'));
    expect(third.entry.writable).toBe(true);
    third.entry.close();
  });

  it('refuses a cache folder that is a symbolic link, and never follows a planted data-file link', () => {
    const base = tempDir();
    const target = path.join(base, 'elsewhere');
    mkdirSync(target);
    symlinkSync(target, path.join(base, 'cosiflash'));
    expect(() => new CacheStore({ dir: path.join(base, 'cosiflash'), maxBytes: null, owner: null }).acquire(key('e'))).toThrow(/symbolic link/);
    const dir = path.join(base, 'real');
    const store = new CacheStore({ dir, maxBytes: 64 * MiB, owner: null });
    const { entry } = store.acquire(key('f'));
    entry.close();
    const victim = path.join(base, 'victim');
    writeFileSync(victim, 'precious');
    rmSync(path.join(dir, entry.id, 'data'));
    symlinkSync(victim, path.join(dir, entry.id, 'data'));
    expect(() => store.acquire(key('f'))).toThrow();
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('parses --cache-max sizes', () => {
    expect(parseSizeBytes('20G', 'x')).toBe(20 * 1024 ** 3);
    expect(parseSizeBytes('512MiB', 'x')).toBe(512 * MiB);
    expect(parseSizeBytes('1.5GB', 'x')).toBe(1.5e9);
    expect(parseSizeBytes('1048576', 'x')).toBe(MiB);
    expect(() => parseSizeBytes('lots', '--cache-max')).toThrow(/not a size/);
  });
});
