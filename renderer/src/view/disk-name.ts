/**
 * A human name for a disk: vendor and model when the platform reports them, else what kind
 * of device it is (the device path is always shown next to it).
 */
import type { DiskInfo } from '../../../src/model/disk-info.ts';

export function diskName(disk: Pick<DiskInfo, 'vendor' | 'model' | 'bus' | 'virtual'>): string {
  const name = [disk.vendor, disk.model].filter((part): part is string => part !== null && part.trim() !== '').map((part) => part.trim());
  // Some USB bridges repeat the vendor inside the model string.
  if (name.length === 2 && name[1]?.toLowerCase().startsWith(name[0]?.toLowerCase() ?? '')) name.shift();
  if (name.length > 0) return name.join(' ');
  if (disk.bus?.toUpperCase() === 'LOOP') return 'Loop device';
  if (disk.bus !== null && disk.bus.trim() !== '') return `${disk.bus.trim()} disk`;
  return disk.virtual ? 'Virtual disk' : 'Disk';
}
