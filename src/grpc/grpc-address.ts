/**
 * Parses a --grpc / --remote address: "unix:/path" or HOST:PORT. TCP addresses other than
 * loopback are refused unless remote access is allowed (then TLS and a token are required), so a
 * station is never exposed on the network by a typo.
 */
import { CosiflashError } from '../errors.ts';

/** Default socket of `serve --grpc` without an address. */
export const DEFAULT_GRPC_SOCKET = '/run/cosiflash/cosiflash.sock';

/** A parsed address: a Unix socket path, or a TCP host and port. */
export type GrpcAddress = { readonly kind: 'unix'; readonly path: string } | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/** Throws E_INPUT for anything else, naming the expected forms. */
export function parseGrpcAddress(text: string): GrpcAddress {
  const trimmed = text.trim();
  if (trimmed.startsWith('unix:')) {
    const socketPath = trimmed.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!socketPath.startsWith('/')) throw new CosiflashError('E_INPUT', `"${trimmed}": a unix: address needs an absolute path, e.g. unix:${DEFAULT_GRPC_SOCKET}`);
    return { kind: 'unix', path: socketPath };
  }
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(trimmed);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || port < 1 || port > 65535) throw new CosiflashError('E_INPUT', `"${trimmed}" is not a gRPC address; use unix:/path/to.sock or HOST:PORT`);
  return { kind: 'tcp', host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The target string grpc-js expects. */
export function grpcTarget(address: GrpcAddress): string {
  return address.kind === 'unix' ? `unix:${address.path}` : address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
