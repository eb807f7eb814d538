/**
 * The candidate list the user sees: every disk with its reasons, and the one auto-selection
 * picks — the smallest eligible disk that fits, ties broken by enumeration order (Trident's
 * stream-disk rule, applied only to eligible disks; docs/behavior.md §4). Pure.
 */
import type { DiskCandidate, DiskInfo } from '../model/disk-info.ts';
import { ineligibleReasons, sourceDisksByMountpoint, type EligibilityContext } from './eligibility.ts';

export function evaluateDisks(disks: readonly DiskInfo[], context: EligibilityContext): DiskCandidate[] {
  const resolved = withSourceDisks(disks, context);
  const evaluated = disks.map((disk) => ({ disk, reasons: ineligibleReasons(disk, resolved) }));
  let selected = -1;
  evaluated.forEach(({ disk, reasons }, index) => {
    const fits = reasons.length === 0 && disk.sizeBytes >= context.requiredBytes;
    if (fits && (selected === -1 || disk.sizeBytes < (evaluated[selected]?.disk.sizeBytes ?? Infinity))) selected = index;
  });
  return evaluated.map(({ disk, reasons }, index) => ({ disk, reasons, eligible: reasons.length === 0, selected: index === selected }));
}

/** The context with sourceDisks decided from the whole list's mount points when the caller gave none. */
export function withSourceDisks(disks: readonly DiskInfo[], context: EligibilityContext): EligibilityContext {
  if (context.sourceDisks !== undefined || context.sourcePath === null) return context;
  return { ...context, sourceDisks: sourceDisksByMountpoint(disks, context.sourcePath) };
}
