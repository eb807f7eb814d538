/**
 * Flashes asked for by remote callers (gRPC StreamDisk and StationService.Flash), run through
 * the same handler table as the app, web mode and auto-flash: `image:inspect` (in a worker,
 * with limits), `disks:list`, `flash:start` (re-inspects pinned to the inspected hash,
 * re-checks the disk, passes its confirmed identity to the writer, which checks it again) and
 * the flash jobs, which log every finished flash. Refusals before a job starts are logged here.
 *
 * Busy is per disk: a request naming a disk that has a job (from any front end) or is reserved
 * by another request is refused; a request without a disk is admitted while some eligible disk
 * is free, and takes the smallest eligible free one once the image's size is known.
 */
import { diskIdentityOf } from '../common/disk-identity-of.ts';
import { CosiflashError, toAppError } from '../errors.ts';
import type { InspectResult } from '../ipc/contract.ts';
import type { DiskCandidate } from '../model/disk-info.ts';
import type { FlashProgress, FlashReport } from '../model/flash-progress.ts';
import type { HandlerRuntime } from './create-handlers.ts';
import { APP_VERSION } from '../common/app-version.ts';
import { defaultStationName, flashLogEntryBeforeWriting, tryAppendFlashLog } from './flash-log.ts';

/** What a station flash needs from the handler runtime. */
export type StationRuntime = Pick<HandlerRuntime, 'handlers' | 'events' | 'jobs' | 'flashLog'>;

export interface StationFlashRequest {
  readonly location: string;
  /** Lowercase hex or sha384:<hex>; undefined: not checked. */
  readonly expectedHash?: string;
  /** Whole-disk paths; empty: the smallest eligible free disk. */
  readonly devices: readonly string[];
  readonly verify: boolean;
  readonly unmount: boolean;
}

/** What a running station flash reports, in order. */
export type StationFlashEvent =
  | { readonly type: 'inspected'; readonly inspect: InspectResult }
  | { readonly type: 'job'; readonly jobId: string; readonly device: string }
  | { readonly type: 'event'; readonly device: string; readonly event: FlashProgress };

/** A place in the queue of one request: the disks it holds until it ends. */
export interface Admission {
  release(): void;
}

/** A disk with eligibility and whether it is being flashed now. */
export interface StationDisk {
  readonly candidate: DiskCandidate;
  readonly busy: boolean;
}

export class StationServicing {
  readonly #runtime: StationRuntime;
  readonly #allowLoop: boolean;
  readonly #reserved = new Set<string>();
  #pendingAuto = 0;

  constructor(options: { runtime: StationRuntime; allowLoop: boolean }) {
    this.#runtime = options.runtime;
    this.#allowLoop = options.allowLoop;
  }

  /** The flash log file of this station. */
  get flashLogFile(): string {
    return this.#runtime.flashLog.file;
  }

  /** True while `device` has a job or is held by an admitted request. */
  isBusy(device: string): boolean {
    return this.#reserved.has(device) || this.#runtime.jobs.isBusy(device);
  }

  /**
   * Admits a request or returns null when the station is busy for it: a named disk busy, or
   * (no disk named) every disk that could take an image busy while at least one is.
   */
  async admit(devices: readonly string[]): Promise<(Admission & { assign(device: string): void }) | null> {
    const held = new Set<string>();
    let auto = false;
    const release = (): void => {
      for (const device of held) this.#reserved.delete(device);
      held.clear();
      if (auto) this.#pendingAuto -= 1;
      auto = false;
    };
    const assign = (device: string): void => {
      if (auto) this.#pendingAuto -= 1;
      auto = false;
      held.add(device);
      this.#reserved.add(device);
    };
    if (devices.length > 0) {
      if (devices.some((device) => this.isBusy(device))) return null;
      for (const device of devices) assign(device);
      return { release, assign };
    }
    const possible = (await this.listDisks(null)).filter((disk) => disk.candidate.eligible);
    // Decided synchronously after the listing: two requests racing here see each other's count.
    const free = possible.filter((disk) => !this.isBusy(disk.candidate.disk.device)).length - this.#pendingAuto;
    if (possible.length > 0 && free <= 0) return null;
    this.#pendingAuto += 1;
    auto = true;
    return { release, assign };
  }

  /** Inspects in the handler table's worker (time and memory limits); throws the E_* error. */
  async inspect(location: string, expectedHash: string | undefined): Promise<InspectResult> {
    return this.#runtime.handlers['image:inspect']({ location, ...(expectedHash === undefined ? {} : { expectedHash }) });
  }

  /** The station's disks; with an inspected image, judged against it (size, sector size, source disk). */
  async listDisks(image: InspectResult | null, unmountConsent = false): Promise<StationDisk[]> {
    const candidates = await this.#runtime.handlers['disks:list']({
      requiredBytes: image?.layout.disk.sizeBytes ?? null,
      lbaSize: image?.layout.disk.lbaSize ?? null,
      sourcePath: image?.source.localPath ?? null,
      unmountConsent,
      allowVirtual: this.#allowLoop,
    });
    return candidates.map((candidate) => ({ candidate, busy: this.isBusy(candidate.disk.device) }));
  }

  /**
   * Runs one request to the end: inspect, choose or take the disks, one job per disk, every
   * job's events relayed. Resolves with the reports (one per disk, in `devices` order); throws
   * the refusal (logged as refused) when no job could start. `signal` cancels every job.
   */
  async flash(request: StationFlashRequest, admission: Admission & { assign(device: string): void }, onEvent: (event: StationFlashEvent) => void, signal: AbortSignal): Promise<FlashReport[]> {
    const startedAt = new Date();
    let image: InspectResult | null = null;
    const pending = new Map<string, FlashProgress[]>();
    const ours = new Map<string, { device: string; done: (report: FlashReport) => void }>();
    let buffering = true;
    const unsubscribe = this.#runtime.events.subscribe((message) => {
      if (message.event !== 'flash:progress') return;
      const event = message.payload;
      const job = ours.get(event.jobId);
      if (job === undefined) {
        if (buffering) pending.set(event.jobId, [...(pending.get(event.jobId) ?? []), event]);
        return;
      }
      deliver(job, event);
    });
    const deliver = (job: { device: string; done: (report: FlashReport) => void }, event: FlashProgress): void => {
      onEvent({ type: 'event', device: job.device, event });
      if (event.type === 'done' || event.type === 'failed') job.done(event.report);
    };
    const jobIds: string[] = [];
    const onAbort = (): void => {
      for (const jobId of jobIds) void this.#runtime.handlers['flash:cancel']({ jobId }).catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      let devices: readonly string[];
      try {
        if (signal.aborted) throw new CosiflashError('E_CANCELLED', 'The caller went away before the flash started.');
        image = await this.inspect(request.location, request.expectedHash);
        onEvent({ type: 'inspected', inspect: image });
        devices = request.devices.length > 0 ? request.devices : [await this.#chooseFree(image, request.unmount, admission.assign)];
        if (signal.aborted) throw new CosiflashError('E_CANCELLED', 'The caller went away before the flash started.');
      } catch (error) {
        await this.#logRefusal(request, startedAt, error, image, null);
        throw error;
      }
      const reports: Promise<FlashReport>[] = [];
      let firstRefusal: unknown = null;
      // The identity of each disk as the station sees it now; the writer refuses (E_DISK_CHANGED) if the path is another disk by the time it holds it.
      const shown = await this.listDisks(image, request.unmount);
      for (const device of devices) {
        try {
          const disk = shown.find((entry) => entry.candidate.disk.device === device)?.candidate.disk;
          if (disk === undefined) throw new CosiflashError('E_DISK_NOT_FOUND', `${device} is not one of this station's disks.`);
          const { jobId } = await this.#runtime.handlers['flash:start']({
            confirmedDisk: diskIdentityOf(disk),
            location: image.source.location,
            ...(request.expectedHash === undefined ? {} : { expectedHash: request.expectedHash }),
            reviewedImageHash: image.layout.imageHash,
            device,
            verify: request.verify,
            unmount: request.unmount,
            allowVirtual: this.#allowLoop,
          });
          jobIds.push(jobId);
          onEvent({ type: 'job', jobId, device });
          reports.push(
            new Promise<FlashReport>((resolve) => {
              const job = { device, done: resolve };
              ours.set(jobId, job);
              for (const event of pending.get(jobId) ?? []) deliver(job, event);
              pending.delete(jobId);
            }),
          );
          if (signal.aborted) onAbort();
        } catch (error) {
          firstRefusal ??= error;
          await this.#logRefusal(request, startedAt, error, image, device);
          reports.push(Promise.resolve(refusedReport(request, image, device, startedAt, error, this.#runtime.flashLog.context.station)));
        }
      }
      buffering = false;
      pending.clear();
      if (jobIds.length === 0 && firstRefusal !== null) throw firstRefusal;
      return await Promise.all(reports);
    } finally {
      signal.removeEventListener('abort', onAbort);
      unsubscribe();
      admission.release();
    }
  }

  /** A finished job's report, while the handler table still keeps it. */
  report(jobId: string): FlashReport | null {
    try {
      return this.#runtime.jobs.report(jobId);
    } catch {
      return null;
    }
  }

  /**
   * The smallest eligible free disk, reserved (`assign`) in the same synchronous step as the
   * choice: two requests whose listings arrive together (they share one enumeration) must not
   * both take the same disk, so "free" is asked again now, not read from the listing.
   */
  async #chooseFree(image: InspectResult, unmount: boolean, assign: (device: string) => void): Promise<string> {
    const disks = await this.listDisks(image, unmount);
    const eligible = disks.filter((disk) => disk.candidate.eligible).sort((a, b) => a.candidate.disk.sizeBytes - b.candidate.disk.sizeBytes);
    const free = eligible.find((disk) => !this.isBusy(disk.candidate.disk.device));
    if (free !== undefined) {
      assign(free.candidate.disk.device);
      return free.candidate.disk.device;
    }
    if (eligible.length > 0) throw new CosiflashError('E_DISK_INELIGIBLE', `Every disk that can take this image is being flashed now (${eligible.map((disk) => disk.candidate.disk.device).join(', ')}).`);
    const reasons = disks.map((disk) => `${disk.candidate.disk.device}: ${disk.candidate.reasons.map((reason) => reason.detail).join('; ')}`);
    throw new CosiflashError('E_NO_ELIGIBLE_DISK', disks.length === 0 ? 'The station offers no disks.' : `No disk of the station can take this image (${reasons.join(' | ')}).`);
  }

  async #logRefusal(request: StationFlashRequest, startedAt: Date, error: unknown, image: InspectResult | null, device: string | null): Promise<void> {
    const appError = toAppError(error);
    const { file, context } = this.#runtime.flashLog;
    const disk = device === null ? null : ((await this.listDisks(null).catch(() => [])).find((entry) => entry.candidate.disk.device === device)?.candidate.disk ?? null);
    await tryAppendFlashLog(flashLogEntryBeforeWriting({ location: image?.source.location ?? request.location, startedAt, error: appError, context: { ...context, layout: image?.layout ?? null, disk } }), { file });
  }
}

/** The report of a disk refused by `flash:start` while other disks of the same request run. */
function refusedReport(request: StationFlashRequest, image: InspectResult, device: string, startedAt: Date, error: unknown, station: string | undefined): FlashReport {
  const appError = toAppError(error);
  const finishedAt = new Date();
  return {
    tool: 'cosiflash',
    toolVersion: APP_VERSION,
    station: station ?? defaultStationName(),
    source: image.source.location || request.location,
    imageHash: image.layout.imageHash,
    device: { path: device, model: null, serial: null, sizeBytes: 0 },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    elapsedMs: finishedAt.getTime() - startedAt.getTime(),
    writtenBytes: 0,
    downloadedBytes: 0,
    bytesPerSecond: 0,
    retries: 0,
    verified: false,
    outcome: 'failed',
    regions: [],
    error: appError,
    diskTouched: false,
  };
}
