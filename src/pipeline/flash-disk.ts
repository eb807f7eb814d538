import { createHash, randomUUID } from 'node:crypto';
import type { CosiImage } from '../cosi/inspect-cosi.ts';
import { assertImageHash, computeImageHash, parseExpectedHash } from '../cosi/image-hash.ts';
import { inspectCosi } from '../cosi/inspect-cosi.ts';
import { chooseTargets } from '../disk/choose-targets.ts';
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
import type { FlashProgress, FlashReport } from '../model/flash-progress.ts';
import { invokingUser } from '../util/invoking-user.ts';
import { openCachedSource, type CacheSourceSettings } from '../cache/cached-source.ts';
import { openSource, type OpenSourceOptions } from '../source/open-source.ts';
import type { ImageSource, RetryEvent } from '../source/image-source.ts';
import { buildFlashReport } from './flash-report.ts';
import { confirmedIdentities, requestedDevices, type FlashRequest } from '../model/flash-request.ts';
import { readBackSha384 } from './read-back.ts';
import { createFlashLedger, type FlashLedger, type RegionPlan, type TargetLedger } from './region-ledger.ts';
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
 * Flashes a COSI onto one or several whole disks (docs/behavior.md §4–7), in this
 * order: plan (inspect, expected hash first; choose the targets from a fresh enumeration;
 * re-check, unmount only with consent; open each exclusively and prove it is the disk
 * confirmed) → write regions (zero both ends of every target, then stream every partition
 * region in tar order: fetched, hashed and decoded once, written to every target) → verify
 * (per target, concurrently: fsync, read every region back while the disk has no table) →
 * write table (each target its own, backup GPT at its own end, LAST) → read back the table →
 * re-read it. The kernel's partitions of every target are dropped before writing.
 * A target that fails is dropped, its ends zeroed and its kernel partitions dropped, so it
 * keeps no valid partition table; the others go on. Never throws: the report carries the
 * outcome, with a section per target.
 */
export async function flashDisk(request: FlashRequest, options: FlashDiskOptions): Promise<FlashReport> {
  const jobId = options.jobId ?? randomUUID();
  const { signal } = options;
  const startedAt = new Date();
  let source: ImageSource | null = null;
  let image: CosiImage | null = null;
  let ledger: FlashLedger | null = null;
  const opened: TargetDevice[] = [];
  let pipeline: RegionPipeline | null = null;
  let error: unknown = null;

  try {
    // The workers start now, the image and the disks are read at the same time.
    pipeline = createRegionPipeline(null);
    const { src, cosi } = await openImage(request, options, jobId);
    source = src;
    src.noteChecked?.({ kind: 'image', imageHash: cosi.layout.imageHash });
    image = cosi;
    const { layout } = cosi;
    const disks = await chooseCheckedTargets(request, cosi, src);
    const live = createFlashLedger({ jobId, regions: regionPlans(layout), disks, verify: request.verify, emit: options.onEvent, startedAt });
    ledger = live;
    live.emitPlan(layout.writeBytes);

    const confirmed = confirmedIdentities(request);
    for (const disk of disks) {
      opened.push(openTarget(disk.device, { sizeBytes: disk.sizeBytes, blockBytes: disk.logicalSectorBytes }));
      // Held exclusively now: prove it is still the disk the user confirmed before a byte is written.
      if (confirmed.length > 0) {
        const identity = confirmed.find((c) => c.device === disk.device);
        const differences = identity === undefined ? ['it is not among the disks confirmed'] : identityDifferences(identity, readDiskIdentity(disk));
        if (differences.length > 0) {
          throw new CosiflashError('E_DISK_CHANGED', `The disk you confirmed is no longer at ${disk.device} (${differences.join('; ')}). Nothing was written.`);
        }
      }
    }
    const targets: readonly TargetDevice[] = opened;
    // The kernel forgets each disk's old partitions before a byte is written (nothing may mount them).
    for (const disk of disks) await expectNoKernelPartitions(disk.device, 'before writing');
    await Promise.all(
      live.targets.map(async (t, i) => {
        t.touched = true;
        await (targets[i] as TargetDevice).zeroEdges();
      }),
    );
    const regionPipeline: RegionPipeline = pipeline;
    regionPipeline.attach(targets);

    const inTarOrder = [...layout.partitions].sort((a, b) => a.image.tarOffsetBytes - b.image.tarOffsetBytes);
    for (const p of inTarOrder) {
      signal.throwIfAborted();
      for (const t of live.running()) t.phase(p.number, 'writing');
      const result = await regionPipeline.writeRegion({
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
        onDownloaded: (bytes) => live.downloaded(p.number, bytes),
        onWritten: (bytes, index, busyMs) => {
          const target = live.targets[index];
          if (busyMs !== undefined) target?.diskBusy(busyMs);
          target?.add(p.number, { writtenBytes: bytes });
        },
        // Only this target is dropped; its ends are zeroed once the pipeline has let go of it.
        onTargetFailed: (index, reason) => live.targets[index]?.fail(reason, p.number),
      }).catch((e: unknown) => {
        // The bytes of this region are not the image's: a cache forgets them, so they are fetched again.
        if (!signal.aborted && BAD_BYTES.has(toAppError(e).code)) src.noteChecked?.({ kind: 'region', offsetBytes: p.image.tarOffsetBytes, lengthBytes: p.image.compressedSize, ok: false });
        throw e;
      });
      src.noteChecked?.({ kind: 'region', offsetBytes: p.image.tarOffsetBytes, lengthBytes: p.image.compressedSize, ok: true });
      for (const t of live.running()) {
        t.record(p.number, { compressedSha384: result.compressedSha384, compressedSha384Ok: true, uncompressedSha384: result.uncompressedSha384 });
        t.phase(p.number, 'written');
      }
    }
    await regionPipeline.close();
    pipeline = null;
    await Promise.all(live.targets.map(async (t, i) => (t.state === 'running' ? finishTarget(t, targets[i] as TargetDevice, cosi, inTarOrder, request.verify, signal) : undefined)));
    live.flush();
  } catch (caught) {
    error = signal.aborted ? new CosiflashError('E_CANCELLED', 'The flash was cancelled.', { cause: caught }) : caught;
  } finally {
    await pipeline?.close().catch(() => undefined);
    // Leave no valid partition table behind on any disk that did not finish (docs/behavior.md §5.8).
    await Promise.all(
      opened.map(async (target, i) => {
        const t = ledger?.targets[i];
        if (t !== undefined && t.touched && (error !== null || t.state === 'failed')) await target.zeroEdges().catch(() => undefined);
      }),
    );
    for (const target of opened) target.close();
    // A disk that did not finish: the kernel forgets its partitions too; the error says so when some stay.
    for (const t of ledger?.targets ?? []) {
      if (!t.touched || (error === null && t.state !== 'failed')) continue;
      if (t.state === 'failed' && t.error !== null) t.explain(await withKernelPartitionsDropped(fromAppError(t.error), t.device).then(toAppError));
      else error = await withKernelPartitionsDropped(error, t.device);
    }
    await source?.close().catch(() => undefined);
  }

  const jobError = error === null ? null : toAppError(error);
  const cancelled = jobError?.code === 'E_CANCELLED';
  const frozen = { source: request.source, imageHash: image?.layout.imageHash ?? '', downloadedBytes: source?.transferredBytes ?? 0, jobError, cancelled };
  const built =
    ledger === null
      ? buildFlashReport({ ...frozen, startedAt, finishedAt: new Date(), retries: 0, targets: [], requestedDevice: requestedDevices(request)[0] ?? null })
      : ledger.freeze(frozen);
  const report: FlashReport = source?.cachedBytes === undefined ? built : { ...built, cachedBytes: source.cachedBytes };
  options.onEvent(report.outcome === 'verified' || report.outcome === 'written' ? { type: 'done', jobId, report } : { type: 'failed', jobId, error: report.error ?? jobError ?? new CosiflashError('E_INTERNAL', 'The flash failed.').toAppError(), report });
  return report;
}

/** Errors that mean the bytes read were not the image's (a damaged cache entry, a bad download). */
const BAD_BYTES = new Set(['E_IMAGE_HASH', 'E_IMAGE_SIZE', 'E_DECODE']);

/** The source's cache settings for a request: the writer works in the folder as the invoking user. */
function cacheSettings(cache: NonNullable<FlashRequest['cache']>, jobId: string, onEvent: (event: FlashProgress) => void): CacheSourceSettings {
  return { dir: cache.dir, maxBytes: cache.maxBytes, owner: invokingUser(), onWarning: (message) => onEvent({ type: 'warning', jobId, code: 'cache', message }) };
}

/** The image: the one opened ahead of the job when it is the request's (its hash still checked), else opened now. */
async function openImage(request: FlashRequest, options: FlashDiskOptions, jobId: string): Promise<{ src: ImageSource; cosi: CosiImage }> {
  if (options.prepared !== undefined && options.prepared.location === request.source && (options.prepared.cached ?? false) === (request.cache !== undefined)) {
    const { source: src, image: cosi } = await options.prepared.opened;
    try {
      assertImageHash(computeImageHash(cosi.metadataBytes), request.expectedHash === undefined ? '' : parseExpectedHash(request.expectedHash));
    } catch (e) {
      await src.close().catch(() => undefined);
      throw e;
    }
    return { src, cosi };
  }
  if (options.prepared !== undefined) void options.prepared.opened.then(({ source: unused }) => unused.close()).catch(() => undefined);
  const network = await openSource(request.source, { ...options.sourceOptions, ...(request.plainHttp === true ? { plainHttp: true } : {}), signal: options.signal });
  // With a cache request, http(s) images are read through the verified image cache (src/cache/).
  const src = request.cache === undefined || network.kind !== 'http' ? network : openCachedSource(network, cacheSettings(request.cache, jobId, options.onEvent));
  try {
    return { src, cosi: await inspectCosi(src, { ...(request.expectedHash === undefined ? {} : { expectedHash: request.expectedHash }), signal: options.signal }) };
  } catch (e) {
    await src.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Chooses the targets from a fresh enumeration, unmounts with consent, and re-checks each
 * against another enumeration afterwards: nothing may be mounted now. (Without an unmount the
 * enumeration is milliseconds old, and O_EXCL refuses a disk that got mounted since.)
 */
async function chooseCheckedTargets(request: FlashRequest, cosi: CosiImage, src: ImageSource): Promise<DiskInfo[]> {
  const listOptions = { allowLoop: request.allowLoop, ...(request.onlyDevices === undefined ? {} : { onlyDevices: request.onlyDevices }) };
  const context = await eligibilityContextFor(cosi.layout.disk, { sourcePath: src.localPath, unmountConsent: request.unmount, allowVirtual: request.allowLoop });
  const named = requestedDevices(request);
  const selection = named.length > 0 ? { devices: named } : request.count === undefined ? {} : { count: request.count };
  const chosen = chooseTargets(await listDisks(listOptions), context, selection).map((c) => c.disk);
  const mounted = chosen.filter((disk) => allMountpoints(disk).length > 0);
  if (!request.unmount || mounted.length === 0) return chosen;
  for (const disk of mounted) await unmountDisk(disk);
  return chooseTargets(await listDisks(listOptions), { ...context, unmountConsent: false }, { devices: chosen.map((d) => d.device) }).map((c) => c.disk);
}

function regionPlans(layout: CosiImage['layout']): RegionPlan[] {
  return [
    { number: 0, name: 'partition table', startLba: 0, compressedBytes: layout.primaryGpt.compressedSize, uncompressedBytes: layout.primaryGpt.uncompressedSize },
    ...layout.partitions.map((p): RegionPlan => ({ number: p.number, name: p.name, startLba: p.startLba, compressedBytes: p.image.compressedSize, uncompressedBytes: p.image.uncompressedSize })),
  ];
}

/**
 * One target after its regions are written: fsync, read every region back, then its own
 * partition table (LAST: until here the disk has none, docs/behavior.md §5.5), re-read
 * it, and read the table back. A failure drops this target only (its ends are zeroed by the
 * caller); a cancel stops the job.
 */
async function finishTarget(ledger: TargetLedger, device: TargetDevice, cosi: CosiImage, regions: readonly CosiImage['layout']['partitions'][number][], verify: boolean, signal: AbortSignal): Promise<void> {
  const { layout } = cosi;
  try {
    await device.sync();
    if (verify) {
      for (const p of regions) {
        ledger.phase(p.number, 'verifying');
        const facts = ledger.facts(p.number);
        const actual = await readBackSha384(device, p.startLba * layout.disk.lbaSize, p.image.uncompressedSize, { signal, onRead: (bytes) => ledger.add(p.number, { verifiedBytes: bytes }) });
        ledger.record(p.number, { readBackOk: actual === facts.uncompressedSha384 });
        if (actual !== facts.uncompressedSha384) {
          throw new CosiflashError('E_VERIFY', `Partition ${p.number} (${p.name}) on ${device.path} reads back as SHA-384 ${actual}, ${facts.uncompressedSha384 ?? '?'} was written`);
        }
        ledger.phase(p.number, 'verified');
      }
    }
    signal.throwIfAborted();
    const table = buildPartitionTable({ primaryRegion: cosi.primaryRegion, lbaSize: layout.disk.lbaSize, targetSizeBytes: device.sizeBytes });
    ledger.phase(0, 'writing');
    await device.writeAt(table.backup, table.backupOffsetBytes);
    await device.writeAt(table.primary, 0);
    await device.sync();
    ledger.record(0, { compressedSha384: layout.primaryGpt.sha384, compressedSha384Ok: true });
    ledger.add(0, { writtenBytes: layout.primaryGpt.uncompressedSize });
    ledger.phase(0, 'written');
    if (verify) {
      ledger.phase(0, 'verifying');
      const same = async (expected: Buffer, positionBytes: number): Promise<boolean> => (await readBackSha384(device, positionBytes, expected.byteLength, { signal })) === createHash('sha384').update(expected).digest('hex');
      const ok = (await same(table.primary, 0)) && (await same(table.backup, table.backupOffsetBytes));
      ledger.record(0, { readBackOk: ok });
      if (!ok) throw new CosiflashError('E_VERIFY', `The partition table on ${device.path} reads back differently from what was written`);
      ledger.add(0, { verifiedBytes: layout.primaryGpt.uncompressedSize });
      ledger.phase(0, 'verified');
    }
    await rereadPartitionTable(device.path, { expectedPartitions: layout.partitions.length });
    ledger.finish(verify ? 'verified' : 'written');
  } catch (caught) {
    if (signal.aborted) throw caught;
    ledger.fail(toAppError(caught));
  }
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
