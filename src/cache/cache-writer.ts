import type { CacheEntry } from './cache-entry.ts';

/** Bytes per journal record (each re-hashed as a whole before use); 1 MiB keeps a crash's loss small. */
export const CACHE_RECORD_BYTES = 1024 * 1024;
/** Bytes waiting for the cache disk beyond which new records are skipped (the flash never waits for the cache). */
export const CACHE_QUEUE_BYTES = 32 * 1024 * 1024;

interface PendingRecord {
  readonly offsetBytes: number;
  readonly chunks: Buffer[];
  lengthBytes: number;
}

/**
 * Copies bytes the flash already has into the cache, off its path: {@link offer} only queues
 * (never awaits); records of up to {@link CACHE_RECORD_BYTES}, cut at multiples of it, are
 * written and journalled in the background. A record that would take the queue over its bound
 * is skipped (the cache disk fell behind the download): caching goes on with the records that
 * follow once the queue drained, and the skipped ones are downloaded again by the next read
 * (one warning). A failed write (ENOSPC on a full cache disk) stops caching, with one warning;
 * the flash goes on either way.
 */
export class CacheWriter {
  readonly #entry: CacheEntry;
  readonly #onWarning: (message: string) => void;
  readonly #maxQueuedBytes: number;
  readonly #recordBytes: number;
  #pending: PendingRecord | null = null;
  #queue: PendingRecord[] = [];
  #queuedBytes = 0;
  #draining: Promise<void> | null = null;
  #stopped: string | null = null;
  #writtenBytes = 0;
  #skippedBytes = 0;

  constructor(entry: CacheEntry, options: { onWarning: (message: string) => void; maxQueuedBytes?: number; recordBytes?: number }) {
    this.#entry = entry;
    this.#onWarning = options.onWarning;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? CACHE_QUEUE_BYTES;
    this.#recordBytes = options.recordBytes ?? CACHE_RECORD_BYTES;
    if (!entry.writable) this.#stopped = 'read-only';
  }

  /** Why caching stopped, or null while it goes on. */
  get stoppedReason(): string | null {
    return this.#stopped;
  }

  /** Bytes not cached because the cache disk was behind (the next read downloads them again). */
  get skippedBytes(): number {
    return this.#skippedBytes;
  }

  /** Bytes written into the cache by this writer. */
  get writtenBytes(): number {
    return this.#writtenBytes;
  }

  /** Hands over bytes at `offsetBytes` (the caller keeps using the buffer but never changes it). */
  offer(offsetBytes: number, chunk: Buffer): void {
    if (this.#stopped !== null || chunk.length === 0) return;
    let position = offsetBytes;
    let rest = chunk;
    while (rest.length > 0) {
      const pending = this.#pending;
      if (pending !== null && pending.offsetBytes + pending.lengthBytes !== position) this.endRun();
      if (this.#pending === null) this.#pending = { offsetBytes: position, chunks: [], lengthBytes: 0 };
      const current = this.#pending as PendingRecord;
      const boundary = (Math.floor(position / this.#recordBytes) + 1) * this.#recordBytes;
      const take = Math.min(rest.length, boundary - position);
      current.chunks.push(take === rest.length ? rest : rest.subarray(0, take));
      current.lengthBytes += take;
      position += take;
      rest = rest.subarray(take);
      if (position === boundary) this.endRun();
      if (this.#stopped !== null) return;
    }
  }

  /** Ends the current record (the bytes that follow are not contiguous, or the read ended). */
  endRun(): void {
    const pending = this.#pending;
    this.#pending = null;
    if (pending === null || pending.lengthBytes === 0 || this.#stopped !== null) return;
    if (this.#queuedBytes + pending.lengthBytes > this.#maxQueuedBytes) {
      if (this.#skippedBytes === 0) {
        this.#onWarning(`The cache disk fell more than ${Math.round(this.#maxQueuedBytes / 1024 / 1024)} MiB behind the download: parts of the image are not cached this time (the next flash downloads only those). The flash goes on.`);
      }
      this.#skippedBytes += pending.lengthBytes;
      return;
    }
    this.#queue.push(pending);
    this.#queuedBytes += pending.lengthBytes;
    this.#draining ??= this.#drain();
  }

  /** Bytes queued for the cache disk and not yet written. */
  get backlogBytes(): number {
    return this.#queuedBytes;
  }

  /** Resolves once everything handed over so far is written (or dropped). */
  async flushed(): Promise<void> {
    this.endRun();
    while (this.#draining !== null) await this.#draining;
  }

  /** Writes what is queued (bounded by the queue size) and syncs the entry. */
  async close(): Promise<void> {
    await this.flushed();
    await this.#entry.sync();
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        const record = this.#queue.shift();
        if (record === undefined) break;
        try {
          await this.#entry.writeRecord(record.offsetBytes, record.chunks);
          this.#writtenBytes += record.lengthBytes;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          this.#stop(code === 'ENOSPC' || code === 'EDQUOT' ? 'the cache disk is full' : `writing the cache failed (${(error as Error).message})`);
        } finally {
          this.#queuedBytes = Math.max(0, this.#queuedBytes - record.lengthBytes);
        }
      }
    } finally {
      this.#draining = null;
    }
  }

  #stop(reason: string): void {
    if (this.#stopped !== null) return;
    this.#stopped = reason;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#pending = null;
    this.#onWarning(`Caching stopped: ${reason}. The flash goes on from the network.`);
  }
}
