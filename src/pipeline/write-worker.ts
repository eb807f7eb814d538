/**
 * Write worker: hashes each decoded block (SHA-384, for read-back verification) and writes
 * it at its absolute offset on the whole-disk device through O_DIRECT, then hands the
 * aligned buffer back to the decode worker. The write of one block (on libuv's pool)
 * overlaps with hashing the next one on this thread.
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { CosiflashError, toAppError } from '../errors.ts';
import type { FromWrite, ToDecodeFromWrite, ToWrite, ToWriteFromMain } from './worker-messages.ts';
import type { TargetFds } from './write-span.ts';
import { writeSpan } from './write-span.ts';

if (parentPort === null) throw new Error('write-worker must run in a worker thread');
const toMain = parentPort;
/** Set by the 'target' message; blocks that arrive earlier wait in `early`. */
let fds: TargetFds | null = null;
const early: ToWrite[] = [];
const post = (message: FromWrite): void => toMain.postMessage(message);

let decodePort: MessagePort | null = null;
interface Region {
  readonly id: number;
  readonly hash: Hash | null;
  inFlight: number;
  writtenBytes: number;
  endBytes: number | null;
  failed: boolean;
}
let region: Region | null = null;
let inFlightTotal = 0;
let idleWaiter: (() => void) | null = null;
/** Time the disk had a write in flight (ms, all regions), for the ETA model's disk rate. */
let busyMs = 0;
let busySince = 0;
const busyNow = (): number => busyMs + (inFlightTotal > 0 ? performance.now() - busySince : 0);

toMain.on('message', (message: ToWriteFromMain | { type: 'port'; port: MessagePort }) => {
  if (message.type === 'port') {
    decodePort = message.port;
    decodePort.on('message', (m: ToWrite) => (fds === null ? early.push(m) : onBlockMessage(m)));
    return;
  }
  if (message.type === 'target') {
    fds = message.fds;
    for (const m of early.splice(0)) onBlockMessage(m);
    return;
  }
  if (message.type === 'abort') {
    if (region !== null) region.failed = true;
    const report = (): void => post({ type: 'idle' });
    if (inFlightTotal === 0) report();
    else idleWaiter = report;
  }
});

function onBlockMessage(message: ToWrite): void {
  const target = fds;
  if (target === null) throw new Error('write worker: block before target');
  switch (message.type) {
    case 'region-start':
      region = { id: message.id, hash: message.hashDecoded ? createHash('sha384') : null, inFlight: 0, writtenBytes: 0, endBytes: null, failed: false };
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
      if (inFlightTotal === 0) busySince = performance.now();
      inFlightTotal += 1;
      writeSpan(target, view, message.positionBytes).then(
        () => {
          settle(current);
          giveBack();
          if (current.failed) return;
          current.writtenBytes += message.lengthBytes;
          post({ type: 'written', id: current.id, bytes: message.lengthBytes, busyMs: busyNow() });
          maybeDone(current);
        },
        (error: unknown) => {
          settle(current);
          giveBack();
          if (current.failed) return;
          current.failed = true;
          post({ type: 'error', id: current.id, error: toAppError(writeError(error, message.positionBytes)) });
        },
      );
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

function settle(current: Region): void {
  current.inFlight -= 1;
  inFlightTotal -= 1;
  if (inFlightTotal === 0) busyMs += performance.now() - busySince;
  if (inFlightTotal === 0 && idleWaiter !== null) {
    const waiter = idleWaiter;
    idleWaiter = null;
    waiter();
  }
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
