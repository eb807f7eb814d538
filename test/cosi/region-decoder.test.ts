import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRegionBytes } from '../../src/cosi/decode-region-bytes.ts';
import { createRegionDecoder } from '../../src/cosi/region-decoder.ts';
import { zstdCompress } from '../support/cosi-fixture-tools.ts';

describe('createRegionDecoder (Node built-in zstd) on frames made by the zstd CLI', () => {
  let dir: string;
  // Random data followed by a repeat of it far away: only a big window finds the match.
  const chunk = randomBytes(256 * 1024);
  const data = Buffer.concat([chunk, Buffer.alloc(3 * 1024 * 1024), chunk]);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'region-decoder-'));
    await writeFile(path.join(dir, 'raw'), data);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function compress(name: string, options: { windowLog: number | null; frames: number }): Promise<Buffer> {
    await zstdCompress(path.join(dir, 'raw'), path.join(dir, name), { level: 3, sizeBytes: data.length, ...options });
    return readFile(path.join(dir, name));
  }

  it('decodes a windowLog 30 frame only when maxWindowLog allows it', async () => {
    const compressed = await compress('w30.zst', { windowLog: 30, frames: 1 });
    const decoded = await decodeRegionBytes(compressed, { maxWindowLog: 30, expectedBytes: data.length, path: 'images/w30' });
    expect(decoded.equals(data)).toBe(true);
    await expect(decodeRegionBytes(compressed, { maxWindowLog: 27, expectedBytes: data.length, path: 'images/w30' })).rejects.toMatchObject({ code: 'E_DECODE', detail: expect.stringContaining('maxWindowLog (27)') });
  });

  it('decodes many concatenated frames delivered in one chunk', async () => {
    const compressed = await compress('frames.zst', { windowLog: null, frames: 7 });
    const decoded = await decodeRegionBytes(compressed, { maxWindowLog: 27, expectedBytes: data.length, path: 'images/frames' });
    expect(decoded.equals(data)).toBe(true);
  });

  it('reports E_IMAGE_SIZE for too much or too little output and E_DECODE for damaged data', async () => {
    const compressed = await compress('plain.zst', { windowLog: null, frames: 1 });
    await expect(decodeRegionBytes(compressed, { maxWindowLog: 27, expectedBytes: data.length - 1, path: 'x' })).rejects.toMatchObject({ code: 'E_IMAGE_SIZE' });
    await expect(decodeRegionBytes(compressed, { maxWindowLog: 27, expectedBytes: data.length + 1, path: 'x' })).rejects.toMatchObject({ code: 'E_IMAGE_SIZE' });
    const damaged = Buffer.from(compressed);
    damaged[Math.floor(damaged.length / 2)]! ^= 0xff;
    await expect(decodeRegionBytes(damaged, { maxWindowLog: 27, expectedBytes: data.length, path: 'x' })).rejects.toMatchObject({ code: 'E_DECODE' });
    await expect(decodeRegionBytes(compressed.subarray(0, compressed.length - 100), { maxWindowLog: 27, expectedBytes: data.length, path: 'x' })).rejects.toMatchObject({ code: expect.stringMatching(/^E_(DECODE|IMAGE_SIZE)$/) });
  });

  it('refuses windows above 2 GiB (windowLog > 31)', () => {
    expect(() => createRegionDecoder({ maxWindowLog: 32 })).toThrow(expect.objectContaining({ code: 'E_WINDOW_TOO_LARGE' }));
    createRegionDecoder({ maxWindowLog: 31 }).destroy();
  });
});
