import { createHash } from 'node:crypto';
import { MessageChannel, Worker } from 'node:worker_threads';
import { CosiflashError, fromAppError } from '../errors.ts';
import type { AppError } from '../model/app-error.ts';
import { createGcNudge } from './gc-nudge.ts';
import type { TargetDevice } from './target-device.ts';
import type { BufferRef, FromDecode, FromWrite, ToDecode, ToWriteFromMain } from './worker-messages.ts';

/** Sizes of the pipeline; the defaults keep memory near 40 MiB plus the zstd window. */
export interface RegionPipelineOptions {
  /** Aligned write buffer size (default 4 MiB: large O_DIRECT writes). */
  readonly blockBytes?: number;
  /** Aligned buffers circulating between the decode and write workers (default 4). */
  readonly blockCount?: number;
  /** Compressed bytes per message to the decoder (default 1 MiB; small chunks decode 2× slower). */
  readonly chunkBytes?: number;
  /** Compressed chunks sent but not yet consumed by the decoder (default 8). */
  readonly chunksInFlight?: number;
  /** Aligned buffers added for each target after the first (default 2: 8 MiB). */
  readonly blocksPerExtraTarget?: number;
}

export interface RegionWrite {
  readonly chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  readonly positionBytes: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly expectedSha384: string;
  readonly maxWindowLog: number;
  readonly hashDecoded: boolean;
  readonly onDownloaded: (bytes: number) => void;
  /**
   * Target `targetIndex` (the order given to `attach`) wrote `bytes` more. `busyMs`: the write
   * worker's total disk-busy time so far, when it measures it.
   */
  readonly onWritten: (bytes: number, busyMs: number | undefined, targetIndex: number) => void;
  /** A write to one target failed; that target is dropped, the region goes on with the others. */
  readonly onTargetFailed?: (targetIndex: number, error: AppError) => void;
  readonly signal?: AbortSignal;
}

export interface RegionResult {
  readonly compressedSha384: string;
  readonly uncompressedSha384: string | null;
  readonly writtenBytes: number;
}

/**
 * The streaming engine for one flash: this thread receives compressed bytes and hashes
 * them (SHA-384, checked against metadata.json), a decode worker runs zstd and fills
 * aligned buffers, a write worker hashes the decoded bytes and writes them with O_DIRECT to
 * every target of the job (fetched, hashed and decoded once, whatever the number of disks).
 * Every queue is bounded (credits for compressed chunks, a fixed pool of aligned buffers),
 * so memory stays flat whatever the image size; the three stages overlap on both cores.
 */
export interface RegionPipeline {
  /** Gives the workers the targets (once): their descriptors and the aligned buffers. */
  attach(target: TargetDevice | readonly TargetDevice[]): void;
  writeRegion(region: RegionWrite): Promise<RegionResult>;
  /** Stops both workers once no write is in flight (bounded wait), then terminates them. */
  close(): Promise<void>;
}

/**
 * Starts the workers. Pass the target now or later through `attach` (flashDisk starts the
 * workers first, so their start-up overlaps with inspecting the image and the disks).
 */
export function createRegionPipeline(initialTarget: TargetDevice | null, options: RegionPipelineOptions = {}): RegionPipeline {
  const blockBytes = options.blockBytes ?? 4 * 1024 * 1024;
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const chunksInFlight = options.chunksInFlight ?? 8;
  const decoder = new Worker(new URL('./decode-worker.ts', import.meta.url));
  const writer = new Worker(new URL('./write-worker.ts', import.meta.url));
  const channel = new MessageChannel();
  decoder.postMessage({ type: 'port', port: channel.port1 }, [channel.port1]);
  writer.postMessage({ type: 'port', port: channel.port2 }, [channel.port2]);
  let attached = false;
  const attach = (target: TargetDevice | readonly TargetDevice[]): void => {
    if (attached) throw new CosiflashError('E_INTERNAL', 'pipeline already has its targets');
    const all: readonly TargetDevice[] = Array.isArray(target) ? target : [target as TargetDevice];
    const first = all[0];
    if (first === undefined) throw new CosiflashError('E_INTERNAL', 'pipeline needs a target');
    attached = true;
    writer.postMessage({ type: 'targets', targets: all.map((t) => ({ fd: t.fd, tailFd: t.tailFd, direct: t.direct, blockBytes: t.blockBytes, preZeroed: t.preZeroed })) } satisfies ToWriteFromMain);
    // One buffer is written to every target: aligned for the first (alignment is of the memory,
    // so it suits every O_DIRECT target); each extra target adds blocks, so a slow one lags the
    // others by a bounded amount without stalling the decoder at once.
    const count = (options.blockCount ?? 4) + (options.blocksPerExtraTarget ?? 2) * (all.length - 1);
    const allocator = all.find((t) => t.direct) ?? first;
    const buffers: BufferRef[] = Array.from({ length: count }, () => allocator.allocate(blockBytes));
    decoder.postMessage({ type: 'buffers', buffers } satisfies ToDecode, buffers.map((b) => b.arrayBuffer));
  };
  if (initialTarget !== null) attach(initialTarget);

  let nextId = 1;
  /** Compressed-chunk buffers the decoder gave back (no fresh 1 MiB allocation per message). */
  const spareChunks: ArrayBuffer[] = [];
  const nudgeGc = createGcNudge();
  let closed = false;
  let listener: ((event: FromDecode | FromWrite | { type: 'crash'; error: AppError }) => void) | null = null;
  let crashed: AppError | null = null;
  const deliver = (event: FromDecode | FromWrite | { type: 'crash'; error: AppError }): void => listener?.(event);
  decoder.on('message', deliver);
  writer.on('message', deliver);
  for (const worker of [decoder, writer]) {
    worker.on('error', (error) => {
      crashed = new CosiflashError('E_INTERNAL', `Pipeline worker failed: ${error.message}`).toAppError();
      deliver({ type: 'crash', error: crashed });
    });
    worker.on('exit', (code) => {
      if (closed) return;
      crashed ??= new CosiflashError('E_INTERNAL', `Pipeline worker exited (code ${code})`).toAppError();
      deliver({ type: 'crash', error: crashed });
    });
  }

  const writeRegion = async (region: RegionWrite): Promise<RegionResult> => {
    if (crashed !== null) throw fromAppError(crashed);
    if (!attached) throw new CosiflashError('E_INTERNAL', 'pipeline has no target');
    const id = nextId++;
    let inFlight = 0;
    let failure: AppError | null = null;
    let done: { writtenBytes: number; sha384: string | null } | null = null;
    let wake: (() => void) | null = null;
    const notify = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const waitUntil = async (condition: () => boolean): Promise<void> => {
      while (!condition()) {
        if (failure !== null) throw fromAppError(failure);
        region.signal?.throwIfAborted();
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (failure !== null) throw fromAppError(failure);
    };
    region.signal?.addEventListener('abort', notify, { once: true });
    listener = (event) => {
      if (event.type === 'crash') failure = event.error;
      else if (event.type === 'idle' || event.id !== id) return;
      else if (event.type === 'consumed') {
        inFlight -= 1;
        if (event.chunk.byteLength === chunkBytes) spareChunks.push(event.chunk);
      }
      else if (event.type === 'written') region.onWritten(event.bytes, event.busyMs, event.target);
      else if (event.type === 'target-error') region.onTargetFailed?.(event.target, event.error);
      else if (event.type === 'error') failure ??= event.error;
      else if (event.type === 'region-done') done = { writtenBytes: event.writtenBytes, sha384: event.sha384 };
      notify();
    };
    decoder.postMessage({ type: 'region', id, positionBytes: region.positionBytes, uncompressedSize: region.uncompressedSize, maxWindowLog: region.maxWindowLog, hashDecoded: region.hashDecoded } satisfies ToDecode);

    try {
      const hash = createHash('sha384');
      let compressedBytes = 0;
      let chunk = new Uint8Array(spareChunks.pop() ?? new ArrayBuffer(chunkBytes));
      let fill = 0;
      const send = async (): Promise<void> => {
        await waitUntil(() => inFlight < chunksInFlight);
        inFlight += 1;
        const buffer = chunk.buffer as ArrayBuffer;
        decoder.postMessage({ type: 'data', id, chunk: buffer, byteLength: fill } satisfies ToDecode, [buffer]);
        chunk = new Uint8Array(spareChunks.pop() ?? new ArrayBuffer(chunkBytes));
        fill = 0;
      };
      for await (const piece of region.chunks) {
        if (failure !== null) throw fromAppError(failure);
        hash.update(piece);
        compressedBytes += piece.byteLength;
        region.onDownloaded(piece.byteLength);
        nudgeGc(piece.byteLength);
        let offset = 0;
        while (offset < piece.byteLength) {
          const count = Math.min(chunkBytes - fill, piece.byteLength - offset);
          chunk.set(piece.subarray(offset, offset + count), fill);
          fill += count;
          offset += count;
          if (fill === chunkBytes) await send();
        }
      }
      if (fill > 0) await send();
      decoder.postMessage({ type: 'end', id } satisfies ToDecode);
      const compressedSha384 = hash.digest('hex');
      if (compressedBytes !== region.compressedSize) {
        failure = new CosiflashError('E_IMAGE_SIZE', `Received ${compressedBytes} compressed bytes, metadata.json declares ${region.compressedSize}`).toAppError();
      } else if (compressedSha384 !== region.expectedSha384.toLowerCase()) {
        failure = new CosiflashError('E_IMAGE_HASH', `SHA-384 of the compressed image is ${compressedSha384}, metadata.json declares ${region.expectedSha384.toLowerCase()}`).toAppError();
      }
      await waitUntil(() => done !== null);
      const result = done as { writtenBytes: number; sha384: string | null } | null;
      if (result === null) throw new CosiflashError('E_INTERNAL', 'region finished without a result');
      return { compressedSha384, uncompressedSha384: result.sha384, writtenBytes: result.writtenBytes };
    } finally {
      region.signal?.removeEventListener('abort', notify);
      listener = null;
    }
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    const idle = (worker: Worker): Promise<void> =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        const onMessage = (message: { type: string }): void => {
          if (message.type !== 'idle') return;
          clearTimeout(timer);
          worker.off('message', onMessage);
          resolve();
        };
        worker.on('message', onMessage);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    if (crashed === null) {
      const waits = [idle(decoder), idle(writer)];
      decoder.postMessage({ type: 'abort' } satisfies ToDecode);
      writer.postMessage({ type: 'abort' } satisfies ToWriteFromMain);
      await Promise.all(waits);
    }
    closed = true;
    await Promise.all([decoder.terminate(), writer.terminate()]);
  };

  return { attach, writeRegion, close };
}
