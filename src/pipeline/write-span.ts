import { syncData, writeFully } from './write-fully.ts';

/**
 * The descriptors of an open target, as plain numbers so worker threads can use them.
 * `fd` may be O_DIRECT; `tailFd` is always buffered (same device, no O_EXCL), for the bytes
 * O_DIRECT cannot write: a length that is not a multiple of the logical block.
 */
export interface TargetFds {
  readonly fd: number;
  readonly tailFd: number;
  readonly direct: boolean;
  /** Logical block size: O_DIRECT offsets and lengths must be multiples of it. */
  readonly blockBytes: number;
  /**
   * Every region range was zeroed by the device (WRITE ZEROES) after the exclusive open:
   * aligned all-zero runs of region data need not be written again (see writeSpan).
   */
  readonly preZeroed: boolean;
}

/** The smallest all-zero run that is skipped on a pre-zeroed target (a multiple of every block size). */
export const ZERO_RUN_BYTES = 64 * 1024;
const ZERO_RUN = new Uint8Array(ZERO_RUN_BYTES);

/**
 * Writes `data` (already in aligned memory when `direct`) at `positionBytes`: the block-aligned
 * prefix through O_DIRECT, an unaligned tail through the buffered descriptor followed by
 * fdatasync, so the tail is on the device before any later O_DIRECT write near it.
 * On a `preZeroed` target, ZERO_RUN_BYTES pieces (counted from `positionBytes`, so block-aligned)
 * that are all zero are not written: the device already holds zeros there. Every other byte is.
 * Only region data may go through here with preZeroed set (TargetDevice.writeAt clears it).
 */
export async function writeSpan(target: TargetFds, data: Uint8Array, positionBytes: number): Promise<void> {
  if (!target.direct || positionBytes % target.blockBytes !== 0) {
    await writeFully(target.direct ? target.tailFd : target.fd, data, positionBytes);
    if (target.direct) await syncData(target.tailFd);
    return;
  }
  const alignedBytes = data.byteLength - (data.byteLength % target.blockBytes);
  if (alignedBytes > 0) {
    if (target.preZeroed) await writeSkippingZeroRuns(target.fd, data.subarray(0, alignedBytes), positionBytes);
    else await writeFully(target.fd, data.subarray(0, alignedBytes), positionBytes);
  }
  if (alignedBytes < data.byteLength) {
    await writeFully(target.tailFd, data.subarray(alignedBytes), positionBytes + alignedBytes);
    await syncData(target.tailFd);
  }
}

/** Writes `data` at `positionBytes` except its all-zero ZERO_RUN_BYTES pieces; non-zero stretches go in one write each. */
async function writeSkippingZeroRuns(fd: number, data: Uint8Array, positionBytes: number): Promise<void> {
  let pending = 0;
  for (let at = 0; at < data.byteLength; at += ZERO_RUN_BYTES) {
    const end = Math.min(at + ZERO_RUN_BYTES, data.byteLength);
    if (end - at !== ZERO_RUN_BYTES || !isZeroRun(data, at)) continue;
    if (pending < at) await writeFully(fd, data.subarray(pending, at), positionBytes + pending);
    pending = end;
  }
  if (pending < data.byteLength) await writeFully(fd, data.subarray(pending), positionBytes + pending);
}

function isZeroRun(data: Uint8Array, at: number): boolean {
  return Buffer.compare(Buffer.from(data.buffer, data.byteOffset + at, ZERO_RUN_BYTES), ZERO_RUN) === 0;
}
