/** A block device as Cosiflash sees it, from any platform's enumeration. Plain data. */
export interface DiskInfo {
  /** Whole-disk device path, e.g. /dev/sdb, /dev/nvme0n1, /dev/loop3, \\.\PhysicalDrive1. */
  readonly device: string;
  readonly sizeBytes: number;
  readonly logicalSectorBytes: number;
  readonly physicalSectorBytes: number;
  readonly model: string | null;
  readonly vendor: string | null;
  readonly serial: string | null;
  /** USB, SATA, NVME, VIRTIO, LOOP, … as the platform reports it. */
  readonly bus: string | null;
  readonly removable: boolean;
  readonly readOnly: boolean;
  /** Hosts /, /boot, /boot/efi, swap or the running OS. */
  readonly system: boolean;
  readonly virtual: boolean;
  readonly isWholeDisk: boolean;
  /** Mount points of the disk and its partitions (swap shown as "[SWAP]"). */
  readonly mountpoints: readonly string[];
  readonly partitions: readonly { readonly device: string; readonly sizeBytes: number; readonly mountpoints: readonly string[] }[];
  /**
   * Linux kernel disk sequence number (/sys/block/NAME/diskseq) when enumerated: it changes
   * whenever a device is attached again, even under the same name. Null elsewhere / unknown.
   * With majMin, what lets the writer prove a path is still the disk the user was shown.
   */
  readonly diskseq: string | null;
  /** Linux `MAJ:MIN` of the whole disk when enumerated; null elsewhere. */
  readonly majMin: string | null;
}

/** Why a disk cannot be the target. Pure data so UI and CLI can explain it. */
export type IneligibleReason =
  | { readonly code: 'system'; readonly detail: string }
  | { readonly code: 'read-only'; readonly detail: string }
  | { readonly code: 'too-small'; readonly detail: string; readonly neededBytes: number }
  | { readonly code: 'sector-size'; readonly detail: string; readonly lbaSize: number }
  | { readonly code: 'holds-source'; readonly detail: string }
  | { readonly code: 'mounted'; readonly detail: string; readonly mountpoints: readonly string[] }
  | { readonly code: 'not-whole-disk'; readonly detail: string }
  | { readonly code: 'virtual'; readonly detail: string };

export interface DiskCandidate {
  readonly disk: DiskInfo;
  readonly reasons: readonly IneligibleReason[];
  readonly eligible: boolean;
  /** The disk auto-selection picks (smallest eligible that fits). */
  readonly selected: boolean;
}

/** A loop device: listed only when loop devices are allowed (tests, stations with `--allow-loop`). */
export function isLoopDisk(disk: Pick<DiskInfo, 'bus'>): boolean {
  return disk.bus === 'LOOP';
}
