import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createFlashProgressView, targetFraction, targetLine } from '../../src/cli/flash-progress-view.ts';
import type { FlashProgress, TargetProgress } from '../../src/model/flash-progress.ts';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

const lane = (device: string, state: TargetProgress['state'], writtenBytes: number, verifiedBytes = 0): TargetProgress => ({ device, state, writtenBytes, verifiedBytes, regions: [], error: null });
const plan: FlashProgress = { type: 'plan', jobId: 'j', device: '/dev/loop1', devices: ['/dev/loop1', '/dev/loop2'], regions: [], totalWriteBytes: 1000 };
const progress = (targets: TargetProgress[]): FlashProgress => ({ type: 'progress', jobId: 'j', elapsedMs: 1, bytesPerSecond: 1, etaMs: null, regions: [], retries: 0, targets });
const failed: FlashProgress = { type: 'target-failed', jobId: 'j', device: '/dev/loop2', error: { code: 'E_WRITE', title: 'Write failed', detail: 'No space left on device' } };

describe('flash progress with several disks', () => {
  it('plain: names every disk, a line per disk state change with its percent; a dropped disk goes to stderr at once', () => {
    const out = collect();
    const err = collect();
    const view = createFlashProgressView({ mode: 'plain', out: out.stream, err: err.stream, verify: true });
    view.onEvent(plan);
    view.onEvent(progress([lane('/dev/loop1', 'writing', 500), lane('/dev/loop2', 'writing', 500)]));
    view.onEvent(progress([lane('/dev/loop1', 'writing', 600), lane('/dev/loop2', 'writing', 600)]));
    view.onEvent(failed);
    view.onEvent(progress([lane('/dev/loop1', 'verifying', 1000, 500), { ...lane('/dev/loop2', 'failed', 600), error: failed.error }]));
    view.finish(null);
    expect(out.text()).toContain('to /dev/loop1, /dev/loop2');
    expect(out.text().split('\n').filter((l) => l.startsWith('  /dev/loop1  writing'))).toHaveLength(1);
    expect(out.text()).toContain('  /dev/loop1  verifying  75');
    expect(out.text()).toContain('  /dev/loop2  failed');
    expect(err.text()).toBe('/dev/loop2 failed: E_WRITE: No space left on device — the other disks go on.\n');
  });

  it('json: every event passes through as it is, target-failed included (it carries the device)', () => {
    const out = collect();
    const view = createFlashProgressView({ mode: 'json', out: out.stream, verify: true });
    view.onEvent(plan);
    view.onEvent(failed);
    expect(out.text().trim().split('\n').map((line) => JSON.parse(line) as FlashProgress)).toEqual([plan, failed]);
  });

  it('a disk\'s percent: written, then read back when verifying; done is 100 %', () => {
    expect(targetFraction(lane('/dev/a', 'writing', 500), 1000, true)).toBe(0.25);
    expect(targetFraction(lane('/dev/a', 'writing', 500), 1000, false)).toBe(0.5);
    expect(targetFraction(lane('/dev/a', 'verified', 1000, 1000), 1000, true)).toBe(1);
    expect(targetLine(lane('/dev/a', 'verifying', 1000, 500), 1000, true)).toMatch(/^\/dev\/a {2}verifying {2}75/);
  });
});
