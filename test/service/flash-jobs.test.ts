import { describe, expect, it } from 'vitest';
import { CosiflashError } from '../../src/errors.ts';
import type { FlashProgress, FlashReport } from '../../src/model/flash-progress.ts';
import { createEventQueue } from '../../src/writer/event-queue.ts';
import type { RunningWriter } from '../../src/service/core-services.ts';
import { FlashJobs } from '../../src/service/flash-jobs.ts';

/** A scripted writer: the test pushes events and settles `done` by hand. */
function scriptedWriter(jobId: string) {
  const events = createEventQueue<FlashProgress>();
  let settle!: { resolve: (report: FlashReport) => void; reject: (error: unknown) => void };
  const done = new Promise<FlashReport>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined);
  const cancels: number[] = [];
  const writer: RunningWriter = { jobId, done, cancel: () => void cancels.push(1), events };
  return {
    writer,
    cancels,
    push: (event: FlashProgress) => events.push(event),
    end(outcome: { report: FlashReport } | { error: unknown }) {
      events.end();
      if ('report' in outcome) settle.resolve(outcome.report);
      else settle.reject(outcome.error);
    },
  };
}

const report = (outcome: FlashReport['outcome']): FlashReport => ({
  tool: 'cosiflash', toolVersion: '0.1.0', station: 'bench-1', diskTouched: true, source: '/a.cosi', imageHash: 'sha384:x', device: { path: '/dev/loop9', model: null, serial: null, sizeBytes: 1 },
  startedAt: '', finishedAt: '2026-11-30T17:40:00.123Z', elapsedMs: 1, writtenBytes: 1, downloadedBytes: 1, bytesPerSecond: 1, retries: 0,
  verified: outcome === 'verified', outcome, regions: [], error: null,
});

const progress = (jobId: string, writtenBytes: number): FlashProgress => ({
  type: 'progress', jobId, elapsedMs: writtenBytes, bytesPerSecond: 1, etaMs: null, retries: 0,
  regions: [{ number: 1, name: 'root', phase: 'writing', compressedBytes: 1, downloadedBytes: 1, uncompressedBytes: 100, writtenBytes, verifiedBytes: 0 }],
});

describe('FlashJobs', () => {
  it('relays plan, progress (throttled once, by the writer\'s ledger: not again here) and terminal events in order, and keeps the report', async () => {
    const sent: FlashProgress[] = [];
    const jobs = new FlashJobs({ emit: (event) => sent.push(event) });
    const script = scriptedWriter('j1');
    const jobId = jobs.track(script.writer, { location: '/a.cosi', device: '/dev/loop9' });
    expect(jobs.isBusy('/dev/loop9')).toBe(true);
    script.push({ type: 'plan', jobId, device: '/dev/loop9', regions: [], totalWriteBytes: 100 });
    for (let written = 1; written <= 50; written++) script.push(progress(jobId, written));
    script.push({ type: 'done', jobId, report: report('verified') });
    script.end({ report: report('verified') });
    await jobs.whenEnded(jobId);

    expect(sent[0]?.type).toBe('plan');
    expect(sent.at(-1)).toMatchObject({ type: 'done', jobId });
    // Every progress event goes out, in order, before `done` (region-ledger.test.ts proves the ≤ 4 Hz at the source).
    const relayed = sent.flatMap((event) => (event.type === 'progress' ? [event.regions.reduce((sum, r) => sum + r.writtenBytes, 0)] : []));
    expect(relayed).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(jobs.report(jobId)?.outcome).toBe('verified');
    expect(jobs.list()).toEqual([expect.objectContaining({ jobId, state: 'verified', device: '/dev/loop9' })]);
    expect(jobs.isBusy('/dev/loop9')).toBe(false);
  });

  it('counts every disk of a multi-disk job busy until the job ends', async () => {
    const jobs = new FlashJobs({ emit: () => undefined });
    const script = scriptedWriter('j-multi');
    const jobId = jobs.track(script.writer, { location: '/a.cosi', device: '/dev/loop9', moreDevices: ['/dev/loop10', '/dev/loop11'] });
    expect(['/dev/loop9', '/dev/loop10', '/dev/loop11', '/dev/loop12'].map((d) => jobs.isBusy(d))).toEqual([true, true, true, false]);
    script.push({ type: 'done', jobId, report: report('verified') });
    script.end({ report: report('verified') });
    await jobs.whenEnded(jobId);
    expect(['/dev/loop9', '/dev/loop10', '/dev/loop11'].some((d) => jobs.isBusy(d))).toBe(false);
  });

  it('synthesises a failed event when the writer dies without a result', async () => {
    const sent: FlashProgress[] = [];
    const jobs = new FlashJobs({ emit: (event) => sent.push(event) });
    const script = scriptedWriter('j2');
    const jobId = jobs.track(script.writer, { location: '/a.cosi', device: '/dev/loop9' });
    script.push(progress(jobId, 40));
    script.end({ error: new CosiflashError('E_WRITER', 'The writer exited without a result (SIGKILL)') });
    await jobs.whenEnded(jobId);
    const last = sent.at(-1);
    expect(last).toMatchObject({ type: 'failed', error: { code: 'E_WRITER' }, report: { outcome: 'failed', writtenBytes: 40, device: { path: '/dev/loop9' } } });
    expect(jobs.list()[0]?.state).toBe('failed');
    expect(sent.filter((event) => event.type === 'failed')).toHaveLength(1);
  });

  it('cancels running jobs only and rejects unknown ids', async () => {
    const jobs = new FlashJobs({ emit: () => undefined });
    const script = scriptedWriter('j3');
    const jobId = jobs.track(script.writer, { location: '/a.cosi', device: '/dev/loop9' });
    jobs.cancel(jobId);
    expect(script.cancels).toHaveLength(1);
    expect(() => jobs.cancel('nope')).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
    script.push({ type: 'failed', jobId, error: { code: 'E_CANCELLED', title: 'Cancelled', detail: 'x' }, report: report('cancelled') });
    script.end({ report: report('cancelled') });
    await jobs.whenEnded(jobId);
    expect(jobs.list()[0]?.state).toBe('cancelled');
    jobs.cancel(jobId);
    expect(script.cancels).toHaveLength(1);
  });
});
