/**
 * The zstd decoder for COSI regions: Node's built-in `zlib.createZstdDecompress` (Node ≥ 24).
 *
 * Never fzstd: it silently corrupts data for windowLog ≥ 27 (docs/decisions.md), and the
 * COSI SHA-384 covers only the compressed bytes, so nothing would catch it. The window limit
 * comes from the metadata's `compression.maxWindowLog` (COSI 1.2); zstd's own default limit is
 * 27, so larger windows must be allowed explicitly — up to 31 (2 GiB), never more.
 */
import zlib from 'node:zlib';
import { CosiflashError } from '../errors.ts';

/** Largest windowLog we agree to decode (2 GiB window), the zstd format's 64-bit maximum. */
export const MAX_WINDOW_LOG = 31;

/** Smallest windowLog the zstd format defines. */
const MIN_WINDOW_LOG = 10;

/** A streaming decoder that refuses frames whose window exceeds `2^maxWindowLog`. */
export function createRegionDecoder(options: { maxWindowLog: number; chunkSizeBytes?: number }): zlib.ZstdDecompress {
  const { maxWindowLog } = options;
  if (!Number.isInteger(maxWindowLog) || maxWindowLog > MAX_WINDOW_LOG) {
    throw new CosiflashError('E_WINDOW_TOO_LARGE', `compression.maxWindowLog is ${maxWindowLog}; the largest supported is ${MAX_WINDOW_LOG}`);
  }
  return zlib.createZstdDecompress({
    // 1 MiB output chunks decode about twice as fast as the 64 KiB default (docs/decisions.md).
    chunkSize: options.chunkSizeBytes ?? 1024 * 1024,
    params: { [zlib.constants.ZSTD_d_windowLogMax]: Math.max(MIN_WINDOW_LOG, maxWindowLog) },
  });
}
