/**
 * The protocol between a front end and the writer process (the one process that writes
 * disks, possibly elevated through pkexec): newline-delimited JSON over the writer's stdin
 * and stdout. Stdio rather than Node's IPC channel because it survives pkexec, which
 * clears the environment that carries the channel.
 *
 * Every message carries the job's random token (given to the writer on its command line):
 * a message with another token is dropped, so stray output or a confused peer cannot drive
 * a disk write. Both sides send a heartbeat every second; the writer cancels and exits
 * when the parent is gone (stdin closes, the parent pid changes, or it goes silent).
 */
import { StringDecoder } from 'node:string_decoder';
import type { AppError } from '../model/app-error.ts';
import type { FlashProgress, FlashReport } from '../model/flash-progress.ts';
import { isFlashRequest } from '../common/flash-request-check.ts';
import type { FlashRequest } from '../model/flash-request.ts';
import type { InspectedImage } from '../cosi/inspect-in-worker.ts';

export const WRITER_PROTOCOL_VERSION = 1;
/** Both sides send a heartbeat this often. */
export const HEARTBEAT_INTERVAL_MS = 1000;
/** The writer cancels and exits after this long without any message from its parent. */
export const PARENT_SILENCE_LIMIT_MS = 15_000;
/** A silent peer that is running (busy or starved of CPU, not stopped or asleep) gets this long instead. */
export const BUSY_SILENCE_LIMIT_MS = 60_000;
/** Longest line either side accepts (progress events are a few KiB). */
export const MAX_LINE_CHARS = 1024 * 1024;

/** parent → writer. */
export type ToWriterMessage =
  | { readonly type: 'start'; readonly token: string; readonly jobId: string; readonly request: FlashRequest }
  | { readonly type: 'cancel'; readonly token: string }
  /** Optional, before start: open and inspect this image already (reads only, no disk access). */
  | { readonly type: 'prepare'; readonly token: string; readonly source: string }
  | { readonly type: 'heartbeat'; readonly token: string };

/** writer → parent. */
export type FromWriterMessage =
  | { readonly type: 'hello'; readonly token: string; readonly version: number; readonly pid: number; readonly uid: number | null }
  | { readonly type: 'progress'; readonly token: string; readonly event: FlashProgress }
  /**
   * Answer to 'prepare': the image as the writer opened and inspected it (the front end shows
   * and plans from it instead of inspecting the image a second time), or why it could not.
   */
  | { readonly type: 'prepared'; readonly token: string; readonly inspected: InspectedImage }
  | { readonly type: 'prepared'; readonly token: string; readonly error: AppError }
  | { readonly type: 'result'; readonly token: string; readonly report: FlashReport }
  | { readonly type: 'error'; readonly token: string; readonly error: AppError }
  | { readonly type: 'heartbeat'; readonly token: string };

/** One message as one line. */
export function encodeMessage(message: ToWriterMessage | FromWriterMessage): string {
  return `${JSON.stringify(message)}\n`;
}

function parseLine(line: string, token: string): Record<string, unknown> | null {
  if (line.length === 0 || line.length > MAX_LINE_CHARS) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  return record.token === token && typeof record.type === 'string' ? record : null;
}

function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.title === 'string' && typeof v.detail === 'string' && (v.hint === undefined || typeof v.hint === 'string');
}

const PROGRESS_TYPES = new Set(['plan', 'progress', 'target-failed', 'retry', 'warning', 'done', 'failed']);

function isFlashProgress(value: unknown): value is FlashProgress {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && PROGRESS_TYPES.has(v.type) && typeof v.jobId === 'string';
}

function isInspectedImage(value: unknown): value is InspectedImage {
  if (typeof value !== 'object' || value === null) return false;
  const { layout, source } = value as Record<string, unknown>;
  if (typeof layout !== 'object' || layout === null || typeof source !== 'object' || source === null) return false;
  const l = layout as Record<string, unknown>;
  const s = source as Record<string, unknown>;
  return (
    typeof l.imageHash === 'string' && Array.isArray(l.partitions) && typeof l.disk === 'object' && l.disk !== null &&
    typeof s.location === 'string' && typeof s.kind === 'string' && typeof s.sizeBytes === 'number' && (s.localPath === null || typeof s.localPath === 'string')
  );
}

function isFlashReport(value: unknown): value is FlashReport {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.outcome === 'string' && Array.isArray(v.regions) && typeof v.device === 'object' && v.device !== null;
}

/** Parses a line from the writer; null for anything malformed or carrying another token. */
export function parseFromWriter(line: string, token: string): FromWriterMessage | null {
  const m = parseLine(line, token);
  if (m === null) return null;
  switch (m.type) {
    case 'hello':
      return typeof m.version === 'number' && typeof m.pid === 'number' && (m.uid === null || typeof m.uid === 'number') ? (m as unknown as FromWriterMessage) : null;
    case 'progress':
      return isFlashProgress(m.event) ? (m as unknown as FromWriterMessage) : null;
    case 'prepared':
      if (isInspectedImage(m.inspected)) return { type: 'prepared', token, inspected: m.inspected };
      return isAppError(m.error) ? { type: 'prepared', token, error: m.error } : null;
    case 'result':
      return isFlashReport(m.report) ? (m as unknown as FromWriterMessage) : null;
    case 'error':
      return isAppError(m.error) ? (m as unknown as FromWriterMessage) : null;
    case 'heartbeat':
      return { type: 'heartbeat', token };
    default:
      return null;
  }
}

/** Parses a line from the parent; null for anything malformed or carrying another token. */
export function parseToWriter(line: string, token: string): ToWriterMessage | null {
  const m = parseLine(line, token);
  if (m === null) return null;
  switch (m.type) {
    case 'start':
      return typeof m.jobId === 'string' && m.jobId.length > 0 && m.jobId.length <= 200 && isFlashRequest(m.request) ? { type: 'start', token, jobId: m.jobId, request: m.request } : null;
    case 'cancel':
      return { type: 'cancel', token };
    case 'prepare':
      return typeof m.source === 'string' && m.source.length > 0 && m.source.length <= 8192 ? { type: 'prepare', token, source: m.source } : null;
    case 'heartbeat':
      return { type: 'heartbeat', token };
    default:
      return null;
  }
}

/** Splits a byte stream into lines (handles chunks that end mid-line); drops over-long lines. */
export function createLineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  return (chunk) => {
    partial += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let index = partial.indexOf('\n');
    while (index >= 0) {
      const line = partial.slice(0, index).trim();
      partial = partial.slice(index + 1);
      if (line.length > 0) onLine(line);
      index = partial.indexOf('\n');
    }
    if (partial.length > MAX_LINE_CHARS) partial = '';
  };
}
