import { describe, expect, it } from 'vitest';
import type { DiskInfo } from '../../src/model/disk-info.ts';
import type { FlashProgress } from '../../src/model/flash-progress.ts';
import { createFlashLedger, type RegionPlan } from '../../src/pipeline/region-ledger.ts';
import { makeDisk } from '../disk/make-disk.ts';

const region = (number: number, sizeBytes: number): RegionPlan => ({ number, name: `p${number}`, startLba: number * 2048, compressedBytes: sizeBytes / 2, uncompressedBytes: sizeBytes });

function setup(verify: boolean, disks: readonly DiskInfo[] = [makeDisk({ device: '/dev/sdx' })]) {
  let clock = 0;
  const events: FlashProgress[] = [];
  const ledger = createFlashLedger({ jobId: 'j', regions: [region(1, 1000), region(2, 3000)], disks, verify, emit: (e) => events.push(e), now: () => clock, windowMs: 2000 });
  const target = ledger.targets[0]!;
  return { ledger, target, events, tick: (ms: number) => (clock += ms) };
}

const lastProgress = (events: readonly FlashProgress[]): Extract<FlashProgress, { type: 'progress' }> => {
  const last = events.at(-1);
  if (last?.type !== 'progress') throw new Error('expected progress');
  return last;
};

describe('createFlashLedger: progress (emitted once, throttled here)', () => {
  it('emits at most every 250 ms for counter updates', () => {
    const { target, events, tick } = setup(false);
    for (let i = 0; i < 100; i += 1) {
      tick(10);
      target.add(1, { writtenBytes: 1 });
    }
    // 1000 ms of updates every 10 ms: at most 4 per second, plus the first.
    expect(events.length).toBeLessThanOrEqual(5);
    expect(events.length).toBeGreaterThanOrEqual(4);
  });

  it('emits immediately on a phase change and keeps raw numbers per region', () => {
    const { target, events, tick } = setup(false);
    target.phase(1, 'writing');
    tick(1);
    target.record(1, { writtenBytes: 1000 });
    target.phase(1, 'written');
    expect(events).toHaveLength(2);
    expect(lastProgress(events).regions.find((r) => r.number === 1)).toMatchObject({ phase: 'written', writtenBytes: 1000, uncompressedBytes: 1000 });
  });

  it('computes speed over the sliding window; the time left and fraction come from the ETA model', () => {
    const { ledger, target, events, tick } = setup(false);
    target.phase(2, 'writing');
    // 100 decoded bytes (50 compressed) per 100 ms = 1000 B/s written, 500 B/s downloaded.
    for (let i = 0; i < 24; i += 1) {
      tick(100);
      target.add(2, { writtenBytes: 100 });
      ledger.downloaded(2, 50);
    }
    ledger.flush();
    const last = lastProgress(events);
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
    const { ledger, target, tick } = setup(false);
    for (let i = 0; i < 10; i += 1) {
      tick(100);
      target.add(2, { writtenBytes: 100 });
    }
    tick(5000);
    expect(ledger.bytesPerSecond()).toBe(0);
  });

  it('counts verification as work when verifying, and counts retries; no time left before it is meaningful', () => {
    const { ledger, target, events, tick } = setup(true);
    tick(1000);
    target.add(1, { writtenBytes: 1000, verifiedBytes: 1000 });
    ledger.retry();
    const last = lastProgress(events);
    expect(last.retries).toBe(1);
    expect(ledger.retries).toBe(1);
    // 8000 total work (write + verify), 2000 done; nothing measured for 2 s yet.
    expect(last.fraction).toBe(0.25);
    expect(last.etaSeconds).toBeNull();
    expect(last.etaMs).toBeNull();
  });

  it('shares download counters between targets and gives each its own lane with its device path', () => {
    const disks = [makeDisk({ device: '/dev/sdx' }), makeDisk({ device: '/dev/sdy' })];
    const { ledger, events } = setup(false, disks);
    ledger.downloaded(2, 500);
    ledger.targets[1]!.add(2, { writtenBytes: 700 });
    ledger.flush();
    const last = lastProgress(events);
    expect(last.targets?.map((t) => t.device)).toEqual(['/dev/sdx', '/dev/sdy']);
    expect(last.targets?.map((t) => t.regions.find((r) => r.number === 2)?.downloadedBytes)).toEqual([500, 500]);
    expect(last.targets?.map((t) => t.regions.find((r) => r.number === 2)?.writtenBytes)).toEqual([0, 700]);
  });

  it('a dropped target keeps its lane as failed with the reason; the primary lane moves to a running target', () => {
    const disks = [makeDisk({ device: '/dev/sdx' }), makeDisk({ device: '/dev/sdy' })];
    const { ledger, events, tick } = setup(false, disks);
    const error = { code: 'E_WRITE', title: 'Write failed', detail: 'EIO' };
    ledger.targets[0]!.phase(1, 'writing');
    ledger.targets[1]!.phase(1, 'writing');
    tick(1000);
    ledger.targets[0]!.add(1, { writtenBytes: 100 });
    ledger.targets[0]!.fail(error);
    const last = lastProgress(events);
    expect(last.targets?.[0]).toMatchObject({ device: '/dev/sdx', state: 'failed', error });
    expect(last.targets?.[0]?.regions.find((r) => r.number === 1)?.phase).toBe('failed');
    expect(last.targets?.[1]?.state).toBe('running');
    expect(last.regions.find((r) => r.number === 1)?.phase).toBe('writing');
    expect(ledger.running().map((t) => t.device)).toEqual(['/dev/sdy']);
  });

  it("the job's time left, fraction and phase are the slowest running target's (its own ETA model, its own disk-busy time)", () => {
    /** Writes region 2 on each target at its own rate (decoded bytes per 100 ms), with the disk busy all the time. */
    const run = (rates: readonly number[], steps: number, given?: ReturnType<typeof setup>) => {
      const context = given ?? setup(false, rates.map((_, i) => makeDisk({ device: `/dev/sd${'xyz'[i]}` })));
      const { ledger, tick } = context;
      let clock = 0;
      if (given === undefined) ledger.targets.forEach((t) => t.phase(2, 'writing'));
      for (let i = 0; i < steps; i += 1) {
        tick(100);
        clock += 100;
        ledger.downloaded(2, 50);
        rates.forEach((rate, index) => {
          const t = ledger.targets[index]!;
          t.diskBusy(clock);
          t.add(2, { writtenBytes: rate });
        });
      }
      ledger.flush();
      return { context, last: lastProgress(context.events) };
    };
    const slowAlone = run([40], 30).last;
    const fastAlone = run([100], 30).last;
    const both = run([100, 40], 30);
    expect(slowAlone.etaSeconds).not.toBeNull();
    expect(slowAlone.etaSeconds).toBeGreaterThan(fastAlone.etaSeconds ?? Infinity);
    expect(both.last.etaSeconds).toBe(slowAlone.etaSeconds);
    expect(both.last.fraction).toBeCloseTo(slowAlone.fraction ?? -1, 5);
    expect(both.last.phase).toEqual(slowAlone.phase);
    // The slow disk is dropped: the job now goes as fast as the one left, and its fraction does not go back.
    const before = both.last.fraction ?? 1;
    both.context.ledger.targets[1]!.fail({ code: 'E_WRITE', title: 'Write failed', detail: 'EIO' });
    both.context.ledger.flush();
    const after = lastProgress(both.context.events);
    expect(after.etaSeconds).toBe(fastAlone.etaSeconds);
    expect(after.fraction).toBeGreaterThanOrEqual(before);
  });

  it('the plan names every target', () => {
    const disks = [makeDisk({ device: '/dev/sdx', sizeBytes: 8e9 }), makeDisk({ device: '/dev/sdy', sizeBytes: 16e9 })];
    const { ledger, events } = setup(false, disks);
    ledger.emitPlan(4000);
    expect(events[0]).toMatchObject({ type: 'plan', device: '/dev/sdx', totalWriteBytes: 4000, targets: [{ device: '/dev/sdx', sizeBytes: 8e9 }, { device: '/dev/sdy', sizeBytes: 16e9 }] });
  });
});

describe('createFlashLedger: freeze into the report', () => {
  it('the report says what the progress said: a section per target, the failed one does not hide the verified one', () => {
    const disks = [makeDisk({ device: '/dev/sdx' }), makeDisk({ device: '/dev/sdy' })];
    const { ledger } = setup(true, disks);
    const [a, b] = ledger.targets as [NonNullable<(typeof ledger.targets)[0]>, NonNullable<(typeof ledger.targets)[0]>];
    a.touched = true;
    b.touched = true;
    for (const t of [a, b]) {
      t.phase(1, 'writing');
      t.add(1, { writtenBytes: 1000 });
      t.record(1, { compressedSha384: 'c1', compressedSha384Ok: true, uncompressedSha384: 'u1' });
      t.phase(1, 'written');
      t.phase(2, 'writing');
    }
    const error = { code: 'E_WRITE', title: 'Write failed', detail: 'ENOSPC at 4096' };
    b.fail(error, 2);
    a.add(2, { writtenBytes: 3000 });
    a.phase(2, 'written');
    for (const n of [1, 2]) {
      a.record(n, { readBackOk: true });
      a.phase(n, 'verified');
    }
    a.finish('verified');
    const report = ledger.freeze({ source: 'http://x/y.cosi', imageHash: 'sha384:ab', downloadedBytes: 2000, jobError: null, cancelled: false });
    expect(report.outcome).toBe('failed');
    expect(report.error).toEqual(error);
    expect(report.targets?.map((t) => [t.device.path, t.outcome])).toEqual([['/dev/sdx', 'verified'], ['/dev/sdy', 'failed']]);
    expect(report.targets?.[0]).toMatchObject({ verified: true, writtenBytes: 4000, error: null, diskTouched: true });
    expect(report.targets?.[1]?.regions.map((r) => r.phase)).toEqual(['written', 'failed']);
    expect(report.targets?.[1]?.regions.find((r) => r.number === 2)?.error).toEqual(error);
    // The top level is the first target's section.
    expect(report.device.path).toBe('/dev/sdx');
    expect(report.regions).toEqual(report.targets?.[0]?.regions);
  });

  it('a job stopped for all (cancel) marks every running target and its region in progress cancelled', () => {
    const { ledger, target } = setup(false);
    target.phase(1, 'writing');
    const report = ledger.freeze({ source: 's', imageHash: 'h', downloadedBytes: 0, jobError: { code: 'E_CANCELLED', title: 'Cancelled', detail: 'x' }, cancelled: true });
    expect(report.outcome).toBe('cancelled');
    expect(report.targets?.[0]?.outcome).toBe('cancelled');
    expect(report.regions.find((r) => r.number === 1)?.phase).toBe('cancelled');
  });
});
