import { CosiflashError } from '../errors.ts';
import type { ImageSource, ReadOptions, SourceCheck } from '../source/image-source.ts';
import type { Validator } from '../source/http-validator.ts';
import type { CacheEntry } from './cache-entry.ts';
import type { CacheOwner } from './cache-owner.ts';
import { CacheStore } from './cache-store.ts';
import { CACHE_QUEUE_BYTES, CacheWriter } from './cache-writer.ts';

/** How a source caches: where, how much, as whom, and where its warnings go. */
export interface CacheSourceSettings {
  readonly dir: string;
  /** Cap in bytes; null → the default (the smaller of 20 GiB and a quarter of the free space). */
  readonly maxBytes: number | null;
  readonly owner: CacheOwner | null;
  /** Caching problems (they never fail the read): full cache disk, image over the cap, … */
  readonly onWarning?: (message: string) => void;
  /**
   * Let reads wait for a cache disk that falls behind instead of giving up caching (`cache
   * fetch`, where filling the cache is the point). A flash never waits: false by default.
   */
  readonly waitForCache?: boolean;
}

/**
 * Wraps an opened http(s) source with the verified image cache. The network source has
 * already checked the validator (its opening HEAD or ranged GET); the entry for exactly this
 * location + validator + size is used, any other entry of the location is discarded. Returns
 * the network source itself when the image cannot be cached (no validator, unusable cache
 * folder), after a warning: caching never fails a flash.
 */
export function openCachedSource(network: ImageSource, settings: CacheSourceSettings): ImageSource {
  const warn = settings.onWarning ?? (() => undefined);
  const validator = network.validator ?? null;
  if (validator === null) {
    warn(`The server sends no ETag or Last-Modified for ${network.location}, so a cached copy could not be told apart from a changed file: it is not cached.`);
    return network;
  }
  try {
    const store = new CacheStore({ dir: settings.dir, maxBytes: settings.maxBytes, owner: settings.owner });
    const { entry, warnings } = store.acquire({ location: network.location, validator, sizeBytes: network.sizeBytes });
    for (const warning of warnings) warn(`Image cache: ${warning}.`);
    return new CachedSource(network, entry, validator, warn, settings.waitForCache ?? false);
  } catch (error) {
    const detail = error instanceof CosiflashError ? error.detail : error instanceof Error ? error.message : String(error);
    warn(`The image cache cannot be used (${detail}); reading from the network only.`);
    return network;
  }
}

/**
 * Cached bytes first, the network for the rest: each range is split into cached records
 * (re-hashed before use; a damaged one is forgotten and fetched again) and missing pieces,
 * which are streamed from the network and handed to the cache writer on the way.
 */
class CachedSource implements ImageSource {
  readonly kind = 'http';
  readonly localPath = null;
  readonly validator: Validator;
  readonly #network: ImageSource;
  readonly #entry: CacheEntry;
  readonly #writer: CacheWriter;
  readonly #waitForCache: boolean;
  #cachedBytes = 0;
  #closed = false;

  constructor(network: ImageSource, entry: CacheEntry, validator: Validator, warn: (message: string) => void, waitForCache: boolean) {
    this.#network = network;
    this.#entry = entry;
    this.validator = validator;
    this.#waitForCache = waitForCache;
    this.#writer = new CacheWriter(entry, { onWarning: warn });
  }

  get location(): string {
    return this.#network.location;
  }

  get sizeBytes(): number {
    return this.#network.sizeBytes;
  }

  get transferredBytes(): number {
    return this.#network.transferredBytes;
  }

  get cachedBytes(): number {
    return this.#cachedBytes;
  }

  async read(offsetBytes: number, lengthBytes: number, options: ReadOptions = {}): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.stream(offsetBytes, lengthBytes, options)) chunks.push(chunk);
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, lengthBytes);
  }

  async *stream(offsetBytes: number, lengthBytes: number, options: ReadOptions = {}): AsyncIterable<Buffer> {
    const valid = Number.isSafeInteger(offsetBytes) && Number.isSafeInteger(lengthBytes) && offsetBytes >= 0 && lengthBytes >= 0 && offsetBytes + lengthBytes <= this.sizeBytes;
    // The network source names a bad range best.
    if (!valid) {
      yield* this.#network.stream(offsetBytes, lengthBytes, options);
      return;
    }
    const segments = this.#entry.plan(offsetBytes, lengthBytes);
    let ahead: Promise<Buffer | null> | null = null;
    for (let i = 0; i < segments.length; i++) {
      options.signal?.throwIfAborted();
      const segment = segments[i]!;
      if (segment.kind === 'missing') {
        yield* this.#fetch(segment.offsetBytes, segment.lengthBytes, options);
        continue;
      }
      const bytes = await (ahead ?? this.#entry.readRecord(segment.record));
      ahead = null;
      // Read the next record while this one is consumed.
      const next = segments[i + 1];
      if (next?.kind === 'cached') ahead = this.#entry.readRecord(next.record);
      if (bytes === null) {
        yield* this.#fetch(segment.offsetBytes, segment.lengthBytes, options);
        continue;
      }
      this.#cachedBytes += segment.lengthBytes;
      const from = segment.offsetBytes - segment.record.offsetBytes;
      yield bytes.subarray(from, from + segment.lengthBytes);
    }
  }

  noteChecked(check: SourceCheck): void {
    if (this.#closed) return;
    if (check.kind === 'image') {
      this.#entry.noteImageHash(check.imageHash.toLowerCase().replace(/^sha384:/, ''));
      return;
    }
    const range = { offsetBytes: check.offsetBytes, lengthBytes: check.lengthBytes };
    if (!check.ok) {
      this.#entry.discard(range);
      return;
    }
    // Verified once its bytes are in the cache (they may still be queued for writing).
    void this.#writer.flushed().then(() => {
      if (!this.#closed && this.#entry.plan(range.offsetBytes, range.lengthBytes).every((s) => s.kind === 'cached')) this.#entry.markVerified(range);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#writer.close();
    } finally {
      this.#closed = true;
      this.#entry.close();
      await this.#network.close();
    }
  }

  async *#fetch(offsetBytes: number, lengthBytes: number, options: ReadOptions): AsyncIterable<Buffer> {
    let position = offsetBytes;
    try {
      for await (const chunk of this.#network.stream(offsetBytes, lengthBytes, options)) {
        if (!this.#closed) this.#writer.offer(position, chunk);
        position += chunk.length;
        yield chunk;
        if (this.#waitForCache && this.#writer.backlogBytes > CACHE_QUEUE_BYTES / 2) await this.#writer.flushed();
      }
    } finally {
      this.#writer.endRun();
    }
  }
}
