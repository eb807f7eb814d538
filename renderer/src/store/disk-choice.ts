/**
 * Pure rules for the disk choice on the Target screen.
 *
 * Main decides eligibility (src/disk rules, re-checked before a flash); the UI only decides
 * which candidate is highlighted: the user's own pick while it stays choosable, otherwise
 * the one main marked `selected` (the smallest eligible disk that fits). Which candidates are
 * choosable at all is src/common/disk-choosable.ts, shared with the CLI.
 */
import { isChoosable } from '../../../src/common/disk-choosable.ts';
import type { DiskCandidate } from '../../../src/model/disk-info.ts';

/** The device to highlight after a (re)listing. */
export function chooseHighlighted(candidates: readonly DiskCandidate[], current: { readonly device: string | null; readonly userPicked: boolean }): { device: string | null; userPicked: boolean } {
  if (current.userPicked && current.device !== null) {
    const still = candidates.find((candidate) => candidate.disk.device === current.device);
    if (still !== undefined && isChoosable(still)) return { device: current.device, userPicked: true };
  }
  const best = candidates.find((candidate) => candidate.selected && candidate.eligible);
  return { device: best?.disk.device ?? null, userPicked: false };
}

/** Eligible and choosable disks first (smallest first), then the refused ones; stable otherwise. */
export function sortCandidates(candidates: readonly DiskCandidate[]): DiskCandidate[] {
  const rank = (candidate: DiskCandidate): number => (candidate.eligible ? 0 : isChoosable(candidate) ? 1 : 2);
  return [...candidates].sort((a, b) => rank(a) - rank(b) || a.disk.sizeBytes - b.disk.sizeBytes || a.disk.device.localeCompare(b.disk.device));
}
