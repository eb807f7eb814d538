import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewOf } from '../../src/pipeline/aligned-buffer.ts';
import { EDGE_BYTES, openTarget } from '../../src/pipeline/target-device.ts';

const MiB = 1024 * 1024;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-target-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openTarget (on a plain, fully allocated file)', () => {
  it('writes at unaligned and aligned offsets, reads back through O_DIRECT, zeroes only the edges', async () => {
    const file = path.join(dir, 'disk.img');
    await writeFile(file, Buffer.alloc(4 * MiB, 0xaa));
    const target = openTarget(file, { sizeBytes: 4 * MiB, blockBytes: 512 });
    try {
      expect(target.direct).toBe(true);
      expect(target.sizeBytes).toBe(4 * MiB);
      await target.writeAt(Buffer.from('hello, disk'), 2 * MiB + 3);
      await target.writeAt(Buffer.alloc(4096, 0x11), 2 * MiB + 8192);
      await target.zeroEdges();
      await target.sync();
      const into = viewOf(target.allocate(8192));
      await target.readInto(into, 2 * MiB);
      expect(into.subarray(3, 14).toString()).toBe('hello, disk');
      expect(into.subarray(0, 3).every((b) => b === 0xaa)).toBe(true);
    } finally {
      target.close();
    }
    const bytes = await readFile(file);
    expect(bytes.subarray(0, EDGE_BYTES).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(4 * MiB - EDGE_BYTES).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(2 * MiB + 3, 2 * MiB + 14).toString()).toBe('hello, disk');
    expect(bytes.subarray(2 * MiB + 8192, 2 * MiB + 12288).every((b) => b === 0x11)).toBe(true);
    expect(bytes[2 * MiB + 12288]).toBe(0xaa);
  });

  it('maps a missing device to E_DISK_NOT_FOUND', () => {
    expect(() => openTarget(path.join(dir, 'missing'), { sizeBytes: MiB, blockBytes: 512 })).toThrow(expect.objectContaining({ code: 'E_DISK_NOT_FOUND' }));
  });
});
