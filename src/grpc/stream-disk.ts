/**
 * trident.v1.StreamingService/StreamDisk on a Cosiflash station: inspect the image (checking the
 * caller's hash), choose the smallest eligible disk, and run the same writer as `cosiflash flash`
 * (which re-checks the target and every region). The flash is reported as Trident does: Started,
 * Log records, then Completed. Progress goes out as Log records whose message is one JSON object
 * (target "cosiflash::progress"), so Trident clients show them and tools can parse them.
 */
import { parseExpectedHash } from '../cosi/image-hash.ts';
import { CosiflashError, toAppError } from '../errors.ts';
import type { AppError } from '../model/app-error.ts';
import type { FlashProgress, FlashReport, RegionProgress } from '../model/flash-progress.ts';
import { flashRequestFor, planFlash } from '../pipeline/plan-flash.ts';
import { spawnWriter, type SpawnWriterOptions } from '../writer/spawn-writer.ts';

/** The station's policy, as given to `cosiflash serve`. */
export interface StationPolicy {
  readonly allowLoop: boolean;
  readonly onlyDevices?: readonly string[];
  readonly writer?: SpawnWriterOptions;
}

/** One ServicingResponse as grpc-js serializes it (keepCase field names, enum names). */
export type ServicingResponse = { readonly timestamp: { seconds: number; nanos: number } } & (
  | { readonly started: Record<string, never> }
  | { readonly log: { level: string; message: string; module: string; target: string } }
  | { readonly completed: { status: string; error?: TridentErrorMessage; reboot_status: string; image_hash?: string; servicing_kind?: string } }
);

interface TridentErrorMessage {
  kind: string;
  subkind: string;
  message: string;
  error_message: string;
}

/** The log target of machine-readable progress records. */
export const PROGRESS_TARGET = 'cosiflash::progress';
const MODULE = 'cosiflash::grpc';

/** The busy lock: one servicing per station at a time, as Trident. */
let active = false;

/** True while a StreamDisk runs; a second request gets gRPC UNAVAILABLE "Servicing is active". */
export function servicingActive(): boolean {
  return active;
}

/**
 * Runs one StreamDisk. `send` receives each response in order; the returned promise resolves
 * after Completed was sent; failures end in a failed Completed, never a throw. The caller checks
 * servicingActive() first. `signal` aborts (client went away): the flash is cancelled.
 */
export async function runStreamDisk(
  request: { image_url: string; image_hash?: string | null; reboot?: { handling?: string } | null },
  policy: StationPolicy,
  send: (response: ServicingResponse) => void,
  signal: AbortSignal,
): Promise<void> {
  active = true;
  try {
    send({ timestamp: now(), started: {} });
    const log = (level: string, message: string, target = MODULE): void => send({ timestamp: now(), log: { level, message, module: MODULE, target } });
    let imageHash: string | undefined;
    try {
      if (request.reboot?.handling === 'TRIDENT_HANDLES_REBOOT') log('LOG_LEVEL_WARN', 'Cosiflash never reboots: the image is written to a disk of this station; rebooting is up to the caller.');
      if (typeof request.image_url !== 'string' || request.image_url.trim() === '') throw new CosiflashError('E_INPUT', 'image_url is empty');
      const expected = request.image_hash === undefined || request.image_hash === null ? '' : parseExpectedHash(request.image_hash);
      log('LOG_LEVEL_INFO', `Inspecting ${request.image_url}`);
      // The one flash plan: the smallest eligible disk that fits, pinned to the image inspected here.
      const plan = await planFlash({
        location: request.image_url,
        ...(expected === '' ? {} : { expectedHash: expected }),
        targets: { kind: 'auto' },
        verify: true,
        unmount: false,
        allowVirtual: policy.allowLoop,
        ...(policy.onlyDevices === undefined ? {} : { onlyDevices: policy.onlyDevices }),
        signal,
      });
      imageHash = plan.imageHash;
      const [target] = plan.targets;
      if (target === undefined) throw new CosiflashError('E_INTERNAL', 'The flash plan has no target.');
      log('LOG_LEVEL_INFO', `Writing image ${plan.imageHash} to ${target.disk.device} (${target.disk.sizeBytes} bytes)`);
      if (signal.aborted) throw new CosiflashError('E_CANCELLED', 'The client went away before writing started.');
      const flashRequest = flashRequestFor(plan, target);
      const job = spawnWriter(flashRequest, policy.writer);
      const onAbort = (): void => job.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      const progress = createProgressLogger(log);
      try {
        for await (const event of job.events) progress(event);
        const report = await job.done;
        if (report.outcome === 'verified') log('LOG_LEVEL_INFO', `Verified ${report.writtenBytes} bytes on ${report.device.path}`);
        sendCompleted(send, report.error, report.outcome === 'verified' || report.outcome === 'written' ? report : null, report.imageHash);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    } catch (error) {
      const appError = toAppError(error);
      log('LOG_LEVEL_ERROR', `${appError.code}: ${appError.title}: ${appError.detail}`);
      sendCompleted(send, appError, null, imageHash);
    }
  } finally {
    active = false;
  }
}

function sendCompleted(send: (response: ServicingResponse) => void, error: AppError | null, success: FlashReport | null, imageHash: string | undefined): void {
  const hash = imageHash === undefined || imageHash === '' ? {} : { image_hash: imageHash.startsWith('sha384:') ? imageHash : `sha384:${imageHash}` };
  if (success !== null) {
    send({ timestamp: now(), completed: { status: 'STATUS_CODE_SUCCESS', reboot_status: 'REBOOT_NOT_REQUIRED', servicing_kind: 'SERVICING_KIND_CLEAN_INSTALL', ...hash } });
    return;
  }
  const appError = error ?? new CosiflashError('E_INTERNAL', 'The flash did not complete.').toAppError();
  send({
    timestamp: now(),
    completed: {
      status: 'STATUS_CODE_FAILURE',
      error: { kind: tridentErrorKind(appError.code), subkind: appError.code, message: `${appError.title}: ${appError.detail}`, error_message: appError.detail },
      reboot_status: 'REBOOT_NOT_REQUIRED',
      ...hash,
    },
  });
}

/** Maps E_* codes onto Trident's coarse error kinds; the exact code travels in `subkind`. */
export function tridentErrorKind(code: string): string {
  if (/^E_(INPUT|HASH_FORMAT|HASH_MISMATCH|URL|NOT_COSI|METADATA|TAR|COSI)/.test(code)) return 'INVALID_INPUT_ERROR';
  if (/^E_(NO_ELIGIBLE_DISK|DISK_)/.test(code)) return 'UNSUPPORTED_CONFIGURATION_ERROR';
  if (/^E_(PERMISSION|ELEVATION)/.test(code)) return 'EXECUTION_ENVIRONMENT_MISCONFIGURATION_ERROR';
  if (code === 'E_INTERNAL') return 'INTERNAL_ERROR';
  return 'SERVICING_ERROR';
}

/**
 * Progress records: one JSON object per region whose phase or bytes moved, at most once a
 * second per region (phase changes always): {"region","phase","bytes","fraction","etaSeconds"}.
 */
function createProgressLogger(log: (level: string, message: string, target?: string) => void): (event: FlashProgress) => void {
  const last = new Map<number, { phase: string; atMs: number; bytes: number }>();
  return (event) => {
    if (event.type === 'retry') log('LOG_LEVEL_WARN', `Retrying at byte ${event.offsetBytes} (attempt ${event.attempt}): ${event.reason}`);
    if (event.type !== 'progress' && event.type !== 'plan') return;
    const etaSeconds = event.type === 'progress' && event.etaMs !== null ? Math.round(event.etaMs / 1000) : null;
    for (const region of event.regions) {
      const bytes = regionBytes(region);
      const previous = last.get(region.number);
      const nowMs = Date.now();
      if (previous !== undefined && previous.phase === region.phase && (previous.bytes === bytes || nowMs - previous.atMs < 1000)) continue;
      last.set(region.number, { phase: region.phase, atMs: nowMs, bytes });
      const fraction = region.uncompressedBytes > 0 ? Math.min(1, bytes / region.uncompressedBytes) : 0;
      log('LOG_LEVEL_INFO', JSON.stringify({ region: region.name, phase: region.phase, bytes, fraction: Math.round(fraction * 10000) / 10000, etaSeconds }), PROGRESS_TARGET);
    }
  };
}

function regionBytes(region: RegionProgress): number {
  return region.phase === 'verifying' || region.phase === 'verified' ? region.verifiedBytes : region.writtenBytes;
}

function now(): { seconds: number; nanos: number } {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
