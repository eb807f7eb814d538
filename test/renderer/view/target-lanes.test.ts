import { describe, expect, it } from 'vitest';
import type { PlanEvent, ProgressEvent } from '../../../renderer/src/store/flash-slice.ts';
import { sharedDownloadBytes, targetLanes } from '../../../renderer/src/view/target-lanes.ts';
import { region } from '../sample-data.ts';

const plan: PlanEvent = { type: 'plan', jobId: 'j', device: '/dev/loop1', devices: ['/dev/loop1', '/dev/loop2'], regions: [region(0), region(1)], totalWriteBytes: 8000 };
const error = { code: 'E_WRITE', title: 'Writing failed', detail: 'No space left on device' } as const;

function progress(): ProgressEvent {
  return {
    type: 'progress',
    jobId: 'j',
    elapsedMs: 1000,
    bytesPerSecond: 1000,
    etaMs: 1000,
    retries: 0,
    regions: [region(0, { downloadedBytes: 1000 }), region(1, { downloadedBytes: 500 })],
    targets: [
      { device: '/dev/loop1', state: 'verifying', writtenBytes: 8000, verifiedBytes: 4000, regions: [region(0, { phase: 'verified', writtenBytes: 4000, verifiedBytes: 4000 }), region(1, { phase: 'verifying', writtenBytes: 4000, verifiedBytes: 2000 })], error: null },
      { device: '/dev/loop2', state: 'writing', writtenBytes: 2000, verifiedBytes: 0, regions: [region(0, { phase: 'writing', writtenBytes: 2000 }), region(1)], error: null },
    ],
  };
}

describe('targetLanes', () => {
  it('one lane per disk with its own state, fraction and partition rows', () => {
    const lanes = targetLanes(plan, progress(), {});
    expect(lanes.map((lane) => [lane.device, lane.state, lane.fraction])).toEqual([
      ['/dev/loop1', 'verifying', 0.75],
      ['/dev/loop2', 'writing', 0.125],
    ]);
    expect(lanes[0]?.rows.map((row) => [row.region.phase, row.fraction])).toEqual([
      ['verified', 1],
      ['verifying', 0.5],
    ]);
  });

  it('before any progress every planned disk waits; a one-disk job has no lanes', () => {
    expect(targetLanes(plan, null, {}).map((lane) => [lane.device, lane.state])).toEqual([
      ['/dev/loop1', 'waiting'],
      ['/dev/loop2', 'waiting'],
    ]);
    expect(targetLanes({ ...plan, devices: undefined }, null, {})).toEqual([]);
  });

  it('a target-failed disk turns failed with its reason while the other keeps its state', () => {
    const lanes = targetLanes(plan, progress(), { '/dev/loop2': error });
    expect(lanes.map((lane) => [lane.state, lane.error?.detail ?? null])).toEqual([
      ['verifying', null],
      ['failed', 'No space left on device'],
    ]);
  });

  it('the shared download is counted once', () => {
    expect(sharedDownloadBytes(progress())).toBe(1500);
  });
});
