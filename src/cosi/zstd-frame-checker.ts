/**
 * Follows the frame and block structure of a zstd stream (RFC 8878 §3.1) without decoding it,
 * to find bytes that are not part of any frame.
 *
 * Why: Node's zstd decoder decodes concatenated and skippable frames but silently stops at
 * anything else, so garbage after the last frame went unnoticed by `verify`, while `zstd -t`
 * rejects such a file. Only headers are read (a few bytes per 128 KiB block), so it runs
 * alongside the real decoder at no measurable cost.
 */

/** What is wrong with the stream, or null while (and when) it is well formed. */
export interface ZstdFrameChecker {
  /** Feeds the next compressed bytes. */
  update(chunk: Uint8Array): void;
  /** The problem found, or null when the stream ended exactly after a complete frame (or was empty). */
  finish(): string | null;
}

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const DICT_ID_BYTES = [0, 1, 2, 4] as const;
const CONTENT_SIZE_BYTES = [0, 2, 4, 8] as const;

type Stage = 'magic' | 'skippable-size' | 'descriptor' | 'block-header';

/** A checker for one region's compressed bytes. */
export function createZstdFrameChecker(): ZstdFrameChecker {
  const header = Buffer.alloc(4);
  let stage: Stage = 'magic';
  let needBytes = 4;
  let headerBytes = 0;
  let skipBytes = 0;
  let offset = 0;
  let frames = 0;
  let frameStart = 0;
  let checksum = false;
  let problem: string | null = null;

  const expect = (next: Stage, bytes: number): void => {
    stage = next;
    needBytes = bytes;
    headerBytes = 0;
  };

  const complete = (): void => {
    switch (stage) {
      case 'magic': {
        const magic = header.readUInt32LE(0);
        frameStart = offset - 4;
        if (magic === ZSTD_MAGIC) expect('descriptor', 1);
        else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) expect('skippable-size', 4);
        else problem = frames === 0 ? `no zstd frame at byte ${frameStart}` : `data that is not a zstd frame at byte ${frameStart}, after the last frame (zstd -t rejects this)`;
        return;
      }
      case 'skippable-size':
        skipBytes = header.readUInt32LE(0);
        frames += 1;
        expect('magic', 4);
        return;
      case 'descriptor': {
        const descriptor = header[0] ?? 0;
        if ((descriptor & 0x08) !== 0) {
          problem = `zstd frame ${frames + 1} at byte ${frameStart} sets a reserved header bit`;
          return;
        }
        const singleSegment = (descriptor >> 5) & 1;
        const contentSizeFlag = descriptor >> 6;
        const contentSizeBytes = contentSizeFlag === 0 ? singleSegment : (CONTENT_SIZE_BYTES[contentSizeFlag] ?? 0);
        skipBytes = (singleSegment === 1 ? 0 : 1) + (DICT_ID_BYTES[descriptor & 3] ?? 0) + contentSizeBytes;
        checksum = ((descriptor >> 2) & 1) === 1;
        expect('block-header', 3);
        return;
      }
      case 'block-header': {
        const bits = (header[0] ?? 0) | ((header[1] ?? 0) << 8) | ((header[2] ?? 0) << 16);
        const type = (bits >> 1) & 3;
        if (type === 3) {
          problem = `zstd frame ${frames + 1} has a block of the reserved type at byte ${offset - 3}`;
          return;
        }
        // Raw and compressed blocks carry Block_Size bytes; an RLE block carries one.
        skipBytes = type === 1 ? 1 : bits >>> 3;
        if ((bits & 1) === 0) {
          expect('block-header', 3);
          return;
        }
        frames += 1;
        if (checksum) skipBytes += 4;
        expect('magic', 4);
        return;
      }
    }
  };

  return {
    update(chunk) {
      let at = 0;
      while (at < chunk.length && problem === null) {
        if (skipBytes > 0) {
          const skipped = Math.min(skipBytes, chunk.length - at);
          skipBytes -= skipped;
          at += skipped;
          offset += skipped;
          continue;
        }
        header[headerBytes] = chunk[at] ?? 0;
        headerBytes += 1;
        at += 1;
        offset += 1;
        if (headerBytes === needBytes) complete();
      }
    },
    finish() {
      if (problem !== null) return problem;
      // No bytes at all is left to the size check (it decodes to 0 bytes).
      if (offset === 0) return null;
      if (stage === 'magic' && skipBytes === 0) {
        if (headerBytes === 0) return null;
        if (frames > 0) return `${headerBytes} bytes that are not a zstd frame at byte ${offset - headerBytes}, after the last frame (zstd -t rejects this)`;
      }
      return `the data ends inside zstd frame ${frames + 1} (started at byte ${frameStart})`;
    },
  };
}
