import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { writeZeroesSupported } from '../disk/write-zeroes-supported.ts';
import { zeroRangesWhileFast, type ZeroingPace } from '../disk/zero-ranges-while-fast.ts';
import { CosiflashError } from '../errors.ts';
import { allocateAligned, allocateUnaligned, viewOf, type AlignedBuffer } from './aligned-buffer.ts';
import { readFully, syncData } from './write-fully.ts';
import { writeSpan, type TargetFds } from './write-span.ts';

/** One MiB: what is zeroed at both ends of the disk before and after a flash. */
export const EDGE_BYTES = 1024 * 1024;

/**
 * The whole-disk device, opened exclusively for one flash.
 *
 * Why O_EXCL: on Linux it claims the block device, so the open fails with EBUSY while a
 * partition is mounted or another program holds it, and nobody can mount it while we write.
 * Why O_DIRECT: writes skip the page cache (≈1.4 GB/s vs ≈0.6 buffered+fsync on a loop
 * device, docs/decisions.md) and read-back verification sees the device, not the cache. When
 * O_DIRECT is refused (some filesystems, plain files on tmpfs) we fall back to buffered I/O.
 */
export interface TargetDevice extends TargetFds {
  readonly path: string;
  readonly sizeBytes: number;
  /** Allocates a buffer usable for O_DIRECT on this device (plain when buffered). */
  allocate(sizeBytes: number): AlignedBuffer;
  /** Writes arbitrary bytes at an arbitrary offset (copies into aligned memory first). */
  writeAt(data: Uint8Array, positionBytes: number): Promise<void>;
  /** Reads `lengthBytes` at `positionBytes` into `into` (an aligned view), bypassing the cache when direct. */
  readInto(into: Uint8Array, positionBytes: number): Promise<void>;
  /** Zeroes the first and last MiB (old primary and backup GPT, stale signatures). */
  zeroEdges(): Promise<void>;
  /**
   * When the device can WRITE ZEROES (sysfs write_zeroes_max_bytes > 0) and does it fast,
   * zeroes each range (offset, length in bytes; widened to whole blocks) with it and sets
   * `preZeroed`, so aligned zero runs of region data are not written again. The first chunk
   * is a probe: a device that zeroes slower than the pace's minimum (it writes the zeros
   * itself) is left after it, like one that cannot or whose zeroing fails: `preZeroed` stays
   * false and every byte is written. Returns `preZeroed`. `sysfsRoot` (default /sys) and
   * `pace` (default DEFAULT_ZEROING_PACE): tests only.
   */
  preZero(ranges: readonly { readonly offsetBytes: number; readonly lengthBytes: number }[], sysfsRoot?: string, pace?: Partial<ZeroingPace>): Promise<boolean>;
  sync(): Promise<void>;
  close(): void;
}

export interface OpenTargetOptions {
  readonly sizeBytes: number;
  readonly blockBytes: number;
}

/** Opens `path` for writing; maps EBUSY → E_DISK_OPEN, EACCES/EPERM → E_PERMISSION, ENOENT → E_DISK_NOT_FOUND. */
export function openTarget(path: string, options: OpenTargetOptions): TargetDevice {
  // O_EXCL always (see above); plain files ignore it.
  const base = constants.O_RDWR | constants.O_EXCL;
  let fd: number;
  let direct = true;
  try {
    fd = openSync(path, base | constants.O_DIRECT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw openError(path, error);
    direct = false;
    fd = openWith(path, base);
  }
  let tailFd = fd;
  try {
    if (direct) tailFd = openWith(path, constants.O_RDWR);
    const stat = fstatSync(fd);
    const sizeBytes = stat.isFile() ? stat.size : options.sizeBytes;
    let probe: AlignedBuffer | null = null;
    if (direct) {
      probe = allocateAligned(options.blockBytes, fd, options.blockBytes);
      if (probe === null) {
        closeSync(tailFd);
        direct = false;
        tailFd = fd;
      }
    }
    return createTarget({ path, fd, tailFd, direct, blockBytes: options.blockBytes, sizeBytes, preZeroed: false });
  } catch (error) {
    if (tailFd !== fd) closeSync(tailFd);
    closeSync(fd);
    throw error;
  }
}

function openWith(path: string, flags: number): number {
  try {
    return openSync(path, flags);
  } catch (error) {
    throw openError(path, error);
  }
}

function openError(path: string, error: unknown): CosiflashError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'EBUSY') return new CosiflashError('E_DISK_OPEN', `${path} is busy (mounted or held by another program): ${message}`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new CosiflashError('E_PERMISSION', `Cannot open ${path} for writing: ${message}`, { cause: error });
  if (code === 'EROFS') return new CosiflashError('E_DISK_INELIGIBLE', `${path} is read-only: ${message}`, { cause: error });
  if (code === 'ENOENT' || code === 'ENXIO' || code === 'ENODEV') return new CosiflashError('E_DISK_NOT_FOUND', `${path}: ${message}`, { cause: error });
  return new CosiflashError('E_DISK_OPEN', `Cannot open ${path}: ${message}`, { cause: error });
}

function createTarget(fds: TargetFds & { path: string; sizeBytes: number }): TargetDevice {
  let preZeroed = false;
  const allocate = (sizeBytes: number): AlignedBuffer => {
    if (!fds.direct) return allocateUnaligned(sizeBytes);
    const aligned = allocateAligned(sizeBytes, fds.fd, fds.blockBytes);
    if (aligned === null) throw new CosiflashError('E_INTERNAL', `No O_DIRECT-aligned offset found for ${fds.path}`);
    return aligned;
  };
  const writeAt = async (data: Uint8Array, positionBytes: number): Promise<void> => {
    const buffer = viewOf(allocate(data.byteLength));
    buffer.set(data);
    // Not region data (edges, partition table): every byte is written.
    await writeSpan({ ...fds, preZeroed: false }, buffer, positionBytes);
  };
  return {
    ...fds,
    get preZeroed() {
      return preZeroed;
    },
    allocate,
    writeAt,
    readInto: (into, positionBytes) => readFully(fds.fd, into, positionBytes),
    async zeroEdges() {
      const edgeBytes = Math.min(EDGE_BYTES, fds.sizeBytes);
      const zeros = new Uint8Array(edgeBytes);
      await writeAt(zeros, 0);
      const tailStart = fds.sizeBytes - edgeBytes;
      await writeAt(zeros, tailStart - (tailStart % fds.blockBytes));
      await syncData(fds.fd);
    },
    async preZero(ranges, sysfsRoot, pace) {
      if (!writeZeroesSupported(fds.path, sysfsRoot)) return false;
      const block = fds.blockBytes;
      const aligned = ranges.map(({ offsetBytes, lengthBytes }) => {
        const start = offsetBytes - (offsetBytes % block);
        const end = Math.min(Math.ceil((offsetBytes + lengthBytes) / block) * block, fds.sizeBytes);
        return { offsetBytes: start, lengthBytes: Math.max(0, end - start) };
      });
      try {
        // All or nothing: a zero run may be skipped only when every range really holds zeros.
        preZeroed = (await zeroRangesWhileFast(fds.path, aligned, block, pace)).complete;
      } catch {
        preZeroed = false;
      }
      return preZeroed;
    },
    async sync() {
      await syncData(fds.fd);
      if (fds.tailFd !== fds.fd) await syncData(fds.tailFd);
    },
    close() {
      if (fds.tailFd !== fds.fd) closeSync(fds.tailFd);
      closeSync(fds.fd);
    },
  };
}
