import { describe, expect, it } from 'vitest';
import type { FlashProgress } from '../../src/model/flash-progress.ts';
import { createRegionLedger, type PlannedRegion } from '../../src/pipeline/region-ledger.ts';

const region = (number: number, sizeBytes: number): PlannedRegion => ({ number, name: `p${number}`, startLba: number * 2048, compressedBytes: sizeBytes / 2, uncompressedBytes: sizeBytes });

function setup(verify: boolean, devices: readonly string[] = ['/dev/loop9']) {
  let clock = 0;
  const events: FlashProgress[] = [];
  const meter = createRegionLedger({ jobId: 'j', devices, regions: [region(1, 1000), region(2, 3000)], verify, emit: (e) => events.push(e), now: () => clock, windowMs: 2000 });
  return { meter, events, tick: (ms: number) => (clock += ms) };
}

describe('createRegionLedger', () => {
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

  it('emits the job\'s first written bytes at once, whatever the interval (time to first byte)', () => {
    const { meter, events, tick } = setup(false);
    meter.update(1, { phase: 'writing' });
    tick(1);
    meter.add(1, { downloadedBytes: 10 });
    expect(events).toHaveLength(1);
    meter.add(1, { writtenBytes: 4 });
    expect(events).toHaveLength(2);
    tick(1);
    meter.add(1, { writtenBytes: 4 });
    expect(events).toHaveLength(2);
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
    // decoded) 1 s, and 600 of region 2's 3000 bytes 0.6 s, plus the 0.1 s before the first
    // bytes were seen moving (emitted at once; fixed costs, counted again for the end) → 1.7 s, shown as 2 s.
    expect(last.etaSeconds).toBe(2);
    expect(last.etaMs).toBe(2000);
    // 2.4 s spent of 2.4 + 1.7 s.
    expect(last.fraction).toBeCloseTo(2.4 / 4.1, 5);
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

  it('keeps one lane per target: the job shows the slowest live target, a dropped target fails alone', () => {
    const { meter, events } = setup(false, ['/dev/loop1', '/dev/loop2']);
    meter.update(1, { phase: 'writing' });
    meter.add(1, { downloadedBytes: 500 });
    meter.add(1, { writtenBytes: 800 }, 0);
    meter.add(1, { writtenBytes: 300 }, 1);
    meter.flush();
    let last = events.at(-1);
    if (last?.type !== 'progress') throw new Error('expected progress');
    expect(last.regions.find((r) => r.number === 1)).toMatchObject({ writtenBytes: 300, downloadedBytes: 500, phase: 'writing' });
    expect(last.targets?.map((t) => [t.device, t.writtenBytes, t.regions.find((r) => r.number === 1)?.downloadedBytes])).toEqual([['/dev/loop1', 800, 500], ['/dev/loop2', 300, 500]]);

    const error = { code: 'E_WRITE', title: 'Writing to the disk failed', detail: 'ENOSPC' };
    meter.failTarget(1, error);
    last = events.at(-1);
    if (last?.type !== 'progress') throw new Error('expected progress');
    // The job now follows the live target; the dropped lane says why.
    expect(last.regions.find((r) => r.number === 1)?.writtenBytes).toBe(800);
    expect(last.targets?.[1]).toMatchObject({ state: 'failed', error });
    expect(meter.liveTargets()).toEqual([0]);
    // Changes without a target reach live targets only; the report keeps each target's own record.
    meter.update(1, { phase: 'written', uncompressedSha384: 'ab' });
    expect(meter.records(0).find((r) => r.number === 1)).toMatchObject({ phase: 'written', uncompressedSha384: 'ab', writtenBytes: 800 });
    expect(meter.records(1).find((r) => r.number === 1)).toMatchObject({ phase: 'failed', uncompressedSha384: null, writtenBytes: 300, error });
  });

  it('emits no lanes for a one-target job, and the report equals what progress showed', () => {
    const { meter, events } = setup(true);
    meter.update(2, { phase: 'writing' });
    meter.add(2, { writtenBytes: 3000 });
    meter.update(2, { phase: 'verified', verifiedBytes: 3000, readBackOk: true });
    const last = events.at(-1);
    if (last?.type !== 'progress') throw new Error('expected progress');
    expect(last.targets).toBeUndefined();
    const shown = last.regions.find((r) => r.number === 2);
    const kept = meter.records(0).find((r) => r.number === 2);
    expect([shown?.phase, shown?.writtenBytes]).toEqual([kept?.phase, kept?.writtenBytes]);
    expect(kept?.readBackOk).toBe(true);
  });
});
