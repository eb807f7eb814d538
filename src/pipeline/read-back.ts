import { createHash } from 'node:crypto';
import { viewOf } from './aligned-buffer.ts';
import type { TargetDevice } from './target-device.ts';

export interface ReadBackOptions {
  readonly signal?: AbortSignal;
  readonly onRead?: (bytes: number) => void;
  /** Read size (default 4 MiB). */
  readonly chunkBytes?: number;
}

/**
 * SHA-384 of `[positionBytes, positionBytes + lengthBytes)` as the device returns it.
 *
 * Reads go through the target's O_DIRECT descriptor, so they come from the device rather
 * than the page cache that just held the written data (docs/behavior.md §2: prove
 * what landed on the disk). Reads are rounded up to whole blocks (the region lies inside a
 * block-aligned partition) and only the region's bytes are hashed. Two buffers alternate so
 * the next read runs while this thread hashes the previous one.
 */
export async function readBackSha384(target: TargetDevice, positionBytes: number, lengthBytes: number, options: ReadBackOptions = {}): Promise<string> {
  const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
  const buffers = [viewOf(target.allocate(chunkBytes)), viewOf(target.allocate(chunkBytes))] as const;
  const hash = createHash('sha384');
  const readAt = async (index: number, offset: number): Promise<{ index: number; offset: number; count: number }> => {
    const count = Math.min(chunkBytes, lengthBytes - offset);
    const rounded = Math.ceil(count / target.blockBytes) * target.blockBytes;
    await target.readInto(buffers[index as 0 | 1].subarray(0, rounded), positionBytes + offset);
    return { index, offset, count };
  };
  if (lengthBytes === 0) return hash.digest('hex');
  let pending = readAt(0, 0);
  for (;;) {
    const { index, offset, count } = await pending;
    options.signal?.throwIfAborted();
    const nextOffset = offset + count;
    if (nextOffset < lengthBytes) pending = readAt(1 - index, nextOffset);
    hash.update(buffers[index as 0 | 1].subarray(0, count));
    options.onRead?.(count);
    if (nextOffset >= lengthBytes) break;
  }
  return hash.digest('hex');
}
