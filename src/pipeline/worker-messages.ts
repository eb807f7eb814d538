import type { AppError } from '../model/app-error.ts';
import type { TargetFds } from './write-span.ts';

/**
 * Messages between the writer's main thread and its two workers (decode, write).
 * Buffers always travel as transferred ArrayBuffers: the aligned write buffers circulate
 * decode → write → decode without a copy, and their alignment survives the transfer.
 */

/** An aligned slice of a transferred ArrayBuffer. */
export interface BufferRef {
  readonly arrayBuffer: ArrayBuffer;
  readonly byteOffset: number;
  readonly sizeBytes: number;
}

/** main → decode worker. */
export type ToDecode =
  | { readonly type: 'buffers'; readonly buffers: readonly BufferRef[] }
  | { readonly type: 'region'; readonly id: number; readonly positionBytes: number; readonly uncompressedSize: number; readonly maxWindowLog: number; readonly hashDecoded: boolean }
  | { readonly type: 'data'; readonly id: number; readonly chunk: ArrayBuffer; readonly byteLength: number }
  | { readonly type: 'end'; readonly id: number }
  | { readonly type: 'abort' };

/** decode worker → write worker (over a MessageChannel). */
export type ToWrite =
  | { readonly type: 'block'; readonly id: number; readonly buffer: BufferRef; readonly lengthBytes: number; readonly positionBytes: number }
  | { readonly type: 'region-start'; readonly id: number; readonly hashDecoded: boolean }
  | { readonly type: 'region-end'; readonly id: number; readonly totalBytes: number };

/** write worker → decode worker: a buffer is free again. */
export interface ToDecodeFromWrite {
  readonly type: 'free';
  readonly buffer: BufferRef;
}

/** main → write worker: every target's descriptors (once, in the job's order), or stop. */
export type ToWriteFromMain = { readonly type: 'targets'; readonly targets: readonly TargetFds[] } | { readonly type: 'abort' };

/** decode worker → main. */
export type FromDecode =
  /** The decoder is done with a chunk; its buffer comes back for reuse. */
  | { readonly type: 'consumed'; readonly id: number; readonly byteLength: number; readonly chunk: ArrayBuffer }
  | { readonly type: 'decoded'; readonly id: number; readonly totalBytes: number }
  | { readonly type: 'error'; readonly id: number; readonly error: AppError }
  | { readonly type: 'idle' };

/** write worker → main. */
export type FromWrite =
  /**
   * `target` (index in the job's order) wrote `bytes` more. `busyMs`: total time so far some
   * write was in flight (the disks' own speed, for the ETA).
   */
  | { readonly type: 'written'; readonly id: number; readonly target: number; readonly bytes: number; readonly busyMs?: number }
  /** A write to one target failed: that target is dropped, the others go on (the region fails only when none is left). */
  | { readonly type: 'target-error'; readonly id: number; readonly target: number; readonly error: AppError }
  | { readonly type: 'region-done'; readonly id: number; readonly writtenBytes: number; readonly sha384: string | null }
  | { readonly type: 'error'; readonly id: number; readonly error: AppError }
  | { readonly type: 'idle' };

