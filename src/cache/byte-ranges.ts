/** A half-open byte range [offsetBytes, offsetBytes + lengthBytes). */
export interface ByteRange {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

export const rangeEnd = (range: ByteRange): number => range.offsetBytes + range.lengthBytes;

export function rangesOverlap(a: ByteRange, b: ByteRange): boolean {
  return a.offsetBytes < rangeEnd(b) && b.offsetBytes < rangeEnd(a);
}

/** Index of the first range in `sorted` (by offset, non-overlapping) that ends after `offsetBytes`. */
export function firstEndingAfter(sorted: readonly ByteRange[], offsetBytes: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (rangeEnd(sorted[mid] as ByteRange) <= offsetBytes) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Total length of sorted, non-overlapping ranges. */
export function totalLength(ranges: readonly ByteRange[]): number {
  return ranges.reduce((sum, r) => sum + r.lengthBytes, 0);
}

/** Adds `range` to sorted non-overlapping `ranges`, merging touching ones. */
export function addMerged(ranges: ByteRange[], range: ByteRange): void {
  let start = range.offsetBytes;
  let end = rangeEnd(range);
  const kept: ByteRange[] = [];
  for (const r of ranges) {
    if (rangeEnd(r) < start || r.offsetBytes > end) kept.push(r);
    else {
      start = Math.min(start, r.offsetBytes);
      end = Math.max(end, rangeEnd(r));
    }
  }
  kept.push({ offsetBytes: start, lengthBytes: end - start });
  kept.sort((a, b) => a.offsetBytes - b.offsetBytes);
  ranges.splice(0, ranges.length, ...kept);
}
