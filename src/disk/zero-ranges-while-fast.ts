/**
 * Zeroes byte ranges of a block device with WRITE ZEROES (zeroOutRange) only as long as the
 * device does it far faster than it could write the bytes: in chunks, the first a small probe,
 * each next one twice as large (up to `maxChunkBytes`). A chunk that takes longer than
 * `startupMs` + its bytes at `minBytesPerSecond` means the device writes the zeros itself
 * (a USB bridge emulating WRITE SAME, a throttled or slow link): zeroing stops there and the
 * caller must write every byte, since zeroing first would double the disk's work and hold back
 * the first byte of the image. Measured (docs/decisions.md, "Pre-zeroing only when it is fast"):
 * a loop device on ext4 zeroes at ≥ 17 GiB/s (metadata only; the call itself, a process start,
 * costs 3–10 ms), the same loop throttled to 4 MB/s zeroes at 4 MB/s.
 *
 * Ranges must be aligned to `blockBytes` (offset and length). The result says whether every
 * range was zeroed; when not, some prefix was, which the caller must not rely on.
 */
import { zeroOutRange } from './zero-out-range.ts';

export interface ZeroingPace {
  /** Slower than this, zeroing stops (default 4 GiB/s: below it, the device writes the zeros). */
  readonly minBytesPerSecond: number;
  /** Allowed per call on top of the bytes' time: starting fallocate (measured 3–10 ms; default 50 ms). */
  readonly startupMs: number;
  /** The probe: the first call's length (default 1 MiB: 0.26 s on a 4 MB/s disk). */
  readonly firstChunkBytes: number;
  /** The longest call (default 1 GiB: ≤ 0.3 s at the minimum rate). */
  readonly maxChunkBytes: number;
  /** The clock (ms); tests inject one. */
  readonly nowMs: () => number;
}

export const DEFAULT_ZEROING_PACE: ZeroingPace = {
  minBytesPerSecond: 4 * 1024 ** 3,
  startupMs: 50,
  firstChunkBytes: 1024 * 1024,
  maxChunkBytes: 1024 ** 3,
  nowMs: () => performance.now(),
};

export interface ZeroingOutcome {
  /** Every range was zeroed. */
  readonly complete: boolean;
  readonly zeroedBytes: number;
  /** The time spent zeroing (ms, by the pace's clock). */
  readonly elapsedMs: number;
  /** The last chunk's rate (bytes per second), null when nothing was zeroed. */
  readonly lastBytesPerSecond: number | null;
}

export async function zeroRangesWhileFast(
  devicePath: string,
  ranges: readonly { readonly offsetBytes: number; readonly lengthBytes: number }[],
  blockBytes: number,
  pace: Partial<ZeroingPace> = {},
): Promise<ZeroingOutcome> {
  const { minBytesPerSecond, startupMs, firstChunkBytes, maxChunkBytes, nowMs } = { ...DEFAULT_ZEROING_PACE, ...pace };
  // Whole blocks per call (the kernel refuses others).
  const roundDown = (bytes: number): number => Math.max(blockBytes, bytes - (bytes % blockBytes));
  let chunkBytes = roundDown(firstChunkBytes);
  let zeroedBytes = 0;
  let lastBytesPerSecond: number | null = null;
  const startedMs = nowMs();
  for (const { offsetBytes, lengthBytes } of ranges) {
    for (let at = offsetBytes; at < offsetBytes + lengthBytes; ) {
      const length = Math.min(chunkBytes, offsetBytes + lengthBytes - at);
      const beforeMs = nowMs();
      await zeroOutRange(devicePath, at, length, blockBytes);
      const tookMs = nowMs() - beforeMs;
      zeroedBytes += length;
      at += length;
      lastBytesPerSecond = tookMs > 0 ? (length * 1000) / tookMs : Number.POSITIVE_INFINITY;
      if (tookMs > startupMs + (length * 1000) / minBytesPerSecond) {
        return { complete: false, zeroedBytes, elapsedMs: nowMs() - startedMs, lastBytesPerSecond };
      }
      chunkBytes = roundDown(Math.min(maxChunkBytes, chunkBytes * 2));
    }
  }
  return { complete: true, zeroedBytes, elapsedMs: nowMs() - startedMs, lastBytesPerSecond };
}
