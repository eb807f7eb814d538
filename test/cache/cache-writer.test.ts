import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheStore } from '../../src/cache/cache-store.ts';
import { CacheWriter } from '../../src/cache/cache-writer.ts';

const MiB = 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openEntry(sizeBytes: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cosiflash-writer-'));
  dirs.push(dir);
  const store = new CacheStore({ dir: path.join(dir, 'cosiflash'), maxBytes: 256 * MiB, owner: null });
  return store.acquire({ location: 'http://127.0.0.1:1/image.cosi', validator: { kind: 'etag', value: '"v1"' }, sizeBytes }).entry;
}

describe('CacheWriter', () => {
  it('skips records while the cache disk is behind, warns once, and caches again once the queue drained', async () => {
    const entry = openEntry(16 * MiB);
    const warnings: string[] = [];
    const writer = new CacheWriter(entry, { onWarning: (m) => warnings.push(m), maxQueuedBytes: 2 * MiB, recordBytes: MiB });
    // Offered synchronously, nothing can be written in between: only 2 MiB fit in the queue.
    for (let i = 0; i < 8; i++) writer.offer(i * MiB, Buffer.alloc(MiB, i + 1));
    expect(writer.skippedBytes).toBe(6 * MiB);
    expect(writer.stoppedReason).toBeNull();
    await writer.flushed();
    // After the queue drained, the records that follow are cached again.
    for (let i = 8; i < 10; i++) writer.offer(i * MiB, Buffer.alloc(MiB, i + 1));
    await writer.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/fell more than 2 MiB behind.*not cached this time/);
    expect(writer.writtenBytes).toBe(4 * MiB);
    expect(entry.plan(0, 10 * MiB).map((s) => [s.kind, s.offsetBytes / MiB, s.lengthBytes / MiB])).toEqual([
      ['cached', 0, 1],
      ['cached', 1, 1],
      ['missing', 2, 6],
      ['cached', 8, 1],
      ['cached', 9, 1],
    ]);
    // What was cached is the bytes offered.
    const [first] = entry.plan(8 * MiB, MiB);
    if (first?.kind !== 'cached') throw new Error('expected a cached record');
    expect((await entry.readRecord(first.record))?.equals(Buffer.alloc(MiB, 9))).toBe(true);
    entry.close();
  });
});
