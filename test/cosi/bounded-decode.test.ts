import { zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createBoundedDecoder, DecodedSizeLimit } from '../../src/cosi/bounded-decode.ts';
import { decodeRegionBytes } from '../../src/cosi/decode-region-bytes.ts';

describe('DecodedSizeLimit', () => {
  it('accepts exactly the declared size', () => {
    const limit = new DecodedSizeLimit(10, 'images/a.rawzst');
    expect(limit.add(4)).toBeNull();
    expect(limit.add(6)).toBeNull();
    expect(limit.finish()).toBeNull();
    expect(limit.decodedBytes).toBe(10);
  });

  it('reports an overshoot at once, and only once, naming the region', () => {
    const limit = new DecodedSizeLimit(10, 'images/a.rawzst');
    expect(limit.add(8)).toBeNull();
    const error = limit.add(3);
    expect(error).toMatchObject({ code: 'E_IMAGE_SIZE', detail: 'images/a.rawzst: decodes to more than 10 bytes, metadata.json says uncompressedSize 10' });
    expect(limit.add(100)).toBeNull();
    expect(limit.finish()).toMatchObject({ code: 'E_IMAGE_SIZE', detail: expect.stringContaining('more than 10') });
  });

  it('reports a short output at the end', () => {
    const limit = new DecodedSizeLimit(10, 'images/a.rawzst');
    limit.add(7);
    expect(limit.finish()).toMatchObject({ code: 'E_IMAGE_SIZE', detail: 'images/a.rawzst: decodes to 7 bytes, metadata.json says uncompressedSize 10' });
  });
});

describe('bounded decoding of real zstd data', () => {
  const plain = Buffer.alloc(300_000, 7);
  const compressed = zstdCompressSync(plain);

  it('decodeRegionBytes returns the bytes when the size matches, E_IMAGE_SIZE either way otherwise', async () => {
    expect((await decodeRegionBytes(compressed, { maxWindowLog: 27, expectedBytes: plain.length, path: 'images/gpt.rawzst' })).equals(plain)).toBe(true);
    await expect(decodeRegionBytes(compressed, { maxWindowLog: 27, expectedBytes: plain.length - 1, path: 'images/gpt.rawzst' })).rejects.toMatchObject({ code: 'E_IMAGE_SIZE', detail: expect.stringContaining('more than') });
    await expect(decodeRegionBytes(compressed, { maxWindowLog: 27, expectedBytes: plain.length + 1, path: 'images/gpt.rawzst' })).rejects.toMatchObject({ code: 'E_IMAGE_SIZE', detail: expect.stringContaining(`decodes to ${plain.length} bytes`) });
  });

  it('createBoundedDecoder refuses a window larger than 2 GiB before decoding', () => {
    expect(() => createBoundedDecoder({ maxWindowLog: 32, expectedBytes: 1, label: 'x' })).toThrow(/E_WINDOW_TOO_LARGE/);
  });
});
