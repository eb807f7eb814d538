import type { IncomingHttpHeaders } from 'node:http';

/**
 * What pins the representation across requests (RFC 9110 §8.8, §13.1.5): a strong ETag, or
 * Last-Modified when there is none. Sent as If-Range so a replaced file answers 200, not a
 * slice of the new file spliced onto the old one.
 */
export interface Validator {
  readonly kind: 'etag' | 'last-modified';
  readonly value: string;
}

export function headerValue(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

/** The validator an answer carries: its strong ETag, else its Last-Modified, else null. */
export function validatorOf(headers: IncomingHttpHeaders): Validator | null {
  const etag = headerValue(headers, 'etag');
  if (etag !== null && etag.startsWith('"')) return { kind: 'etag', value: etag };
  const lastModified = headerValue(headers, 'last-modified');
  if (lastModified !== null && !Number.isNaN(Date.parse(lastModified))) return { kind: 'last-modified', value: lastModified };
  return null;
}

/**
 * How an answer's headers compare with the pinned validator: 'same', 'changed' (the server
 * names a different version) or 'unknown' (it sends no comparable header).
 */
export function compareValidator(pinned: Validator | null, headers: IncomingHttpHeaders): 'same' | 'changed' | 'unknown' {
  if (pinned === null) return 'unknown';
  const current = headerValue(headers, pinned.kind);
  if (current === null) return 'unknown';
  return current === pinned.value ? 'same' : 'changed';
}

/** Parses `Content-Range: bytes first-last/total`, or the unsatisfied form with a star (RFC 9110 §14.4). */
export function parseContentRange(value: string | null): { first: number | null; last: number | null; total: number | null } | null {
  if (value === null) return null;
  const match = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(value);
  if (match === null) return null;
  const [, first, last, total] = match;
  return {
    first: first === undefined ? null : Number(first),
    last: last === undefined ? null : Number(last),
    total: total === undefined || total === '*' ? null : Number(total),
  };
}

/** True when an Accept-Ranges value lists the bytes unit. */
export function acceptsByteRanges(value: string | null): boolean {
  return value !== null && value.split(',').some((unit) => unit.trim().toLowerCase() === 'bytes');
}
