/**
 * The words of the finish cues: the tab title ("42% · /dev/sdb — Cosiflash", then
 * "✓ Verified · /dev/sdb — Cosiflash") and the browser notification of a finished flash.
 * A job of several disks is named by its count ("2 disks"), and its result says how many
 * did not make it, never the first disk's path with the worst disk's outcome.
 */
import type { FlashReport } from '../../../src/model/flash-progress.ts';

export const BASE_TITLE = 'Cosiflash';

type Outcome = FlashReport['outcome'];

export interface RunningCue {
  /** The device, or "2 disks" for a job of several. */
  readonly label: string;
  readonly fraction: number;
}

function isReady(outcome: Outcome): boolean {
  return outcome === 'verified' || outcome === 'written';
}

function capitalized(text: string): string {
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}

/** "/dev/sdb", or "2 disks" when the job has several targets. */
export function jobLabel(device: string, devices: readonly string[] | undefined): string {
  return devices !== undefined && devices.length > 1 ? `${devices.length} disks` : device;
}

/** What a finished job comes to: ready or not, in the title's words and the notification's. */
function resultOf(report: FlashReport): { ready: boolean; title: string; notice: string } {
  const targets = report.targets ?? [];
  if (targets.length <= 1) return { ready: isReady(report.outcome), title: `${capitalized(report.outcome)} · ${report.device.path}`, notice: `${report.outcome} ${report.device.path}` };
  const count = targets.length;
  const notReady = targets.filter((target) => !isReady(target.outcome));
  if (new Set(targets.map((target) => target.outcome)).size === 1) {
    return { ready: notReady.length === 0, title: `${capitalized(report.outcome)} · ${count} disks`, notice: `${report.outcome} ${count} disks` };
  }
  if (notReady.length === 0) return { ready: true, title: `Ready · ${count} disks`, notice: `${count} disks ready` };
  const worst = notReady.some((target) => target.outcome === 'failed') ? 'failed' : 'cancelled';
  return { ready: false, title: `${notReady.length} of ${count} ${worst}`, notice: `${notReady.length} of ${count} disks ${worst}` };
}

/** The tab title for the current state. */
export function cueTitle(input: { readonly running: readonly RunningCue[]; readonly finished: FlashReport | null }): string {
  if (input.running.length === 1) {
    const [only] = input.running as [RunningCue];
    return `${Math.floor(only.fraction * 100)}% · ${only.label} — ${BASE_TITLE}`;
  }
  if (input.running.length > 1) {
    const least = Math.min(...input.running.map((r) => r.fraction));
    return `${input.running.length} flashing, ${Math.floor(least * 100)}% — ${BASE_TITLE}`;
  }
  if (input.finished !== null) {
    const { ready, title } = resultOf(input.finished);
    return `${ready ? '✓' : '✕'} ${title} — ${BASE_TITLE}`;
  }
  return BASE_TITLE;
}

function targetLine(target: { readonly device: { readonly path: string }; readonly outcome: Outcome; readonly error: { readonly title: string } | null }): string {
  return `${target.device.path} ${target.outcome}${target.error === null || isReady(target.outcome) ? '' : `: ${target.error.title}`}`;
}

/** The browser notification for a finished job. */
export function cueNotification(report: FlashReport): { title: string; body: string } {
  const { ready, notice } = resultOf(report);
  const targets = report.targets ?? [];
  if (targets.length > 1) return { title: `${BASE_TITLE}: ${notice}`, body: ready ? 'The disks are ready.' : targets.map(targetLine).join('; ') };
  return { title: `${BASE_TITLE}: ${notice}`, body: ready ? 'The disk is ready.' : (report.error?.title ?? 'The flash did not complete.') };
}
