/**
 * The flash jobs of one front end: starts writer processes, relays their progress as
 * `flash:progress` events (as the writer throttled them: ≤ 4 Hz, phase changes at once), keeps each job's plan,
 * newest event and report so a reloaded UI can catch up, and cancels on request.
 *
 * Every job ends with exactly one `done` or `failed` event: when the writer dies without
 * sending one, a `failed` event with a minimal report is synthesised from its error.
 */
import os from 'node:os';
import { CosiflashError, toAppError } from '../errors.ts';
import type { FlashLogContext } from './flash-log.ts';
import { APP_VERSION } from '../common/app-version.ts';
import type { FlashJobInfo, FlashJobState } from '../ipc/contract.ts';
import type { AppError } from '../model/app-error.ts';
import type { FlashProgress, FlashReport } from '../model/flash-progress.ts';
import type { RunningWriter } from './core-services.ts';

const MAX_FINISHED_JOBS = 50;

/** What a finished job hands to the flash log. */
export interface FinishedJob {
  readonly report: FlashReport;
  readonly location: string;
  readonly device: string;
  readonly logContext: FlashLogContext;
}

interface JobRecord {
  readonly logContext: FlashLogContext;
  readonly jobId: string;
  readonly location: string;
  readonly device: string;
  /** Every disk the job writes (`device` first; more when the user chose several). */
  readonly devices: readonly string[];
  readonly startedAt: Date;
  readonly writer: RunningWriter;
  state: FlashJobState;
  plan: Extract<FlashProgress, { type: 'plan' }> | null;
  last: FlashProgress | null;
  report: FlashReport | null;
  ended: Promise<void>;
}

export class FlashJobs {
  readonly #jobs = new Map<string, JobRecord>();
  readonly #emit: (event: FlashProgress) => void;
  readonly #onFinished: ((job: FinishedJob) => Promise<void>) | undefined;

  /**
   * `onFinished` runs (and is awaited) before a job's `done`/`failed` event is sent: the
   * flash log has the line by the time any UI shows the result.
   */
  constructor(options: { emit: (event: FlashProgress) => void; onFinished?: (job: FinishedJob) => Promise<void> }) {
    this.#emit = options.emit;
    this.#onFinished = options.onFinished;
  }

  /** Tracks a started writer (writing `device`, and `moreDevices` in the same job); returns its job id. */
  track(writer: RunningWriter, details: { location: string; device: string; moreDevices?: readonly string[]; logContext?: FlashLogContext }): string {
    const record: JobRecord = {
      logContext: details.logContext ?? {},
      jobId: writer.jobId,
      location: details.location,
      device: details.device,
      devices: [details.device, ...(details.moreDevices ?? [])],
      startedAt: new Date(),
      writer,
      state: 'running',
      plan: null,
      last: null,
      report: null,
      ended: Promise.resolve(),
    };
    this.#jobs.set(record.jobId, record);
    record.ended = this.#relay(record);
    this.#forgetOldJobs();
    return record.jobId;
  }

  /** True while a job writes to `device` (as its first disk or one of the others). */
  isBusy(device: string): boolean {
    return [...this.#jobs.values()].some((job) => job.state === 'running' && job.devices.includes(device));
  }

  get runningCount(): number {
    return [...this.#jobs.values()].filter((job) => job.state === 'running').length;
  }

  cancel(jobId: string): void {
    const job = this.#get(jobId);
    if (job.state === 'running') job.writer.cancel();
  }

  list(): FlashJobInfo[] {
    return [...this.#jobs.values()].map((job) => ({
      jobId: job.jobId,
      location: job.location,
      device: job.device,
      state: job.state,
      plan: job.plan,
      last: job.last,
      report: job.report,
    }));
  }

  report(jobId: string): FlashReport | null {
    return this.#get(jobId).report;
  }

  /** Resolves when the job's events have all been relayed (tests, shutdown). */
  async whenEnded(jobId: string): Promise<void> {
    await this.#get(jobId).ended;
  }

  /** Cancels every running job and waits for them to end. */
  async cancelAll(): Promise<void> {
    const running = [...this.#jobs.values()].filter((job) => job.state === 'running');
    for (const job of running) job.writer.cancel();
    await Promise.all(running.map((job) => job.ended));
  }

  #get(jobId: string): JobRecord {
    const job = this.#jobs.get(jobId);
    if (job === undefined) throw new CosiflashError('E_INPUT', `No flash job with id ${jobId}.`);
    return job;
  }

  async #relay(job: JobRecord): Promise<void> {
    try {
      for await (const event of job.writer.events) {
        await this.#accept(job, event);
        if (job.state !== 'running') break;
      }
    } catch {
      // The writer's `done` promise carries the reason; handled below.
    }
    if (job.state !== 'running') return;
    try {
      const report = await job.writer.done;
      await this.#accept(job, { type: 'done', jobId: job.jobId, report });
    } catch (error) {
      const appError = toAppError(error);
      await this.#accept(job, { type: 'failed', jobId: job.jobId, error: appError, report: fallbackReport(job, appError) });
    }
  }

  async #accept(job: JobRecord, incoming: FlashProgress): Promise<void> {
    if (job.state !== 'running') return;
    let event = incoming;
    switch (event.type) {
      case 'plan':
        job.plan = event;
        break;
      case 'done':
      case 'failed':
        if (job.logContext.station !== undefined) event = { ...event, report: { ...event.report, station: job.logContext.station } };
        job.report = event.report;
        job.state = event.type === 'done' ? stateOf(event.report) : event.report.outcome === 'cancelled' ? 'cancelled' : 'failed';
        break;
      default:
        break;
    }
    job.last = event;
    // Progress is throttled once, at its source (the writer's region ledger: ≤ 4 Hz), and relayed as it comes.
    if (job.state !== 'running') {
      if (job.report !== null) await this.#onFinished?.({ report: job.report, location: job.location, device: job.device, logContext: job.logContext }).catch(() => undefined);
    }
    this.#emit(event);
  }

  #forgetOldJobs(): void {
    const finished = [...this.#jobs.values()].filter((job) => job.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_JOBS))) this.#jobs.delete(job.jobId);
  }
}

function stateOf(report: FlashReport): FlashJobState {
  return report.outcome;
}

/** A report for a writer that died before reporting (crash, refused elevation, spawn error). */
function fallbackReport(job: JobRecord, error: AppError): FlashReport {
  const finishedAt = new Date();
  const regions = job.last?.type === 'progress' ? job.last.regions : [];
  return {
    tool: 'cosiflash',
    toolVersion: APP_VERSION,
    station: os.hostname(),
    source: job.location,
    imageHash: '',
    device: { path: job.device, model: null, serial: null, sizeBytes: 0 },
    startedAt: job.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    elapsedMs: finishedAt.getTime() - job.startedAt.getTime(),
    writtenBytes: regions.reduce((sum, region) => sum + region.writtenBytes, 0),
    downloadedBytes: regions.reduce((sum, region) => sum + region.downloadedBytes, 0),
    bytesPerSecond: 0,
    retries: 0,
    verified: false,
    outcome: error.code === 'E_CANCELLED' ? 'cancelled' : 'failed',
    regions: [],
    error,
    // The writer died: once it had the plan, it may have opened and zeroed the disk.
    diskTouched: job.plan !== null,
  };
}
