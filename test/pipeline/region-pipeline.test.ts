import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegionPipeline, type RegionWrite } from '../../src/pipeline/region-pipeline.ts';
import { openTarget, type TargetDevice } from '../../src/pipeline/target-device.ts';
import { buildCosiFixture, type CosiFixture, type CosiFixtureRegion } from '../support/cosi-fixtures.ts';

// Writes go to a plain file on the project's filesystem (O_DIRECT works on ext4 files), so
// these run without root; the loop-device paths are covered by flash-disk.test.ts.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-pipeline-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileTarget(name: string, sizeBytes: number, blockBytes = 512): Promise<TargetDevice> {
  const file = path.join(dir, name);
  // Allocated, not sparse: O_DIRECT reads of a hole skip the alignment checks, so the
  // alignment probe would learn nothing (block devices have no holes).
  await writeFile(file, Buffer.alloc(sizeBytes));
  return openTarget(file, { sizeBytes, blockBytes });
}

const sha384 = (bytes: Uint8Array): string => createHash('sha384').update(bytes).digest('hex');

function regionWrite(region: CosiFixtureRegion, fixture: CosiFixture, overrides: Partial<RegionWrite> = {}): RegionWrite {
  return {
    // Small, uneven chunks exercise the coalescing into 1 MiB decoder messages.
    chunks: createReadStream(region.compressedPath, { highWaterMark: 77_777 }),
    positionBytes: region.startLba * fixture.lbaSize,
    compressedSize: region.compressedSize,
    uncompressedSize: region.uncompressedSize,
    expectedSha384: region.sha384,
    maxWindowLog: fixture.metadata.compression.maxWindowLog,
    hashDecoded: true,
    onDownloaded: () => undefined,
    onWritten: () => undefined,
    ...overrides,
  };
}

async function flashRegionsAndCompare(fixture: CosiFixture, name: string): Promise<void> {
  const target = await fileTarget(name, fixture.diskSizeBytes, fixture.lbaSize);
  const pipeline = createRegionPipeline(target, { blockBytes: 1024 * 1024, blockCount: 3 });
  try {
    expect(target.direct).toBe(true);
    const source = await readFile(fixture.sourceDiskPath);
    for (const region of fixture.regions.filter((r) => r.type === 'partition')) {
      let written = 0;
      let downloaded = 0;
      const result = await pipeline.writeRegion(regionWrite(region, fixture, { onWritten: (b) => (written += b), onDownloaded: (b) => (downloaded += b) }));
      const start = region.startLba * fixture.lbaSize;
      const expected = source.subarray(start, start + region.uncompressedSize);
      expect(result.compressedSha384).toBe(region.sha384);
      expect(result.uncompressedSha384).toBe(sha384(expected));
      expect(result.writtenBytes).toBe(region.uncompressedSize);
      expect(written).toBe(region.uncompressedSize);
      expect(downloaded).toBe(region.compressedSize);
    }
    await target.sync();
    const out = await readFile(path.join(dir, name));
    for (const region of fixture.regions.filter((r) => r.type === 'partition')) {
      const start = region.startLba * fixture.lbaSize;
      expect(sha384(out.subarray(start, start + region.uncompressedSize)), `partition ${region.number}`).toBe(sha384(source.subarray(start, start + region.uncompressedSize)));
    }
  } finally {
    await pipeline.close();
    target.close();
  }
}

describe('createRegionPipeline', () => {
  it('streams every partition region to its offset, byte-exact (ESP, ext4, raw after a gap)', async () => {
    const fixture = await buildCosiFixture({ partitions: [
      { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
      { number: 2, name: 'root', kind: 'ext4', sizeMiB: 12 },
      { number: 3, name: 'raw', kind: 'raw', sizeMiB: 3, gapBeforeMiB: 2 },
    ] });
    await flashRegionsAndCompare(fixture, 'basic.img');
  });

  it('decodes several concatenated zstd frames and a 128 MiB window (windowLog 27)', async () => {
    await flashRegionsAndCompare(await buildCosiFixture({ frames: 3 }), 'frames.img');
    await flashRegionsAndCompare(await buildCosiFixture({ windowLog: 27, zstdLevel: 19 }), 'window27.img');
  });

  it('writes a region whose length is not a multiple of the block size (buffered tail)', async () => {
    const raw = randomBytes(3 * 1024 * 1024 + 333);
    const rawPath = path.join(dir, 'odd.raw');
    await writeFile(rawPath, raw);
    const zstPath = `${rawPath}.zst`;
    execFileSync('zstd', ['-q', '-3', '-f', rawPath, '-o', zstPath]);
    const compressed = await readFile(zstPath);
    const target = await fileTarget('odd.img', 8 * 1024 * 1024);
    const pipeline = createRegionPipeline(target, { blockBytes: 1024 * 1024 });
    try {
      const positionBytes = 1024 * 1024;
      // The bytes just after the region must stay untouched.
      await target.writeAt(Buffer.alloc(4096, 0xee), positionBytes + raw.length);
      await pipeline.writeRegion({ chunks: [compressed], positionBytes, compressedSize: compressed.length, uncompressedSize: raw.length, expectedSha384: sha384(compressed), maxWindowLog: 23, hashDecoded: true, onDownloaded: () => undefined, onWritten: () => undefined });
      await target.sync();
      const out = await readFile(path.join(dir, 'odd.img'));
      expect(out.subarray(positionBytes, positionBytes + raw.length).equals(raw)).toBe(true);
      expect(out.subarray(positionBytes + raw.length, positionBytes + raw.length + 4096 - 333).every((b) => b === 0xee)).toBe(true);
    } finally {
      await pipeline.close();
      target.close();
    }
  });

  it('fails with E_IMAGE_HASH when the compressed bytes do not match metadata.json', async () => {
    const fixture = await buildCosiFixture({}, { corruptCompressed: { region: 2 } });
    const target = await fileTarget('corrupt.img', fixture.diskSizeBytes);
    const pipeline = createRegionPipeline(target);
    try {
      const region = fixture.regions.find((r) => r.number === 2);
      if (region === undefined) throw new Error('no region 2');
      // The corrupted byte may also break zstd itself (E_DECODE) before the hash is complete.
      await expect(pipeline.writeRegion(regionWrite(region, fixture))).rejects.toMatchObject({ code: expect.stringMatching(/^E_(IMAGE_HASH|DECODE)$/) });
    } finally {
      await pipeline.close();
      target.close();
    }
  });

  it('fails with E_IMAGE_SIZE when the decoded length differs from uncompressedSize, either way', async () => {
    const fixture = await buildCosiFixture();
    const region = fixture.regions.find((r) => r.number === 1);
    if (region === undefined) throw new Error('no region 1');
    for (const delta of [-512, +512]) {
      const target = await fileTarget(`size${delta}.img`, fixture.diskSizeBytes);
      const pipeline = createRegionPipeline(target);
      try {
        await expect(pipeline.writeRegion(regionWrite(region, fixture, { uncompressedSize: region.uncompressedSize + delta }))).rejects.toMatchObject({ code: 'E_IMAGE_SIZE' });
      } finally {
        await pipeline.close();
        target.close();
      }
    }
  });

  it('refuses a window larger than 2^31 with E_WINDOW_TOO_LARGE', async () => {
    const fixture = await buildCosiFixture();
    const region = fixture.regions.find((r) => r.number === 1);
    if (region === undefined) throw new Error('no region 1');
    const target = await fileTarget('window.img', fixture.diskSizeBytes);
    const pipeline = createRegionPipeline(target);
    try {
      await expect(pipeline.writeRegion(regionWrite(region, fixture, { maxWindowLog: 32 }))).rejects.toMatchObject({ code: 'E_WINDOW_TOO_LARGE' });
    } finally {
      await pipeline.close();
      target.close();
    }
  });

  it('stops promptly when the signal aborts mid-region', async () => {
    const fixture = await buildCosiFixture();
    const region = fixture.regions.find((r) => r.number === 2);
    if (region === undefined) throw new Error('no region 2');
    const target = await fileTarget('abort.img', fixture.diskSizeBytes);
    const pipeline = createRegionPipeline(target, { chunkBytes: 64 * 1024, chunksInFlight: 1 });
    const controller = new AbortController();
    async function* slowChunks(): AsyncGenerator<Uint8Array> {
      const bytes = await readFile(region!.compressedPath);
      for (let offset = 0; offset < bytes.length; offset += 1024) {
        if (offset >= bytes.length / 2) controller.abort(new Error('test abort'));
        controller.signal.throwIfAborted();
        yield bytes.subarray(offset, offset + 1024);
      }
    }
    try {
      await expect(pipeline.writeRegion(regionWrite(region, fixture, { chunks: slowChunks(), signal: controller.signal }))).rejects.toThrow('test abort');
    } finally {
      await pipeline.close();
      target.close();
    }
  });
});
