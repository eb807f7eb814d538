/**
 * cosiflash.v1.StationService (proto/cosiflash/v1/station_service.proto) over the station's
 * handler table: ListDisks with eligibility, Inspect, Flash with explicit targets and
 * structured events, GetReport and ListLog. Messages are built here as grpc-js serializes them
 * (keepCase field names, 64-bit numbers as JS numbers).
 */
import * as grpc from '@grpc/grpc-js';
import { parseExpectedHash } from '../cosi/image-hash.ts';
import { CosiflashError, toAppError } from '../errors.ts';
import type { InspectResult } from '../ipc/contract.ts';
import type { AppError } from '../model/app-error.ts';
import type { FlashProgress, FlashReport, RegionProgress } from '../model/flash-progress.ts';
import { readFlashLog } from '../service/flash-log.ts';
import type { StationDisk, StationServicing } from '../service/station-servicing.ts';
import { SERVICING_ACTIVE } from './stream-disk.ts';

type Message = Record<string, unknown>;

/** The method implementations for grpc.Server.addService; `authorized` checks each call's metadata. */
export function stationServiceHandlers(station: StationServicing, authorized: (metadata: grpc.Metadata) => boolean): grpc.UntypedServiceImplementation {
  const unauthenticated = { code: grpc.status.UNAUTHENTICATED, details: 'a valid "authorization: Bearer <token>" is required' };
  return {
    ListDisks: (call: grpc.ServerUnaryCall<{ image_url?: string; image_hash?: string | null }, Message>, callback: grpc.sendUnaryData<Message>) => {
      if (!authorized(call.metadata)) return callback(unauthenticated);
      void (async () => {
        const url = call.request.image_url ?? '';
        const image = url === '' ? null : await station.inspect(url, optionalHash(call.request.image_hash));
        const disks = await station.listDisks(image);
        return { disks: disks.map((disk) => diskMessage(disk, image !== null)) };
      })().then((reply) => callback(null, reply), (error: unknown) => callback(statusFor(error)));
    },
    Inspect: (call: grpc.ServerUnaryCall<{ image_url: string; image_hash?: string | null }, Message>, callback: grpc.sendUnaryData<Message>) => {
      if (!authorized(call.metadata)) return callback(unauthenticated);
      void (async () => inspectMessage(await station.inspect(requireUrl(call.request.image_url), optionalHash(call.request.image_hash))))().then(
        (reply) => callback(null, reply),
        (error: unknown) => callback(statusFor(error)),
      );
    },
    Flash: (call: grpc.ServerWritableStream<{ image_url: string; image_hash?: string | null; devices?: string[]; no_verify?: boolean; unmount?: boolean }, Message>) => {
      if (!authorized(call.metadata)) return void call.emit('error', unauthenticated);
      void runFlash(call, station);
    },
    GetReport: (call: grpc.ServerUnaryCall<{ job_id: string }, Message>, callback: grpc.sendUnaryData<Message>) => {
      if (!authorized(call.metadata)) return callback(unauthenticated);
      const report = station.report(call.request.job_id);
      if (report === null) return callback({ code: grpc.status.NOT_FOUND, details: `No finished job ${call.request.job_id} on this station (running, unknown, or forgotten: the station keeps the last 50).` });
      callback(null, reportMessage(call.request.job_id, report));
    },
    ListLog: (call: grpc.ServerUnaryCall<{ since?: string; limit?: number }, Message>, callback: grpc.sendUnaryData<Message>) => {
      if (!authorized(call.metadata)) return callback(unauthenticated);
      void (async () => {
        const since = call.request.since ?? '';
        const sinceDate = since === '' ? undefined : new Date(since);
        if (sinceDate !== undefined && Number.isNaN(sinceDate.getTime())) throw new CosiflashError('E_INPUT', `since: "${since}" is not an ISO 8601 time.`);
        const file = station.flashLogFile;
        const all = await readFlashLog(file, sinceDate === undefined ? {} : { since: sinceDate });
        const limit = call.request.limit ?? 0;
        const entries = limit > 0 ? all.slice(-limit) : all;
        return {
          file,
          entries: entries.map((entry) => ({
            started_at: entry.startedAt,
            finished_at: entry.finishedAt,
            result: entry.result,
            error_code: entry.errorCode ?? '',
            device: entry.device.path,
            image_location: entry.image.location,
            image_hash: entry.image.imageHash,
            station: entry.station,
            operator: entry.operator ?? '',
            entry_json: JSON.stringify(entry),
          })),
        };
      })().then((reply) => callback(null, reply), (error: unknown) => callback(statusFor(error)));
    },
  };
}

async function runFlash(call: grpc.ServerWritableStream<{ image_url: string; image_hash?: string | null; devices?: string[]; no_verify?: boolean; unmount?: boolean }, Message>, station: StationServicing): Promise<void> {
  let devices: string[];
  let expectedHash: string | undefined;
  let location: string;
  try {
    location = requireUrl(call.request.image_url);
    expectedHash = optionalHash(call.request.image_hash);
    devices = [...new Set((call.request.devices ?? []).map((device) => device.trim()))];
    if (devices.some((device) => device === '')) throw new CosiflashError('E_INPUT', 'devices: a device path is empty.');
  } catch (error) {
    call.emit('error', statusFor(error));
    return;
  }
  const admission = await station.admit(devices).catch(() => null);
  if (admission === null) {
    const busy = devices.filter((device) => station.isBusy(device));
    call.emit('error', { code: grpc.status.UNAVAILABLE, details: busy.length > 0 ? `${SERVICING_ACTIVE} on ${busy.join(', ')}` : SERVICING_ACTIVE });
    return;
  }
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort());
  const send = (event: Message): void => void call.write({ timestamp: now(), ...event });
  const jobOf = new Map<string, string>();
  try {
    await station.flash(
      { location, ...(expectedHash === undefined ? {} : { expectedHash }), devices, verify: call.request.no_verify !== true, unmount: call.request.unmount === true },
      admission,
      (event) => {
        if (event.type === 'job') jobOf.set(event.device, event.jobId);
        if (event.type !== 'event') return;
        const message = flashEventMessage(event.device, event.event, call.request.no_verify !== true);
        if (message !== null) send(message);
      },
      controller.signal,
    ).then((reports) => {
      // Disks that flash:start refused while others run: their reports were never an event.
      for (const report of reports) if (!jobOf.has(report.device.path)) send({ finished: { report: reportMessage('', report) } });
    });
  } catch (error) {
    send({ refused: { error: errorMessage(toAppError(error)) } });
  }
  call.end();
}

/** One job event as a FlashEvent body, or null for none. */
export function flashEventMessage(device: string, event: FlashProgress, verify: boolean): Message | null {
  switch (event.type) {
    case 'plan':
      return { started: { job_id: event.jobId, device: event.device || device, image_hash: '', total_write_bytes: event.totalWriteBytes, regions: event.regions.map(regionMessage) } };
    case 'progress': {
      return {
        progress: {
          job_id: event.jobId,
          device,
          elapsed_ms: Math.round(event.elapsedMs),
          bytes_per_second: Math.round(event.bytesPerSecond),
          ...(event.etaMs === null ? {} : { eta_seconds: Math.round(event.etaMs / 1000) }),
          fraction: jobFraction(event.regions, verify),
          retries: event.retries,
          regions: event.regions.map(regionMessage),
        },
      };
    }
    case 'retry':
      return { retry: { job_id: event.jobId, device, attempt: event.attempt, offset_bytes: event.offsetBytes, reason: event.reason, unreachable: event.unreachable === true } };
    case 'done':
    case 'failed':
      return { finished: { report: reportMessage(event.jobId, event.report) } };
    default:
      return null;
  }
}

/** The whole job's share done: written bytes, then read back when the job verifies. */
export function jobFraction(regions: readonly RegionProgress[], verify: boolean): number {
  const total = regions.reduce((sum, region) => sum + region.uncompressedBytes, 0);
  if (total === 0) return 0;
  const written = regions.reduce((sum, region) => sum + region.writtenBytes, 0);
  const verified = regions.reduce((sum, region) => sum + region.verifiedBytes, 0);
  const fraction = verify ? (written + verified) / (2 * total) : written / total;
  return Math.round(Math.min(1, fraction) * 10000) / 10000;
}

function regionMessage(region: RegionProgress): Message {
  return {
    number: region.number,
    name: region.name,
    phase: region.phase,
    compressed_bytes: region.compressedBytes,
    downloaded_bytes: region.downloadedBytes,
    uncompressed_bytes: region.uncompressedBytes,
    written_bytes: region.writtenBytes,
    verified_bytes: region.verifiedBytes,
  };
}

export function reportMessage(jobId: string, report: FlashReport): Message {
  return {
    job_id: jobId,
    device: report.device.path,
    outcome: report.outcome,
    verified: report.verified,
    image_hash: report.imageHash,
    written_bytes: report.writtenBytes,
    elapsed_ms: Math.round(report.elapsedMs),
    disk_touched: report.diskTouched,
    ...(report.error === null ? {} : { error: errorMessage(report.error) }),
    report_json: JSON.stringify(report),
  };
}

function errorMessage(error: AppError): Message {
  return { code: error.code, title: error.title, detail: error.detail, hint: error.hint ?? '' };
}

function diskMessage(disk: StationDisk, judged: boolean): Message {
  const { candidate } = disk;
  return {
    device: candidate.disk.device,
    size_bytes: candidate.disk.sizeBytes,
    model: candidate.disk.model ?? '',
    serial: candidate.disk.serial ?? '',
    eligible: candidate.eligible,
    reasons: candidate.reasons.map((reason) => reason.detail),
    logical_sector_bytes: candidate.disk.logicalSectorBytes,
    removable: candidate.disk.removable,
    system: candidate.disk.system,
    bus: candidate.disk.bus ?? '',
    busy: disk.busy,
    selected: judged && candidate.selected,
  };
}

function inspectMessage({ layout, source }: InspectResult): Message {
  return {
    image_hash: layout.imageHash,
    location: source.location,
    cosi_version: layout.version,
    os_name: layout.os.prettyName ?? layout.os.id ?? '',
    os_arch: layout.osArch,
    required_bytes: layout.disk.sizeBytes,
    lba_size: layout.disk.lbaSize,
    write_bytes: layout.writeBytes,
    download_bytes: layout.downloadBytes,
    partitions: layout.partitions.map((partition) => ({
      number: partition.number,
      name: partition.name,
      type_name: partition.typeName,
      type_guid: partition.typeGuid,
      start_lba: partition.startLba,
      size_bytes: partition.sizeBytes,
      fs_type: partition.fsType ?? '',
      mount_point: partition.mountPoint ?? '',
      compressed_bytes: partition.image.compressedSize,
    })),
    warnings: [...layout.warnings],
    layout_json: JSON.stringify(layout),
  };
}

function requireUrl(url: string | undefined): string {
  if (typeof url !== 'string' || url.trim() === '') throw new CosiflashError('E_INPUT', 'image_url is empty.');
  return url.trim();
}

function optionalHash(hash: string | null | undefined): string | undefined {
  if (hash === undefined || hash === null || hash === '') return undefined;
  const parsed = parseExpectedHash(hash);
  return parsed === '' ? undefined : parsed;
}

/**
 * A gRPC status for a refused unary call: the E_* code leads the details ("E_HASH_MISMATCH:
 * …") so clients can map it; bad input INVALID_ARGUMENT, missing things NOT_FOUND, the rest
 * FAILED_PRECONDITION, bugs INTERNAL.
 */
export function statusFor(error: unknown): { code: grpc.status; details: string } {
  const appError = toAppError(error);
  const details = `${appError.code}: ${appError.title}: ${appError.detail}`;
  if (appError.code === 'E_INTERNAL') return { code: grpc.status.INTERNAL, details };
  if (/^E_(INPUT|HASH_FORMAT|URL)$/.test(appError.code)) return { code: grpc.status.INVALID_ARGUMENT, details };
  if (/^E_(FILE_NOT_FOUND|HTTP_NOT_FOUND|DISK_NOT_FOUND)$/.test(appError.code)) return { code: grpc.status.NOT_FOUND, details };
  return { code: grpc.status.FAILED_PRECONDITION, details };
}

function now(): { seconds: number; nanos: number } {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
