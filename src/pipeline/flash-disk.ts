import { createHash, randomUUID } from 'node:crypto';
import type { CosiImage } from '../cosi/inspect-cosi.ts';
import { assertImageHash, computeImageHash, parseExpectedHash } from '../cosi/image-hash.ts';
import { inspectCosi } from '../cosi/inspect-cosi.ts';
import { chooseTarget } from '../disk/choose-target.ts';
import { allMountpoints } from '../common/mount-points.ts';
import { eligibilityContextFor } from '../disk/eligibility-context-for.ts';
import { listDisks } from '../disk/list-disks.ts';
import { identityDifferences, readDiskIdentity } from '../disk/read-disk-identity.ts';
import { dropKernelPartitions } from '../disk/drop-kernel-partitions.ts';
import { rereadPartitionTable } from '../disk/reread-partition-table.ts';
import { unmountDisk } from '../disk/unmount-disk.ts';
import { CosiflashError, fromAppError, toAppError } from '../errors.ts';
import { buildPartitionTable } from '../gpt/build-partition-table.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import type { FlashProgress, FlashReport, RegionProgress } from '../model/flash-progress.ts';
import { invokingUser } from '../util/invoking-user.ts';
import { openCachedSource, type CacheSourceSettings } from '../cache/cached-source.ts';
import { openSource, type OpenSourceOptions } from '../source/open-source.ts';
import type { ImageSource, RetryEvent } from '../source/image-source.ts';
import { buildFlashReport, type RegionRecord } from './flash-report.ts';
import type { FlashRequest } from '../model/flash-request.ts';
import { createProgressMeter, type ProgressMeter } from './progress-meter.ts';
import { readBackSha384 } from './read-back.ts';
import { createRegionPipeline, type RegionPipeline } from './region-pipeline.ts';
import { openTarget, type TargetDevice } from './target-device.ts';

export type { FlashRequest } from '../model/flash-request.ts';

/** An image opened and inspected before its flash was requested. */
export interface PreparedImage {
  readonly location: string;
  /** Opened through the image cache (a flash with the other setting opens the image again). */
  readonly cached?: boolean;
  readonly opened: Promise<{ readonly source: ImageSource; readonly image: CosiImage }>;
}

/** Opens and inspects `location` now (no disk is touched); hand the result to flashDisk. */
export function prepareImage(location: string, options: { signal: AbortSignal; sourceOptions?: Omit<OpenSourceOptions, 'signal'> }): PreparedImage {
  const opened = (async () => {
    const source = await openSource(location, { ...options.sourceOptions, signal: options.signal });
    try {
      return { source, image: await inspectCosi(source, { signal: options.signal }) };
    } catch (error) {
      await source.close().catch(() => undefined);
      throw error;
    }
  })();
  opened.catch(() => undefined);
  return { location, opened };
}

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
}

/**
 * Flashes a COSI onto a whole disk (docs/behavior.md §4–7), in this order:
 * inspect (expected hash first) → choose the target from a fresh enumeration → re-check
 * (unmount only with consent) → open exclusively → zero both ends → stream every partition
 * region in tar order to `startLba × lbaSize` → fsync → read back and verify every region →
 * partition table LAST → fsync → read back the table → re-read it. The kernel's partitions are
 * dropped before writing; on failure or cancel the ends are zeroed again and the kernel's
 * partitions dropped, so no valid partition table remains. Never throws: the report carries the outcome.
 */
export async function flashDisk(request: FlashRequest, options: FlashDiskOptions): Promise<FlashReport> {
  const jobId = options.jobId ?? randomUUID();
  const { signal } = options;
  const startedAt = new Date();
  let source: ImageSource | null = null;
  let image: CosiImage | null = null;
  let disk: DiskInfo | null = null;
  let target: TargetDevice | null = null;
  let pipeline: RegionPipeline | null = null;
  let meter: ProgressMeter | null = null;
  let touched = false;
  const records: RegionRecord[] = [];
  let error: unknown = null;

  try {
    // The workers start now, the image and the disks are read at the same time.
    pipeline = createRegionPipeline(null);
    const listOptions = { allowLoop: request.allowLoop, ...(request.onlyDevices === undefined ? {} : { onlyDevices: request.onlyDevices }) };
    const disksRead = listDisks(listOptions);
    disksRead.catch(() => undefined);
    let src: ImageSource;
    let cosi: CosiImage;
    // The image opened ahead is used when it is this request's image, opened the same way, and
    // opening it worked; otherwise it is closed and the image is opened for the request itself
    // (with the request's options: a failed early open must not decide the flash).
    const matches = options.prepared !== undefined && options.prepared.location === request.source && (options.prepared.cached ?? false) === (request.cache !== undefined);
    const early = matches ? await options.prepared!.opened.catch(() => null) : null;
    if (early !== null) {
      ({ source: src, image: cosi } = early);
      source = src;
      assertImageHash(computeImageHash(cosi.metadataBytes), request.expectedHash === undefined ? '' : parseExpectedHash(request.expectedHash));
    } else {
      if (options.prepared !== undefined && !matches) void options.prepared.opened.then(({ source: unused }) => unused.close()).catch(() => undefined);
      const network = await openSource(request.source, { ...options.sourceOptions, ...(request.plainHttp === true ? { plainHttp: true } : {}), signal });
      // With a cache request, http(s) images are read through the verified image cache (src/cache/).
      src = request.cache === undefined || network.kind !== 'http' ? network : openCachedSource(network, cacheSettings(request.cache, jobId, options.onEvent));
      source = src;
      cosi = await inspectCosi(src, { ...(request.expectedHash === undefined ? {} : { expectedHash: request.expectedHash }), signal });
    }
    src.noteChecked?.({ kind: 'image', imageHash: cosi.layout.imageHash });
    image = cosi;
    const { layout } = cosi;
    const context = await eligibilityContextFor(layout.disk, { sourcePath: src.localPath, unmountConsent: request.unmount, allowVirtual: request.allowLoop });
    const chosen: DiskInfo = chooseTarget(await disksRead, context, request.device).disk;
    disk = chosen;
    const mounted = allMountpoints(chosen).length > 0;
    if (request.unmount && mounted) await unmountDisk(chosen);
    signal.throwIfAborted();
    // After unmounting, re-check against a fresh enumeration: nothing may be mounted now.
    // (Without an unmount the enumeration above is milliseconds old, and O_EXCL below
    // refuses a disk that got mounted since.)
    const checked: DiskInfo = request.unmount && mounted ? chooseTarget(await listDisks(listOptions), { ...context, unmountConsent: false }, chosen.device).disk : chosen;
    disk = checked;

    records.push({ number: 0, name: 'partition table', startLba: 0, writtenBytes: 0, compressedSha384: '', compressedSha384Ok: null, uncompressedSha384: null, readBackOk: null, phase: 'waiting', error: null });
    for (const p of layout.partitions) {
      records.push({ number: p.number, name: p.name, startLba: p.startLba, writtenBytes: 0, compressedSha384: '', compressedSha384Ok: null, uncompressedSha384: null, readBackOk: null, phase: 'waiting', error: null });
    }
    const regions: RegionProgress[] = [
      { number: 0, name: 'partition table', phase: 'waiting', compressedBytes: layout.primaryGpt.compressedSize, downloadedBytes: 0, uncompressedBytes: layout.primaryGpt.uncompressedSize, writtenBytes: 0, verifiedBytes: 0 },
      ...layout.partitions.map((p): RegionProgress => ({ number: p.number, name: p.name, phase: 'waiting', compressedBytes: p.image.compressedSize, downloadedBytes: 0, uncompressedBytes: p.image.uncompressedSize, writtenBytes: 0, verifiedBytes: 0 })),
    ];
    options.onEvent({ type: 'plan', jobId, device: checked.device, regions, totalWriteBytes: layout.writeBytes });
    meter = createProgressMeter({ jobId, regions, verify: request.verify, emit: options.onEvent });
    const liveMeter = meter;
    const record = (number: number): RegionRecord => records.find((r) => r.number === number) as RegionRecord;

    const device: TargetDevice = openTarget(checked.device, { sizeBytes: checked.sizeBytes, blockBytes: checked.logicalSectorBytes });
    target = device;
    // Held exclusively now: prove it is still the disk the user confirmed before a byte is written.
    if (request.confirmedDisk !== undefined) {
      const differences = identityDifferences(request.confirmedDisk, readDiskIdentity(checked));
      if (differences.length > 0) {
        throw new CosiflashError('E_DISK_CHANGED', `The disk you confirmed is no longer at ${request.confirmedDisk.device} (${differences.join('; ')}). Nothing was written.`);
      }
    }
    // The kernel forgets the disk's old partitions before a byte is written (nothing may mount them).
    await expectNoKernelPartitions(checked.device, 'before writing');
    touched = true;
    await device.zeroEdges();
    const regionPipeline: RegionPipeline = pipeline;
    regionPipeline.attach(device);

    const inTarOrder = [...layout.partitions].sort((a, b) => a.image.tarOffsetBytes - b.image.tarOffsetBytes);
    for (const p of inTarOrder) {
      signal.throwIfAborted();
      const rec = record(p.number);
      rec.phase = 'writing';
      liveMeter.update(p.number, { phase: 'writing' });
      const result = await regionPipeline.writeRegion({
        chunks: src.stream(p.image.tarOffsetBytes, p.image.compressedSize, {
          signal,
          ...(request.retryForSeconds === undefined ? {} : { retryForMs: request.retryForSeconds * 1000 }),
          onRetry: (retry) => {
            liveMeter.retry();
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
        onDownloaded: (bytes) => liveMeter.add(p.number, { downloadedBytes: bytes }),
        onWritten: (bytes, busyMs) => {
          rec.writtenBytes += bytes;
          if (busyMs !== undefined) liveMeter.diskBusy(busyMs);
          liveMeter.add(p.number, { writtenBytes: bytes });
        },
      }).catch((e: unknown) => {
        rec.phase = signal.aborted ? 'cancelled' : 'failed';
        if (!signal.aborted) rec.error = toAppError(e);
        // The bytes of this region are not the image's: a cache forgets them, so they are fetched again.
        if (!signal.aborted && BAD_BYTES.has(toAppError(e).code)) src.noteChecked?.({ kind: 'region', offsetBytes: p.image.tarOffsetBytes, lengthBytes: p.image.compressedSize, ok: false });
        throw e;
      });
      src.noteChecked?.({ kind: 'region', offsetBytes: p.image.tarOffsetBytes, lengthBytes: p.image.compressedSize, ok: true });
      rec.compressedSha384 = result.compressedSha384;
      rec.compressedSha384Ok = true;
      rec.uncompressedSha384 = result.uncompressedSha384;
      rec.phase = 'written';
      liveMeter.update(p.number, { phase: 'written' });
    }
    await regionPipeline.close();
    pipeline = null;
    await device.sync();
    // Every region is read back while the disk still has no table: a failure, a kill or a pause
    // up to here leaves no valid table (issue 9 §1). Only the table's own bytes are read after it.
    const items = inTarOrder.map((p) => ({ rec: record(p.number), lengthBytes: p.image.uncompressedSize }));
    if (request.verify) await verifyRegions(device, layout.disk.lbaSize, items, liveMeter, signal);

    // The partition table goes last (docs/behavior.md §5.5).
    signal.throwIfAborted();
    const table = buildPartitionTable({ primaryRegion: cosi.primaryRegion, lbaSize: layout.disk.lbaSize, targetSizeBytes: device.sizeBytes });
    const gpt = record(0);
    gpt.phase = 'writing';
    liveMeter.update(0, { phase: 'writing', downloadedBytes: layout.primaryGpt.compressedSize });
    await device.writeAt(table.backup, table.backupOffsetBytes);
    await device.writeAt(table.primary, 0);
    await device.sync();
    gpt.writtenBytes = table.primary.byteLength;
    gpt.compressedSha384 = layout.primaryGpt.sha384;
    gpt.compressedSha384Ok = true;
    gpt.phase = 'written';
    liveMeter.update(0, { phase: 'written', writtenBytes: layout.primaryGpt.uncompressedSize });
    if (request.verify) await verifyTable(device, table, gpt, liveMeter, signal);
    await rereadPartitionTable(checked.device, { expectedPartitions: layout.partitions.length });
    liveMeter.flush();
  } catch (caught) {
    error = signal.aborted ? new CosiflashError('E_CANCELLED', 'The flash was cancelled.', { cause: caught }) : caught;
  } finally {
    await pipeline?.close().catch(() => undefined);
    if (error !== null && touched && target !== null) {
      // Leave no valid partition table behind (docs/behavior.md §5.8).
      await target.zeroEdges().catch(() => undefined);
    }
    target?.close();
    if (error !== null && touched && disk !== null) error = await withKernelPartitionsDropped(error, disk.device);
    await source?.close().catch(() => undefined);
  }

  const appError = error === null ? null : toAppError(error);
  const built = buildFlashReport({
    source: request.source,
    imageHash: image?.layout.imageHash ?? '',
    disk,
    requestedDevice: request.device ?? null,
    startedAt,
    finishedAt: new Date(),
    downloadedBytes: source?.transferredBytes ?? 0,
    retries: meter?.retries ?? 0,
    verify: request.verify,
    regions: records,
    error: appError,
    cancelled: appError?.code === 'E_CANCELLED',
    diskTouched: touched,
  });
  const report: FlashReport = source?.cachedBytes === undefined ? built : { ...built, cachedBytes: source.cachedBytes };
  options.onEvent(appError === null ? { type: 'done', jobId, report } : { type: 'failed', jobId, error: appError, report });
  return report;
}

/** Errors that mean the bytes read were not the image's (a damaged cache entry, a bad download). */
const BAD_BYTES = new Set(['E_IMAGE_HASH', 'E_IMAGE_SIZE', 'E_DECODE']);

/** The source's cache settings for a request: the writer works in the folder as the invoking user. */
function cacheSettings(cache: NonNullable<FlashRequest['cache']>, jobId: string, onEvent: (event: FlashProgress) => void): CacheSourceSettings {
  return { dir: cache.dir, maxBytes: cache.maxBytes, owner: invokingUser(), onWarning: (message) => onEvent({ type: 'warning', jobId, code: 'cache', message }) };
}

interface VerifyItem {
  readonly rec: RegionRecord;
  readonly lengthBytes: number;
}

/** Reads every region back through O_DIRECT and compares (before the table is written). */
async function verifyRegions(target: TargetDevice, lbaSize: number, items: readonly VerifyItem[], meter: ProgressMeter, signal: AbortSignal): Promise<void> {
  for (const { rec, lengthBytes } of items) {
    rec.phase = 'verifying';
    meter.update(rec.number, { phase: 'verifying' });
    const actual = await readBackSha384(target, rec.startLba * lbaSize, lengthBytes, { signal, onRead: (bytes) => meter.add(rec.number, { verifiedBytes: bytes }) });
    rec.readBackOk = actual === rec.uncompressedSha384;
    if (!rec.readBackOk) {
      rec.phase = 'failed';
      rec.error = new CosiflashError('E_VERIFY', `Partition ${rec.number} (${rec.name}) reads back as SHA-384 ${actual}, ${rec.uncompressedSha384 ?? '?'} was written`).toAppError();
      throw new CosiflashError('E_VERIFY', rec.error.detail);
    }
    rec.phase = 'verified';
    meter.update(rec.number, { phase: 'verified' });
  }
}

/** Reads the table's primary and backup bytes back and compares. */
async function verifyTable(target: TargetDevice, table: { primary: Buffer; backup: Buffer; backupOffsetBytes: number }, gpt: RegionRecord, meter: ProgressMeter, signal: AbortSignal): Promise<void> {
  gpt.phase = 'verifying';
  meter.update(0, { phase: 'verifying' });
  const same = async (expected: Buffer, positionBytes: number): Promise<boolean> => {
    return (await readBackSha384(target, positionBytes, expected.byteLength, { signal })) === createHash('sha384').update(expected).digest('hex');
  };
  gpt.readBackOk = (await same(table.primary, 0)) && (await same(table.backup, table.backupOffsetBytes));
  if (!gpt.readBackOk) {
    gpt.phase = 'failed';
    throw new CosiflashError('E_VERIFY', 'The partition table reads back differently from what was written');
  }
  gpt.phase = 'verified';
  meter.update(0, { phase: 'verified', verifiedBytes: gpt.writtenBytes });
}

/** Before writing: the kernel must hold no partition of the disk (else E_DISK_OPEN, nothing written). */
async function expectNoKernelPartitions(device: string, when: string): Promise<void> {
  const { remaining, problems } = await dropKernelPartitions(device);
  if (remaining.length > 0) {
    throw new CosiflashError('E_DISK_OPEN', `The kernel still lists partitions of ${device} ${when} (${remaining.join(', ')}): one is in use${problems.length > 0 ? ` (${problems.join('; ')})` : ''}. Nothing was written.`);
  }
}

/** After a failed flash: drops the kernel's partitions; says so in the error when some remain. */
async function withKernelPartitionsDropped(error: unknown, device: string): Promise<unknown> {
  const { remaining } = await dropKernelPartitions(device);
  if (remaining.length === 0) return error;
  const app = fromAppError(toAppError(error));
  return new CosiflashError(app.code, `${app.detail} The disk has no valid partition table, but the kernel still lists ${remaining.join(', ')} (in use): do not mount them.`, { cause: error });
}

/** The structured progress event of one source retry (front ends show "server unreachable, retrying (n s)"). */
export function retryProgress(jobId: string, retry: RetryEvent): Extract<FlashProgress, { type: 'retry' }> {
  const base = { type: 'retry' as const, jobId, attempt: retry.attempt, offsetBytes: retry.offsetBytes, reason: retry.reason };
  if (retry.unreachableMs === null) return base;
  return { ...base, unreachable: true, unreachableSeconds: Math.floor(retry.unreachableMs / 1000), retryForSeconds: Math.round(retry.retryForMs / 1000) };
}
