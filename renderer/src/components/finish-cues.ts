/**
 * Cues for a technician who is not looking at the screen (web mode; Electron main has its own
 * notification and taskbar progress): the tab title carries the progress ("42% · /dev/sdb"),
 * and when a flash ends a short tone plays (finish-tone.ts) and, if allowed, a browser
 * notification appears.
 */
import { useEffect, useRef } from 'react';
import { useAppStore } from '../store/use-app-store.ts';
import { laneStatus, overallFraction } from '../view/lane-status.ts';
import { playFinishTone, unlockFinishTone } from './finish-tone.ts';

const BASE_TITLE = 'Cosiflash';

/** The tab title for the current state; exported for tests. */
export function titleFor(input: { running: readonly { device: string; fraction: number }[]; finished: { outcome: string; device: string } | null }): string {
  if (input.running.length === 1) {
    const [only] = input.running;
    return `${Math.floor(only!.fraction * 100)}% · ${only!.device} — ${BASE_TITLE}`;
  }
  if (input.running.length > 1) {
    const least = Math.min(...input.running.map((r) => r.fraction));
    return `${input.running.length} flashing, ${Math.floor(least * 100)}% — ${BASE_TITLE}`;
  }
  if (input.finished !== null) {
    const mark = input.finished.outcome === 'verified' || input.finished.outcome === 'written' ? '✓' : '✕';
    return `${mark} ${input.finished.outcome[0]!.toUpperCase()}${input.finished.outcome.slice(1)} · ${input.finished.device} — ${BASE_TITLE}`;
  }
  return BASE_TITLE;
}

function notify(title: string, body: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    new Notification(title, { body });
  } catch {
    // Some browsers allow notifications only from a service worker.
  }
}

/** Keeps document.title current and fires the finish cues. Mount once, in App. */
export function useFinishCues(): void {
  const web = useAppStore((state) => state.appInfo?.mode === 'web');
  const lanes = useAppStore((state) => state.lanes);
  const plan = useAppStore((state) => state.plan);
  const progress = useAppStore((state) => state.progress);
  const report = useAppStore((state) => state.report);
  const device = useAppStore((state) => state.flashDevice);
  const jobId = useAppStore((state) => state.jobId);
  const cued = useRef(new Set<string>());
  const started = useRef(Date.now());

  const runningLanes = lanes.filter((lane) => lane.report === null).map((lane) => ({ device: lane.device, fraction: laneStatus(lane).fraction }));
  const ownRunning = jobId !== null && report === null && !lanes.some((lane) => lane.jobId === jobId) && device !== null ? [{ device, fraction: overallFraction(plan, progress) }] : [];
  const running = [...runningLanes, ...ownRunning];
  const newestFinished = lanes.find((lane) => lane.report !== null)?.report ?? report;
  const title = titleFor({ running, finished: newestFinished === null ? null : { outcome: newestFinished.outcome, device: newestFinished.device.path } });

  useEffect(() => {
    document.title = title;
  }, [title]);

  // The first click or key press anywhere lets the page play the tone later (browsers' rule).
  useEffect(() => {
    if (!web) return;
    const unlock = (): void => unlockFinishTone();
    document.addEventListener('pointerdown', unlock, true);
    document.addEventListener('keydown', unlock, true);
    return () => {
      document.removeEventListener('pointerdown', unlock, true);
      document.removeEventListener('keydown', unlock, true);
    };
  }, [web]);

  useEffect(() => {
    if (!web) return;
    const finished = [...lanes.filter((lane) => lane.report !== null).map((lane) => ({ id: lane.jobId, report: lane.report! })), ...(jobId !== null && report !== null ? [{ id: jobId, report }] : [])];
    for (const { id, report: done } of finished) {
      if (cued.current.has(id)) continue;
      cued.current.add(id);
      // Jobs that had ended before this page opened get no cue.
      if (Date.parse(done.finishedAt) < started.current) continue;
      const ok = done.outcome === 'verified' || done.outcome === 'written';
      playFinishTone(ok);
      notify(`Cosiflash: ${done.outcome} ${done.device.path}`, ok ? 'The disk is ready.' : (done.error?.title ?? 'The flash did not complete.'));
    }
  }, [web, lanes, report, jobId]);
}
