/**
 * What identifies the disk a user confirmed, so the writer can prove it is still that disk.
 *
 * A device path alone is not an identity: if /dev/sdX goes away during the confirmation (or a
 * pkexec prompt) and another disk takes the name, a path-only request would erase that other
 * disk. Linux's `diskseq` (/sys/block/NAME/diskseq) changes whenever a device is attached
 * again, even under the same name; MAJ:MIN, size, sector size, serial and model narrow it
 * further where diskseq is missing (older kernels, other platforms). Plain data.
 */
export interface DiskIdentity {
  readonly device: string;
  readonly sizeBytes: number;
  readonly logicalSectorBytes: number;
  /** Linux kernel disk sequence number; null where the kernel has none. */
  readonly diskseq: string | null;
  /** Linux `MAJ:MIN` of the whole disk; null elsewhere. */
  readonly majMin: string | null;
  readonly serial: string | null;
  readonly model: string | null;
}
