/**
 * The flash log: one JSON line per flash in `<config dir>/flash-log.jsonl`, appended by every
 * front end (CLI, app, web mode, auto-flash, gRPC) through {@link appendFlashLog}, so a bench
 * has a record of every device it flashed — passed, failed, cancelled or refused.
 *
 * The log belongs to the person who ran the flash, even when the command runs elevated
 * (`sudo`, `pkexec`): then it goes to that user's config dir and is chowned to them. The file
 * is 0600 in a 0700 folder: it names devices, serial numbers and image locations.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DiskInfo } from '../model/disk-info.ts';
import type { FlashLogEntry, FlashLogResult } from '../model/flash-log-entry.ts';
import type { FlashReport } from '../model/flash-progress.ts';
import type { Layout } from '../model/layout.ts';
import { invokingUser } from '../util/invoking-user.ts';
import { appendPrivateFile } from '../util/private-path.ts';
import { APP_VERSION } from '../common/app-version.ts';
import { configDir } from './config-dir.ts';

export type { FlashLogEntry, FlashLogResult } from '../model/flash-log-entry.ts';

export const FLASH_LOG_FILE_NAME = 'flash-log.jsonl';

/**
 * `<config dir>/flash-log.jsonl` of the invoking user: under sudo/pkexec the user's own
 * ~/.config/cosiflash rather than root's (unless COSIFLASH_CONFIG_DIR or XDG_CONFIG_HOME say).
 */
export function defaultFlashLogFile(env: NodeJS.ProcessEnv = process.env): string {
  const user = invokingUser(env);
  const explicit = env['COSIFLASH_CONFIG_DIR'] || (env['XDG_CONFIG_HOME'] && path.isAbsolute(env['XDG_CONFIG_HOME']));
  if (user?.home && !explicit && process.platform === 'linux') return path.join(user.home, '.config', 'cosiflash', FLASH_LOG_FILE_NAME);
  return path.join(configDir(env), FLASH_LOG_FILE_NAME);
}

/** The station name logged by default: this machine's host name. */
export function defaultStationName(): string {
  return os.hostname();
}

/** What the front end knew about the image and the disk when it started the flash. */
export interface FlashLogContext {
  readonly station?: string;
  readonly operator?: string | null;
  /** The inspected image, when it could be read. */
  readonly layout?: Pick<Layout, 'imageHash' | 'os'> | null;
  /** The location as the user gave it (falls back to the report's). */
  readonly location?: string;
  /** The chosen disk, for model/serial/bus (falls back to the report's device). */
  readonly disk?: DiskInfo | null;
  /** Every chosen disk of a multi-target flash (found by path for each target's bus). */
  readonly disks?: readonly DiskInfo[];
}

/**
 * The log line for a finished flash. `refused` when it failed before anything reached the
 * disk (the report's `diskTouched` is false): the disk still holds what it held before.
 */
export function flashLogEntry(report: FlashReport, context: FlashLogContext = {}): FlashLogEntry {
  const result: FlashLogResult = report.outcome === 'failed' && !report.diskTouched ? 'refused' : report.outcome;
  const disk = context.disk ?? null;
  return {
    toolVersion: report.toolVersion ?? APP_VERSION,
    station: context.station ?? report.station ?? defaultStationName(),
    operator: context.operator ?? null,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    result,
    errorCode: report.error?.code ?? null,
    image: {
      location: report.source || context.location || '',
      imageHash: report.imageHash || context.layout?.imageHash || '',
      os: context.layout?.os.prettyName ?? context.layout?.os.id ?? null,
      osVersion: context.layout?.os.versionId ?? null,
    },
    device: {
      path: report.device.path || disk?.device || '',
      sizeBytes: report.device.sizeBytes || disk?.sizeBytes || 0,
      model: report.device.model ?? disk?.model ?? null,
      serial: report.device.serial ?? disk?.serial ?? null,
      bus: disk?.bus ?? null,
    },
    bytesDownloaded: report.downloadedBytes,
    bytesWritten: report.writtenBytes,
    throughputBytesPerSecond: report.bytesPerSecond,
    partitions: report.regions.map((r) => ({ number: r.number, name: r.name, verdict: r.phase, readBackOk: r.readBackOk })),
  };
}

/**
 * The log lines for a finished flash: one per disk. A multi-target report (report.targets)
 * gives one line per target — its device, result (refused when nothing reached it), error,
 * bytes written, throughput, times and partitions; the image, station, operator and the job's
 * (shared) download are the same on every line. A one-disk report gives {@link flashLogEntry}.
 */
export function flashLogEntries(report: FlashReport, context: FlashLogContext = {}): FlashLogEntry[] {
  if (report.targets === undefined || report.targets.length <= 1) return [flashLogEntry(report, context)];
  return report.targets.map((target) => {
    const disk = context.disks?.find((d) => d.device === target.device.path) ?? (context.disk?.device === target.device.path ? context.disk : null);
    const { targets: _targets, ...job } = report;
    return flashLogEntry(
      {
        ...job,
        device: target.device,
        startedAt: target.startedAt,
        finishedAt: target.finishedAt,
        elapsedMs: target.elapsedMs,
        writtenBytes: target.writtenBytes,
        bytesPerSecond: target.bytesPerSecond,
        verified: target.verified,
        outcome: target.outcome,
        regions: target.regions,
        error: target.error,
        diskTouched: target.diskTouched,
      },
      { ...context, disk },
    );
  });
}

/**
 * Appends one line (or the lines of {@link flashLogEntries}, in the same single write). The folder is created 0700 and the file 0600; under sudo/pkexec both are
 * given to the invoking user. Lines are written with O_APPEND in one write, so front ends
 * logging at the same time do not interleave.
 */
export async function appendFlashLog(entry: FlashLogEntry | readonly FlashLogEntry[], options: { file?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const env = options.env ?? process.env;
  const file = path.resolve(options.file ?? defaultFlashLogFile(env));
  const entries: readonly FlashLogEntry[] = Array.isArray(entry) ? entry : [entry as FlashLogEntry];
  await appendPrivateFile(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { owner: invokingUser(env) });
  return file;
}

/**
 * Appends, and on failure warns instead of throwing: a log that cannot be written must not
 * turn a good flash into a failed one. Returns the file, or null when it failed.
 */
export async function tryAppendFlashLog(entry: FlashLogEntry | readonly FlashLogEntry[], options: { file?: string; env?: NodeJS.ProcessEnv; warn?: (text: string) => void } = {}): Promise<string | null> {
  try {
    return await appendFlashLog(entry, options);
  } catch (error) {
    (options.warn ?? ((text: string) => process.stderr.write(`${text}\n`)))(`cosiflash: could not write the flash log: ${(error as Error).message}`);
    return null;
  }
}

/** Reads the log, oldest first; lines that are not entries are skipped. A missing log is empty. */
export async function readFlashLog(file: string, options: { since?: Date } = {}): Promise<FlashLogEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const since = options.since?.getTime() ?? Number.NEGATIVE_INFINITY;
  const entries: FlashLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isFlashLogEntry(parsed)) continue;
    if (Date.parse(parsed.startedAt) >= since) entries.push(parsed);
  }
  return entries;
}

function isFlashLogEntry(value: unknown): value is FlashLogEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['startedAt'] === 'string' && typeof v['result'] === 'string' && typeof v['image'] === 'object' && v['image'] !== null && typeof v['device'] === 'object' && v['device'] !== null && Array.isArray(v['partitions']);
}

const CSV_COLUMNS: readonly [string, (e: FlashLogEntry) => string | number | null][] = [
  ['startedAt', (e) => e.startedAt],
  ['finishedAt', (e) => e.finishedAt],
  ['result', (e) => e.result],
  ['errorCode', (e) => e.errorCode],
  ['station', (e) => e.station],
  ['operator', (e) => e.operator],
  ['toolVersion', (e) => e.toolVersion],
  ['imageLocation', (e) => e.image.location],
  ['imageHash', (e) => e.image.imageHash],
  ['os', (e) => e.image.os],
  ['osVersion', (e) => e.image.osVersion],
  ['devicePath', (e) => e.device.path],
  ['deviceSizeBytes', (e) => e.device.sizeBytes],
  ['deviceModel', (e) => e.device.model],
  ['deviceSerial', (e) => e.device.serial],
  ['deviceBus', (e) => e.device.bus],
  ['bytesDownloaded', (e) => e.bytesDownloaded],
  ['bytesWritten', (e) => e.bytesWritten],
  ['throughputBytesPerSecond', (e) => e.throughputBytesPerSecond],
  ['partitions', (e) => e.partitions.map((p) => `${p.number}:${p.name}=${p.verdict}`).join(' ')],
];

/** The log as CSV (RFC 4180: quoted when needed, CRLF), one row per flash, for spreadsheets. */
export function flashLogCsv(entries: readonly FlashLogEntry[]): string {
  const cell = (value: string | number | null): string => {
    const text = value === null ? '' : String(value);
    // A leading = + - @ would run as a formula in a spreadsheet: prefix it.
    const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const rows = [CSV_COLUMNS.map(([name]) => name).join(','), ...entries.map((e) => CSV_COLUMNS.map(([, get]) => cell(get(e))).join(','))];
  return `${rows.join('\r\n')}\r\n`;
}

/**
 * The log line of a flash that ended before a writer ran (the image or the disk was refused
 * while planning, or the user did not confirm): nothing reached the disk.
 */
export function flashLogEntryBeforeWriting(input: { location: string; startedAt: Date; error: { code: string }; context?: FlashLogContext }): FlashLogEntry {
  const disk = input.context?.disk ?? null;
  const finishedAt = new Date();
  const cancelled = input.error.code === 'E_CANCELLED';
  return {
    toolVersion: APP_VERSION,
    station: input.context?.station ?? defaultStationName(),
    operator: input.context?.operator ?? null,
    startedAt: input.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    result: cancelled ? 'cancelled' : 'refused',
    errorCode: input.error.code,
    image: { location: input.location, imageHash: input.context?.layout?.imageHash ?? '', os: input.context?.layout?.os.prettyName ?? input.context?.layout?.os.id ?? null, osVersion: input.context?.layout?.os.versionId ?? null },
    device: { path: disk?.device ?? '', sizeBytes: disk?.sizeBytes ?? 0, model: disk?.model ?? null, serial: disk?.serial ?? null, bus: disk?.bus ?? null },
    bytesDownloaded: 0,
    bytesWritten: 0,
    throughputBytesPerSecond: 0,
    partitions: [],
  };
}

/** {@link flashLogEntryBeforeWriting} for every chosen disk (context.disks): one line per disk of a multi-target flash. */
export function flashLogEntriesBeforeWriting(input: { location: string; startedAt: Date; error: { code: string }; context?: FlashLogContext }): FlashLogEntry[] {
  const disks = input.context?.disks ?? [];
  if (disks.length <= 1) return [flashLogEntryBeforeWriting(input)];
  return disks.map((disk) => flashLogEntryBeforeWriting({ ...input, context: { ...input.context, disk } }));
}

/** The History view's filter: text in any identifying field, a result, a start time. Newest first. */
export function filterFlashLog(entries: readonly FlashLogEntry[], query: { text: string; result: FlashLogResult | null; since: string | null }): FlashLogEntry[] {
  const needle = query.text.trim().toLowerCase();
  const since = query.since === null ? Number.NEGATIVE_INFINITY : Date.parse(query.since);
  return entries
    .filter((e) => query.result === null || e.result === query.result)
    .filter((e) => Date.parse(e.startedAt) >= since)
    .filter((e) => {
      if (needle === '') return true;
      const fields = [e.device.path, e.device.model, e.device.serial, e.device.bus, e.image.location, e.image.imageHash, e.image.os, e.image.osVersion, e.station, e.operator, e.errorCode, e.result];
      return fields.some((f) => f !== null && f.toLowerCase().includes(needle));
    })
    .reverse();
}
