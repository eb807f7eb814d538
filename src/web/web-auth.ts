/**
 * Who may talk to web mode: the checks applied to every HTTP request and WebSocket upgrade.
 *
 * - Host: must name the server itself (a loopback name or the host it was started on), which
 *   defeats DNS rebinding: a foreign page cannot make the browser send our Host.
 * - Origin (WebSocket): must be exactly this server's origin, so other pages open in the same
 *   browser cannot drive it (cross-site WebSocket hijacking).
 * - Token: 32 random bytes printed in the URL; compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** A fresh URL-safe token. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (LOOPBACK_NAMES.has(bare.toLowerCase())) return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

/** Constant-time token comparison that tolerates a missing or oddly sized candidate. */
export function tokenMatches(expected: string, candidate: string | null | undefined): boolean {
  if (typeof candidate !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(candidate);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The Host header values this server answers to, for a bound host and port. */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set([boundHost, ...(isLoopbackHost(boundHost) ? ['127.0.0.1', 'localhost', '[::1]'] : [])]);
  return new Set([...names].map((name) => `${net.isIPv6(name) ? `[${name}]` : name}:${port}`.toLowerCase()));
}

/** The token from `?token=` or `Authorization: Bearer`. */
export function requestToken(url: URL, authorization: string | undefined): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return fromQuery;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1] ?? null;
}
