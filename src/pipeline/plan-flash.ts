/**
 * THE flash plan: the one function every front end (CLI `flash`, the handler table's
 * `flash:start` for Electron and web mode, gRPC StreamDisk, the auto-flash station) uses to
 * turn "this image onto that disk" into what the writer is asked to do. Nothing else composes
 * a {@link FlashRequest}: {@link flashRequestFor} is the only way from a plan to a request.
 *
 * It opens and inspects the image (or takes an image already inspected), builds the
 * eligibility context, chooses (auto) or checks (named) the targets against a fresh
 * enumeration, captures each target's {@link DiskIdentity}, and pins the plan to the
 * `imageHash` the user saw. The writer then proves both cheaply before its first write:
 * the image it opens must have the pinned hash (E_HASH_MISMATCH) and the device it holds
 * exclusively must still be the confirmed disk (E_DISK_CHANGED).
 *
 * Several targets are planned from the start (`targets: PlannedTarget[]`): named devices may
 * be many; auto-selection picks one, or the `count` smallest eligible disks that fit.
 */
import type { InspectedImage, InspectInWorkerOptions } from '../cosi/inspect-in-worker.ts';
import { formatImageHash, parseExpectedHash } from '../cosi/image-hash.ts';
import { chooseTarget, chooseTargets } from '../disk/choose-target.ts';
import type { EligibilityContext } from '../disk/eligibility.ts';
import type { ListDisksOptions } from '../disk/list-disks.ts';
import { identityDifferences, readDiskIdentity } from '../disk/read-disk-identity.ts';
import { CosiflashError } from '../errors.ts';
import { traceStartup } from '../util/startup-trace.ts';
import type { DiskIdentity } from '../model/disk-identity.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import type { Layout } from '../model/layout.ts';
import type { FlashCacheRequest, FlashRequest } from '../model/flash-request.ts';

/** A disk the user named, with the identity of the disk they were shown when there was one (UI). */
export interface NamedTarget {
  readonly device: string;
  /** The disk as the user saw it; the plan (and the writer) refuse with E_DISK_CHANGED when the path is another disk now. */
  readonly confirmed?: DiskIdentity;
}

/** The most disks one flash writes (the request's device and at most 15 moreTargets). */
export const MAX_TARGETS = 16;

/** How the targets are found: the smallest eligible disk that fits, the `count` smallest (same rule), or the devices named. */
export type TargetChoice = { readonly kind: 'auto' } | { readonly kind: 'count'; readonly count: number } | { readonly kind: 'named'; readonly devices: readonly NamedTarget[] };

export interface PlanFlashInput {
  /** Path or URL of the COSI, as the user gave it. */
  readonly location: string;
  /** The image already inspected by this process (station's pinned image); skips the inspection. */
  readonly prepared?: InspectedImage;
  /** A hash the user or caller demanded (`--hash`, gRPC image_hash); `sha384:<hex>` or hex. */
  readonly expectedHash?: string;
  /** The Layout.imageHash the user reviewed (UI): the image must still be it. */
  readonly reviewedImageHash?: string;
  readonly targets: TargetChoice;
  readonly verify: boolean;
  /** The user agreed to unmount the targets' partitions. */
  readonly unmount: boolean;
  /** Loop/virtual disks may be targets. */
  readonly allowVirtual: boolean;
  /** Only these devices are considered at all. */
  readonly onlyDevices?: readonly string[];
  readonly retryForSeconds?: number;
  /** oci:// only: plain HTTP to a loopback registry (`--plain-http`). */
  readonly plainHttp?: boolean;
  /** Read and keep an http(s) image through the verified image cache (src/cache/). */
  readonly cache?: FlashCacheRequest;
  readonly signal?: AbortSignal;
}

/** The operations the plan needs; each missing one is the real module, imported on first use. */
export interface PlanFlashServices {
  /** Opens and inspects an image (the handler table: in a worker with limits). Default: in this thread. */
  readonly inspect?: (location: string, options: InspectInWorkerOptions) => Promise<InspectedImage>;
  readonly listDisks?: (options: ListDisksOptions) => Promise<DiskInfo[]>;
  readonly findDisksHolding?: (path: string) => Promise<string[]>;
  /** The identity of a disk as enumerated now. Default: readDiskIdentity (sysfs diskseq, MAJ:MIN). */
  readonly identityOf?: (disk: DiskInfo) => DiskIdentity;
}

export interface PlannedTarget {
  /** The disk as enumerated while planning (the CLI's plan shows it). */
  readonly disk: DiskInfo;
  /** What the writer compares after its exclusive open: the confirmed identity, else the one read while planning. */
  readonly identity: DiskIdentity;
}

/** The plan carries the request's options through unchanged. */
export interface FlashPlan extends Pick<PlanFlashInput, 'verify' | 'unmount' | 'allowVirtual' | 'onlyDevices' | 'retryForSeconds' | 'plainHttp' | 'cache'> {
  /** Where the image is, canonical (absolute path or URL): what the writer opens. */
  readonly location: string;
  readonly source: InspectedImage['source'];
  readonly layout: Layout;
  /** `sha384:<hex>`: the image the user saw; the writer refuses any other. */
  readonly imageHash: string;
  readonly targets: readonly PlannedTarget[];
}

/**
 * Plans one flash. Throws (nothing written, nothing started): E_HASH_MISMATCH when the image is
 * not the expected or reviewed one, E_DISK_NOT_FOUND / E_DISK_INELIGIBLE / E_NO_ELIGIBLE_DISK
 * from the target rules, E_DISK_CHANGED when a named target is no longer the disk the user was
 * shown, E_INPUT for an empty or repeated target list; and the image's own errors.
 */
export async function planFlash(input: PlanFlashInput, services: PlanFlashServices = {}): Promise<FlashPlan> {
  if (input.targets.kind === 'named') checkNamedList(input.targets.devices);
  if (input.targets.kind === 'count') checkCount(input.targets.count);
  const reviewedHex = input.reviewedImageHash === undefined ? '' : parseExpectedHash(input.reviewedImageHash);
  const expectedHex = input.expectedHash === undefined ? '' : parseExpectedHash(input.expectedHash);
  const { onlyDevices } = input;
  const listDisks = services.listDisks ?? (await import('../disk/list-disks.ts')).listDisks;
  // The disks are read while the image is inspected.
  const disksRead = listDisks({ allowLoop: input.allowVirtual, ...(onlyDevices === undefined ? {} : { onlyDevices }) });
  disksRead.catch(() => undefined);
  void disksRead.then(() => traceStartup('plan', 'disks listed'), () => undefined);
  traceStartup('plan', 'list-disks loaded');

  const inspected = input.prepared ?? (await inspectPinned(input, reviewedHex !== '' ? reviewedHex : expectedHex, services));
  const actualHex = parseExpectedHash(inspected.layout.imageHash);
  if (reviewedHex !== '' && actualHex !== reviewedHex) {
    throw new CosiflashError('E_HASH_MISMATCH', changedSinceReview(input.location, actualHex, reviewedHex));
  }
  if (expectedHex !== '' && actualHex !== expectedHex) {
    throw new CosiflashError('E_HASH_MISMATCH', `the image hash is ${formatImageHash(actualHex)} but ${formatImageHash(expectedHex)} was expected`);
  }

  const { layout, source } = inspected;
  traceStartup('plan', 'inspected');
  const findDisksHolding = services.findDisksHolding ?? (await import('../disk/find-disks-holding.ts')).findDisksHolding;
  const context: EligibilityContext = {
    requiredBytes: layout.disk.sizeBytes,
    lbaSize: layout.disk.lbaSize,
    sourcePath: source.localPath,
    sourceDisks: source.localPath === null ? [] : await findDisksHolding(source.localPath),
    unmountConsent: input.unmount,
    allowVirtual: input.allowVirtual,
  };
  traceStartup('plan', 'eligibility context');
  const disks = await disksRead;
  const identityOf = services.identityOf ?? readDiskIdentity;
  const choice = input.targets;
  const targets: PlannedTarget[] =
    choice.kind === 'auto'
      ? [plannedTarget(chooseTarget(disks, context).disk, undefined, identityOf)]
      : choice.kind === 'count'
        ? chooseTargets(disks, context, choice.count).map((candidate) => plannedTarget(candidate.disk, undefined, identityOf))
        : choice.devices.map((named) => plannedTarget(chooseTarget(disks, context, named.device).disk, named.confirmed, identityOf));

  return {
    location: source.location,
    source,
    layout,
    imageHash: formatImageHash(actualHex),
    targets,
    verify: input.verify,
    unmount: input.unmount,
    allowVirtual: input.allowVirtual,
    ...(input.onlyDevices === undefined ? {} : { onlyDevices: input.onlyDevices }),
    ...(input.retryForSeconds === undefined ? {} : { retryForSeconds: input.retryForSeconds }),
    ...(input.plainHttp === true ? { plainHttp: true } : {}),
    ...(input.cache === undefined ? {} : { cache: input.cache }),
  };
}

/**
 * The writer's request for one target of a plan: pinned to the plan's image hash, naming the
 * device and its identity, and restricted to that one device. The only composer of a FlashRequest.
 */
export function flashRequestFor(plan: FlashPlan, target: PlannedTarget): FlashRequest {
  if (!plan.targets.includes(target)) throw new CosiflashError('E_INTERNAL', `${target.disk.device} is not a target of this plan.`);
  return {
    source: plan.location,
    device: target.disk.device,
    confirmedDisk: target.identity,
    expectedHash: plan.imageHash,
    verify: plan.verify,
    unmount: plan.unmount,
    allowLoop: plan.allowVirtual,
    onlyDevices: [target.disk.device],
    ...(plan.retryForSeconds === undefined ? {} : { retryForSeconds: plan.retryForSeconds }),
    ...(plan.plainHttp === true ? { plainHttp: true } : {}),
    ...(plan.cache === undefined ? {} : { cache: plan.cache }),
  };
}

/**
 * The writer's request for every target of a plan in one job (issue 11 §1): the first target
 * is `device`/`confirmedDisk`, the others `moreTargets`, and candidates are restricted to them.
 * A one-target plan gives exactly {@link flashRequestFor}'s request.
 */
export function flashRequestForAll(plan: FlashPlan): FlashRequest {
  const [first, ...rest] = plan.targets;
  if (first === undefined) throw new CosiflashError('E_INTERNAL', 'The plan has no target.');
  const request = flashRequestFor(plan, first);
  if (rest.length === 0) return request;
  return {
    ...request,
    moreTargets: rest.map((t) => ({ device: t.disk.device, confirmedDisk: t.identity })),
    onlyDevices: plan.targets.map((t) => t.disk.device),
  };
}

/** The message a front end shows when the image behind a location changed after Review. */
export function changedSinceReview(location: string, actualHex: string, reviewedHex: string): string {
  return `The image at ${location} changed since you reviewed it (it is now ${formatImageHash(actualHex)}, you reviewed ${formatImageHash(reviewedHex)}). Nothing was written; review the image again.`;
}

function plannedTarget(disk: DiskInfo, confirmed: DiskIdentity | undefined, identityOf: (disk: DiskInfo) => DiskIdentity): PlannedTarget {
  const current = identityOf(disk);
  if (confirmed === undefined) return { disk, identity: current };
  const differences = identityDifferences(confirmed, current);
  if (differences.length > 0) {
    throw new CosiflashError('E_DISK_CHANGED', `The disk you confirmed is no longer at ${confirmed.device} (${differences.join('; ')}). Nothing was written.`);
  }
  return { disk, identity: confirmed };
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_TARGETS) throw new CosiflashError('E_INPUT', `The number of target disks must be a whole number from 1 to ${MAX_TARGETS} (got ${count}).`);
}

function checkNamedList(devices: readonly NamedTarget[]): void {
  if (devices.length === 0) throw new CosiflashError('E_INPUT', 'No target disk was named.');
  if (devices.length > MAX_TARGETS) throw new CosiflashError('E_INPUT', `At most ${MAX_TARGETS} disks can be written at once (${devices.length} were named).`);
  const seen = new Set<string>();
  for (const { device, confirmed } of devices) {
    if (seen.has(device)) throw new CosiflashError('E_INPUT', `${device} is named more than once.`);
    seen.add(device);
    if (confirmed !== undefined && confirmed.device !== device) {
      throw new CosiflashError('E_INPUT', `The confirmed disk ${confirmed.device} is not the device named (${device}).`);
    }
  }
}

async function inspectPinned(input: PlanFlashInput, expectedHex: string, services: PlanFlashServices): Promise<InspectedImage> {
  const options: InspectInWorkerOptions = {
    ...(expectedHex === '' ? {} : { expectedHash: expectedHex }),
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    ...(input.retryForSeconds === undefined && input.plainHttp !== true
      ? {}
      : { sourceOptions: { ...(input.retryForSeconds === undefined ? {} : { retryForMs: input.retryForSeconds * 1000 }), ...(input.plainHttp === true ? { plainHttp: true } : {}) } }),
  };
  const inspect = services.inspect ?? inspectHere;
  try {
    return await inspect(input.location, options);
  } catch (error) {
    // The reviewed image is gone from that location: say so in the words of the review.
    if (error instanceof CosiflashError && error.code === 'E_HASH_MISMATCH' && input.reviewedImageHash !== undefined) {
      throw new CosiflashError('E_HASH_MISMATCH', `The image at ${input.location} changed since you reviewed it (${error.message}). Nothing was written; review the image again.`, { cause: error });
    }
    throw error;
  }
}

/** Opens and inspects in this thread (the CLI, gRPC): the same result as inspectInWorker. */
async function inspectHere(location: string, options: InspectInWorkerOptions): Promise<InspectedImage> {
  const [{ openSource }, { inspectCosi }] = await Promise.all([import('../source/open-source.ts'), import('../cosi/inspect-cosi.ts')]);
  const source = await openSource(location, { ...options.sourceOptions, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  try {
    const { layout } = await inspectCosi(source, { ...(options.expectedHash === undefined ? {} : { expectedHash: options.expectedHash }), ...(options.signal === undefined ? {} : { signal: options.signal }) });
    return { layout, source: { location: source.location, kind: source.kind, sizeBytes: source.sizeBytes, localPath: source.localPath } };
  } finally {
    await source.close();
  }
}
