import type { AppError } from '../model/app-error.ts';
import type { TargetFds } from './write-span.ts';

/**
 * Messages between the writer's main thread, its decode worker and one write worker per
 * target. The aligned write buffers live in SharedArrayBuffers: the decode worker fills one,
 * every write worker writes the same bytes to its own disk, and the buffer is reused once all
 * of them gave it back (no copy per target, and their alignment never moves).
 */

/** An aligned slice of a shared buffer, known by its index in the pool. */
export interface BufferRef {
  readonly index: number;
  readonly arrayBuffer: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly sizeBytes: number;
}

/** main → decode worker. */
export type ToDecode =
  | { readonly type: 'buffers'; readonly buffers: readonly BufferRef[] }
  /** A write worker's port (writer = target index). */
  | { readonly type: 'writer'; readonly writer: number; readonly port: import('node:worker_threads').MessagePort }
  /** Stop sending to this writer and forget the buffers it still holds (its target was dropped). */
  | { readonly type: 'drop'; readonly writer: number }
  | { readonly type: 'region'; readonly id: number; readonly positionBytes: number; readonly uncompressedSize: number; readonly maxWindowLog: number; readonly hashDecoded: boolean }
  | { readonly type: 'data'; readonly id: number; readonly chunk: ArrayBuffer; readonly byteLength: number }
  | { readonly type: 'end'; readonly id: number }
  | { readonly type: 'abort' };

/** decode worker → write worker (over its own MessageChannel). */
export type ToWrite =
  | { readonly type: 'block'; readonly id: number; readonly buffer: BufferRef; readonly lengthBytes: number; readonly positionBytes: number }
  | { readonly type: 'region-start'; readonly id: number }
  | { readonly type: 'region-end'; readonly id: number; readonly totalBytes: number };

/** write worker → decode worker: this writer is done with a buffer. */
export interface ToDecodeFromWrite {
  readonly type: 'free';
  readonly writer: number;
  readonly index: number;
}

/** main → write worker: its target's descriptors and index (once), its decode port, or stop. */
export type ToWriteFromMain =
  | { readonly type: 'target'; readonly writer: number; readonly fds: TargetFds; readonly port: import('node:worker_threads').MessagePort }
  | { readonly type: 'abort' };

/** decode worker → main. */
export type FromDecode =
  /** The decoder is done with a chunk; its buffer comes back for reuse. */
  | { readonly type: 'consumed'; readonly id: number; readonly byteLength: number; readonly chunk: ArrayBuffer }
  /** Every decoded byte was handed to the writers; SHA-384 of them when asked for. */
  | { readonly type: 'decoded'; readonly id: number; readonly totalBytes: number; readonly sha384: string | null }
  | { readonly type: 'error'; readonly id: number; readonly error: AppError }
  | { readonly type: 'idle' };

/** write worker → main (writer = target index). */
export type FromWrite =
  /** `busyMs`: total time so far this writer's disk had a write in flight (the disk's own speed, for the ETA). */
  | { readonly type: 'written'; readonly writer: number; readonly id: number; readonly bytes: number; readonly busyMs?: number }
  | { readonly type: 'region-done'; readonly writer: number; readonly id: number; readonly writtenBytes: number }
  | { readonly type: 'write-error'; readonly writer: number; readonly id: number; readonly error: AppError }
  | { readonly type: 'writer-idle'; readonly writer: number };
