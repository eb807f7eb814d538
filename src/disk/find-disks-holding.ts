/**
 * Which whole disks hold a file (Linux): from the file's device number (st_dev) through sysfs —
 * partition → its disk, device-mapper/md → their slaves, loop device → its backing file — so a
 * source on LVM, LUKS or a loop-mounted filesystem still names the physical disk under it.
 * Filesystems with anonymous device numbers (btrfs subvolumes) are resolved through the mount
 * table. Used for the "holds the source" and "system disk" rules (docs/behavior.md §4).
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { isPathUnder } from './path-under.ts';

const MAX_DEPTH = 8;

/** Whole-disk device paths (/dev/sda, /dev/loop3, /dev/dm-0 …) under the filesystem holding `path`. Empty when none (tmpfs, overlay) or not Linux. */
export async function findDisksHolding(path: string): Promise<string[]> {
  if (process.platform !== 'linux') return [];
  let dev: bigint;
  try {
    dev = (await stat(path, { bigint: true })).dev;
  } catch {
    return [];
  }
  const found = new Set<string>();
  await resolveDeviceNumber(dev, path, found, 0);
  return [...found];
}

/** Whole disks under the block device node `devicePath` (e.g. a swap partition). */
export async function findDisksUnderNode(devicePath: string): Promise<string[]> {
  if (process.platform !== 'linux') return [];
  try {
    const info = await stat(devicePath, { bigint: true });
    if (!info.isBlockDevice()) return [];
    const found = new Set<string>();
    await resolveSysfs(`/sys/dev/block/${majorOf(info.rdev)}:${minorOf(info.rdev)}`, found, 0);
    return [...found];
  } catch {
    return [];
  }
}

/** Linux dev_t decoding (glibc gnu_dev_major / gnu_dev_minor). */
export function majorOf(dev: bigint): number {
  return Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n));
}

export function minorOf(dev: bigint): number {
  return Number((dev & 0xffn) | ((dev >> 12n) & 0xffffff00n));
}

async function resolveDeviceNumber(dev: bigint, path: string, found: Set<string>, depth: number): Promise<void> {
  if (majorOf(dev) !== 0) {
    await resolveSysfs(`/sys/dev/block/${majorOf(dev)}:${minorOf(dev)}`, found, depth);
    return;
  }
  // Anonymous device (btrfs, tmpfs, overlay): take the mount's source device, if it has one.
  const source = await mountSourceOf(path);
  if (source === null) return;
  try {
    const info = await stat(source, { bigint: true });
    if (info.isBlockDevice()) await resolveSysfs(`/sys/dev/block/${majorOf(info.rdev)}:${minorOf(info.rdev)}`, found, depth);
  } catch {
    // The source is not a device node we can see.
  }
}

async function resolveSysfs(sysfsLink: string, found: Set<string>, depth: number): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let dir: string;
  try {
    dir = await realpath(sysfsLink);
  } catch {
    return;
  }
  const isPartition = await exists(`${dir}/partition`);
  const diskDir = isPartition ? dirname(dir) : dir;
  const diskName = basename(diskDir);
  if (found.has(`/dev/${diskName}`)) return;
  found.add(`/dev/${diskName}`);
  // device-mapper, md: the devices below.
  for (const slave of await list(`${diskDir}/slaves`)) await resolveSysfs(`/sys/class/block/${slave}`, found, depth + 1);
  // loop: the disk that holds its backing file.
  const backing = await readText(`${diskDir}/loop/backing_file`);
  if (backing !== null) {
    try {
      const info = await stat(backing, { bigint: true });
      await resolveDeviceNumber(info.dev, backing, found, depth + 1);
    } catch {
      // Backing file deleted or unreachable from here.
    }
  }
}

/** The source device of the mount containing `path` (longest mount point prefix in /proc/self/mountinfo). */
async function mountSourceOf(path: string): Promise<string | null> {
  const mountinfo = await readText('/proc/self/mountinfo');
  if (mountinfo === null) return null;
  let target: string;
  try {
    target = await realpath(path);
  } catch {
    return null;
  }
  let best: { mountpoint: string; source: string } | null = null;
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    const mountpoint = unescapeMount(left?.split(' ')[4] ?? '');
    const source = unescapeMount(right?.split(' ')[1] ?? '');
    if (mountpoint === '' || !isPathUnder(target, mountpoint)) continue;
    if (best === null || mountpoint.length >= best.mountpoint.length) best = { mountpoint, source };
  }
  return best !== null && best.source.startsWith('/dev/') ? best.source : null;
}

function unescapeMount(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function list(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}
