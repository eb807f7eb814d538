/**
 * Decode worker: turns one region's compressed chunks into aligned blocks for the write
 * worker. zstd runs on libuv's pool, this thread only copies decoded bytes into the aligned
 * buffers it owns, so decoding overlaps with hashing and writing in the other threads.
 *
 * Bounded memory: the decoder is paused while no aligned buffer is free, which stops it
 * consuming input, which delays the 'consumed' credits the main thread waits for.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { ZstdDecompress } from 'node:zlib';
import { createBoundedDecoder, type DecodedSizeLimit } from '../cosi/bounded-decode.ts';
import { CosiflashError, toAppError } from '../errors.ts';
import { createGcNudge } from './gc-nudge.ts';
import type { BufferRef, FromDecode, ToDecode, ToDecodeFromWrite, ToWrite } from './worker-messages.ts';

if (parentPort === null) throw new Error('decode-worker must run in a worker thread');
const toMain = parentPort;
const post = (message: FromDecode): void => toMain.postMessage(message);

let writePort: MessagePort | null = null;
const free: BufferRef[] = [];
const nudgeGc = createGcNudge();
interface Job {
  readonly id: number;
  readonly positionBytes: number;
  readonly decoder: ZstdDecompress;
  /** The region's output must be exactly its uncompressedSize. */
  readonly limit: DecodedSizeLimit;
  /** Bytes handed to the writer so far (the next block's position is positionBytes + this). */
  sentBytes: number;
  current: BufferRef | null;
  fill: number;
  /** Decoded bytes that did not fit into a buffer yet (the decoder is paused meanwhile). */
  pending: Buffer | null;
  inputEnded: boolean;
  decoderEnded: boolean;
  failed: boolean;
}
let job: Job | null = null;

toMain.on('message', (message: ToDecode | { type: 'port'; port: MessagePort }) => {
  switch (message.type) {
    case 'port':
      writePort = message.port;
      writePort.on('message', (m: ToDecodeFromWrite) => {
        free.push(m.buffer);
        if (job !== null) drain(job);
      });
      return;
    case 'buffers':
      free.push(...message.buffers);
      return;
    case 'region':
      startRegion(message.id, message.positionBytes, message.uncompressedSize, message.maxWindowLog, message.hashDecoded);
      return;
    case 'data': {
      const current = job;
      if (current === null || current.id !== message.id || current.failed) return;
      const chunk = Buffer.from(message.chunk, 0, message.byteLength);
      current.decoder.write(chunk, () => toMain.postMessage({ type: 'consumed', id: message.id, byteLength: message.byteLength, chunk: message.chunk } satisfies FromDecode, [message.chunk]));
      return;
    }
    case 'end':
      if (job !== null && job.id === message.id && !job.failed) {
        job.inputEnded = true;
        job.decoder.end();
      }
      return;
    case 'abort':
      if (job !== null) {
        job.failed = true;
        job.decoder.destroy();
        job = null;
      }
      post({ type: 'idle' });
      return;
  }
});

function toWriter(message: ToWrite, transfer: ArrayBuffer[] = []): void {
  if (writePort === null) throw new Error('write port missing');
  writePort.postMessage(message, transfer);
}

function startRegion(id: number, positionBytes: number, uncompressedSize: number, maxWindowLog: number, hashDecoded: boolean): void {
  let bounded: { decoder: ZstdDecompress; limit: DecodedSizeLimit };
  try {
    bounded = createBoundedDecoder({ maxWindowLog, expectedBytes: uncompressedSize, label: `The region at byte ${positionBytes}` });
  } catch (error) {
    post({ type: 'error', id, error: toAppError(error) });
    return;
  }
  const { decoder, limit } = bounded;
  const current: Job = { id, positionBytes, decoder, limit, sentBytes: 0, current: null, fill: 0, pending: null, inputEnded: false, decoderEnded: false, failed: false };
  job = current;
  toWriter({ type: 'region-start', id, hashDecoded });
  decoder.on('data', (out: Buffer) => {
    if (current.failed) return;
    nudgeGc(out.byteLength);
    const overshoot = limit.add(out.byteLength);
    if (overshoot !== null) {
      fail(current, overshoot);
      return;
    }
    current.pending = out;
    drain(current);
  });
  decoder.on('end', () => {
    current.decoderEnded = true;
    drain(current);
  });
  decoder.on('error', (error: Error) => {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    fail(current, error instanceof CosiflashError ? error : new CosiflashError('E_DECODE', `${code ? `${code}: ` : ''}${error.message}`, { cause: error }));
  });
}

/** Moves pending decoded bytes into aligned buffers, sends full ones, finishes the region at the end. */
function drain(current: Job): void {
  if (current.failed) return;
  while (current.pending !== null) {
    if (current.current === null) {
      const next = free.pop();
      if (next === undefined) {
        current.decoder.pause();
        return;
      }
      current.current = next;
      current.fill = 0;
    }
    const target = new Uint8Array(current.current.arrayBuffer, current.current.byteOffset + current.fill, current.current.sizeBytes - current.fill);
    const count = Math.min(target.byteLength, current.pending.byteLength);
    target.set(current.pending.subarray(0, count));
    current.fill += count;
    current.pending = count === current.pending.byteLength ? null : current.pending.subarray(count);
    if (current.fill === current.current.sizeBytes) sendBlock(current);
  }
  if (current.decoder.isPaused()) current.decoder.resume();
  if (current.decoderEnded) finish(current);
}

function sendBlock(current: Job): void {
  const buffer = current.current;
  if (buffer === null || current.fill === 0) return;
  toWriter({ type: 'block', id: current.id, buffer, lengthBytes: current.fill, positionBytes: current.positionBytes + current.sentBytes }, [buffer.arrayBuffer]);
  current.sentBytes += current.fill;
  current.current = null;
  current.fill = 0;
}

function finish(current: Job): void {
  const wrongSize = current.limit.finish();
  if (wrongSize !== null) {
    fail(current, wrongSize);
    return;
  }
  sendBlock(current);
  toWriter({ type: 'region-end', id: current.id, totalBytes: current.sentBytes });
  post({ type: 'decoded', id: current.id, totalBytes: current.limit.decodedBytes });
  if (job === current) job = null;
}

function fail(current: Job, error: unknown): void {
  if (current.failed) return;
  current.failed = true;
  current.decoder.destroy();
  if (current.current !== null) free.push(current.current);
  current.current = null;
  post({ type: 'error', id: current.id, error: toAppError(error) });
  if (job === current) job = null;
}
