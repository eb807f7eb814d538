/**
 * A human name for a disk: vendor and model when the platform reports them, else what kind
 * of device it is (the device path is always shown next to it). Shared by the UI and the CLI.
 */
import type { DiskInfo } from '../model/disk-info.ts';

export function diskName(disk: Pick<DiskInfo, 'vendor' | 'model' | 'bus' | 'virtual'>): string {
  // Virtual disks report a PCI vendor id (e.g. 0x1af4) as their vendor: not a name.
  const vendor = disk.vendor !== null && /^0x[0-9a-f]+$/i.test(disk.vendor.trim()) ? null : disk.vendor;
  const name = [vendor, disk.model].filter((part): part is string => part !== null && part.trim() !== '').map((part) => part.trim());
  // Some USB bridges repeat the vendor inside the model string.
  if (name.length === 2 && name[1]?.toLowerCase().startsWith(name[0]?.toLowerCase() ?? '')) name.shift();
  if (name.length > 0) return name.join(' ');
  if (disk.bus?.toUpperCase() === 'LOOP') return 'Loop device';
  if (disk.bus !== null && disk.bus.trim() !== '') return `${disk.bus.trim()} disk`;
  return disk.virtual ? 'Virtual disk' : 'Disk';
}
