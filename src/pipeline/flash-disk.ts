import { randomUUID } from 'node:crypto';
import type { CosiImage } from '../cosi/inspect-cosi.ts';
import { assertImageHash, computeImageHash, parseExpectedHash } from '../cosi/image-hash.ts';
import { inspectCosi } from '../cosi/inspect-cosi.ts';
import { eligibilityContextFor } from '../disk/eligibility-context-for.ts';
import { listDisks } from '../disk/list-disks.ts';
import type { ZeroingPace } from '../disk/zero-ranges-while-fast.ts';
import { rereadPartitionTable } from '../disk/reread-partition-table.ts';
import { CosiflashError, fromAppError, toAppError } from '../errors.ts';
import { buildPartitionTable } from '../gpt/build-partition-table.ts';
import type { AppError } from '../model/app-error.ts';
import type { FlashProgress, FlashReport } from '../model/flash-progress.ts';
import { invokingUser } from '../util/invoking-user.ts';
import { openCachedSource, type CacheSourceSettings } from '../cache/cached-source.ts';
import { openSource, type OpenSourceOptions } from '../source/open-source.ts';
import type { PreparedImage } from './prepare-image.ts';
import type { ImageSource, RetryEvent } from '../source/image-source.ts';
import { buildFlashReport, jobReport, jobSucceeded } from './flash-report.ts';
import type { FlashRequest } from '../model/flash-request.ts';
import { chooseTargets, expectNoKernelPartitions, holdTarget, withKernelPartitionsDropped, type ChosenTarget, type HeldTarget } from './flash-targets.ts';
import { createRegionLedger, type RegionLedger } from './region-ledger.ts';
import { createRegionPipeline, type RegionPipeline } from './region-pipeline.ts';
import { verifyRegions, verifyTable, type VerifyItem } from './verify-target.ts';

export type { FlashRequest } from '../model/flash-request.ts';
export { prepareImage, type PreparedImage } from './prepare-image.ts';

export interface FlashDiskOptions {
  readonly signal: AbortSignal;
  readonly onEvent: (event: FlashProgress) => void;
  /** Job id carried by every event (default: a random UUID). */
  readonly jobId?: string;
  /**
   * The image opened and inspected ahead of the job (the writer does it while the front end
   * plans). Used only when its location is the request's; its hash is still checked.
   */
  readonly prepared?: PreparedImage;
  /** Network tuning (timeouts, retry budget); front ends keep the defaults, tests shorten them. */
  readonly sourceOptions?: Omit<OpenSourceOptions, 'signal'>;
  /** sysfs root for the WRITE ZEROES probe (tests inject one reporting 0); default /sys. */
  readonly sysfsRoot?: string;
  /** How fast pre-zeroing must be to go on (default DEFAULT_ZEROING_PACE; tests inject a slow clock). */
  readonly zeroingPace?: Partial<ZeroingPace>;
}

/**
 * Flashes a COSI onto one or more whole disks (docs/behavior.md §4–7), in this order:
 * plan (inspect, expected hash first; choose and re-check every target from a fresh
 * enumeration, unmount only with consent; open each exclusively and prove it is the disk the
 * user confirmed; drop the kernel's partitions; zero both ends) → write every partition region
 * in tar order, each region fetched, hashed and decoded once and written to every target →
 * fsync → per target, concurrently: read back and verify every region, then the partition
 * table LAST (its own backup at that disk's end) → fsync → read the table back → re-read it.
 * A target that fails is dropped alone (multi-target jobs); on failure or cancel its ends are
 * zeroed again and the kernel's partitions dropped, so no valid partition table remains.
 * Never throws: the report carries the outcome (one section per target when there are several).
 */
export async function flashDisk(request: FlashRequest, options: FlashDiskOptions): Promise<FlashReport> {
  const jobId = options.jobId ?? randomUUID();
  const { signal } = options;
  const startedAt = new Date();
  let opened: { source: ImageSource; image: CosiImage } | null = null;
  let chosen: ChosenTarget[] = [];
  const held: HeldTarget[] = [];
  /** Per target (by index): something reached the disk, and when it finished. */
  const touched: boolean[] = [];
  const finishedAt: Date[] = [];
  let pipeline: RegionPipeline | null = null;
  let ledger: RegionLedger | null = null;
  let error: unknown = null;

  try {
    // The workers start now, the image and the disks are read at the same time.
    pipeline = createRegionPipeline(null);
    const listOptions = { allowLoop: request.allowLoop, ...(request.onlyDevices === undefined ? {} : { onlyDevices: request.onlyDevices }) };
    const disksRead = listDisks(listOptions);
    disksRead.catch(() => undefined);
    opened = await openImage(request, options, jobId);
    const { source: src, image: cosi } = opened;
    const { layout } = cosi;
    const context = await eligibilityContextFor(layout.disk, { sourcePath: src.localPath, unmountConsent: request.unmount, allowVirtual: request.allowLoop });
    chosen = await chooseTargets(request, await disksRead, context, () => listDisks(listOptions), signal);
    const devices = chosen.map((t) => t.disk.device);
    const many = devices.length > 1;

    const live: RegionLedger = createRegionLedger({
      jobId,
      devices,
      verify: request.verify,
      emit: options.onEvent,
      regions: [
        { number: 0, name: 'partition table', startLba: 0, compressedBytes: layout.primaryGpt.compressedSize, uncompressedBytes: layout.primaryGpt.uncompressedSize },
        ...layout.partitions.map((p) => ({ number: p.number, name: p.name, startLba: p.startLba, compressedBytes: p.image.compressedSize, uncompressedBytes: p.image.uncompressedSize })),
      ],
    });
    ledger = live;
    options.onEvent({
      type: 'plan',
      jobId,
      device: devices[0] as string,
      regions: live.progress(),
      totalWriteBytes: layout.writeBytes,
      ...(many ? { devices } : {}),
    });
    /** Drops one target of a multi-target job (a one-target job fails with the error instead). */
    const dropTarget = (index: number, reason: AppError): void => {
      if (!live.isLive(index)) return;
      live.failTarget(index, reason);
      finishedAt[index] = new Date();
      if (many) options.onEvent({ type: 'target-failed', jobId, device: devices[index] as string, error: reason });
    };

    // Every target is held and proven before a byte is written to any: one that changed refuses the job.
    for (const target of chosen) held.push(holdTarget(target));
    // The kernel forgets the disks' old partitions before a byte is written (nothing may mount them).
    for (const h of held) await expectNoKernelPartitions(h.disk.device, 'before writing');
    for (const [index, h] of held.entries()) {
      touched[index] = true;
      await h.device.zeroEdges();
      // Zeros come from the device (WRITE ZEROES) when it zeroes fast; then zero runs are not written twice.
      await h.device.preZero(layout.partitions.map((p) => ({ offsetBytes: p.startLba * layout.disk.lbaSize, lengthBytes: p.image.uncompressedSize })), options.sysfsRoot, options.zeroingPace);
    }
    live.liveTargets().forEach((index) => live.setTargetState(index, 'writing'));
    pipeline.attach(held.map((h) => h.device));

    const inTarOrder = [...layout.partitions].sort((a, b) => a.image.tarOffsetBytes - b.image.tarOffsetBytes);
    for (const p of inTarOrder) {
      signal.throwIfAborted();
      live.update(p.number, { phase: 'writing' });
      const result = await pipeline.writeRegion({
        chunks: src.stream(p.image.tarOffsetBytes, p.image.compressedSize, {
          signal,
          ...(request.retryForSeconds === undefined ? {} : { retryForMs: request.retryForSeconds * 1000 }),
          onRetry: (retry) => {
            live.retry();
            options.onEvent(retryProgress(jobId, retry));
          },
        }),
        positionBytes: p.startLba * layout.disk.lbaSize,
        compressedSize: p.image.compressedSize,
        uncompressedSize: p.image.uncompressedSize,
        expectedSha384: p.image.sha384,
        maxWindowLog: layout.compression.maxWindowLog,
        // The decoded hash only serves the read-back comparison; without it, SHA-384 of every
        // decoded byte (0.5–1.2 GB/s on one core) would cost more CPU than decoding.
        hashDecoded: request.verify,
        signal,
        onDownloaded: (bytes) => live.add(p.number, { downloadedBytes: bytes }),
        onWritten: (bytes, busyMs, target) => {
          if (busyMs !== undefined) live.diskBusy(busyMs);
          live.add(p.number, { writtenBytes: bytes }, target);
        },
        onTargetFailed: (target, reason) => {
          if (many && live.liveTargets().length > 1) dropTarget(target, reason);
        },
      }).catch((e: unknown) => {
        const app = toAppError(e);
        live.update(p.number, signal.aborted ? { phase: 'cancelled' } : { phase: 'failed', error: app });
        // The bytes of this region are not the image's: a cache forgets them, so they are fetched again.
        if (!signal.aborted && BAD_BYTES.has(app.code)) src.noteChecked?.({ kind: 'region', offsetBytes: p.image.tarOffsetBytes, lengthBytes: p.image.compressedSize, ok: false });
        throw e;
      });
      src.noteChecked?.({ kind: 'region', offsetBytes: p.image.tarOffsetBytes, lengthBytes: p.image.compressedSize, ok: true });
      live.update(p.number, { compressedSha384: result.compressedSha384, compressedSha384Ok: true, uncompressedSha384: result.uncompressedSha384, phase: 'written' });
    }
    await pipeline.close();
    pipeline = null;

    // Per target, concurrently: read back, then the table; a target that fails here is dropped alone.
    const items: VerifyItem[] = inTarOrder.map((p) => ({ number: p.number, startLba: p.startLba, lengthBytes: p.image.uncompressedSize }));
    const finishOne = async (index: number): Promise<void> => {
      const h = held[index] as HeldTarget;
      try {
        await h.device.sync();
        // Every region is read back while the disk still has no table: a failure, a kill or a pause
        // up to here leaves no valid table (issue 9 §1). Only the table's own bytes are read after it.
        if (request.verify) {
          live.setTargetState(index, 'verifying');
          await verifyRegions(h.device, index, layout.disk.lbaSize, items, live, signal);
        }
        // The partition table goes last (docs/behavior.md §5.5), its backup at this disk's own end.
        signal.throwIfAborted();
        const table = buildPartitionTable({ primaryRegion: cosi.primaryRegion, lbaSize: layout.disk.lbaSize, targetSizeBytes: h.device.sizeBytes });
        live.update(0, { phase: 'writing', downloadedBytes: layout.primaryGpt.compressedSize }, index);
        await h.device.writeAt(table.backup, table.backupOffsetBytes);
        await h.device.writeAt(table.primary, 0);
        await h.device.sync();
        live.update(0, { phase: 'written', writtenBytes: table.primary.byteLength, compressedSha384: layout.primaryGpt.sha384, compressedSha384Ok: true }, index);
        if (request.verify) await verifyTable(h.device, index, table, live, signal);
        await rereadPartitionTable(h.disk.device, { expectedPartitions: layout.partitions.length });
        live.setTargetState(index, request.verify ? 'verified' : 'written');
        finishedAt[index] = new Date();
      } catch (e) {
        if (signal.aborted || !many) throw e;
        dropTarget(index, toAppError(e));
      }
    };
    await Promise.all(live.liveTargets().map(finishOne));
    // Every target was dropped: the job fails with the first one's reason.
    const firstReason = devices.map((_, index) => live.targetError(index)).find((reason) => reason !== null);
    if (live.liveTargets().length === 0 && firstReason !== undefined) throw fromAppError(firstReason);
    live.flush();
  } catch (caught) {
    error = signal.aborted ? new CosiflashError('E_CANCELLED', 'The flash was cancelled.', { cause: caught }) : caught;
  } finally {
    await pipeline?.close().catch(() => undefined);
    await opened?.source.close().catch(() => undefined);
  }

  // Each target's outcome: the job's error, else its own; a failed, touched disk keeps no valid table.
  const perTarget = await Promise.all(
    (chosen.length > 0 ? chosen : [null]).map(async (target, index) => {
      const h = held[index];
      const own = ledger?.targetError(index) ?? null;
      let targetError: unknown = own === null ? error : fromAppError(own);
      if (targetError !== null && touched[index] === true && h !== undefined) {
        // Leave no valid partition table behind (docs/behavior.md §5.8).
        await h.device.zeroEdges().catch(() => undefined);
      }
      h?.device.close();
      if (targetError !== null && touched[index] === true && target !== null) targetError = await withKernelPartitionsDropped(targetError, target.disk.device);
      const appError = targetError === null ? null : toAppError(targetError);
      const report = buildFlashReport({
        source: request.source,
        imageHash: opened?.image.layout.imageHash ?? '',
        disk: target?.disk ?? null,
        requestedDevice: request.device ?? null,
        startedAt,
        finishedAt: finishedAt[index] ?? new Date(),
        downloadedBytes: opened?.source.transferredBytes ?? 0,
        retries: ledger?.retries ?? 0,
        verify: request.verify,
        regions: ledger?.records(index) ?? [],
        error: appError,
        cancelled: appError?.code === 'E_CANCELLED',
        diskTouched: touched[index] === true,
      });
      return { report, identity: h?.identity ?? null };
    }),
  );
  const built = jobReport(perTarget);
  const cachedBytes = opened?.source.cachedBytes;
  const report: FlashReport = cachedBytes === undefined ? built : { ...built, cachedBytes };
  options.onEvent(jobSucceeded(report) ? { type: 'done', jobId, report } : { type: 'failed', jobId, error: report.error ?? toAppError(error), report });
  return report;
}

/**
 * Opens and inspects the request's image (or takes the one opened ahead when it is this
 * request's, opened the same way, and opening it worked; otherwise that one is closed and the
 * image is opened for the request itself: a failed early open must not decide the flash). The
 * expected hash is checked first. Closes what it opened when it fails.
 */
async function openImage(request: FlashRequest, options: FlashDiskOptions, jobId: string): Promise<{ source: ImageSource; image: CosiImage }> {
  const { signal } = options;
  const matches = options.prepared !== undefined && options.prepared.location === request.source && (options.prepared.cached ?? false) === (request.cache !== undefined);
  const early = matches ? await options.prepared!.opened.catch(() => null) : null;
  let source: ImageSource | null = null;
  try {
    let image: CosiImage;
    if (early !== null) {
      ({ source, image } = early);
      assertImageHash(computeImageHash(image.metadataBytes), request.expectedHash === undefined ? '' : parseExpectedHash(request.expectedHash));
    } else {
      if (options.prepared !== undefined && !matches) void options.prepared.opened.then(({ source: unused }) => unused.close()).catch(() => undefined);
      const network = await openSource(request.source, { ...options.sourceOptions, ...(request.plainHttp === true ? { plainHttp: true } : {}), signal });
      // With a cache request, http(s) images are read through the verified image cache (src/cache/).
      source = request.cache === undefined || network.kind !== 'http' ? network : openCachedSource(network, cacheSettings(request.cache, jobId, options.onEvent));
      image = await inspectCosi(source, { ...(request.expectedHash === undefined ? {} : { expectedHash: request.expectedHash }), signal });
    }
    source.noteChecked?.({ kind: 'image', imageHash: image.layout.imageHash });
    return { source, image };
  } catch (error) {
    await source?.close().catch(() => undefined);
    throw error;
  }
}

/** Errors that mean the bytes read were not the image's (a damaged cache entry, a bad download). */
const BAD_BYTES = new Set(['E_IMAGE_HASH', 'E_IMAGE_SIZE', 'E_DECODE']);

/** The source's cache settings for a request: the writer works in the folder as the invoking user. */
function cacheSettings(cache: NonNullable<FlashRequest['cache']>, jobId: string, onEvent: (event: FlashProgress) => void): CacheSourceSettings {
  return { dir: cache.dir, maxBytes: cache.maxBytes, owner: invokingUser(), onWarning: (message) => onEvent({ type: 'warning', jobId, code: 'cache', message }) };
}

/** The structured progress event of one source retry (front ends show "server unreachable, retrying (n s)"). */
export function retryProgress(jobId: string, retry: RetryEvent): Extract<FlashProgress, { type: 'retry' }> {
  const base = { type: 'retry' as const, jobId, attempt: retry.attempt, offsetBytes: retry.offsetBytes, reason: retry.reason };
  if (retry.unreachableMs === null) return base;
  return { ...base, unreachable: true, unreachableSeconds: Math.floor(retry.unreachableMs / 1000), retryForSeconds: Math.round(retry.retryForMs / 1000) };
}
