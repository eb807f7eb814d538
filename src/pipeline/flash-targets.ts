/**
 * The targets of one flash job, as the writer holds them: chosen from a fresh enumeration and
 * re-checked exactly like a single target (eligibility, unmount only with consent, the
 * identity the user confirmed after the exclusive open), and cleared when a flash fails.
 */
import { allMountpoints } from '../common/mount-points.ts';
import { chooseTarget } from '../disk/choose-target.ts';
import { dropKernelPartitions } from '../disk/drop-kernel-partitions.ts';
import type { EligibilityContext } from '../disk/eligibility.ts';
import { identityDifferences, readDiskIdentity } from '../disk/read-disk-identity.ts';
import { unmountDisk } from '../disk/unmount-disk.ts';
import { CosiflashError, fromAppError, toAppError } from '../errors.ts';
import type { DiskIdentity } from '../model/disk-identity.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import type { FlashRequest } from '../model/flash-request.ts';
import { openTarget, type TargetDevice } from './target-device.ts';

/** One named (or auto-chosen) target of the request, with the identity the user confirmed. */
interface Wanted {
  readonly device: string | undefined;
  readonly confirmed: DiskIdentity | undefined;
}

/** The targets a request names, in its order: `device` (or auto-selection), then `moreTargets`. */
function wantedTargets(request: FlashRequest): Wanted[] {
  const more = request.moreTargets ?? [];
  if (more.length > 0 && request.device === undefined) throw new CosiflashError('E_INPUT', 'Several targets need the first one named (device).');
  const all: Wanted[] = [{ device: request.device, confirmed: request.confirmedDisk }, ...more.map((t) => ({ device: t.device, confirmed: t.confirmedDisk }))];
  const seen = new Set<string>();
  for (const { device } of all) {
    if (device === undefined) continue;
    if (seen.has(device)) throw new CosiflashError('E_INPUT', `${device} is named more than once.`);
    seen.add(device);
  }
  return all;
}

export interface ChosenTarget {
  readonly disk: DiskInfo;
  readonly confirmed: DiskIdentity | undefined;
}

/**
 * Chooses every target from `disks` (E_DISK_NOT_FOUND / E_DISK_INELIGIBLE / E_NO_ELIGIBLE_DISK
 * for any of them: the job is refused before anything is written), unmounts those with mounted
 * partitions when the user agreed, and re-checks those against a fresh enumeration.
 */
export async function chooseTargets(request: FlashRequest, disks: readonly DiskInfo[], context: EligibilityContext, relist: () => Promise<DiskInfo[]>, signal: AbortSignal): Promise<ChosenTarget[]> {
  const chosen = wantedTargets(request).map(({ device, confirmed }) => ({ disk: chooseTarget(disks, context, device).disk, confirmed }));
  const mounted = chosen.filter((t) => allMountpoints(t.disk).length > 0);
  if (!request.unmount || mounted.length === 0) return chosen;
  for (const t of mounted) await unmountDisk(t.disk);
  signal.throwIfAborted();
  // After unmounting, re-check against a fresh enumeration: nothing may be mounted now.
  // (Without an unmount the enumeration is milliseconds old, and O_EXCL refuses a disk that got mounted since.)
  const fresh = await relist();
  return chosen.map((t) => ({ disk: chooseTarget(fresh, { ...context, unmountConsent: false }, t.disk.device).disk, confirmed: t.confirmed }));
}

/** A target held exclusively for the job. */
export interface HeldTarget {
  readonly disk: DiskInfo;
  readonly device: TargetDevice;
  /** The identity checked after the exclusive open. */
  readonly identity: DiskIdentity;
}

/**
 * Opens one target exclusively and proves it is still the disk the user confirmed before a byte
 * is written (E_DISK_CHANGED); closes it again when it is not.
 */
export function holdTarget(target: ChosenTarget): HeldTarget {
  const device = openTarget(target.disk.device, { sizeBytes: target.disk.sizeBytes, blockBytes: target.disk.logicalSectorBytes });
  try {
    const identity = readDiskIdentity(target.disk);
    if (target.confirmed !== undefined) {
      const differences = identityDifferences(target.confirmed, identity);
      if (differences.length > 0) {
        throw new CosiflashError('E_DISK_CHANGED', `The disk you confirmed is no longer at ${target.confirmed.device} (${differences.join('; ')}). Nothing was written.`);
      }
    }
    return { disk: target.disk, device, identity };
  } catch (error) {
    device.close();
    throw error;
  }
}

/** Before writing: the kernel must hold no partition of the disk (else E_DISK_OPEN, nothing written). */
export async function expectNoKernelPartitions(device: string, when: string): Promise<void> {
  const { remaining, problems } = await dropKernelPartitions(device);
  if (remaining.length > 0) {
    throw new CosiflashError('E_DISK_OPEN', `The kernel still lists partitions of ${device} ${when} (${remaining.join(', ')}): one is in use${problems.length > 0 ? ` (${problems.join('; ')})` : ''}. Nothing was written.`);
  }
}

/** After a failed flash of a touched disk: drops the kernel's partitions; says so in the error when some remain. */
export async function withKernelPartitionsDropped(error: unknown, device: string): Promise<unknown> {
  const { remaining } = await dropKernelPartitions(device);
  if (remaining.length === 0) return error;
  const app = fromAppError(toAppError(error));
  return new CosiflashError(app.code, `${app.detail} The disk has no valid partition table, but the kernel still lists ${remaining.join(', ')} (in use): do not mount them.`, { cause: error });
}
