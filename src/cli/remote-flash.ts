/**
 * `cosiflash flash <url> --remote ADDRESS`: a station flashes one of its disks, shown here as a
 * local flash is (plan, progress, verdict, exit codes).
 *
 * A Cosiflash station is driven through cosiflash.v1.StationService: ListDisks judged against
 * the image names the disk (--disk, or the station's own choice with --auto), which is shown
 * and confirmed like a local target and then flashed by name (Flash), so the station writes
 * exactly the disk confirmed. A server without StationService (gRPC UNIMPLEMENTED: a plain
 * Trident host) gets trident.v1.StreamingService/StreamDisk instead; it chooses its disk
 * itself, so that needs --auto, and its Log records are shown as they come.
 */
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type * as grpc from '@grpc/grpc-js';
import { terminalText } from '../common/terminal-text.ts';
import { CosiflashError, ERROR_CODES, fromAppError } from '../errors.ts';
import { connectRemote, isUnimplemented, remoteError, type RemoteStation } from '../grpc/grpc-client.ts';
import type { FlashProgress, FlashReport, RegionPhase, RegionProgress } from '../model/flash-progress.ts';
import { writePrivateFile } from '../util/private-path.ts';
import { formatBytes } from '../common/format-units.ts';
import { EXIT_CODES, exitCodeFor } from './exit-codes.ts';
import type { FlashArgs } from './flash-command.ts';
import { flashSummary, reportExitCode } from './flash-summary.ts';
import { createFlashProgressView } from './flash-progress-view.ts';
import { resolveRemote, type RemoteFlags } from './remote-option.ts';

type Message = Record<string, unknown>;

export async function runRemoteFlash(flags: FlashArgs, remote: RemoteFlags, expectedHash: string | undefined): Promise<number> {
  const local = [flags.allowLoop && '--allow-loop', flags.only !== undefined && '--only', flags.log !== undefined && '--log', flags.station !== undefined && '--station', flags.operator !== undefined && '--operator', flags.retryForSeconds !== undefined && '--retry-for', flags.cache !== undefined && '--cache'].filter((flag) => flag !== false);
  if (local.length > 0) throw new CosiflashError('E_INPUT', `flash --remote: ${local.join(', ')} apply to local flashes only; the station's own policy (serve --only/--allow-loop) and flash log apply.`);
  const say = (text: string): void => void (flags.json ? process.stderr : process.stdout).write(`${text}\n`);
  // A local path is read by the station itself (same machine over a unix: socket): send it absolute.
  const location = /^[a-z][a-z0-9+.-]*:\/\//i.test(flags.location) ? flags.location : path.resolve(flags.location);
  const station = await connectRemote(await resolveRemote(remote));
  try {
    let disks: Message[];
    try {
      disks = (await station.unary('station', 'ListDisks', { image_url: location, ...(expectedHash === undefined ? {} : { image_hash: expectedHash }) })).disks as Message[];
    } catch (error) {
      if (!isUnimplemented((error as { cause?: unknown }).cause ?? error)) throw error;
      return await streamDisk(station, flags, location, expectedHash, say);
    }
    const device = chooseDisk(disks, flags.disk, station.target);
    const disk = disks.find((entry) => entry.device === device);
    say(`Station: ${station.target}${station.tls ? ' (TLS)' : ''}\nImage:   ${terminalText(location)}\nTarget:  ${terminalText(device)}${disk === undefined ? '' : `  ${formatBytes(Number(disk.size_bytes))}  ${terminalText(String(disk.model || '(no model)'))}${disk.serial ? `  serial ${terminalText(String(disk.serial))}` : ''}`}\nVerify:  ${flags.verify ? 'read back after writing' : 'no'}`);
    if (flags.dryRun) {
      say('\nDry run: nothing was written.');
      return EXIT_CODES.ok;
    }
    if (!flags.yes && !(await confirm(`Type ${device} to let ${station.target} erase it and write the image: `, device, flags.json))) {
      say('Not confirmed: nothing was written.');
      return EXIT_CODES.cancelled;
    }
    const call = station.stream('station', 'Flash', { image_url: location, ...(expectedHash === undefined ? {} : { image_hash: expectedHash }), devices: [device], no_verify: !flags.verify, unmount: flags.unmount });
    return await followStationFlash(call, flags, say, station.target);
  } finally {
    station.close();
  }
}

/** The disk to flash: --disk as given (the station checks it), else the one the station selected. */
function chooseDisk(disks: readonly Message[], named: string | undefined, target: string): string {
  if (named !== undefined) return named;
  const selected = disks.find((disk) => disk.selected === true && disk.busy !== true) ?? disks.find((disk) => disk.eligible === true && disk.busy !== true);
  if (selected !== undefined) return String(selected.device);
  if (disks.some((disk) => disk.eligible === true)) throw new CosiflashError('E_REMOTE_BUSY', `Every disk of ${target} that can take this image is being flashed now.`);
  const reasons = disks.map((disk) => `${String(disk.device)}: ${(disk.reasons as string[]).join('; ')}`);
  throw new CosiflashError('E_NO_ELIGIBLE_DISK', disks.length === 0 ? `The station ${target} offers no disks.` : `No disk of ${target} can take this image (${reasons.join(' | ')}).`);
}

/** Shows StationService.Flash events through the local progress view; the report's exit code. */
async function followStationFlash(call: grpc.ClientReadableStream<Message>, flags: FlashArgs, say: (text: string) => void, target: string): Promise<number> {
  const view = createFlashProgressView({ mode: flags.json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain', out: process.stdout, verify: flags.verify });
  let report: FlashReport | null = null;
  let refused: CosiflashError | null = null;
  let started = false;
  const signals = cancelCallOnSignals(call, 'Cancelling: asking the station to stop the flash…');
  try {
    await new Promise<void>((resolve, reject) => {
      call.on('data', (message: Message) => {
        const event = toFlashProgress(message);
        if (event !== null) {
          started = true;
          view.onEvent(event);
        }
        const body = message[String(message.event)] as Message | undefined;
        if (message.event === 'finished') report = reportFrom(body?.report as Message);
        if (message.event === 'refused') refused = errorFrom(body?.error as Message, target);
      });
      call.on('end', () => resolve());
      call.on('error', (error: grpc.ServiceError) => reject(error));
    }).catch((error: unknown) => {
      if (signals.cancelled) return;
      const mapped = remoteError(error as grpc.ServiceError, target);
      throw started && mapped.code === 'E_REMOTE_UNREACHABLE' ? new CosiflashError('E_REMOTE_LOST', mapped.detail) : mapped;
    });
  } finally {
    view.finish(null);
    signals.dispose();
  }
  if (refused !== null) throw refused;
  if (report === null) {
    if (signals.cancelled) {
      say('Cancelled: the station stops the flash; the disk has no valid partition table.');
      return EXIT_CODES.cancelled;
    }
    throw new CosiflashError(started ? 'E_REMOTE_LOST' : 'E_REMOTE', `The station ${target} ended the flash without a report.`);
  }
  const final: FlashReport = report;
  if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'report', report: final })}\n`);
  if (flags.report !== undefined) await writePrivateFile(flags.report, `${JSON.stringify(final, null, 2)}\n`);
  say(flashSummary(final));
  return reportExitCode(final);
}

/** A StationService FlashEvent as the local progress union, or null (finished/refused). */
export function toFlashProgress(message: Message): FlashProgress | null {
  const body = message[String(message.event)] as Message | undefined;
  if (body === undefined) return null;
  const regions = (): RegionProgress[] => ((body.regions as Message[] | undefined) ?? []).map(regionFrom);
  switch (message.event) {
    case 'started':
      return { type: 'plan', jobId: String(body.job_id), device: String(body.device), regions: regions(), totalWriteBytes: Number(body.total_write_bytes) };
    case 'progress':
      return {
        type: 'progress',
        jobId: String(body.job_id),
        elapsedMs: Number(body.elapsed_ms),
        bytesPerSecond: Number(body.bytes_per_second),
        etaMs: body.eta_seconds === undefined || body.eta_seconds === null ? null : Number(body.eta_seconds) * 1000,
        regions: regions(),
        retries: Number(body.retries),
      };
    case 'retry':
      return { type: 'retry', jobId: String(body.job_id), attempt: Number(body.attempt), offsetBytes: Number(body.offset_bytes), reason: String(body.reason), ...(body.unreachable === true ? { unreachable: true } : {}) };
    default:
      return null;
  }
}

function regionFrom(region: Message): RegionProgress {
  return {
    number: Number(region.number),
    name: String(region.name),
    phase: String(region.phase) as RegionPhase,
    compressedBytes: Number(region.compressed_bytes),
    downloadedBytes: Number(region.downloaded_bytes),
    uncompressedBytes: Number(region.uncompressed_bytes),
    writtenBytes: Number(region.written_bytes),
    verifiedBytes: Number(region.verified_bytes),
  };
}

/** The station's report: its complete JSON when present, else built from the typed fields. */
function reportFrom(message: Message | undefined): FlashReport {
  if (message === undefined) throw new CosiflashError('E_REMOTE', 'The station sent a finished event without a report.');
  try {
    const parsed = JSON.parse(String(message.report_json)) as FlashReport;
    if (typeof parsed === 'object' && parsed !== null && typeof parsed.outcome === 'string') return parsed;
  } catch {
    // Fall through to the typed fields.
  }
  const error = message.error as Message | undefined;
  return {
    tool: 'cosiflash',
    toolVersion: '',
    station: '',
    source: '',
    imageHash: String(message.image_hash ?? ''),
    device: { path: String(message.device), model: null, serial: null, sizeBytes: 0 },
    startedAt: '',
    finishedAt: '',
    elapsedMs: Number(message.elapsed_ms),
    writtenBytes: Number(message.written_bytes),
    downloadedBytes: 0,
    bytesPerSecond: 0,
    retries: 0,
    verified: message.verified === true,
    outcome: String(message.outcome) as FlashReport['outcome'],
    regions: [],
    error: error === undefined || error === null ? null : { code: String(error.code), title: String(error.title), detail: String(error.detail), hint: String(error.hint) },
    diskTouched: message.disk_touched === true,
  };
}

function errorFrom(error: Message | undefined, target: string): CosiflashError {
  if (error === undefined) return new CosiflashError('E_REMOTE', `The station ${target} refused the flash without saying why.`);
  return fromAppError({ code: String(error.code), title: String(error.title), detail: `${String(error.detail)} (station ${target})`, hint: String(error.hint) });
}

/**
 * Trident's StreamDisk (a server without StationService): the station picks the disk, so this
 * needs --auto; Log records are shown (progress records as phase lines), Completed decides.
 */
async function streamDisk(station: RemoteStation, flags: FlashArgs, location: string, expectedHash: string | undefined, say: (text: string) => void): Promise<number> {
  if (flags.disk !== undefined) throw new CosiflashError('E_INPUT', `flash --remote: ${station.target} speaks only Trident's StreamDisk, which chooses the disk itself; use --auto instead of --disk.`);
  if (!flags.auto) throw new CosiflashError('E_INPUT', `flash --remote: ${station.target} speaks only Trident's StreamDisk, which chooses the disk itself and cannot show it first; pass --auto (with --yes) to let it.`);
  if (!flags.verify || flags.unmount) say('Note: Trident\'s StreamDisk has no --no-verify/--unmount; the station\'s defaults apply.');
  if (flags.dryRun) {
    say(`Station: ${station.target} (Trident StreamDisk)\nImage:   ${terminalText(location)}\n\nDry run: nothing was written.`);
    return EXIT_CODES.ok;
  }
  if (!flags.yes && !(await confirm(`Type ${station.target} to let it erase a disk of its choosing and write the image: `, station.target, flags.json))) {
    say('Not confirmed: nothing was written.');
    return EXIT_CODES.cancelled;
  }
  say(`Station: ${station.target} (Trident StreamDisk: the station chooses the disk)`);
  // Cosiflash never reboots; a Trident host is asked to leave rebooting to us as well.
  const call = station.stream('streaming', 'StreamDisk', { image_url: location, image_hash: expectedHash === undefined ? 'ignored' : `sha384:${expectedHash}`, reboot: { handling: 'CALLER_HANDLES_REBOOT' } });
  const phases = new Map<string, string>();
  let completed: Message | null = null;
  let started = false;
  const signals = cancelCallOnSignals(call);
  try {
    await new Promise<void>((resolve, reject) => {
      call.on('data', (message: Message) => {
        started = true;
        if (flags.json) process.stdout.write(`${JSON.stringify(message)}\n`);
        const body = message[String(message.response)] as Message;
        if (message.response === 'completed') completed = body;
        if (message.response !== 'log' || flags.json) return;
        if (body.target === 'cosiflash::progress') {
          const record = parseProgressRecord(String(body.message));
          if (record !== null && phases.get(record.region) !== record.phase) {
            phases.set(record.region, record.phase);
            if (record.phase !== 'waiting') process.stdout.write(`  ${terminalText(record.region)}: ${record.phase}\n`);
          }
          return;
        }
        const level = String(body.level).replace(/^LOG_LEVEL_/, '').toLowerCase();
        process.stdout.write(`  [${level}] ${terminalText(String(body.message))}\n`);
      });
      call.on('end', () => resolve());
      call.on('error', (error: grpc.ServiceError) => reject(error));
    }).catch((error: unknown) => {
      if (signals.cancelled) return;
      const mapped = remoteError(error as grpc.ServiceError, station.target);
      throw started && mapped.code === 'E_REMOTE_UNREACHABLE' ? new CosiflashError('E_REMOTE_LOST', mapped.detail) : mapped;
    });
  } finally {
    signals.dispose();
  }
  if (completed === null) {
    if (signals.cancelled) {
      say('Cancelled: the station was asked to stop.');
      return EXIT_CODES.cancelled;
    }
    throw new CosiflashError(started ? 'E_REMOTE_LOST' : 'E_REMOTE', `The station ${station.target} ended StreamDisk without Completed.`);
  }
  return completedExitCode(completed, say);
}

/** Completed → verdict line and exit code; Cosiflash's E_* code travels in error.subkind. */
export function completedExitCode(completed: Message, say: (text: string) => void): number {
  const hash = completed.image_hash === undefined || completed.image_hash === null ? '' : ` (image ${String(completed.image_hash)})`;
  if (completed.status === 'STATUS_CODE_SUCCESS') {
    say(`\nSUCCEEDED: the station wrote the image${hash}.`);
    return EXIT_CODES.ok;
  }
  const error = (completed.error ?? {}) as Message;
  const subkind = String(error.subkind ?? '');
  say(`\nFAILED${hash}: ${terminalText(String(error.message || error.error_message || 'no reason given'))}`);
  if (Object.hasOwn(ERROR_CODES, subkind)) return exitCodeFor(fromAppError({ code: subkind, title: '', detail: String(error.error_message ?? '') }));
  switch (error.kind) {
    case 'INVALID_INPUT_ERROR':
      return EXIT_CODES.invalidInput;
    case 'UNSUPPORTED_CONFIGURATION_ERROR':
    case 'EXECUTION_ENVIRONMENT_MISCONFIGURATION_ERROR':
      return EXIT_CODES.refusedTarget;
    default:
      return EXIT_CODES.writeFailed;
  }
}

/** One progress log record of a Cosiflash station (README: gRPC progress records), or null. */
export function parseProgressRecord(text: string): { region: string; phase: string; bytes: number; fraction: number; etaSeconds: number | null } | null {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.region !== 'string' || typeof value.phase !== 'string') return null;
    return { region: value.region, phase: value.phase, bytes: Number(value.bytes), fraction: Number(value.fraction), etaSeconds: typeof value.etaSeconds === 'number' ? value.etaSeconds : null };
  } catch {
    return null;
  }
}

async function confirm(question: string, expected: string, json: boolean): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write('cosiflash flash: refusing to write without confirmation: stdin is not a terminal. Pass --yes to confirm non-interactively.\n');
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: json ? process.stderr : process.stdout });
  try {
    return (await rl.question(`\n${question}`)).trim() === expected;
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

/** Ctrl-C / SIGTERM cancel the call (once noted on stderr) until dispose(). */
function cancelCallOnSignals(call: { cancel(): void }, notice?: string): { readonly cancelled: boolean; dispose(): void } {
  let cancelled = false;
  const onSignal = (): void => {
    if (!cancelled && notice !== undefined) process.stderr.write(`\n${notice}\n`);
    cancelled = true;
    call.cancel();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get cancelled() {
      return cancelled;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
