import { describe, expect, it } from 'vitest';
import { FlashFeedback } from '../../electron/flash-feedback.ts';
import type { FlashReport, RegionProgress } from '../../src/model/flash-progress.ts';

function region(writtenBytes: number): RegionProgress {
  return { number: 1, name: 'root', phase: 'writing', compressedBytes: 10, downloadedBytes: 10, uncompressedBytes: 100, writtenBytes, verifiedBytes: 0 };
}

const report = (outcome: FlashReport['outcome']): FlashReport => ({
  tool: 'cosiflash', toolVersion: '0.1.0', station: 'bench-1', diskTouched: true, source: '/a.cosi', imageHash: '', device: { path: '/dev/sdb', model: null, serial: null, sizeBytes: 0 },
  startedAt: '', finishedAt: '', elapsedMs: 0, writtenBytes: 0, downloadedBytes: 0, bytesPerSecond: 0, retries: 0,
  verified: outcome === 'verified', outcome, regions: [], error: null,
});

describe('FlashFeedback', () => {
  it('blocks sleep during a flash, shows progress and notifies at the end', () => {
    const log: string[] = [];
    const feedback = new FlashFeedback({
      setProgress: (fraction, mode) => log.push(`bar ${fraction} ${mode}`),
      notify: (title, body) => log.push(`notify ${title}: ${body}`),
      blockSleep: () => (log.push('block'), 7),
      unblockSleep: (id) => log.push(`unblock ${id}`),
    });
    feedback.onProgress({ type: 'plan', jobId: 'a', device: '/dev/sdb', regions: [], totalWriteBytes: 200 });
    feedback.onProgress({ type: 'progress', jobId: 'a', elapsedMs: 1, bytesPerSecond: 1, etaMs: null, regions: [region(50)], retries: 0 });
    feedback.onProgress({ type: 'done', jobId: 'a', report: report('verified') });
    expect(log).toEqual(['block', 'bar 0 normal', 'bar 0.25 normal', 'notify Flash verified: /dev/sdb is ready.', 'unblock 7', 'bar -1 normal']);
    expect(feedback.runningJobs).toBe(0);
  });

  it('keeps the blocker until the last of two jobs ends and flags a failure', () => {
    const log: string[] = [];
    const feedback = new FlashFeedback({
      setProgress: (fraction, mode) => log.push(`bar ${fraction} ${mode}`),
      notify: (title) => log.push(`notify ${title}`),
      blockSleep: () => (log.push('block'), 1),
      unblockSleep: () => log.push('unblock'),
    });
    feedback.onProgress({ type: 'plan', jobId: 'a', device: '/dev/sdb', regions: [], totalWriteBytes: 100 });
    feedback.onProgress({ type: 'plan', jobId: 'b', device: '/dev/sdc', regions: [], totalWriteBytes: 100 });
    feedback.onProgress({ type: 'done', jobId: 'a', report: report('written') });
    expect(log.filter((line) => line === 'block' || line === 'unblock')).toEqual(['block']);
    const error = { code: 'E_WRITE', title: 'Writing to the disk failed', detail: 'EIO' };
    feedback.onProgress({ type: 'failed', jobId: 'b', error, report: report('failed') });
    expect(log.slice(-3)).toEqual(['notify Flash failed', 'unblock', 'bar 1 error']);
  });
});
