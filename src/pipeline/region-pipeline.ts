import { createHash } from 'node:crypto';
import { MessageChannel, Worker } from 'node:worker_threads';
import { CosiflashError, fromAppError } from '../errors.ts';
import type { AppError } from '../model/app-error.ts';
import { alignBufferForAll, allocateUnaligned } from './aligned-buffer.ts';
import { createGcNudge } from './gc-nudge.ts';
import type { TargetDevice } from './target-device.ts';
import type { BufferRef, FromDecode, FromWrite, ToDecode, ToWriteFromMain } from './worker-messages.ts';

/** Sizes of the pipeline; the defaults keep memory near 40 MiB plus the zstd window, + 8 MiB per extra target. */
export interface RegionPipelineOptions {
  /** Aligned write buffer size (default 4 MiB: large O_DIRECT writes). */
  readonly blockBytes?: number;
  /**
   * Aligned buffers shared by the decode worker and the write workers (default 4, plus 2 per
   * extra target). Also the bound on how far the fastest target runs ahead of the slowest.
   */
  readonly blockCount?: number;
  /** Compressed bytes per message to the decoder (default 1 MiB; small chunks decode 2× slower). */
  readonly chunkBytes?: number;
  /** Compressed chunks sent but not yet consumed by the decoder (default 8). */
  readonly chunksInFlight?: number;
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
   * Bytes that reached target number `target` (its index in `attach`); `busyMs`: that target's
   * total disk-busy time so far, when its write worker measures it.
   */
  readonly onWritten: (bytes: number, target: number, busyMs?: number) => void;
  /**
   * A target failed (its write, or its worker): it is dropped for the rest of the job and the
   * region goes on for the others. Without this callback, and when no target is left, the
   * region fails with the error instead.
   */
  readonly onTargetFailed?: (target: number, error: AppError) => void;
  readonly signal?: AbortSignal;
}

export interface RegionResult {
  readonly compressedSha384: string;
  readonly uncompressedSha384: string | null;
  /** Decoded bytes handed to every target. */
  readonly writtenBytes: number;
}

/**
 * The streaming engine for one flash onto one or several targets: this thread receives the
 * compressed bytes once and hashes them (SHA-384, checked against metadata.json), a decode
 * worker runs zstd once, hashes the decoded bytes once and fills shared aligned buffers, and
 * one write worker per target writes them with O_DIRECT. Every queue is bounded (credits for
 * compressed chunks, a fixed pool of aligned buffers), so memory stays flat whatever the
 * image size, and a slow target paces the others within the pool's size.
 */
export interface RegionPipeline {
  /** Gives the workers the targets (once): their descriptors; the shared buffers are aligned for all. */
  attach(targets: TargetDevice | readonly TargetDevice[]): void;
  writeRegion(region: RegionWrite): Promise<RegionResult>;
  /** Targets dropped so far (index → why). */
  readonly dropped: ReadonlyMap<number, AppError>;
  /** Stops every worker once no write is in flight (bounded wait), then terminates them. */
  close(): Promise<void>;
}

const workerUrl = (name: string): URL => new URL(`./${name}.ts`, import.meta.url);

/**
 * Starts the decode worker and a first write worker. Pass the targets now or later through
 * `attach` (flashDisk starts the workers first, so their start-up overlaps with inspecting the
 * image and the disks).
 */
export function createRegionPipeline(initialTargets: TargetDevice | readonly TargetDevice[] | null, options: RegionPipelineOptions = {}): RegionPipeline {
  const blockBytes = options.blockBytes ?? 4 * 1024 * 1024;
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const chunksInFlight = options.chunksInFlight ?? 8;
  const decoder = new Worker(workerUrl('decode-worker'));
  const writers: Worker[] = [new Worker(workerUrl('write-worker'))];
  const dropped = new Map<number, AppError>();
  let targetCount = 0;
  let closed = false;
  let crashed: AppError | null = null;
  type PipelineEvent = FromDecode | FromWrite | { type: 'crash'; error: AppError } | { type: 'writer-crash'; writer: number; error: AppError };
  let listener: ((event: PipelineEvent) => void) | null = null;
  /** A writer failure outside a region: dropped at the next region (or reported at close). */
  const deliver = (event: PipelineEvent): void => {
    if (listener !== null) listener(event);
    else if ((event.type === 'write-error' || event.type === 'writer-crash') && !dropped.has(event.writer)) drop(event.writer, event.error);
  };
  const drop = (writer: number, error: AppError): void => {
    if (dropped.has(writer)) return;
    dropped.set(writer, error);
    decoder.postMessage({ type: 'drop', writer } satisfies ToDecode);
  };

  decoder.on('message', deliver);
  decoder.on('error', (error) => {
    crashed = new CosiflashError('E_INTERNAL', `Pipeline worker failed: ${error.message}`).toAppError();
    deliver({ type: 'crash', error: crashed });
  });
  decoder.on('exit', (code) => {
    if (closed) return;
    crashed ??= new CosiflashError('E_INTERNAL', `Pipeline worker exited (code ${code})`).toAppError();
    deliver({ type: 'crash', error: crashed });
  });
  const watchWriter = (worker: Worker, index: number): void => {
    worker.on('message', deliver);
    worker.on('error', (error) => deliver({ type: 'writer-crash', writer: index, error: new CosiflashError('E_INTERNAL', `Write worker failed: ${error.message}`).toAppError() }));
    worker.on('exit', (code) => {
      if (!closed) deliver({ type: 'writer-crash', writer: index, error: new CosiflashError('E_INTERNAL', `Write worker exited (code ${code})`).toAppError() });
    });
  };
  watchWriter(writers[0] as Worker, 0);

  const attach = (given: TargetDevice | readonly TargetDevice[]): void => {
    const targets: readonly TargetDevice[] = Array.isArray(given) ? given : [given as TargetDevice];
    if (targetCount > 0) throw new CosiflashError('E_INTERNAL', 'pipeline already has its targets');
    if (targets.length === 0) throw new CosiflashError('E_INTERNAL', 'pipeline needs a target');
    targetCount = targets.length;
    targets.forEach((target, index) => {
      if (index > 0) {
        const worker = new Worker(workerUrl('write-worker'));
        writers.push(worker);
        watchWriter(worker, index);
      }
      const channel = new MessageChannel();
      decoder.postMessage({ type: 'writer', writer: index, port: channel.port1 } satisfies ToDecode, [channel.port1]);
      (writers[index] as Worker).postMessage({ type: 'target', writer: index, fds: { fd: target.fd, tailFd: target.tailFd, direct: target.direct, blockBytes: target.blockBytes }, port: channel.port2 } satisfies ToWriteFromMain, [channel.port2]);
    });
    const count = options.blockCount ?? 4 + 2 * (targets.length - 1);
    const direct = targets.filter((t) => t.direct);
    const buffers: BufferRef[] = Array.from({ length: count }, (_, index) => {
      const raw = allocateUnaligned(blockBytes, { shared: true });
      const aligned = direct.length === 0 ? raw : alignBufferForAll(raw, direct);
      if (aligned === null) throw new CosiflashError('E_INTERNAL', `No O_DIRECT-aligned offset found for ${direct.map((t) => t.path).join(', ')}`);
      return { index, arrayBuffer: aligned.arrayBuffer as SharedArrayBuffer, byteOffset: aligned.byteOffset, sizeBytes: aligned.sizeBytes };
    });
    decoder.postMessage({ type: 'buffers', buffers } satisfies ToDecode);
  };
  if (initialTargets !== null) attach(initialTargets);

  let nextId = 1;
  /** Compressed-chunk buffers the decoder gave back (no fresh 1 MiB allocation per message). */
  const spareChunks: ArrayBuffer[] = [];
  const nudgeGc = createGcNudge();

  const writeRegion = async (region: RegionWrite): Promise<RegionResult> => {
    if (crashed !== null) throw fromAppError(crashed);
    if (targetCount === 0) throw new CosiflashError('E_INTERNAL', 'pipeline has no target');
    const live = (): number[] => Array.from({ length: targetCount }, (_, i) => i).filter((i) => !dropped.has(i));
    const noneLeft = (): AppError | null => (live().length === 0 ? ([...dropped.values()].at(-1) ?? null) : null);
    const id = nextId++;
    let inFlight = 0;
    let failure: AppError | null = noneLeft();
    let decoded: { totalBytes: number; sha384: string | null } | null = null;
    const done = new Set<number>();
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
    const targetFailed = (writer: number, error: AppError): void => {
      if (dropped.has(writer)) return;
      if (region.onTargetFailed === undefined) {
        failure ??= error;
        drop(writer, error);
        return;
      }
      drop(writer, error);
      region.onTargetFailed(writer, error);
      failure ??= noneLeft();
    };
    region.signal?.addEventListener('abort', notify, { once: true });
    listener = (event) => {
      if (event.type === 'crash') failure = event.error;
      else if (event.type === 'writer-crash') targetFailed(event.writer, event.error);
      else if (event.type === 'idle' || event.type === 'writer-idle' || event.id !== id) return;
      else if (event.type === 'consumed') {
        inFlight -= 1;
        if (event.chunk.byteLength === chunkBytes) spareChunks.push(event.chunk);
      } else if (event.type === 'decoded') decoded = { totalBytes: event.totalBytes, sha384: event.sha384 };
      else if (event.type === 'error') failure ??= event.error;
      else if (event.type === 'written') region.onWritten(event.bytes, event.writer, event.busyMs);
      else if (event.type === 'write-error') targetFailed(event.writer, event.error);
      else if (event.type === 'region-done') done.add(event.writer);
      notify();
    };
    if (failure !== null) throw fromAppError(failure);
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
      await waitUntil(() => decoded !== null && live().every((i) => done.has(i)));
      const result = decoded as { totalBytes: number; sha384: string | null } | null;
      if (result === null) throw new CosiflashError('E_INTERNAL', 'region finished without a result');
      return { compressedSha384, uncompressedSha384: result.sha384, writtenBytes: result.totalBytes };
    } finally {
      region.signal?.removeEventListener('abort', notify);
      listener = null;
    }
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    const idle = (worker: Worker, idleType: string): Promise<void> =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        const onMessage = (message: { type: string }): void => {
          if (message.type !== idleType) return;
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
    const waits: Promise<void>[] = [];
    if (crashed === null) {
      waits.push(idle(decoder, 'idle'));
      decoder.postMessage({ type: 'abort' } satisfies ToDecode);
    }
    for (const worker of writers) {
      waits.push(idle(worker, 'writer-idle'));
      worker.postMessage({ type: 'abort' } satisfies ToWriteFromMain);
    }
    await Promise.all(waits);
    closed = true;
    await Promise.all([decoder.terminate(), ...writers.map((w) => w.terminate())]);
  };

  return { attach, writeRegion, dropped, close };
}
