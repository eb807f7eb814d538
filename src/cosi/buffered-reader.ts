import type { ImageSource } from '../source/image-source.ts';

/** Default read-ahead: one request fetches this much, so consecutive small tar headers cost one round trip. */
export const READ_AHEAD_BYTES = 64 * 1024;

/** Random-access reads over an {@link ImageSource} that fetch at least `readAheadBytes` and reuse the last window. */
export interface BufferedReader {
  /** Returns exactly `lengthBytes` at `offsetBytes` (the caller checks bounds against the source size). */
  read(offsetBytes: number, lengthBytes: number): Promise<Buffer>;
}

/**
 * Wraps a source with one cached window. Walking tar headers means many 512-byte reads at
 * increasing offsets with big jumps over entry bodies; one window of read-ahead makes the
 * small entries at the start of a COSI (marker, metadata.json, the GPT image) a single request.
 */
export function createBufferedReader(source: ImageSource, options: { readAheadBytes?: number; signal?: AbortSignal } = {}): BufferedReader {
  const readAheadBytes = options.readAheadBytes ?? READ_AHEAD_BYTES;
  let windowOffset = 0;
  let window: Buffer = Buffer.alloc(0);
  return {
    async read(offsetBytes, lengthBytes) {
      if (offsetBytes >= windowOffset && offsetBytes + lengthBytes <= windowOffset + window.length) {
        return window.subarray(offsetBytes - windowOffset, offsetBytes - windowOffset + lengthBytes);
      }
      options.signal?.throwIfAborted();
      const fetchBytes = Math.min(Math.max(lengthBytes, readAheadBytes), source.sizeBytes - offsetBytes);
      const bytes = await source.read(offsetBytes, fetchBytes, { signal: options.signal });
      windowOffset = offsetBytes;
      window = bytes;
      return window.subarray(0, lengthBytes);
    },
  };
}
