/**
 * The identity of a disk as it was enumerated (model/disk-identity.ts): what the renderer sends
 * as the disk the user confirmed, and what the flash plan and the writer compare with the disk
 * at that path later. Pure (the renderer imports it).
 */
import type { DiskIdentity } from '../model/disk-identity.ts';
import type { DiskInfo } from '../model/disk-info.ts';

export function diskIdentityOf(disk: Pick<DiskInfo, 'device' | 'sizeBytes' | 'logicalSectorBytes' | 'diskseq' | 'majMin' | 'serial' | 'model'>): DiskIdentity {
  return {
    device: disk.device,
    sizeBytes: disk.sizeBytes,
    logicalSectorBytes: disk.logicalSectorBytes,
    diskseq: disk.diskseq,
    majMin: disk.majMin,
    serial: disk.serial,
    model: disk.model,
  };
}
