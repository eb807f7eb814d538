/**
 * Cues for a technician who is not looking at the screen (web mode; Electron main has its own
 * notification and taskbar progress): the tab title carries the progress ("42% · /dev/sdb"),
 * and when a flash that ended while the page was open finishes, a short tone plays
 * (finish-tone.ts) and, if allowed, a browser notification appears. The words are in
 * view/finish-cue-text.ts, which jobs get a cue in view/finish-cue-tracker.ts.
 */
import { useEffect, useRef } from 'react';
import { useAppStore } from '../store/use-app-store.ts';
import { cueNotification, cueTitle, jobLabel } from '../view/finish-cue-text.ts';
import { FinishCueTracker } from '../view/finish-cue-tracker.ts';
import { laneStatus, overallFraction } from '../view/lane-status.ts';
import { playFinishTone, unlockFinishTone } from './finish-tone.ts';

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
  const finishedLive = useAppStore((state) => state.finishedLaneIds);
  const plan = useAppStore((state) => state.plan);
  const progress = useAppStore((state) => state.progress);
  const report = useAppStore((state) => state.report);
  const device = useAppStore((state) => state.flashDevice);
  const jobId = useAppStore((state) => state.jobId);
  const flashStarting = useAppStore((state) => state.flashStarting);
  const selectedDevice = useAppStore((state) => state.selectedDevice);
  const moreDevices = useAppStore((state) => state.moreDevices);
  const tracker = useRef<FinishCueTracker | null>(null);
  tracker.current ??= new FinishCueTracker();

  const runningLanes = lanes.filter((lane) => lane.report === null).map((lane) => ({ label: jobLabel(lane.device, lane.plan?.devices), fraction: laneStatus(lane).fraction }));
  // Until the plan arrives, a job of several disks is known by the disks the user chose.
  const ownDevices = plan?.devices ?? (device !== null && selectedDevice === device ? [device, ...moreDevices] : undefined);
  const ownRunning = jobId !== null && report === null && !lanes.some((lane) => lane.jobId === jobId) && device !== null ? [{ label: jobLabel(device, ownDevices), fraction: overallFraction(plan, progress) }] : [];
  const newestFinished = lanes.find((lane) => lane.report !== null)?.report ?? report;
  const title = cueTitle({ running: [...runningLanes, ...ownRunning], finished: newestFinished });

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
    const due = tracker.current?.observe({ flashStarting, own: { jobId, report }, lanes, finishedLive }) ?? [];
    for (const done of due) {
      playFinishTone(done.outcome === 'verified' || done.outcome === 'written');
      const { title: heading, body } = cueNotification(done);
      notify(heading, body);
    }
  }, [web, flashStarting, lanes, finishedLive, report, jobId]);
}
