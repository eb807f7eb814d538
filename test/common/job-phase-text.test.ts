import { describe, expect, it } from 'vitest';
import { jobPhaseText } from '../../src/common/format-units.ts';

describe('jobPhaseText', () => {
  it.each([
    [{ name: 'writing', index: 2, count: 3, fraction: 0.456 }, 'Writing 2 of 3 · 45%'],
    [{ name: 'verifying', index: 1, count: 3, fraction: 0.2 }, 'Verifying 1 of 3 · 20%'],
    [{ name: 'starting', index: 0, count: 3, fraction: 0 }, 'Starting'],
    [{ name: 'finished', index: 3, count: 3, fraction: 1 }, 'Finished'],
    [undefined, 'Starting'],
  ] as const)('%o → %s', (phase, text) => {
    expect(jobPhaseText(phase)).toBe(text);
  });
});
