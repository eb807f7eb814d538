import { STATUS_CODES } from 'node:http';
import { CosiflashError } from '../errors.ts';

/** What went wrong on one attempt that a later attempt may not hit (drops, timeouts, 5xx). */
export type FailureKind = 'server' | 'busy' | 'timeout' | 'refused' | 'dropped';

/** A transient failure of one HTTP attempt; the retry loop decides whether to try again. */
export class RetryableFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryableFailure';
    this.kind = kind;
  }
}

/** The URL for messages: no user:password, no query string (signed links carry secrets there). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search === '' ? '' : '?…'}`;
  } catch {
    return url;
  }
}

export function statusText(status: number): string {
  const reason = STATUS_CODES[status];
  return reason === undefined ? `HTTP ${status}` : `HTTP ${status} ${reason}`;
}

/**
 * Maps an HTTP status that is not the answer we asked for: transient ones (5xx, 408, 429)
 * become a {@link RetryableFailure}, the rest a specific CosiflashError naming the URL.
 */
export function statusFailure(status: number, url: string): RetryableFailure | CosiflashError {
  const what = `${url} answered ${statusText(status)}`;
  if (status >= 500) return new RetryableFailure('server', what);
  if (status === 408 || status === 429) return new RetryableFailure('busy', what);
  if (status === 401) return new CosiflashError('E_HTTP_AUTH', `${what}: the server wants credentials.`);
  if (status === 403) return new CosiflashError('E_HTTP_AUTH', `${what}: the server refuses access to this file (a private file, or an expired signed link).`);
  if (status === 404 || status === 410) return new CosiflashError('E_HTTP_NOT_FOUND', `${what}: there is no file at this address.`, { hint: `Check the URL for typos, or ask for a current link (HTTP ${status}).` });
  if (status === 416) return new CosiflashError('E_HTTP_RANGE', `${what} (Range Not Satisfiable).`);
  if (status >= 300 && status < 400) return new CosiflashError('E_HTTP_STATUS', `${what}, a redirect that could not be followed.`, { hint: 'Use the final URL of the file directly.' });
  return new CosiflashError('E_HTTP_STATUS', `${what}.`);
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * Classifies an error thrown by undici or the socket layer. DNS names that do not exist and
 * TLS failures are final (E_CONNECT); timeouts, refused connections and drops are retried.
 */
export function transportFailure(error: unknown, url: string, options: { idleTimeoutMs: number }): RetryableFailure | CosiflashError {
  if (error instanceof CosiflashError || error instanceof RetryableFailure) return error;
  const codes = errorCodes(error);
  const message = error instanceof Error ? error.message : String(error);
  const host = hostOf(url);
  if (codes.some((code) => DNS_CODES.has(code))) {
    return new CosiflashError('E_CONNECT', `The host name ${host} could not be resolved (DNS: ${codes.join(', ')}).`, { cause: error, hint: 'Check the host name in the URL, the network connection and the DNS settings.' });
  }
  if (codes.some((code) => code.startsWith('CERT_') || code.startsWith('ERR_TLS') || code.includes('CERT') || code.includes('SELF_SIGNED'))) {
    return new CosiflashError('E_CONNECT', `The TLS connection to ${host} failed: ${message}`, { cause: error, hint: 'The server certificate is not trusted. Check the URL and the system clock, or use a server with a valid certificate.' });
  }
  if (codes.includes('UND_ERR_REDIRECT_MAX')) {
    return new CosiflashError('E_HTTP_REDIRECT', `${url} redirects too many times (more than 5).`, { cause: error });
  }
  // undici reports a redirect back to a URL it already visited as an invalid argument.
  if (codes.includes('UND_ERR_INVALID_ARG') && /redirect loop/i.test(message)) {
    return new CosiflashError('E_HTTP_REDIRECT', `${url} redirects in a loop (back to an address it already redirected from).`, { cause: error });
  }
  // No answer to the connection attempt at all: the host is as unreachable as a refusing one.
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) return new RetryableFailure('refused', `connecting to ${host} timed out`, { cause: error });
  if (codes.some((code) => TIMEOUT_CODES.has(code))) {
    return new RetryableFailure('timeout', `${url} sent nothing for ${formatSeconds(options.idleTimeoutMs)}`, { cause: error });
  }
  if (codes.some((code) => REFUSED_CODES.has(code))) {
    return new RetryableFailure('refused', `the connection to ${host} was refused (${codes.filter((code) => REFUSED_CODES.has(code)).join(', ')})`, { cause: error });
  }
  return new RetryableFailure('dropped', `the connection to ${host} broke (${codes[0] ?? message})`, { cause: error });
}

/** The final error once the retries for `failure` are used up. */
export function exhaustedError(failure: RetryableFailure, context: { url: string; attempts: number; offsetBytes: number; unreachableMs?: number }): CosiflashError {
  const times = `${context.attempts} attempt${context.attempts === 1 ? '' : 's'}${context.unreachableMs === undefined ? '' : ` over ${formatSeconds(Math.round(context.unreachableMs / 100) * 100)}`}`;
  const where = `, at byte ${context.offsetBytes}`;
  const options = { cause: failure };
  switch (failure.kind) {
    case 'server':
      return new CosiflashError('E_HTTP_SERVER', `${failure.message} (${times}${where}).`, options);
    case 'busy':
      return new CosiflashError('E_HTTP_STATUS', `${failure.message} (${times}${where}).`, { ...options, hint: 'The server is overloaded or rate-limiting; try again later.' });
    case 'timeout':
      return new CosiflashError('E_TIMEOUT', `${failure.message} (${times}${where}).`, options);
    case 'refused':
      return new CosiflashError('E_CONNECT', `Cannot connect to ${context.url}: ${failure.message} (${times}${context.unreachableMs === undefined ? '' : where}).`, {
        ...options,
        ...(context.unreachableMs === undefined ? {} : { hint: 'The server stayed unreachable for the whole retry time (--retry-for). Check that it is running, then start again.' }),
      });
    case 'dropped':
      return new CosiflashError('E_CONNECT', `The download from ${context.url} kept failing: ${failure.message} (${times}${where}).`, { ...options, hint: 'The connection keeps breaking. Check the network (and proxy settings) and try again.' });
  }
}

/** Error codes of an error, its causes and, for AggregateError (happy eyeballs), its members. */
function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || typeof error !== 'object' || error === null) return [];
  const codes: string[] = [];
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') codes.push(code);
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested)) for (const inner of nested) codes.push(...errorCodes(inner, depth + 1));
  codes.push(...errorCodes((error as { cause?: unknown }).cause, depth + 1));
  return [...new Set(codes)];
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
