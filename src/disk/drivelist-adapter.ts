/**
 * The cross-platform disk list from drivelist (balena's enumerator: lsblk on Linux, diskutil on
 * macOS, SetupAPI on Windows), mapped to {@link DiskInfo}. On Linux list-disks.ts uses it only
 * to complete lsblk's answer (bus type, the system flag); elsewhere it is the whole answer.
 */
import drivelist from 'drivelist';
import type { Drive } from 'drivelist';
import type { DiskInfo } from '../model/disk-info.ts';

export type { Drive };

/** drivelist.list(), typed. */
export async function readDrivelist(): Promise<Drive[]> {
  return drivelist.list();
}

/** A drivelist Drive as a DiskInfo (no partition details: drivelist only gives mount points). */
export function driveToDiskInfo(drive: Drive): DiskInfo {
  const bus = busFromDrivelist(drive);
  const mountpoints = drive.mountpoints.map((mountpoint) => mountpoint.path);
  return {
    device: drive.device,
    sizeBytes: drive.size ?? 0,
    logicalSectorBytes: drive.logicalBlockSize || 512,
    physicalSectorBytes: drive.blockSize || drive.logicalBlockSize || 512,
    model: drive.description.trim() === '' ? null : drive.description.trim(),
    vendor: null,
    serial: null,
    bus,
    removable: drive.isRemovable,
    readOnly: drive.isReadOnly,
    system: drive.isSystem,
    virtual: drive.isVirtual === true,
    isWholeDisk: true,
    mountpoints,
    partitions: [],
    diskseq: null,
    majMin: null,
  };
}

/** drivelist's bus type, upper-case, or null when it does not know ("UNKNOWN"). */
export function busFromDrivelist(drive: Pick<Drive, 'busType' | 'isUSB'>): string | null {
  if (drive.isUSB === true) return 'USB';
  const bus = drive.busType.trim().toUpperCase();
  return bus === '' || bus === 'UNKNOWN' ? null : bus;
}
