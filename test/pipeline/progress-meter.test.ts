import { describe, expect, it } from 'vitest';
import type { FlashProgress, RegionProgress } from '../../src/model/flash-progress.ts';
import { createProgressMeter } from '../../src/pipeline/progress-meter.ts';

const region = (number: number, sizeBytes: number): RegionProgress => ({ number, name: `p${number}`, phase: 'waiting', compressedBytes: sizeBytes / 2, downloadedBytes: 0, uncompressedBytes: sizeBytes, writtenBytes: 0, verifiedBytes: 0 });

function setup(verify: boolean) {
  let clock = 0;
  const events: FlashProgress[] = [];
  const meter = createProgressMeter({ jobId: 'j', regions: [region(1, 1000), region(2, 3000)], verify, emit: (e) => events.push(e), now: () => clock, windowMs: 2000 });
  return { meter, events, tick: (ms: number) => (clock += ms) };
}

describe('createProgressMeter', () => {
  it('emits at most every 250 ms for counter updates', () => {
    const { meter, events, tick } = setup(false);
    for (let i = 0; i < 100; i += 1) {
      tick(10);
      meter.add(1, { writtenBytes: 1 });
    }
    // 1000 ms of updates every 10 ms: at most 4 per second, plus the first.
    expect(events.length).toBeLessThanOrEqual(5);
    expect(events.length).toBeGreaterThanOrEqual(4);
  });

  it('emits immediately on a phase change and keeps raw numbers per region', () => {
    const { meter, events, tick } = setup(false);
    meter.update(1, { phase: 'writing' });
    tick(1);
    meter.update(1, { phase: 'written', writtenBytes: 1000 });
    expect(events).toHaveLength(2);
    const last = events.at(-1);
    expect(last?.type).toBe('progress');
    if (last?.type !== 'progress') return;
    expect(last.regions.find((r) => r.number === 1)).toMatchObject({ phase: 'written', writtenBytes: 1000, uncompressedBytes: 1000 });
  });

  it('computes speed over the sliding window; the time left and fraction come from the ETA model', () => {
    const { meter, events, tick } = setup(false);
    meter.update(2, { phase: 'writing' });
    // 100 decoded bytes (50 compressed) per 100 ms = 1000 B/s written, 500 B/s downloaded.
    for (let i = 0; i < 24; i += 1) {
      tick(100);
      meter.add(2, { writtenBytes: 100, downloadedBytes: 50 });
    }
    meter.flush();
    const last = events.at(-1);
    if (last?.type !== 'progress') throw new Error('expected progress');
    expect(last.bytesPerSecond).toBe(1000);
    // Left at 500 B/s compressed and 1000 B/s decoded: region 1 (500 compressed, 1000
    // decoded) 1 s, and 600 of region 2's 3000 bytes 0.6 s, plus the 0.3 s before the first
    // bytes were seen moving (fixed costs, counted again for the end) → 1.9 s, shown as 2 s.
    expect(last.etaSeconds).toBe(2);
    expect(last.etaMs).toBe(2000);
    // 2.4 s spent of 2.4 + 1.9 s.
    expect(last.fraction).toBeCloseTo(2.4 / 4.3, 5);
    expect(last.phase).toMatchObject({ name: 'writing', index: 2, count: 2 });
  });

  it('forgets old samples: a stall shows as falling speed', () => {
    const { meter, tick } = setup(false);
    for (let i = 0; i < 10; i += 1) {
      tick(100);
      meter.add(2, { writtenBytes: 100 });
    }
    tick(5000);
    expect(meter.bytesPerSecond()).toBe(0);
  });

  it('counts verification as work when verifying, and counts retries; no time left before it is meaningful', () => {
    const { meter, events, tick } = setup(true);
    tick(1000);
    meter.add(1, { writtenBytes: 1000, verifiedBytes: 1000 });
    meter.retry();
    const last = events.at(-1);
    if (last?.type !== 'progress') throw new Error('expected progress');
    expect(last.retries).toBe(1);
    expect(meter.retries).toBe(1);
    // 8000 total work (write + verify), 2000 done; nothing measured for 2 s yet.
    expect(last.fraction).toBe(0.25);
    expect(last.etaSeconds).toBeNull();
    expect(last.etaMs).toBeNull();
  });
});
