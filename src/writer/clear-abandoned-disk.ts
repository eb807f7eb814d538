/**
 * What a front end does when its writer died without a result (SIGKILL, crash, killed for
 * silence) after it had been given a disk: zero both ends of the disk and drop its kernel
 * partitions, so the disk cannot be left with a valid-looking table over unverified data
 * (issue 9 §1). Only when this process has the rights (root, or the device is writable by
 * it) and only while the device is still the same disk (kernel diskseq, MAJ:MIN and size as
 * when the writer announced it) — otherwise it says why it did nothing.
 */
import { closeSync, constants, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { dropKernelPartitions } from '../disk/drop-kernel-partitions.ts';
import { openTarget } from '../pipeline/target-device.ts';

/** The disk as the writer announced it: enough to recognise it later and to size the wipe. */
export interface AbandonedDisk {
  readonly device: string;
  readonly diskseq: string | null;
  readonly majMin: string | null;
  readonly sizeBytes: number;
  readonly blockBytes: number;
}

export interface ClearOutcome {
  readonly cleared: boolean;
  /** One sentence for the user: what was done, or why nothing was. */
  readonly detail: string;
}

function sysfs(name: string, file: string): string | null {
  try {
    const value = readFileSync(`/sys/class/block/${name}/${file}`, 'utf8').trim();
    return value === '' ? null : value;
  } catch {
    return null;
  }
}

/** Reads the disk's identity now; null when it is not a whole Linux block device or a plain file. */
export function snapshotDisk(device: string): AbandonedDisk | null {
  try {
    const real = realpathSync(device);
    const stat = statSync(real);
    if (stat.isFile()) return { device, diskseq: null, majMin: `file:${stat.dev}:${stat.ino}`, sizeBytes: stat.size, blockBytes: 512 };
    if (!stat.isBlockDevice() || process.platform !== 'linux') return null;
    const name = basename(real);
    const sectors = Number(sysfs(name, 'size'));
    const blockBytes = Number(sysfs(name, 'queue/logical_block_size'));
    if (!Number.isSafeInteger(sectors) || sectors <= 0 || !Number.isSafeInteger(blockBytes) || blockBytes <= 0) return null;
    return { device, diskseq: sysfs(name, 'diskseq'), majMin: sysfs(name, 'dev'), sizeBytes: sectors * 512, blockBytes };
  } catch {
    return null;
  }
}

function canWrite(device: string): boolean {
  try {
    closeSync(openSync(device, constants.O_RDWR | constants.O_NONBLOCK));
    return true;
  } catch {
    return false;
  }
}

/** Zeroes both ends of `disk` and drops its kernel partitions, if it is still the same disk and we may. Never throws. */
export async function clearAbandonedDisk(disk: AbandonedDisk): Promise<ClearOutcome> {
  if (!canWrite(disk.device)) {
    return { cleared: false, detail: `Cosiflash has no rights to clear ${disk.device} from here: it may hold a valid partition table over unverified data — do not use it, flash it again.` };
  }
  const now = snapshotDisk(disk.device);
  if (now === null || now.diskseq !== disk.diskseq || now.majMin !== disk.majMin || now.sizeBytes !== disk.sizeBytes) {
    return { cleared: false, detail: `${disk.device} is no longer the disk that was being written, so it was left alone.` };
  }
  try {
    const target = openTarget(disk.device, { sizeBytes: disk.sizeBytes, blockBytes: disk.blockBytes });
    try {
      await target.zeroEdges();
    } finally {
      target.close();
    }
  } catch (error) {
    return { cleared: false, detail: `Clearing ${disk.device} failed (${error instanceof Error ? error.message : String(error)}): it may hold a valid partition table over unverified data — do not use it, flash it again.` };
  }
  const { remaining } = await dropKernelPartitions(disk.device);
  const kernel = remaining.length === 0 ? '' : ` The kernel still lists ${remaining.join(', ')} (in use): do not mount them.`;
  return { cleared: true, detail: `Both ends of ${disk.device} were zeroed: it has no valid partition table.${kernel}` };
}
