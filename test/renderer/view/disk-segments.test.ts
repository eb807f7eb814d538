import { describe, expect, it } from 'vitest';
import { applyMinimumWidths, diskSegments } from '../../../renderer/src/view/disk-segments.ts';
import { samplePartition, sampleLayout } from '../sample-data.ts';

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

describe('diskSegments', () => {
  it('covers the disk from LBA 0 to its end: GPT, partitions, hatched gaps, backup GPT', () => {
    const layout = sampleLayout();
    const segments = diskSegments(layout, { minWidthPercent: 3 });
    expect(segments.map((s) => [s.kind, s.label])).toEqual([
      ['gpt', 'GPT'],
      ['free', 'Unallocated'],
      ['partition', 'esp'],
      ['free', 'Unallocated'],
      ['partition', 'root'],
      ['free', 'Unallocated'],
      ['gpt', 'Backup GPT'],
    ]);
    expect(segments[0]?.startLba).toBe(0);
    expect(segments.at(-1)?.endLba).toBe(layout.disk.sizeBytes / 512 - 1);
    for (let index = 1; index < segments.length; index++) expect(segments[index]?.startLba).toBe((segments[index - 1]?.endLba ?? 0) + 1);
    expect(sum(segments.map((s) => s.sizeBytes))).toBe(layout.disk.sizeBytes);
    expect(sum(segments.map((s) => s.widthPercent))).toBeCloseTo(100, 6);
  });

  it('keeps a tiny partition visible at the minimum width', () => {
    const layout = { ...sampleLayout(), disk: { ...sampleLayout().disk, sizeBytes: 64 * 1024 ** 3 } };
    const tiny = samplePartition({ number: 3, name: 'tiny', startLba: 200_000, endLba: 200_007 });
    const segments = diskSegments({ ...layout, lastUsableLba: (64 * 1024 ** 3) / 512 - 34, partitions: [...layout.partitions, tiny] }, { minWidthPercent: 3 });
    expect(segments.find((s) => s.label === 'tiny')?.widthPercent).toBeCloseTo(3, 6);
    expect(sum(segments.map((s) => s.widthPercent))).toBeCloseTo(100, 6);
  });
});

describe('applyMinimumWidths', () => {
  it('is proportional when nothing is below the minimum', () => {
    expect(applyMinimumWidths([1, 3], 2)).toEqual([25, 75]);
  });
  it('raises small items and shares the rest proportionally', () => {
    const widths = applyMinimumWidths([1, 1000, 3000], 5);
    expect(widths[0]).toBe(5);
    expect(widths[1]).toBeCloseTo(23.75, 6);
    expect(widths[2]).toBeCloseTo(71.25, 6);
  });
  it('copes with more items than the minimum allows, and with zero sizes', () => {
    expect(sum(applyMinimumWidths(Array.from({ length: 50 }, () => 1), 5))).toBeCloseTo(100, 6);
    expect(applyMinimumWidths([0, 0], 5)).toEqual([50, 50]);
    expect(applyMinimumWidths([], 5)).toEqual([]);
  });
});
