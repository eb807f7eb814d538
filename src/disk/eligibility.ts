/**
 * The safety rules for a target disk (docs/behavior.md §4), as a pure function:
 * every reason a disk cannot take the image, each with a sentence the user can act on. The
 * same rules run for the list shown to the user and again right before writing.
 */
import type { DiskInfo, IneligibleReason } from '../model/disk-info.ts';
import { formatBytes } from '../common/format-units.ts';
import { allMountpoints, mountedSentence, mountpointList } from '../common/mount-points.ts';
import { deepestMountpoint } from './path-under.ts';
import { SYSTEM_MOUNTPOINTS } from './system-disks.ts';

export interface EligibilityContext {
  /** The image's disk.size: the target must be at least this big. */
  requiredBytes: number;
  /** The image's lbaSize: the target's logical sector size must equal it. */
  lbaSize: number;
  /** Local path of the source file, or null for a remote source. */
  sourcePath: string | null;
  /** The user agreed to unmount the disk's mounted filesystems. */
  unmountConsent: boolean;
  /** Loop and other virtual devices may be targets (tests, "show virtual disks"). */
  allowVirtual: boolean;
  /**
   * Whole disks that hold the source file, found by device number (findDisksHolding in
   * find-disks-holding.ts). When absent, decided from the disks' mount points instead.
   */
  sourceDisks?: readonly string[];
}

/** Every reason `disk` cannot be the target; empty when it can. Pure. */
export function ineligibleReasons(disk: DiskInfo, context: EligibilityContext): IneligibleReason[] {
  const reasons: IneligibleReason[] = [];
  const mountpoints = allMountpoints(disk);
  if (disk.system) {
    const hosted = mountpoints.filter((mountpoint) => SYSTEM_MOUNTPOINTS.includes(mountpoint));
    const where = hosted.length > 0 ? ` (${mountpointList(hosted)})` : '';
    reasons.push({ code: 'system', detail: `This disk holds the running system${where}; erasing it would break this computer.` });
  }
  if (disk.readOnly) reasons.push({ code: 'read-only', detail: 'This disk is read-only (write-protected).' });
  if (!disk.isWholeDisk) reasons.push({ code: 'not-whole-disk', detail: `${disk.device} is a partition, not a whole disk; choose the disk it belongs to.` });
  if (disk.virtual && !context.allowVirtual) {
    reasons.push({ code: 'virtual', detail: `${disk.device} is a virtual device${disk.bus === null ? '' : ` (${disk.bus})`}; virtual disks are offered only when explicitly allowed.` });
  }
  if (disk.sizeBytes < context.requiredBytes) {
    reasons.push({
      code: 'too-small',
      neededBytes: context.requiredBytes,
      detail: `Too small: the image needs ${formatBytes(context.requiredBytes)} (${context.requiredBytes} bytes), this disk has ${formatBytes(disk.sizeBytes)} (${disk.sizeBytes} bytes).`,
    });
  }
  if (disk.logicalSectorBytes !== context.lbaSize) {
    reasons.push({
      code: 'sector-size',
      lbaSize: context.lbaSize,
      detail: `The image is laid out for ${context.lbaSize}-byte sectors; this disk uses ${disk.logicalSectorBytes}-byte sectors.`,
    });
  }
  if (context.sourcePath !== null && holdsSource(disk, context, mountpoints)) {
    reasons.push({ code: 'holds-source', detail: `The image file ${context.sourcePath} is stored on this disk.` });
  }
  if (mountpoints.length > 0 && !context.unmountConsent) {
    reasons.push({ code: 'mounted', mountpoints, detail: mountedSentence(mountpoints, { system: disk.system }) });
  }
  return reasons;
}

function holdsSource(disk: DiskInfo, context: EligibilityContext, mountpoints: readonly string[]): boolean {
  if (context.sourceDisks !== undefined) return context.sourceDisks.includes(disk.device);
  // Without device numbers: any mount point of this disk containing the path (conservative).
  return context.sourcePath !== null && deepestMountpoint(context.sourcePath, mountpoints) !== null;
}

/**
 * Which of `disks` hold `sourcePath`, from mount points alone: the disk with the deepest mount
 * point containing the path. Used when the caller did not resolve device numbers.
 */
export function sourceDisksByMountpoint(disks: readonly DiskInfo[], sourcePath: string): string[] {
  let best: { device: string; mountpoint: string } | null = null;
  for (const disk of disks) {
    const mountpoint = deepestMountpoint(sourcePath, allMountpoints(disk));
    if (mountpoint !== null && (best === null || mountpoint.length > best.mountpoint.length)) best = { device: disk.device, mountpoint };
  }
  return best === null ? [] : [best.device];
}
