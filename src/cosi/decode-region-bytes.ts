import { CosiflashError } from '../errors.ts';
import { createBoundedDecoder } from './bounded-decode.ts';

/**
 * Turns a zstd decoder failure into E_DECODE naming the region; a frame whose window exceeds
 * `compression.maxWindowLog` says so, since the metadata then understates the window.
 */
export function decodeError(error: unknown, context: { path: string; maxWindowLog: number }): CosiflashError {
  if (error instanceof CosiflashError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ZSTD_error_frameParameter_windowTooLarge') {
    return new CosiflashError('E_DECODE', `${context.path}: a zstd frame needs a window larger than compression.maxWindowLog (${context.maxWindowLog}) allows`, { cause: error });
  }
  return new CosiflashError('E_DECODE', `${context.path}: the zstd data cannot be decoded (${message})`, { cause: error });
}

/**
 * Decodes a small region (the primary GPT) fully into memory, refusing to produce more than
 * `expectedBytes` (E_IMAGE_SIZE as soon as the output overshoots, so a hostile image cannot
 * balloon memory) and checking the exact length at the end.
 */
export async function decodeRegionBytes(compressed: Uint8Array, options: { maxWindowLog: number; expectedBytes: number; path: string }): Promise<Buffer> {
  const { decoder, limit } = createBoundedDecoder({ maxWindowLog: options.maxWindowLog, expectedBytes: options.expectedBytes, label: options.path, chunkSizeBytes: 64 * 1024 });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    decoder.on('data', (chunk: Buffer) => {
      const overshoot = limit.add(chunk.length);
      if (overshoot !== null) {
        decoder.destroy(overshoot);
        return;
      }
      chunks.push(chunk);
    });
    decoder.on('error', (error) => reject(decodeError(error, options)));
    decoder.on('end', resolve);
    decoder.end(compressed);
  });
  const wrongSize = limit.finish();
  if (wrongSize !== null) throw wrongSize;
  return Buffer.concat(chunks, limit.decodedBytes);
}
