/**
 * Unmounts everything on a disk before it is written (only after the user agreed): swap areas
 * are switched off, filesystems unmounted deepest first, never lazily. The disk's current
 * mounts are read fresh, since the DiskInfo may be minutes old. Afterwards nothing on the disk
 * may still be mounted, or the flash stops with E_DISK_OPEN.
 */
import { readFile } from 'node:fs/promises';
import { CosiflashError } from '../errors.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import { descendantsOf, readLsblk } from './lsblk-adapter.ts';
import { isPathUnder } from './path-under.ts';
import { runTool, ToolError } from './run-tool.ts';
import { parseProcSwaps } from './system-disks.ts';

interface Mount {
  readonly device: string;
  readonly mountpoint: string;
}

/** Unmounts every mounted partition of `disk` (and the disk itself); swapoff for swap. Throws E_DISK_OPEN / E_PERMISSION. */
export async function unmountDisk(disk: DiskInfo): Promise<void> {
  if (process.platform === 'darwin') {
    await attempt(['diskutil', 'unmountDisk', disk.device], disk.device);
    return;
  }
  if (process.platform !== 'linux') throw new CosiflashError('E_DISK_OPEN', `Unmounting ${disk.device} is not supported on ${process.platform}; close the programs using it and eject its volumes first.`);
  // Stacked mounts of the same path need more than one round.
  for (let round = 0; round < 3; round++) {
    const mounts = await currentMounts(disk);
    if (mounts.length === 0) return;
    await unmountAll(mounts, disk.device);
  }
  const left = await currentMounts(disk);
  if (left.length > 0) {
    throw new CosiflashError('E_DISK_OPEN', `${disk.device} is still mounted after unmounting: ${left.map((m) => `${m.device} at ${m.mountpoint}`).join(', ')}.`);
  }
}

async function unmountAll(mounts: readonly Mount[], device: string): Promise<void> {
  // Swap files living on the disk's filesystems keep them busy.
  const swaps = parseProcSwaps(await readFile('/proc/swaps', 'utf8').catch(() => ''));
  const filesystems = mounts.filter((mount) => mount.mountpoint !== '[SWAP]');
  for (const swap of swaps) {
    if (swap.type === 'file' && filesystems.some((mount) => isPathUnder(swap.path, mount.mountpoint))) await attempt(['swapoff', swap.path], device);
  }
  for (const mount of mounts.filter((m) => m.mountpoint === '[SWAP]')) await attempt(['swapoff', mount.device], device);
  const byDepth = [...new Set(filesystems.map((m) => m.mountpoint))].sort((a, b) => depth(b) - depth(a));
  for (const mountpoint of byDepth) await attempt(['umount', mountpoint], device);
}

/** The disk's mounts as lsblk sees them now; falls back to the DiskInfo if lsblk cannot answer. */
async function currentMounts(disk: DiskInfo): Promise<Mount[]> {
  try {
    const [root] = await readLsblk([disk.device]);
    if (root !== undefined) return [root, ...descendantsOf(root)].flatMap((device) => device.mountpoints.map((mountpoint) => ({ device: device.path, mountpoint })));
  } catch {
    // Fall through to what the enumeration said.
  }
  return [
    ...disk.mountpoints.filter((mountpoint) => !disk.partitions.some((p) => p.mountpoints.includes(mountpoint))).map((mountpoint) => ({ device: disk.device, mountpoint })),
    ...disk.partitions.flatMap((partition) => partition.mountpoints.map((mountpoint) => ({ device: partition.device, mountpoint }))),
  ];
}

function depth(mountpoint: string): number {
  return mountpoint.split('/').filter((part) => part !== '').length;
}

async function attempt(command: readonly [string, ...string[]], device: string): Promise<void> {
  const [tool, ...args] = command;
  try {
    await runTool(tool, args, { timeoutMs: 60_000 });
  } catch (error) {
    const stderr = error instanceof ToolError ? error.stderr : String(error);
    if (/must be superuser|permission denied|not permitted/i.test(stderr)) {
      throw new CosiflashError('E_PERMISSION', `${command.join(' ')}: ${stderr}`, { cause: error });
    }
    throw new CosiflashError('E_DISK_OPEN', `Could not free ${device}: ${command.join(' ')} failed: ${stderr || 'unknown error'}`, { cause: error });
  }
}
