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

  it('computes speed over the sliding window and an ETA for the remaining work', () => {
    const { meter, events, tick } = setup(false);
    // 100 bytes per 100 ms = 1000 B/s.
    for (let i = 0; i < 20; i += 1) {
      tick(100);
      meter.add(2, { writtenBytes: 100 });
    }
    meter.flush();
    const last = events.at(-1);
    if (last?.type !== 'progress') throw new Error('expected progress');
    expect(last.bytesPerSecond).toBe(1000);
    // 4000 total, 2000 done → 2 s left.
    expect(last.etaMs).toBe(2000);
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

  it('counts verification as work when verifying, and counts retries', () => {
    const { meter, events, tick } = setup(true);
    tick(1000);
    meter.add(1, { writtenBytes: 1000, verifiedBytes: 1000 });
    meter.retry();
    const last = events.at(-1);
    if (last?.type !== 'progress') throw new Error('expected progress');
    expect(last.retries).toBe(1);
    expect(meter.retries).toBe(1);
    // 8000 total work (write + verify), 2000 done at 2000 B/s → 3 s.
    expect(last.etaMs).toBe(3000);
  });
});
