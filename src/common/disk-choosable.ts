/**
 * Which candidates a user may pick and when a pick needs consent: the same rules for the
 * Target screen, the Confirm dialog and the CLI. Main decides eligibility (src/disk/, checked
 * again before a flash); these only read its verdict.
 */
import type { DiskCandidate } from '../model/disk-info.ts';
import { allMountpoints } from './mount-points.ts';

/**
 * A candidate the user may pick: eligible, or refused only because partitions are mounted
 * (the Confirm dialog then asks for consent to unmount them).
 */
export function isChoosable(candidate: DiskCandidate): boolean {
  return candidate.eligible || (candidate.reasons.length > 0 && candidate.reasons.every((reason) => reason.code === 'mounted'));
}

/** Whether flashing this candidate needs the user's consent to unmount its partitions. */
export function needsUnmountConsent(candidate: DiskCandidate): boolean {
  return allMountpoints(candidate.disk).length > 0;
}
