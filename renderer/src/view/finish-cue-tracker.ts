/**
 * Which finished flashes get a finish cue (tone, notification): each job once, and only one
 * that ended while this page was open — judged by what the page saw, not by comparing the
 * report's time with the browser's clock (a browser on another machine may be minutes off).
 *
 * A job ended while the page was open when the page saw it still running (also before a
 * reload or a lost connection), when the page started it (its events may arrive in one go
 * with the start's answer), or when its done/failed event reached the page live (a station
 * lane the page had not listed yet). A job first seen already finished gets no cue.
 */
import type { FlashReport } from '../../../src/model/flash-progress.ts';

export interface FinishCueSnapshot {
  /** The page's own flash is being started (flash:start sent, no job id yet). */
  readonly flashStarting: boolean;
  readonly own: { readonly jobId: string | null; readonly report: FlashReport | null };
  readonly lanes: readonly { readonly jobId: string; readonly report: FlashReport | null }[];
  /** Jobs whose done/failed event this page received live (station slice). */
  readonly finishedLive: readonly string[];
}

export class FinishCueTracker {
  readonly #seenRunning = new Set<string>();
  readonly #startedHere = new Set<string>();
  readonly #cued = new Set<string>();
  #starting = false;

  /** Feed every new state; returns the reports to cue now (each job at most once, ever). */
  observe(snapshot: FinishCueSnapshot): FlashReport[] {
    const { jobId, report } = snapshot.own;
    if (snapshot.flashStarting) this.#starting = true;
    else if (jobId === null) this.#starting = false; // the start was refused
    if (jobId !== null && this.#starting && !snapshot.flashStarting) {
      this.#startedHere.add(jobId);
      this.#starting = false;
    }
    const jobs = [...snapshot.lanes, ...(jobId === null ? [] : [{ jobId, report }])];
    const due: FlashReport[] = [];
    for (const job of jobs) {
      if (job.report === null) {
        this.#seenRunning.add(job.jobId);
        continue;
      }
      if (this.#cued.has(job.jobId)) continue;
      this.#cued.add(job.jobId);
      if (this.#seenRunning.has(job.jobId) || this.#startedHere.has(job.jobId) || snapshot.finishedLive.includes(job.jobId)) due.push(job.report);
    }
    return due;
  }
}
