/**
 * Geometry of the to-scale disk bar on the Review screen: GPT regions, partitions and
 * unallocated space as segments covering the whole disk, with a minimum width so a 1 MiB
 * partition on a 64 GiB disk is still visible and clickable.
 *
 * The primary GPT is LBA 0 up to the first usable LBA; the backup GPT (entries + header)
 * follows the last usable LBA up to the end of the disk (UEFI 2.10 §5.3.1).
 */
import type { Layout, PartitionLayout } from '../../../src/model/layout.ts';

export type SegmentKind = 'gpt' | 'partition' | 'free';

export interface DiskSegment {
  readonly kind: SegmentKind;
  readonly label: string;
  readonly startLba: number;
  /** Inclusive. */
  readonly endLba: number;
  readonly sizeBytes: number;
  readonly partition: PartitionLayout | null;
  /** Width in percent of the bar, after applying the minimum. */
  readonly widthPercent: number;
}

/** Segments in disk order, covering LBA 0 to the last LBA of the image's disk. */
export function diskSegments(layout: Layout, options: { minWidthPercent: number }): DiskSegment[] {
  const lbaSize = layout.disk.lbaSize;
  const totalLbas = Math.floor(layout.disk.sizeBytes / lbaSize);
  const raw: Omit<DiskSegment, 'widthPercent'>[] = [];
  const push = (kind: SegmentKind, label: string, startLba: number, endLba: number, partition: PartitionLayout | null): void => {
    if (endLba < startLba) return;
    raw.push({ kind, label, startLba, endLba, sizeBytes: (endLba - startLba + 1) * lbaSize, partition });
  };
  push('gpt', 'GPT', 0, layout.firstUsableLba - 1, null);
  let cursor = layout.firstUsableLba;
  const partitions = [...layout.partitions].sort((a, b) => a.startLba - b.startLba);
  for (const partition of partitions) {
    if (partition.startLba > cursor) push('free', 'Unallocated', cursor, partition.startLba - 1, null);
    push('partition', partition.name === '' ? `#${partition.number}` : partition.name, partition.startLba, partition.endLba, partition);
    cursor = Math.max(cursor, partition.endLba + 1);
  }
  if (layout.lastUsableLba >= cursor) push('free', 'Unallocated', cursor, layout.lastUsableLba, null);
  push('gpt', 'Backup GPT', Math.max(cursor, layout.lastUsableLba + 1), totalLbas - 1, null);
  const widths = applyMinimumWidths(
    raw.map((segment) => segment.endLba - segment.startLba + 1),
    options.minWidthPercent,
  );
  return raw.map((segment, index) => ({ ...segment, widthPercent: widths[index] ?? 0 }));
}

/**
 * Proportional widths (summing to 100) where no item is below `minPercent`: small items are
 * raised to the minimum and the rest share what is left in proportion to their size.
 */
export function applyMinimumWidths(sizes: readonly number[], minPercent: number): number[] {
  const count = sizes.length;
  if (count === 0) return [];
  const min = Math.min(minPercent, 100 / count);
  const pinned = new Set<number>();
  for (;;) {
    const freeTotal = sizes.reduce((sum, size, index) => (pinned.has(index) ? sum : sum + size), 0);
    const freePercent = 100 - pinned.size * min;
    let changed = false;
    for (let index = 0; index < count; index++) {
      if (pinned.has(index)) continue;
      const share = freeTotal > 0 ? ((sizes[index] ?? 0) / freeTotal) * freePercent : freePercent / (count - pinned.size);
      if (share < min) {
        pinned.add(index);
        changed = true;
      }
    }
    if (!changed) {
      return sizes.map((size, index) => (pinned.has(index) ? min : freeTotal > 0 ? (size / freeTotal) * freePercent : freePercent / (count - pinned.size)));
    }
  }
}
