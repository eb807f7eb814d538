import type { Gap } from '../model/layout.ts';

/**
 * Unallocated LBA ranges between `firstUsableLba` and `lastUsableLba` (inclusive) that no
 * partition covers, in increasing order. Includes the alignment gap before the first
 * partition and the space after the last one: it is all space the image leaves unwritten.
 */
export function findGaps(partitions: readonly { startLba: number; endLba: number }[], range: { firstUsableLba: number; lastUsableLba: number; lbaSize: number }): Gap[] {
  const sorted = [...partitions].sort((a, b) => a.startLba - b.startLba);
  const gaps: Gap[] = [];
  let cursor = range.firstUsableLba;
  const push = (startLba: number, endLba: number): void => {
    if (endLba >= startLba) gaps.push({ startLba, endLba, sizeBytes: (endLba - startLba + 1) * range.lbaSize });
  };
  for (const partition of sorted) {
    push(cursor, Math.min(partition.startLba - 1, range.lastUsableLba));
    cursor = Math.max(cursor, partition.endLba + 1);
  }
  push(cursor, range.lastUsableLba);
  return gaps;
}
