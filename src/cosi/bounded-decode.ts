/**
 * Decoding a region to an exact size: the one rule every decoder of region bytes follows
 * (the writer's decode worker, `cosiflash verify`, the primary GPT at inspect). The output
 * must be exactly `uncompressedSize` bytes; going past it is an error at once, so a hostile
 * image can neither balloon memory nor write beyond its partition (docs/behavior.md §2).
 */
import type { ZstdDecompress } from 'node:zlib';
import { CosiflashError } from '../errors.ts';
import { createRegionDecoder } from './region-decoder.ts';

/** Counts decoded bytes against the declared size. */
export class DecodedSizeLimit {
  #decodedBytes = 0;
  #overshot = false;

  readonly expectedBytes: number;
  /** Names the region in messages, e.g. its image path. */
  readonly label: string;

  constructor(expectedBytes: number, label: string) {
    this.expectedBytes = expectedBytes;
    this.label = label;
  }

  /** Bytes counted so far (stops growing meaningfully once past the limit). */
  get decodedBytes(): number {
    return this.#decodedBytes;
  }

  /** Counts one decoded chunk; returns E_IMAGE_SIZE the first time the output passes the declared size, else null. */
  add(byteLength: number): CosiflashError | null {
    this.#decodedBytes += byteLength;
    if (this.#overshot || this.#decodedBytes <= this.expectedBytes) return null;
    this.#overshot = true;
    return this.#sizeError(`more than ${this.expectedBytes}`);
  }

  /** After the decoder ended: E_IMAGE_SIZE unless exactly the declared size came out, else null. */
  finish(): CosiflashError | null {
    if (this.#overshot) return this.#sizeError(`more than ${this.expectedBytes}`);
    return this.#decodedBytes === this.expectedBytes ? null : this.#sizeError(String(this.#decodedBytes));
  }

  #sizeError(actual: string): CosiflashError {
    return new CosiflashError('E_IMAGE_SIZE', `${this.label}: decodes to ${actual} bytes, metadata.json says uncompressedSize ${this.expectedBytes}`);
  }
}

/** A region decoder (window limited by `maxWindowLog`) together with the size limit its output must meet. */
export function createBoundedDecoder(options: { maxWindowLog: number; expectedBytes: number; label: string; chunkSizeBytes?: number }): { decoder: ZstdDecompress; limit: DecodedSizeLimit } {
  const decoder = createRegionDecoder(options.chunkSizeBytes === undefined ? { maxWindowLog: options.maxWindowLog } : { maxWindowLog: options.maxWindowLog, chunkSizeBytes: options.chunkSizeBytes });
  return { decoder, limit: new DecodedSizeLimit(options.expectedBytes, options.label) };
}
