import { readSync } from 'node:fs';

/**
 * A Buffer whose memory starts on an O_DIRECT-compatible boundary, carved out of a
 * transferable ArrayBuffer so it can move between worker threads without copying (a
 * transfer keeps the same memory, so the alignment survives it).
 *
 * Why probing: JavaScript cannot see addresses, and Node's large buffers sit 16 bytes past
 * an aligned boundary (docs/decisions.md). The kernel tells us: an O_DIRECT read into a
 * misaligned buffer fails with EINVAL, so we try candidate offsets with a harmless read of
 * the device's first page and keep the first offset the kernel accepts.
 */
export interface AlignedBuffer {
  /** The whole allocation (transfer this between threads). */
  readonly arrayBuffer: ArrayBuffer;
  /** Where the aligned view starts inside `arrayBuffer`. */
  readonly byteOffset: number;
  /** Usable, aligned length. */
  readonly sizeBytes: number;
}

/** Largest alignment the kernel may demand (a page). Candidates are 16-byte steps below it. */
export const MAX_ALIGNMENT_BYTES = 4096;
const CANDIDATE_STEP_BYTES = 16;

/** Allocates `sizeBytes` plus room to align and to probe; `byteOffset` is 0 (unaligned). */
export function allocateUnaligned(sizeBytes: number): AlignedBuffer {
  return { arrayBuffer: new ArrayBuffer(Math.max(sizeBytes, 2 * MAX_ALIGNMENT_BYTES) + MAX_ALIGNMENT_BYTES), byteOffset: 0, sizeBytes };
}

/**
 * Finds the aligned offset of `buffer` by probing O_DIRECT reads at offset 0 of `directFd`.
 * The probe reads at least a page: measured on Linux 6.18 loop devices, a 512-byte O_DIRECT
 * read succeeds at any address while writes need 512-byte alignment; a 4 KiB read does not.
 * The first page must be real storage: on a sparse file, reading a hole skips the checks.
 * Returns null when no offset works (the caller then falls back to buffered I/O).
 */
export function alignBuffer(buffer: AlignedBuffer, directFd: number, blockBytes: number): AlignedBuffer | null {
  const bytes = new Uint8Array(buffer.arrayBuffer);
  const probeBytes = Math.max(blockBytes, MAX_ALIGNMENT_BYTES);
  for (let offset = 0; offset < MAX_ALIGNMENT_BYTES && offset + probeBytes <= bytes.byteLength; offset += CANDIDATE_STEP_BYTES) {
    try {
      readSync(directFd, bytes, offset, probeBytes, 0);
      return { arrayBuffer: buffer.arrayBuffer, byteOffset: offset, sizeBytes: buffer.sizeBytes };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
    }
  }
  return null;
}

/** Allocates and aligns one buffer for `directFd`; null when O_DIRECT refuses every offset. */
export function allocateAligned(sizeBytes: number, directFd: number, blockBytes: number): AlignedBuffer | null {
  return alignBuffer(allocateUnaligned(sizeBytes), directFd, blockBytes);
}

/** A Buffer view of the aligned part (no copy). */
export function viewOf(buffer: AlignedBuffer): Buffer {
  return Buffer.from(buffer.arrayBuffer, buffer.byteOffset, buffer.sizeBytes);
}
