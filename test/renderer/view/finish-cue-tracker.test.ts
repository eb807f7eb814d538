import { describe, expect, it } from 'vitest';
import type { FlashReport } from '../../../src/model/flash-progress.ts';
import { FinishCueTracker, type FinishCueSnapshot } from '../../../renderer/src/view/finish-cue-tracker.ts';
import { sampleReport } from '../sample-data.ts';

const IDLE: FinishCueSnapshot = { flashStarting: false, own: { jobId: null, report: null }, lanes: [], finishedLive: [] };
const done: FlashReport = sampleReport();

function own(jobId: string | null, report: FlashReport | null = null, flashStarting = false): FinishCueSnapshot {
  return { ...IDLE, flashStarting, own: { jobId, report } };
}

describe('FinishCueTracker: which finished flashes get a tone and a notification', () => {
  it('a job seen running is cued once when it finishes, however often the state repeats', () => {
    const tracker = new FinishCueTracker();
    expect(tracker.observe(own('j1'))).toEqual([]);
    expect(tracker.observe(own('j1', done))).toEqual([done]);
    expect(tracker.observe(own('j1', done))).toEqual([]);
  });

  it('a job first seen finished (it ended before the page opened, or before a reload) gets no cue', () => {
    const tracker = new FinishCueTracker();
    expect(tracker.observe(own('old', done))).toEqual([]);
    expect(tracker.observe({ ...IDLE, lanes: [{ jobId: 'lane-old', report: done }] })).toEqual([]);
  });

  it('a job this page started is cued even when its result came with the start’s answer', () => {
    const tracker = new FinishCueTracker();
    tracker.observe(own(null, null, true));
    expect(tracker.observe(own('fast', done))).toEqual([done]);
  });

  it('a refused start leaves nothing behind: a job adopted later, already finished, gets no cue', () => {
    const tracker = new FinishCueTracker();
    tracker.observe(own(null, null, true));
    tracker.observe(IDLE);
    expect(tracker.observe(own('adopted', done))).toEqual([]);
  });

  it('a station lane whose done event reached the page live is cued though the page never listed it running', () => {
    const tracker = new FinishCueTracker();
    tracker.observe({ ...IDLE, finishedLive: ['lane'] });
    expect(tracker.observe({ ...IDLE, lanes: [{ jobId: 'lane', report: done }], finishedLive: ['lane'] })).toEqual([done]);
  });

  it('a job that is both a lane and the page’s own flash is cued once', () => {
    const tracker = new FinishCueTracker();
    tracker.observe({ ...own('j'), lanes: [{ jobId: 'j', report: null }] });
    expect(tracker.observe({ ...own('j', done), lanes: [{ jobId: 'j', report: done }] })).toEqual([done]);
  });
});
