import { describe, expect, it } from 'vitest';
import { partitionTone } from '../../../renderer/src/view/partition-tone.ts';

describe('partitionTone', () => {
  it.each([
    ['EFI System', 'esp'],
    ['Root Partition (x86-64)', 'root'],
    ['Root Verity Partition (x86-64)', 'verity'],
    ['Extended Boot Loader (XBOOTLDR)', 'boot'],
    ['Swap', 'swap'],
    ['Home Partition', 'data'],
    ['Linux filesystem', 'data'],
    ['Unknown', 'other'],
  ])('%s → %s', (name, tone) => {
    expect(partitionTone(name)).toBe(tone);
  });
});
