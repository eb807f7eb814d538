import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CosiflashError } from '../errors.ts';
import { openFileSource } from './file-source.ts';
import { openHttpSource } from './http-source.ts';
import { openOciSource } from './oci-source.ts';
import type { ImageSource, RetryEvent } from './image-source.ts';
import { parseOciReference, type OciReference } from './oci-reference.ts';

export interface OpenSourceOptions {
  /** Time allowed to establish a TCP/TLS connection. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** No headers or body bytes for this long → the attempt fails and is retried. Default 30 000 ms. */
  idleTimeoutMs?: number;
  /** Retries per read (the budget starts again once bytes arrive). Default 6. */
  maxRetries?: number;
  /** First backoff ceiling; doubles per retry, with full jitter. Default 200 ms. */
  retryBaseDelayMs?: number;
  /** Largest backoff ceiling. Default 5 000 ms. */
  retryMaxDelayMs?: number;
  /**
   * Once the file was opened, a server that refuses or cannot be reached (restarted, network
   * gone) is retried for this long with backoff, apart from the count above. Default 120 000 ms.
   */
  retryForMs?: number;
  /** Minimum transfer rate: an attempt slower than this over the window is dropped and retried. Default 1024 B/s. */
  minRateBytesPerSecond?: number;
  /** The window of waiting time the minimum rate is measured over. Default 60 000 ms. */
  minRateWindowMs?: number;
  /** oci:// only: talk plain HTTP to the registry instead of HTTPS; refused (E_INPUT) unless the registry is on a loopback address. */
  plainHttp?: boolean;
  /** Aborts opening and every later read of the source. */
  signal?: AbortSignal;
  /** Called before each retry of the opening probe (reads take their own `onRetry`). */
  onRetry?: (event: RetryEvent) => void;
}

export const SOURCE_DEFAULTS = {
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  maxRetries: 6,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 5_000,
  retryForMs: 120_000,
  minRateBytesPerSecond: 1024,
  minRateWindowMs: 60_000,
} as const;

/**
 * Opens an image wherever it lives: a local path (relative to the current directory), a
 * `file://` URL (percent-decoded, unlike Trident), an `http://`/`https://` URL, or an
 * `oci://REGISTRY/REPO:TAG|@sha256:…` registry reference. Anything else is E_URL naming what
 * was given.
 */
export async function openSource(location: string, options: OpenSourceOptions = {}): Promise<ImageSource> {
  const target = parseLocation(location);
  if (target.kind === 'file') {
    if (options.plainHttp === true) throw plainHttpMisuse(target.location);
    return openFileSource(target.path, { location: target.location, signal: options.signal });
  }
  const settings = {
    connectTimeoutMs: options.connectTimeoutMs ?? SOURCE_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? SOURCE_DEFAULTS.idleTimeoutMs,
    maxRetries: options.maxRetries ?? SOURCE_DEFAULTS.maxRetries,
    retryBaseDelayMs: options.retryBaseDelayMs ?? SOURCE_DEFAULTS.retryBaseDelayMs,
    retryMaxDelayMs: options.retryMaxDelayMs ?? SOURCE_DEFAULTS.retryMaxDelayMs,
    retryForMs: options.retryForMs ?? SOURCE_DEFAULTS.retryForMs,
    minRateBytesPerSecond: options.minRateBytesPerSecond ?? SOURCE_DEFAULTS.minRateBytesPerSecond,
    minRateWindowMs: options.minRateWindowMs ?? SOURCE_DEFAULTS.minRateWindowMs,
    signal: options.signal,
    onRetry: options.onRetry,
  };
  if (target.kind === 'oci') return openOciSource(target.location, { ...settings, plainHttp: options.plainHttp === true });
  if (options.plainHttp === true) throw plainHttpMisuse(target.url);
  return openHttpSource(target.url, settings);
}

function plainHttpMisuse(location: string): CosiflashError {
  return new CosiflashError('E_INPUT', `--plain-http applies to oci:// registries only, not to ${location}.`, { hint: 'For an http:// server, write http:// in the URL.' });
}

export type ParsedLocation = { kind: 'file'; path: string; location: string } | { kind: 'http'; url: string } | { kind: 'oci'; location: string; reference: OciReference };

/** Classifies and normalises a location without touching the file system or the network. */
export function parseLocation(location: string): ParsedLocation {
  const trimmed = location.trim();
  if (trimmed === '') throw new CosiflashError('E_URL', 'No image location was given.');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  // "C:\…" on Windows is a drive letter, not a URL scheme.
  const isDrive = scheme !== undefined && scheme.length === 1 && process.platform === 'win32';
  if (scheme === undefined || isDrive) {
    const absolute = path.resolve(trimmed);
    return { kind: 'file', path: absolute, location: absolute };
  }
  if (scheme === 'file') {
    let filePath: string;
    try {
      filePath = fileURLToPath(new URL(trimmed));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new CosiflashError('E_URL', `"${trimmed}" is not a usable file:// URL: ${message}`, { cause: error, hint: 'Write local files as file:///absolute/path (percent-encode spaces as %20) or give a plain path.' });
    }
    return { kind: 'file', path: filePath, location: trimmed };
  }
  if (scheme === 'http' || scheme === 'https') {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch (error) {
      throw new CosiflashError('E_URL', `"${trimmed}" is not a valid URL.`, { cause: error });
    }
    if (url.hostname === '') throw new CosiflashError('E_URL', `"${trimmed}" has no host name.`);
    return { kind: 'http', url: url.href };
  }
  if (scheme === 'oci') {
    const reference = parseOciReference(trimmed);
    return { kind: 'oci', location: reference.location, reference };
  }
  throw new CosiflashError('E_URL', `"${trimmed}": ${scheme}:// locations are not supported.`);
}
