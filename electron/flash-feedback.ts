/**
 * What the desktop shows about flashes outside the page: the taskbar/dock progress bar, a
 * notification when a flash ends, and a power-save blocker so the machine does not sleep
 * mid-write. Driven only by the contract's `flash:progress` events.
 */
import type { FlashProgress } from '../src/model/flash-progress.ts';

export interface FeedbackPorts {
  /** win.setProgressBar: 0..1, or -1 to remove it. */
  readonly setProgress: (fraction: number, mode: 'normal' | 'error') => void;
  readonly notify: (title: string, body: string) => void;
  /** powerSaveBlocker.start('prevent-app-suspension') → id; stop(id). */
  readonly blockSleep: () => number;
  readonly unblockSleep: (id: number) => void;
}

interface JobTotals {
  device: string;
  totalBytes: number;
  doneBytes: number;
}

export class FlashFeedback {
  readonly #ports: FeedbackPorts;
  readonly #jobs = new Map<string, JobTotals>();
  #blockerId: number | null = null;

  constructor(ports: FeedbackPorts) {
    this.#ports = ports;
  }

  get runningJobs(): number {
    return this.#jobs.size;
  }

  onProgress(event: FlashProgress): void {
    switch (event.type) {
      case 'plan':
        this.#jobs.set(event.jobId, { device: event.device, totalBytes: event.totalWriteBytes, doneBytes: 0 });
        this.#blockerId ??= this.#ports.blockSleep();
        break;
      case 'progress': {
        const job = this.#jobs.get(event.jobId);
        if (job !== undefined) job.doneBytes = event.regions.reduce((sum, region) => sum + Math.max(region.writtenBytes, region.verifiedBytes), 0);
        break;
      }
      case 'retry':
        return;
      case 'done':
      case 'failed': {
        const device = this.#jobs.get(event.jobId)?.device ?? event.report.device.path;
        this.#jobs.delete(event.jobId);
        const outcome = event.report.outcome;
        const title = outcome === 'verified' ? 'Flash verified' : outcome === 'written' ? 'Flash written' : outcome === 'cancelled' ? 'Flash cancelled' : 'Flash failed';
        const body = event.type === 'failed' ? `${device}: ${event.error.title}` : `${device} is ready.`;
        this.#ports.notify(title, body);
        if (this.#jobs.size === 0 && this.#blockerId !== null) {
          this.#ports.unblockSleep(this.#blockerId);
          this.#blockerId = null;
        }
        if (this.#jobs.size === 0) {
          this.#ports.setProgress(outcome === 'failed' ? 1 : -1, outcome === 'failed' ? 'error' : 'normal');
          return;
        }
        break;
      }
    }
    this.#updateBar();
  }

  #updateBar(): void {
    let total = 0;
    let done = 0;
    for (const job of this.#jobs.values()) {
      total += job.totalBytes;
      done += job.doneBytes;
    }
    this.#ports.setProgress(total > 0 ? Math.min(1, done / total) : -1, 'normal');
  }
}
