import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosiflashError } from '../../src/errors.ts';
import { openSource } from '../../src/source/open-source.ts';
import { collect, createSourceFixtures, errorOf, sha256, type SourceFixtures } from './source-fixtures.ts';

const MiB = 1024 * 1024;

describe('file source', () => {
  let fixtures: SourceFixtures;
  let file: { path: string; content: Buffer };
  beforeAll(async () => {
    fixtures = await createSourceFixtures();
    file = await fixtures.randomFile('image.cosi', 9 * MiB + 123);
  });
  afterAll(() => fixtures.cleanup());

  it('reads exactly the requested bytes and counts them', async () => {
    const source = await openSource(file.path);
    try {
      expect(source.kind).toBe('file');
      expect(source.sizeBytes).toBe(file.content.length);
      expect(await source.read(5 * MiB + 7, 4096)).toEqual(file.content.subarray(5 * MiB + 7, 5 * MiB + 7 + 4096));
      expect(await source.read(file.content.length - 10, 10)).toEqual(file.content.subarray(-10));
      expect((await source.read(100, 0)).length).toBe(0);
      expect(source.transferredBytes).toBe(4096 + 10);
    } finally {
      await source.close();
    }
  });

  it('streams a range in 1–4 MiB chunks with identical bytes', async () => {
    const source = await openSource(file.path);
    try {
      const sizes: number[] = [];
      const parts: Buffer[] = [];
      for await (const chunk of source.stream(3, file.content.length - 3)) {
        sizes.push(chunk.length);
        parts.push(chunk);
      }
      expect(sha256(Buffer.concat(parts))).toBe(sha256(file.content.subarray(3)));
      for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(MiB);
      for (const size of sizes) expect(size).toBeLessThanOrEqual(4 * MiB);
    } finally {
      await source.close();
    }
  });

  it('E_FILE_READ saying the file is shorter than needed, for reads past the end', async () => {
    const source = await openSource(file.path);
    try {
      const error = await errorOf(() => source.read(file.content.length - 10, 11));
      expect(error.code).toBe('E_FILE_READ');
      expect(error.detail).toMatch(/shorter than needed/);
      expect((await errorOf(() => collect(source.stream(file.content.length, 1)))).code).toBe('E_FILE_READ');
    } finally {
      await source.close();
    }
  });

  it('stops a stream when the signal aborts, with the caller\'s reason', async () => {
    const controller = new AbortController();
    const source = await openSource(file.path, { signal: controller.signal });
    try {
      const reason = new CosiflashError('E_CANCELLED', 'test abort');
      const error = await errorOf(async () => {
        for await (const _chunk of source.stream(0, file.content.length)) controller.abort(reason);
      });
      expect(error).toBe(reason);
    } finally {
      await source.close();
    }
  });

  it('a read-level signal aborts too, as E_CANCELLED', async () => {
    const source = await openSource(file.path);
    try {
      const controller = new AbortController();
      controller.abort();
      expect((await errorOf(() => source.read(0, 10, { signal: controller.signal }))).code).toBe('E_CANCELLED');
    } finally {
      await source.close();
    }
  });
});
