/**
 * Every disk of this computer as {@link DiskInfo}. On Linux lsblk gives the whole picture
 * (loop devices, logical sector size, serial, partitions and their mount points), drivelist
 * completes the bus type, and the system disks are found by device number. Elsewhere drivelist
 * is the answer. Loop devices are listed only when allowed (tests, "show virtual disks").
 */
import type { Drive } from 'drivelist';
import { isLoopDisk, type DiskInfo } from '../model/disk-info.ts';
import { driveToDiskInfo, readDrivelist } from './drivelist-adapter.ts';
import { readLsblk } from './lsblk-adapter.ts';
import { readKernelIdentity } from './read-disk-identity.ts';
import { isListableDisk, lsblkToDiskInfo } from './lsblk-to-disk-info.ts';
import { findSystemDisks } from './system-disks.ts';

export interface ListDisksOptions {
  /** Include loop devices (bus LOOP). Default false. */
  allowLoop?: boolean;
  /** Keep only these exact device paths (tests restrict candidates to their own loop devices). */
  onlyDevices?: readonly string[];
}

/** Lists whole disks in enumeration order; see {@link ListDisksOptions}. */
export async function listDisks(options: ListDisksOptions = {}): Promise<DiskInfo[]> {
  const disks = process.platform === 'linux' ? await listLinuxDisks() : (await readDrivelist()).map((drive) => driveToDiskInfo(drive));
  const only = options.onlyDevices === undefined ? null : new Set(options.onlyDevices);
  return disks.filter((disk) => (options.allowLoop === true || !isLoopDisk(disk)) && (only === null || only.has(disk.device)));
}

async function listLinuxDisks(): Promise<DiskInfo[]> {
  const [devices, drives, systemDisks] = await Promise.all([
    readLsblk(),
    // drivelist only adds detail on Linux; a broken native module must not hide the disks.
    readDrivelist().catch((): Drive[] => []),
    findSystemDisks(),
  ]);
  const byDevice = new Map(drives.map((drive) => [drive.device, drive]));
  return devices
    .filter((device) => isListableDisk(device))
    .map((device) => lsblkToDiskInfo(device, { drive: byDevice.get(device.path) ?? null, systemDisks, kernel: readKernelIdentity(device.path) }));
}
