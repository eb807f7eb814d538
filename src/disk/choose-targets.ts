/**
 * The disks one flash job writes: the devices the user named (each must exist and pass every
 * rule, exactly as for one disk), the `count` smallest eligible disks that fit, or the one
 * auto-selected disk. Pure.
 */
import { CosiflashError } from '../errors.ts';
import type { DiskCandidate, DiskInfo } from '../model/disk-info.ts';
import { formatBytes } from '../common/format-units.ts';
import { chooseTarget, describeRejection } from './choose-target.ts';
import type { EligibilityContext } from './eligibility.ts';
import { evaluateDisks } from './evaluate-disks.ts';

export interface TargetSelection {
  /** Devices named by the user (`--disk` repeated); wins over `count`. */
  readonly devices?: readonly string[];
  /** How many disks to pick automatically: the smallest eligible disks that fit (`--count N`). */
  readonly count?: number;
}

/** The largest number of targets one job accepts (each gets its own writer thread). */
export const MAX_TARGETS = 16;

/** Throws E_INPUT, E_DISK_NOT_FOUND, E_DISK_INELIGIBLE or E_NO_ELIGIBLE_DISK; candidates in the order named or by size. */
export function chooseTargets(disks: readonly DiskInfo[], context: EligibilityContext, selection: TargetSelection = {}): DiskCandidate[] {
  const { devices, count } = selection;
  if (devices !== undefined && devices.length > 0) {
    const seen = new Set<string>();
    for (const device of devices) {
      if (seen.has(device)) throw new CosiflashError('E_INPUT', `${device} is named twice; name each disk once.`);
      seen.add(device);
    }
    if (devices.length > MAX_TARGETS) throw new CosiflashError('E_INPUT', `${devices.length} disks named; one flash writes at most ${MAX_TARGETS}.`);
    return devices.map((device) => chooseTarget(disks, context, device));
  }
  if (count === undefined || count === 1) return [chooseTarget(disks, context)];
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_TARGETS) throw new CosiflashError('E_INPUT', `The disk count must be a whole number from 1 to ${MAX_TARGETS} (got ${String(count)}).`);
  return smallestThatFit(disks, context, count);
}

/** The `count` smallest eligible disks that fit, smallest first (ties: enumeration order). */
function smallestThatFit(disks: readonly DiskInfo[], context: EligibilityContext, count: number): DiskCandidate[] {
  const candidates = evaluateDisks(disks, context);
  const fitting = candidates
    .map((candidate, index) => ({ candidate, index }))
    .filter(({ candidate }) => candidate.eligible && candidate.disk.sizeBytes >= context.requiredBytes)
    .sort((a, b) => a.candidate.disk.sizeBytes - b.candidate.disk.sizeBytes || a.index - b.index)
    .map(({ candidate }) => candidate);
  if (fitting.length < count) {
    const rejected = candidates.filter((c) => !fitting.includes(c));
    const detail = [
      `${count} disks were asked for, ${fitting.length === 0 ? 'no disk' : `only ${fitting.length}`} can take an image of ${formatBytes(context.requiredBytes)} with ${context.lbaSize}-byte sectors${fitting.length === 0 ? '' : ` (${fitting.map((c) => c.disk.device).join(', ')})`}.`,
      ...rejected.map((c) => describeRejection(c)),
    ].join('\n');
    throw new CosiflashError('E_NO_ELIGIBLE_DISK', detail);
  }
  return fitting.slice(0, count).map((candidate) => ({ ...candidate, selected: true }));
}
