/**
 * The one handler table implementing the IPC contract over the core. Electron main and web
 * mode both register exactly this table; they differ only in the options (mode, native
 * dialogs, how the writer process is launched).
 *
 * Safety: `flash:start` re-inspects the image and re-checks the chosen disk against a fresh
 * enumeration (the UI's list may be stale or forged), refuses a disk that already has a job,
 * and restricts the writer to that one device.
 */
import path from 'node:path';
import { diskIdentityOf } from '../common/disk-identity-of.ts';
import { CosiflashError, toAppError } from '../errors.ts';
import { CacheStore } from '../cache/cache-store.ts';
import type { FlashCacheRequest } from '../model/flash-request.ts';
import { invokingUser } from '../util/invoking-user.ts';
import type { AppInfo, AppMode, CachedImage, CacheListResult, DisksListRequest, FlashStartRequest, HandlerTable, InspectResult } from '../ipc/contract.ts';
import { isLoopDisk, type DiskCandidate, type DiskInfo } from '../model/disk-info.ts';
import type { FlashProgress, FlashReport } from '../model/flash-progress.ts';
import { flashRequestForAll, planFlash } from '../pipeline/plan-flash.ts';
import { AutoFlashStation } from './auto-flash-station.ts';
import { defaultFlashLogFile, type FlashLogContext, filterFlashLog, FLASH_LOG_FILE_NAME, flashLogCsv, flashLogEntries, readFlashLog, tryAppendFlashLog } from './flash-log.ts';
import { APP_NAME, APP_VERSION } from '../common/app-version.ts';
import { configDir as defaultConfigDir } from './config-dir.ts';
import { loadCoreServices, type CoreServices, type WriterLaunch } from './core-services.ts';
import { DiskWatcher } from './disk-watcher.ts';
import { EventHub } from './event-hub.ts';
import { FlashJobs } from './flash-jobs.ts';
import { RecentImages } from './recent-images.ts';
import { writePrivateFile } from '../util/private-path.ts';

export interface HandlerOptions {
  readonly mode: AppMode;
  /** Folder for recent images and (web mode) saved reports; default: the user's config dir. */
  readonly configDir?: string;
  /** Whether loop/virtual disks may be offered at all; requests can only narrow this. */
  readonly allowLoop?: boolean;
  /** Restrict every enumeration (and so every flash) to these devices (tests, benches). */
  readonly onlyDevices?: readonly string[];
  /** How to launch the writer for a device (Electron: its binary as node, pkexec if needed). */
  readonly writerLaunch?: (device: string) => WriterLaunch | Promise<WriterLaunch>;
  /** The core operations, built once (src/service/core-services.ts); default the real ones, {@link loadCoreServices}. */
  readonly core?: CoreServices | Promise<CoreServices>;
  /** Native open-file dialog (Electron); web mode has none. */
  readonly browse?: () => Promise<string | null>;
  /** Native save dialog (Electron): the file to write, or null when cancelled; default `<configDir>/reports/<name>`. */
  readonly chooseReportPath?: (suggestedName: string) => Promise<string | null>;
  readonly dropPaths?: boolean;
  readonly diskPollIntervalMs?: number;
  /** The flash log file (`--log FILE`); default `<config dir>/flash-log.jsonl` of the invoking user. */
  readonly flashLogFile?: string;
  /** Station name for reports and the log (`--station NAME`); default the host name. */
  readonly station?: string;
  /** Operator for the log (`--operator NAME`), unless the UI names one for a flash. */
  readonly operator?: string;
  /**
   * The verified image cache for flashes of http(s) images (src/cache/); absent or null: off.
   * The app and `serve` pass it on by default (src/service/cache-setting.ts).
   */
  readonly cache?: FlashCacheRequest | null;
  /** Station mode: the pinned image and whether hotplugged disks are flashed without a click. */
  readonly pinnedImage?: { readonly location: string; readonly expectedHash?: string; readonly autoFlash: boolean; readonly countdownMs?: number };
}

export interface HandlerRuntime {
  readonly handlers: HandlerTable;
  readonly events: EventHub;
  readonly jobs: FlashJobs;
  /** Where finished flashes are logged, and the station/operator they are logged with (front ends log their own refusals there). */
  readonly flashLog: { readonly file: string; readonly context: FlashLogContext };
  /** Station mode's auto-flash, when armed with `autoFlash`. */
  readonly station: AutoFlashStation | null;
  /** Starts the disk watcher (disks:changed); resolves once its baseline listing is taken. */
  start(): Promise<void>;
  /** Stops the watcher and cancels running jobs. */
  dispose(): Promise<void>;
}

export function createHandlers(options: HandlerOptions): HandlerRuntime {
  const events = new EventHub();
  const dir = options.configDir ?? defaultConfigDir();
  const logFile = options.flashLogFile ?? (options.configDir === undefined ? defaultFlashLogFile() : path.join(options.configDir, FLASH_LOG_FILE_NAME));
  const recent = new RecentImages({ dir });
  const jobs = new FlashJobs({
    emit: (event: FlashProgress) => events.emit('flash:progress', event),
    onFinished: async ({ report, logContext }) => {
      // One line per disk of the job (a one-disk job: one line).
      await tryAppendFlashLog(flashLogEntries(report, logContext), { file: logFile });
      // An image that failed verification is not kept as a good one in the recent list.
      if (report.imageHash !== '') await recent.recordFlash(report.source, report.imageHash, { verified: report.outcome === 'verified', errorCode: report.error?.code ?? null }).catch(() => undefined);
    },
  });
  const logContextBase = { ...(options.station === undefined ? {} : { station: options.station }), ...(options.operator === undefined ? {} : { operator: options.operator }) };
  const allowLoop = options.allowLoop ?? false;
  // Built once and passed in; a module that cannot load fails the requests that need it, not this call.
  const coreReady: Promise<CoreServices> = Promise.resolve(options.core ?? loadCoreServices());
  coreReady.catch(() => undefined);
  // One enumeration at a time, shared by whoever asks while it runs: the Target screen asks
  // disks:list and disks:hidden together and the watcher polls, and each filters the same listing.
  let listing: Promise<DiskInfo[]> | null = null;
  const listAll = (): Promise<DiskInfo[]> => {
    listing ??= (async () => (await coreReady).listDisks({ allowLoop, ...(options.onlyDevices ? { onlyDevices: options.onlyDevices } : {}) }))().finally(() => {
      listing = null;
    });
    return listing;
  };
  const list = async (allowVirtual: boolean): Promise<DiskInfo[]> => {
    const all = await listAll();
    return allowVirtual && allowLoop ? all : all.filter((disk) => !isLoopDisk(disk));
  };
  let station: AutoFlashStation | null = null;
  const watcher = new DiskWatcher({
    list: () => list(true),
    onChange: (disks) => {
      events.emit('disks:changed', { disks });
      void station?.onDisks(disks);
    },
    ...(options.diskPollIntervalMs === undefined ? {} : { intervalMs: options.diskPollIntervalMs }),
  });

  const inspect = async (location: string, expectedHash: string | undefined): Promise<InspectResult> => {
    // In a worker with a time and memory limit: a hostile image cannot stall this loop (and with it every running flash).
    const { layout, source } = await (await coreReady).inspectImage(location, expectedHash === undefined ? {} : { expectedHash });
    return { layout, source };
  };

  /** The disks that hold a local source image, found by device number (never a flash target). */
  const disksHolding = async (sourcePath: string | null): Promise<string[]> => (sourcePath === null ? [] : (await coreReady).findDisksHolding(sourcePath));

  const evaluate = async (request: DisksListRequest): Promise<DiskCandidate[]> => {
    const { evaluateDisks } = await coreReady;
    const disks = await list(request.allowVirtual);
    const base = { sourcePath: request.sourcePath, sourceDisks: await disksHolding(request.sourcePath), unmountConsent: request.unmountConsent, allowVirtual: request.allowVirtual && allowLoop };
    if (request.requiredBytes !== null && request.lbaSize !== null) {
      return evaluateDisks(disks, { ...base, requiredBytes: request.requiredBytes, lbaSize: request.lbaSize });
    }
    // No image yet: judge each disk on its own sector size and select nothing.
    return disks.map((disk) => {
      const [candidate] = evaluateDisks([disk], { ...base, requiredBytes: request.requiredBytes ?? 0, lbaSize: request.lbaSize ?? disk.logicalSectorBytes });
      if (candidate === undefined) throw new CosiflashError('E_INTERNAL', `No evaluation for ${disk.device}.`);
      return { ...candidate, selected: false };
    });
  };

  // Devices between "flash:start received" and "writer tracked": a second start must wait its turn.
  const starting = new Set<string>();
  const refuseIfBusy = (device: string): void => {
    if (jobs.isBusy(device) || starting.has(device)) throw new CosiflashError('E_DISK_INELIGIBLE', `A flash to ${device} is already running.`);
  };

  const startFlash = async (request: FlashStartRequest): Promise<{ jobId: string }> => {
    // Every disk the user chose, the first one first (the guard refused a disk named twice).
    const chosen = [{ device: request.device, confirmed: request.confirmedDisk }, ...(request.moreTargets ?? []).map((t) => ({ device: t.device, confirmed: t.confirmedDisk }))];
    for (const { device } of chosen) refuseIfBusy(device);
    for (const { device } of chosen) starting.add(device);
    try {
      const core = await coreReady;
      // The one flash plan, pinned to the image the user reviewed: a file replaced behind the same
      // location since Review is refused here (and again by the writer before its first write),
      // and every disk is re-checked against a fresh enumeration (the UI's list may be stale or forged).
      const plan = await planFlash(
        {
          location: request.location,
          ...(request.expectedHash === undefined ? {} : { expectedHash: request.expectedHash }),
          reviewedImageHash: request.reviewedImageHash,
          // The disks the user was shown: refused with E_DISK_CHANGED if a path is another disk now.
          targets: { kind: 'named', devices: chosen },
          verify: request.verify,
          unmount: request.unmount,
          allowVirtual: request.allowVirtual && allowLoop,
          ...(options.onlyDevices === undefined ? {} : { onlyDevices: options.onlyDevices }),
          ...(options.cache === undefined || options.cache === null ? {} : { cache: options.cache }),
        },
        {
          // In a worker with a time and memory limit (see inspect above).
          inspect: core.inspectImage,
          listDisks: core.listDisks,
          findDisksHolding: core.findDisksHolding,
        },
      );
      const [target, ...others] = plan.targets;
      if (target === undefined) throw new CosiflashError('E_INTERNAL', 'The flash plan has no target.');
      const devices = plan.targets.map((t) => t.disk.device);
      for (const device of devices) if (!starting.has(device)) refuseIfBusy(device);
      const device = target.disk.device;
      const launch = options.writerLaunch ? await options.writerLaunch(device) : {};
      // One writer, one job for every disk: flashRequestForAll is the one composer of that request.
      const writer = core.spawnWriter(flashRequestForAll(plan), launch);
      const { layout, location } = plan;
      const moreDevices = others.map((t) => t.disk.device);
      return { jobId: jobs.track(writer, { location, device, ...(moreDevices.length === 0 ? {} : { moreDevices }), logContext: { ...logContextBase, ...(request.operator === undefined ? {} : { operator: request.operator.trim() }), layout, disk: target.disk, disks: plan.targets.map((t) => t.disk) } }) };
    } finally {
      for (const { device } of chosen) starting.delete(device);
    }
  };

  const cacheStore = options.cache === undefined || options.cache === null ? null : new CacheStore({ dir: options.cache.dir, maxBytes: options.cache.maxBytes, owner: invokingUser() });
  const listCache = (): CacheListResult => {
    if (cacheStore === null) return { enabled: false, entries: [] };
    const entries = cacheStore.list().map((e): CachedImage => ({ id: e.id, location: e.location, sizeBytes: e.sizeBytes, cachedBytes: e.cachedBytes, complete: e.complete, imageHash: e.imageHash, inUse: e.inUse }));
    return { enabled: true, entries };
  };

  const pinned = options.pinnedImage;
  const countdownMs = pinned?.countdownMs ?? 5000;
  let pinnedImage: Promise<InspectResult> | null = null;
  const inspectPinned = (): Promise<InspectResult> => {
    if (pinned === undefined) throw new CosiflashError('E_INTERNAL', 'No pinned image.');
    pinnedImage ??= inspect(pinned.location, pinned.expectedHash);
    pinnedImage.catch(() => (pinnedImage = null));
    return pinnedImage;
  };
  if (pinned?.autoFlash === true) {
    station = new AutoFlashStation({
      countdownMs,
      onlyDevices: options.onlyDevices ?? [],
      evaluate: async (disks) => {
        const { layout, source } = await inspectPinned();
        const context = { requiredBytes: layout.disk.sizeBytes, lbaSize: layout.disk.lbaSize, sourcePath: source.localPath, sourceDisks: await disksHolding(source.localPath), unmountConsent: false, allowVirtual: allowLoop };
        return (await coreReady).evaluateDisks([...disks], context);
      },
      startFlash: async (disk) => {
        const { source, layout } = await inspectPinned();
        return startFlash({ location: source.location, ...(pinned.expectedHash === undefined ? {} : { expectedHash: pinned.expectedHash }), reviewedImageHash: layout.imageHash, device: disk.device, confirmedDisk: diskIdentityOf(disk), verify: true, unmount: false, allowVirtual: allowLoop });
      },
      isBusy: (device) => jobs.isBusy(device) || starting.has(device),
      onChange: (state) => events.emit('station:changed', state),
      onStartError: (device, error) => process.stderr.write(`cosiflash: auto-flash of ${device} did not start: ${toAppError(error).detail}\n`),
    });
  }
  const idleStation = { armed: false, countdowns: [], ignored: [] };

  const saveReport = async (jobId: string): Promise<string | null> => {
    const report = jobs.report(jobId);
    if (report === null) throw new CosiflashError('E_INPUT', `The flash job ${jobId} has not finished yet; there is no report to save.`);
    const name = reportFileName(report);
    const file = options.chooseReportPath ? await options.chooseReportPath(name) : path.join(dir, 'reports', name);
    if (file === null) return null;
    await writePrivateFile(file, `${JSON.stringify(report, null, 2)}\n`);
    return file;
  };

  const info: AppInfo = {
    name: APP_NAME,
    version: APP_VERSION,
    platform: process.platform,
    arch: process.arch,
    mode: options.mode,
    capabilities: { browse: options.browse !== undefined, saveDialog: options.chooseReportPath !== undefined, dropPaths: options.dropPaths ?? false, virtualDisks: allowLoop },
    station: pinned === undefined ? null : { image: { location: pinned.location, expectedHash: pinned.expectedHash ?? null }, autoFlash: pinned.autoFlash, countdownSeconds: Math.round(countdownMs / 1000) },
  };

  const handlers: HandlerTable = {
    'app:info': async () => info,
    'image:inspect': async (payload) => {
      const result = await inspect(payload.location, payload.expectedHash);
      // Remember the hash of the first successful inspect; tell the UI when the location now serves another image.
      const check = await recent.observe(result.source.location, result.layout).catch(() => null);
      return check === null ? result : { ...result, recent: check };
    },
    'image:browse': async () => (options.browse ? options.browse() : null),
    'disks:list': evaluate,
    'disks:hidden': async () => {
      if (!allowLoop) return { virtualCount: 0 };
      return { virtualCount: (await listAll()).filter(isLoopDisk).length };
    },
    'flash:start': startFlash,
    'flash:cancel': async ({ jobId }) => {
      jobs.cancel(jobId);
      return null;
    },
    'flash:list': async () => jobs.list(),
    'report:get': async ({ jobId }) => jobs.report(jobId),
    'report:save': ({ jobId }) => saveReport(jobId),
    'recent:list': () => recent.list(),
    'recent:add': (payload) => recent.add(payload),
    'recent:remove': ({ location }) => recent.remove(location),
    'cache:list': async () => listCache(),
    'cache:remove': async ({ location }) => {
      if (cacheStore === null) throw new CosiflashError('E_CACHE_NOT_FOUND', 'The image cache is turned off.');
      cacheStore.remove(location);
      return listCache();
    },
    'log:list': async (query) => {
      const all = await readFlashLog(logFile);
      return { entries: filterFlashLog(all, query), file: logFile, totalCount: all.length };
    },
    'log:csv': async (query) => flashLogCsv(filterFlashLog(await readFlashLog(logFile), query)),
    'station:state': async () => station?.state() ?? idleStation,
    'station:skip': async ({ device }) => station?.skip(device) ?? idleStation,
  };

  return {
    handlers,
    events,
    jobs,
    flashLog: { file: logFile, context: logContextBase },
    station,
    start: async () => {
      if (pinned !== undefined) await inspectPinned();
      if (station !== null) station.arm(await list(true));
      await watcher.start();
    },
    dispose: async () => {
      station?.dispose();
      watcher.stop();
      await jobs.cancelAll();
    },
  };
}

/** `cosiflash-report-sdb-2026-11-30T17-40-00Z.json` */
export function reportFileName(report: FlashReport): string {
  const device = path.basename(report.device.path).replace(/[^A-Za-z0-9._-]/g, '_') || 'disk';
  const when = report.finishedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `cosiflash-report-${device}-${when}.json`;
}

