/**
 * Write worker: hashes each decoded block once (SHA-384, for read-back verification) and
 * writes it at its absolute offset to every live target of the job through O_DIRECT, the
 * targets' writes in flight at the same time (each on its own libuv pool thread). The aligned
 * buffer goes back to the decode worker only when every live target has written it, so the
 * slowest target paces the others, at most the buffer pool ahead. A target whose write fails
 * is dropped (reported once); the region fails only when no target is left.
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { CosiflashError, toAppError } from '../errors.ts';
import type { AppError } from '../model/app-error.ts';
import type { FromWrite, ToDecodeFromWrite, ToWrite, ToWriteFromMain } from './worker-messages.ts';
import type { TargetFds } from './write-span.ts';
import { writeSpan } from './write-span.ts';

if (parentPort === null) throw new Error('write-worker must run in a worker thread');
const toMain = parentPort;
/** Set by the 'targets' message; blocks that arrive earlier wait in `early`. */
let targets: readonly TargetFds[] | null = null;
/** Targets dropped after a failed write (by index); never written again in this job. */
const dropped = new Set<number>();
const early: ToWrite[] = [];
const post = (message: FromWrite): void => toMain.postMessage(message);

let decodePort: MessagePort | null = null;
interface Region {
  readonly id: number;
  readonly hash: Hash | null;
  /** Blocks not yet written by every live target. */
  inFlight: number;
  /** Bytes every live target has written. */
  writtenBytes: number;
  endBytes: number | null;
  failed: boolean;
  /** The last target error, for the region's own error when every target is gone. */
  lastError: AppError | null;
}
let region: Region | null = null;
let writesInFlight = 0;
let idleWaiter: (() => void) | null = null;
/** Time some write was in flight (ms, all regions), for the ETA model's disk rate. */
let busyMs = 0;
let busySince = 0;
const busyNow = (): number => busyMs + (writesInFlight > 0 ? performance.now() - busySince : 0);

toMain.on('message', (message: ToWriteFromMain | { type: 'port'; port: MessagePort }) => {
  if (message.type === 'port') {
    decodePort = message.port;
    decodePort.on('message', (m: ToWrite) => (targets === null ? early.push(m) : onBlockMessage(m)));
    return;
  }
  if (message.type === 'targets') {
    targets = message.targets;
    for (const m of early.splice(0)) onBlockMessage(m);
    return;
  }
  if (message.type === 'abort') {
    if (region !== null) region.failed = true;
    const report = (): void => post({ type: 'idle' });
    if (writesInFlight === 0) report();
    else idleWaiter = report;
  }
});

function onBlockMessage(message: ToWrite): void {
  const all = targets;
  if (all === null) throw new Error('write worker: block before targets');
  switch (message.type) {
    case 'region-start':
      region = { id: message.id, hash: message.hashDecoded ? createHash('sha384') : null, inFlight: 0, writtenBytes: 0, endBytes: null, failed: false, lastError: null };
      return;
    case 'block': {
      const current = region;
      const giveBack = (): void => decodePort?.postMessage({ type: 'free', buffer: message.buffer } satisfies ToDecodeFromWrite, [message.buffer.arrayBuffer]);
      if (current === null || current.id !== message.id || current.failed) {
        giveBack();
        return;
      }
      const view = new Uint8Array(message.buffer.arrayBuffer, message.buffer.byteOffset, message.lengthBytes);
      current.hash?.update(view);
      current.inFlight += 1;
      const live = all.map((fds, index) => ({ fds, index })).filter(({ index }) => !dropped.has(index));
      let pending = live.length;
      const settled = (): void => {
        pending -= 1;
        if (pending > 0) return;
        current.inFlight -= 1;
        giveBack();
        if (current.failed) return;
        if (all.every((_, index) => dropped.has(index))) {
          fail(current);
          return;
        }
        current.writtenBytes += message.lengthBytes;
        maybeDone(current);
      };
      for (const { fds, index } of live) {
        startWrite();
        writeSpan(fds, view, message.positionBytes).then(
          () => {
            endWrite();
            if (!current.failed && !dropped.has(index)) post({ type: 'written', id: current.id, target: index, bytes: message.lengthBytes, busyMs: busyNow() });
            settled();
          },
          (error: unknown) => {
            endWrite();
            if (!dropped.has(index)) {
              dropped.add(index);
              current.lastError = toAppError(writeError(error, message.positionBytes));
              if (!current.failed) post({ type: 'target-error', id: current.id, target: index, error: current.lastError });
            }
            settled();
          },
        );
      }
      if (live.length === 0) {
        current.inFlight -= 1;
        giveBack();
        fail(current);
      }
      return;
    }
    case 'region-end':
      if (region !== null && region.id === message.id) {
        region.endBytes = message.totalBytes;
        maybeDone(region);
      }
      return;
  }
}

function startWrite(): void {
  if (writesInFlight === 0) busySince = performance.now();
  writesInFlight += 1;
}

function endWrite(): void {
  writesInFlight -= 1;
  if (writesInFlight === 0) busyMs += performance.now() - busySince;
  if (writesInFlight === 0 && idleWaiter !== null) {
    const waiter = idleWaiter;
    idleWaiter = null;
    waiter();
  }
}

/** Every target is gone: the region fails with the last target's error. */
function fail(current: Region): void {
  if (current.failed) return;
  current.failed = true;
  post({ type: 'error', id: current.id, error: current.lastError ?? new CosiflashError('E_WRITE', 'No target is left to write to').toAppError() });
  if (region === current) region = null;
}

function maybeDone(current: Region): void {
  if (current.failed || current.endBytes === null || current.inFlight > 0 || current.writtenBytes !== current.endBytes) return;
  post({ type: 'region-done', id: current.id, writtenBytes: current.writtenBytes, sha384: current.hash?.digest('hex') ?? null });
  if (region === current) region = null;
}

function writeError(error: unknown, positionBytes: number): CosiflashError {
  const errno = error as NodeJS.ErrnoException;
  return new CosiflashError('E_WRITE', `Write at byte ${positionBytes} failed: ${errno.code ?? ''} ${errno.message ?? String(error)}`.trim(), { cause: error });
}
