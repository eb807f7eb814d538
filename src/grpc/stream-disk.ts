/**
 * trident.v1.StreamingService/StreamDisk on a Cosiflash station: inspect the image (checking the
 * caller's hash), choose the smallest eligible free disk, and flash it through the station's
 * handler table like every other front end (src/service/station-servicing.ts: flash log,
 * confirmed disk identity, the writer's own checks). The flash is reported as Trident does: Started,
 * Log records, then Completed. Progress goes out as Log records whose message is one JSON object
 * (target "cosiflash::progress"), so Trident clients show them and tools can parse them.
 */
import { parseExpectedHash } from '../cosi/image-hash.ts';
import { CosiflashError, toAppError } from '../errors.ts';
import type { AppError } from '../model/app-error.ts';
import type { FlashProgress, FlashReport, RegionProgress } from '../model/flash-progress.ts';
import type { Admission, StationServicing } from '../service/station-servicing.ts';

/** The station's policy, as given to `cosiflash serve`. */
export interface StationPolicy {
  readonly allowLoop: boolean;
  readonly onlyDevices?: readonly string[];
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

/** The status message Trident sends (gRPC UNAVAILABLE) when a servicing is already running. */
export const SERVICING_ACTIVE = 'Servicing is active';

/** A StreamDisk request as grpc-js decodes it. */
export interface StreamDiskRequest {
  readonly image_url: string;
  readonly image_hash?: string | null;
  readonly reboot?: { readonly handling?: string } | null;
}

/**
 * Runs one admitted StreamDisk (the caller got `admission` from {@link StationServicing.admit};
 * a null admission is Trident's UNAVAILABLE "Servicing is active", sent before any response).
 * `send` receives each response in order; the promise resolves after Completed was sent;
 * failures end in a failed Completed, never a throw. `signal` aborts (client went away): the
 * flash is cancelled.
 */
export async function runStreamDisk(
  request: StreamDiskRequest,
  station: StationServicing,
  admission: Admission & { assign(device: string): void },
  send: (response: ServicingResponse) => void,
  signal: AbortSignal,
): Promise<void> {
  send({ timestamp: now(), started: {} });
  const log = (level: string, message: string, target = MODULE): void => send({ timestamp: now(), log: { level, message, module: MODULE, target } });
  let imageHash: string | undefined;
  let admitted: (Admission & { assign(device: string): void }) | null = admission;
  try {
    if (request.reboot?.handling === 'TRIDENT_HANDLES_REBOOT') log('LOG_LEVEL_WARN', 'Cosiflash never reboots: the image is written to a disk of this station; rebooting is up to the caller.');
    if (typeof request.image_url !== 'string' || request.image_url.trim() === '') throw new CosiflashError('E_INPUT', 'image_url is empty');
    const expected = request.image_hash === undefined || request.image_hash === null ? '' : parseExpectedHash(request.image_hash);
    log('LOG_LEVEL_INFO', `Inspecting ${request.image_url}`);
    const progress = createProgressLogger(log);
    admitted = null;
    const [report] = await station.flash(
      { location: request.image_url, ...(expected === '' ? {} : { expectedHash: expected }), devices: [], verify: true, unmount: false },
      admission,
      (event) => {
        if (event.type === 'inspected') {
          imageHash = event.inspect.layout.imageHash;
          log('LOG_LEVEL_INFO', `Image ${imageHash} (${event.inspect.layout.os.prettyName ?? event.inspect.layout.os.id ?? 'unknown OS'}) needs ${event.inspect.layout.disk.sizeBytes} bytes`);
        } else if (event.type === 'job') {
          log('LOG_LEVEL_INFO', `Writing image ${imageHash ?? ''} to ${event.device} (job ${event.jobId})`);
        } else {
          progress(event.event);
        }
      },
      signal,
    );
    if (report === undefined) throw new CosiflashError('E_INTERNAL', 'The flash ended without a report.');
    if (report.outcome === 'verified') log('LOG_LEVEL_INFO', `Verified ${report.writtenBytes} bytes on ${report.device.path}`);
    else if (report.outcome === 'written') log('LOG_LEVEL_INFO', `Wrote ${report.writtenBytes} bytes on ${report.device.path} (not read back)`);
    else if (report.error !== null) log('LOG_LEVEL_ERROR', `${report.error.code}: ${report.error.title}: ${report.error.detail}`);
    sendCompleted(send, report.error, report.outcome === 'verified' || report.outcome === 'written' ? report : null, report.imageHash || imageHash);
  } catch (error) {
    admitted?.release();
    const appError = toAppError(error);
    log('LOG_LEVEL_ERROR', `${appError.code}: ${appError.title}: ${appError.detail}`);
    sendCompleted(send, appError, null, imageHash);
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
 * `fraction` is the region's share done (0..1) in its current phase (written, then read back);
 * `etaSeconds` the whole job's estimate, null while unknown. The final phases come from the
 * job's report, so the last record of each region says verified / written / failed.
 */
export function createProgressLogger(log: (level: string, message: string, target?: string) => void): (event: FlashProgress) => void {
  const last = new Map<number, { phase: string; atMs: number; bytes: number; totalBytes: number }>();
  const record = (name: string, phase: string, bytes: number, totalBytes: number, etaSeconds: number | null): void => {
    const fraction = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : phase === 'verified' || phase === 'written' ? 1 : 0;
    log('LOG_LEVEL_INFO', JSON.stringify({ region: name, phase, bytes, fraction: Math.round(fraction * 10000) / 10000, etaSeconds }), PROGRESS_TARGET);
  };
  return (event) => {
    if (event.type === 'retry') log('LOG_LEVEL_WARN', `Retrying at byte ${event.offsetBytes} (attempt ${event.attempt}): ${event.reason}`);
    if (event.type === 'done' || event.type === 'failed') {
      for (const region of event.report.regions) {
        const previous = last.get(region.number);
        if (previous?.phase === region.phase) continue;
        const totalBytes = previous?.totalBytes ?? region.writtenBytes;
        last.set(region.number, { phase: region.phase, atMs: Date.now(), bytes: region.writtenBytes, totalBytes });
        record(region.name, region.phase, region.writtenBytes, totalBytes, region.phase === 'verified' || region.phase === 'written' ? 0 : null);
      }
      return;
    }
    if (event.type !== 'progress' && event.type !== 'plan') return;
    const etaSeconds = event.type === 'progress' && event.etaMs !== null ? Math.round(event.etaMs / 1000) : null;
    for (const region of event.regions) {
      const bytes = regionBytes(region);
      const previous = last.get(region.number);
      const nowMs = Date.now();
      if (previous !== undefined && previous.phase === region.phase && (previous.bytes === bytes || nowMs - previous.atMs < 1000)) continue;
      last.set(region.number, { phase: region.phase, atMs: nowMs, bytes, totalBytes: region.uncompressedBytes });
      record(region.name, region.phase, bytes, region.uncompressedBytes, etaSeconds);
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
