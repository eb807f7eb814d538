/**
 * One lsblk whole-disk entry as a {@link DiskInfo}, completed with drivelist's view of the same
 * device and the set of system disks. Pure, so the mapping is table-tested without devices.
 */
import type { Drive } from 'drivelist';
import type { DiskInfo } from '../model/disk-info.ts';
import { busFromDrivelist } from './drivelist-adapter.ts';
import { descendantsOf, type LsblkDevice } from './lsblk-adapter.ts';
import { SYSTEM_MOUNTPOINTS } from './system-disks.ts';

/** lsblk device types that are whole disks Cosiflash may list. */
const WHOLE_DISK_TYPES: ReadonlySet<string> = new Set(['disk', 'loop']);

/** True for lsblk entries list-disks shows: whole disks and loop devices with a size. */
export function isListableDisk(device: LsblkDevice): boolean {
  return WHOLE_DISK_TYPES.has(device.type) && device.sizeBytes > 0;
}

/** The kernel's identity of a device (sysfs diskseq and MAJ:MIN), read when it was enumerated. */
export interface KernelIdentity {
  readonly diskseq: string | null;
  readonly majMin: string | null;
}

export function lsblkToDiskInfo(device: LsblkDevice, extra: { drive: Drive | null; systemDisks: ReadonlySet<string>; kernel?: KernelIdentity }): DiskInfo {
  const partitions = device.children
    .filter((child) => child.type === 'part')
    .map((part) => ({ device: part.path, sizeBytes: part.sizeBytes, mountpoints: unique([part, ...descendantsOf(part)].flatMap((d) => d.mountpoints)) }));
  const mountpoints = unique([device, ...descendantsOf(device)].flatMap((d) => d.mountpoints));
  const isLoop = device.type === 'loop';
  return {
    device: device.path,
    sizeBytes: device.sizeBytes,
    logicalSectorBytes: device.logicalSectorBytes,
    physicalSectorBytes: device.physicalSectorBytes,
    model: device.model,
    vendor: device.vendor,
    serial: device.serial,
    bus: busOf(device, extra.drive),
    removable: device.removable || device.tran === 'usb',
    readOnly: device.readOnly,
    // drivelist's Linux isSystem means "not removable" (every internal disk); we decide from what the disk hosts.
    system: extra.systemDisks.has(device.path) || mountpoints.some((mountpoint) => SYSTEM_MOUNTPOINTS.includes(mountpoint)),
    virtual: isLoop || /^(zram|ram)\d/.test(device.kname) || extra.drive?.isVirtual === true,
    isWholeDisk: true,
    mountpoints,
    partitions,
    diskseq: extra.kernel?.diskseq ?? null,
    majMin: extra.kernel?.majMin ?? null,
  };
}

/** LOOP for loop devices, lsblk's transport (USB, SATA, NVME, MMC, …), VIRTIO for vd*, else drivelist's bus. */
export function busOf(device: Pick<LsblkDevice, 'type' | 'tran' | 'kname'>, drive: Drive | null): string | null {
  if (device.type === 'loop') return 'LOOP';
  if (device.tran !== null) return device.tran.toUpperCase();
  if (/^vd[a-z]+$/.test(device.kname)) return 'VIRTIO';
  if (/^xvd[a-z]+$/.test(device.kname)) return 'XEN';
  return drive === null ? null : busFromDrivelist(drive);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
