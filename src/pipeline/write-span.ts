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
}

/**
 * Writes `data` (already in aligned memory when `direct`) at `positionBytes`: the block-aligned
 * prefix through O_DIRECT, an unaligned tail through the buffered descriptor followed by
 * fdatasync, so the tail is on the device before any later O_DIRECT write near it.
 */
export async function writeSpan(target: TargetFds, data: Uint8Array, positionBytes: number): Promise<void> {
  if (!target.direct || positionBytes % target.blockBytes !== 0) {
    await writeFully(target.direct ? target.tailFd : target.fd, data, positionBytes);
    if (target.direct) await syncData(target.tailFd);
    return;
  }
  const alignedBytes = data.byteLength - (data.byteLength % target.blockBytes);
  if (alignedBytes > 0) await writeFully(target.fd, data.subarray(0, alignedBytes), positionBytes);
  if (alignedBytes < data.byteLength) {
    await writeFully(target.tailFd, data.subarray(alignedBytes), positionBytes + alignedBytes);
    await syncData(target.tailFd);
  }
}
