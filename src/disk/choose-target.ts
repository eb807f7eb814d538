/**
 * The disk a flash writes to: the one the user named (it must exist and pass every rule), or
 * the auto-selected one. Errors list the reasons so the user knows what to change. Pure.
 */
import { CosiflashError } from '../errors.ts';
import type { DiskCandidate, DiskInfo } from '../model/disk-info.ts';
import { formatBytes } from '../common/format-units.ts';
import { ineligibleReasons, type EligibilityContext } from './eligibility.ts';
import { evaluateDisks, withSourceDisks } from './evaluate-disks.ts';

/** Throws E_DISK_NOT_FOUND, E_DISK_INELIGIBLE or E_NO_ELIGIBLE_DISK; returns a candidate with selected true. */
export function chooseTarget(disks: readonly DiskInfo[], context: EligibilityContext, explicitDevice?: string): DiskCandidate {
  if (explicitDevice !== undefined) return chooseExplicit(disks, withSourceDisks(disks, context), explicitDevice);
  const candidates = evaluateDisks(disks, context);
  const selected = candidates.find((candidate) => candidate.selected);
  if (selected !== undefined) return selected;
  const detail =
    candidates.length === 0
      ? 'No disks were found.'
      : `No disk can take an image of ${formatBytes(context.requiredBytes)} with ${context.lbaSize}-byte sectors:\n${candidates.map((c) => describeRejection(c)).join('\n')}`;
  throw new CosiflashError('E_NO_ELIGIBLE_DISK', detail);
}

/**
 * The `count` smallest eligible disks that fit (the auto choice's order and rules), smallest
 * first. Fewer than `count` → E_NO_ELIGIBLE_DISK saying how many were found and why the
 * others were refused.
 */
export function chooseTargets(disks: readonly DiskInfo[], context: EligibilityContext, count: number): DiskCandidate[] {
  if (!Number.isInteger(count) || count < 1) throw new CosiflashError('E_INPUT', `The number of target disks must be a whole number of at least 1 (got ${count}).`);
  const candidates = evaluateDisks(disks, context, count);
  const selected = candidates.filter((candidate) => candidate.selected).sort((a, b) => a.disk.sizeBytes - b.disk.sizeBytes);
  if (selected.length === count) return selected;
  const refused = candidates.filter((candidate) => !candidate.selected);
  const found = selected.length === 0 ? 'none can' : `only ${selected.length} can (${selected.map((c) => c.disk.device).join(', ')})`;
  const detail =
    candidates.length === 0
      ? `${count} disks were asked for, but no disks were found.`
      : `${count} disks were asked for, but ${found} take an image of ${formatBytes(context.requiredBytes)} with ${context.lbaSize}-byte sectors${refused.length === 0 ? '.' : `; refused:\n${refused.map((c) => describeRejection(c)).join('\n')}`}`;
  throw new CosiflashError('E_NO_ELIGIBLE_DISK', detail);
}

function chooseExplicit(disks: readonly DiskInfo[], context: EligibilityContext, device: string): DiskCandidate {
  const disk = disks.find((d) => d.device === device) ?? partitionAsDisk(disks, device);
  if (disk === null) {
    const known = disks.length === 0 ? 'none were found' : disks.map((d) => d.device).join(', ');
    const loopHint = /^\/dev\/loop\d+$/.test(device) ? ' Loop devices are considered only when explicitly allowed.' : '';
    throw new CosiflashError('E_DISK_NOT_FOUND', `${device} is not among the disks considered (${known}).${loopHint}`);
  }
  const reasons = ineligibleReasons(disk, context);
  if (reasons.length > 0) throw new CosiflashError('E_DISK_INELIGIBLE', describeRejection({ disk, reasons }));
  return { disk, reasons, eligible: true, selected: true };
}

/** A partition named as the target: a DiskInfo for it, so the rules can say why it is refused. */
function partitionAsDisk(disks: readonly DiskInfo[], device: string): DiskInfo | null {
  for (const parent of disks) {
    const partition = parent.partitions.find((p) => p.device === device);
    if (partition !== undefined) {
      return { ...parent, device, sizeBytes: partition.sizeBytes, isWholeDisk: false, mountpoints: partition.mountpoints, partitions: [] };
    }
  }
  return null;
}

/** "/dev/sdb (14.9 GiB, SanDisk Ultra): reason; reason" */
export function describeRejection(candidate: Pick<DiskCandidate, 'disk' | 'reasons'>): string {
  const { disk } = candidate;
  const what = [formatBytes(disk.sizeBytes), disk.model].filter((part) => part !== null).join(', ');
  return `${disk.device} (${what}): ${candidate.reasons.map((reason) => reason.detail).join(' ')}`;
}
