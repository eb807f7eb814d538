import type { OciResolution } from './oci-resolution.ts';
import type { Validator } from './http-validator.ts';

/**
 * A COSI's bytes, wherever they live (local file, HTTP(S), an OCI registry blob). Random access by byte range, so
 * inspection reads only what it needs and a flash streams each region with resume.
 */
export interface ImageSource {
  /** The location as the user gave it, normalised (file paths absolute, URLs as typed). */
  readonly location: string;
  /** 'file' for paths and file:// URLs, 'http' for http(s), 'oci' for oci:// registry references. */
  readonly kind: 'file' | 'http' | 'oci';
  /** For oci:// sources: the manifest and layer the reference resolved to, and why that layer. */
  readonly oci?: OciResolution;
  /** Total size in bytes. */
  readonly sizeBytes: number;
  /** For files: the absolute path (used to find the disk that holds the source). */
  readonly localPath: string | null;
  /** Reads exactly `lengthBytes` at `offsetBytes`; a range past the end throws (E_FILE_READ for files, E_HTTP_RANGE over HTTP). */
  read(offsetBytes: number, lengthBytes: number, options?: ReadOptions): Promise<Buffer>;
  /**
   * Streams `[offsetBytes, offsetBytes + lengthBytes)` as chunks, resuming after dropped
   * connections from the exact next byte (bounded retries, backoff with jitter). The chunks
   * are exactly the requested bytes, in order, whatever happened on the wire.
   */
  stream(offsetBytes: number, lengthBytes: number, options?: ReadOptions): AsyncIterable<Buffer>;
  /** Bytes fetched from the underlying transport so far (for tests and reports). */
  readonly transferredBytes: number;
  close(): Promise<void>;
  /** Over HTTP: the validator (strong ETag or Last-Modified) pinned when the source was opened; null when the server sends none. */
  readonly validator?: Validator | null;
  /** Bytes served from the verified image cache instead of the network (cached sources only). */
  readonly cachedBytes?: number;
  /**
   * Tells the source what the flash learned: the image hash once inspection pinned it, and each
   * region's SHA-384 verdict (the image cache journals verified regions and discards a region
   * that failed, so it is fetched again). Sources that keep nothing ignore it.
   */
  noteChecked?(check: SourceCheck): void;
}

export type SourceCheck =
  | { readonly kind: 'image'; readonly imageHash: string }
  | { readonly kind: 'region'; readonly offsetBytes: number; readonly lengthBytes: number; readonly ok: boolean };

export interface ReadOptions {
  readonly signal?: AbortSignal;
  /** Overrides the source's time budget for an unreachable server (ms) for this read. */
  readonly retryForMs?: number;
  /** Called before each retry, so front ends can show that a retry is happening. */
  readonly onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  /** Attempt number within its budget (unreachable-server retries count separately). */
  readonly attempt: number;
  readonly offsetBytes: number;
  readonly delayMs: number;
  readonly reason: string;
  /** What failed: 'refused' means the server could not be reached at all. */
  readonly kind: 'server' | 'busy' | 'timeout' | 'refused' | 'dropped';
  /** For an unreachable server after the source was opened: how long it has been unreachable; otherwise null. */
  readonly unreachableMs: number | null;
  /** The time budget for an unreachable server. */
  readonly retryForMs: number;
}
