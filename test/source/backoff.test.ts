import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/source/backoff.ts';

describe('backoffDelayMs', () => {
  const options = { baseDelayMs: 200, maxDelayMs: 5000 };

  it('doubles the ceiling per attempt up to the maximum (full jitter: random() = 1 hits the ceiling)', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 40].map((attempt) => backoffDelayMs(attempt, { ...options, random: () => 1 }));
    expect(ceilings).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('can wait anywhere from zero to the ceiling', () => {
    expect(backoffDelayMs(3, { ...options, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, { ...options, random: () => 0.5 })).toBe(400);
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelayMs(4, options);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(1600);
    }
  });
});
