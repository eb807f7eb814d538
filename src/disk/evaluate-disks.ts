/**
 * The candidate list the user sees: every disk with its reasons, and the one auto-selection
 * picks — the smallest eligible disk that fits, ties broken by enumeration order (Trident's
 * stream-disk rule, applied only to eligible disks; docs/behavior.md §4) — or, with `count`,
 * the N smallest by the same rule (`flash --count N`). Pure.
 */
import type { DiskCandidate, DiskInfo } from '../model/disk-info.ts';
import { ineligibleReasons, sourceDisksByMountpoint, type EligibilityContext } from './eligibility.ts';

export function evaluateDisks(disks: readonly DiskInfo[], context: EligibilityContext, count = 1): DiskCandidate[] {
  const resolved = withSourceDisks(disks, context);
  const evaluated = disks.map((disk) => ({ disk, reasons: ineligibleReasons(disk, resolved) }));
  // The `count` smallest that fit (a stable sort: ties keep enumeration order); one by default.
  const fitting = evaluated.map((entry, index) => ({ ...entry, index })).filter(({ disk, reasons }) => reasons.length === 0 && disk.sizeBytes >= context.requiredBytes);
  const selected = new Set(fitting.sort((a, b) => a.disk.sizeBytes - b.disk.sizeBytes).slice(0, Math.max(0, count)).map(({ index }) => index));
  return evaluated.map(({ disk, reasons }, index) => ({ disk, reasons, eligible: reasons.length === 0, selected: selected.has(index) }));
}

/** The context with sourceDisks decided from the whole list's mount points when the caller gave none. */
export function withSourceDisks(disks: readonly DiskInfo[], context: EligibilityContext): EligibilityContext {
  if (context.sourceDisks !== undefined || context.sourcePath === null) return context;
  return { ...context, sourceDisks: sourceDisksByMountpoint(disks, context.sourcePath) };
}
