/**
 * The `--remote` client: connects to a station's gRPC endpoint (a Cosiflash `serve --grpc` or a
 * Trident host) with @grpc/grpc-js and the same proto files the server serves.
 *
 * Transport: `unix:/path` in the clear (the socket's permissions are the protection); TCP with
 * TLS whenever a private CA is given (`--tls-ca`) or the host is not loopback (system CAs
 * otherwise); loopback TCP without a CA in the clear. A token (`--token-file`, COSIFLASH_TOKEN)
 * travels as "authorization: Bearer <token>" metadata on every call.
 */
import * as grpc from '@grpc/grpc-js';
import { CosiflashError, fromAppError, ERROR_CODES } from '../errors.ts';
import { grpcTarget, isLoopbackHost, type GrpcAddress } from './grpc-address.ts';
import { loadProtos } from './load-protos.ts';

export interface RemoteOptions {
  readonly address: GrpcAddress;
  readonly token?: string;
  /** PEM of the CA that signed the station's certificate (a private CA, or the self-signed cert). */
  readonly tlsCaPem?: Buffer;
  /** How long to wait for the connection (default 10 s). */
  readonly connectTimeoutMs?: number;
}

type Message = Record<string, unknown>;
type UnaryMethod = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, reply: Message) => void) => grpc.ClientUnaryCall;
type StreamMethod = (request: object, metadata: grpc.Metadata) => grpc.ClientReadableStream<Message>;

/** A connected station: its three services, sharing one channel. */
export interface RemoteStation {
  readonly target: string;
  readonly tls: boolean;
  unary(service: 'station' | 'version', method: string, request: object): Promise<Message>;
  stream(service: 'station' | 'streaming', method: string, request: object): grpc.ClientReadableStream<Message>;
  close(): void;
}

const UNARY_DEADLINE_MS = 120_000;

/** Connects (waits for the channel to be ready); E_REMOTE_UNREACHABLE when it cannot. */
export async function connectRemote(options: RemoteOptions): Promise<RemoteStation> {
  const protos = loadProtos();
  const target = grpcTarget(options.address);
  const tls = options.address.kind === 'tcp' && (options.tlsCaPem !== undefined || !isLoopbackHost(options.address.host));
  if (tls && options.address.kind === 'tcp' && /^[\d.]+$|:/.test(options.address.host)) muteIpServerNameWarning();
  const credentials = tls ? grpc.credentials.createSsl(options.tlsCaPem ?? null) : grpc.credentials.createInsecure();
  const station = new protos.stationService(target, credentials);
  const channel = station.getChannel();
  const streaming = new protos.streamingService(target, credentials, { channelOverride: channel });
  const version = new protos.versionService(target, credentials, { channelOverride: channel });
  const clients = { station, streaming, version } as const;
  const metadata = (): grpc.Metadata => {
    const result = new grpc.Metadata();
    if (options.token !== undefined && options.token !== '') result.set('authorization', `Bearer ${options.token}`);
    return result;
  };
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  try {
    await new Promise<void>((resolve, reject) => station.waitForReady(Date.now() + timeoutMs, (error) => (error === undefined || error === null ? resolve() : reject(error))));
  } catch (error) {
    station.close();
    throw new CosiflashError('E_REMOTE_UNREACHABLE', `Cannot connect to the station at ${target}${tls ? ' (TLS)' : ''} within ${Math.round(timeoutMs / 1000)} s: ${(error as Error).message}.`);
  }
  return {
    target,
    tls,
    unary: (service, method, request) =>
      new Promise((resolve, reject) => {
        const call = (clients[service] as unknown as Record<string, UnaryMethod>)[method]!.bind(clients[service]);
        call(request, metadata(), { deadline: Date.now() + UNARY_DEADLINE_MS }, (error, reply) => (error === null ? resolve(reply) : reject(remoteError(error, target))));
      }),
    stream: (service, method, request) => (clients[service] as unknown as Record<string, StreamMethod>)[method]!.call(clients[service], request, metadata()),
    close: () => station.close(),
  };
}

let muted = false;

/**
 * grpc-js passes an IP address as the TLS server name (SNI), for which Node prints DEP0123 to
 * stderr on every connection; the certificate is still checked against the IP. Only that one
 * warning is dropped.
 */
function muteIpServerNameWarning(): void {
  if (muted) return;
  muted = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: unknown }).code : rest[1];
    if (code === 'DEP0123') return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * A station's gRPC error as a CosiflashError: an "E_CODE: title: detail" from a Cosiflash
 * station keeps its code (so a hash mismatch is still exit 3); UNAUTHENTICATED is
 * E_REMOTE_AUTH, "Servicing is active" / "Trident is busy" E_REMOTE_BUSY, a lost connection
 * E_REMOTE_UNREACHABLE, anything else E_REMOTE with the status named.
 */
export function remoteError(error: grpc.ServiceError | { code: number; details: string }, target: string): CosiflashError {
  const details = error.details ?? '';
  const coded = /^(E_[A-Z_]+): (?:(.*?): )?(.*)$/s.exec(details);
  if (coded !== null && Object.hasOwn(ERROR_CODES, coded[1]!)) return fromAppError({ code: coded[1]!, title: coded[2] ?? ERROR_CODES[coded[1] as keyof typeof ERROR_CODES].title, detail: `${coded[3]!} (station ${target})` });
  switch (error.code) {
    case grpc.status.UNAUTHENTICATED:
      return new CosiflashError('E_REMOTE_AUTH', `The station at ${target} refused the call: ${details}.`);
    case grpc.status.PERMISSION_DENIED:
      return new CosiflashError('E_REMOTE_AUTH', `The station at ${target} denied the call: ${details}.`);
    case grpc.status.UNAVAILABLE:
      if (/servicing is active|is busy/i.test(details)) return new CosiflashError('E_REMOTE_BUSY', `The station at ${target} is busy: ${details}.`);
      return new CosiflashError('E_REMOTE_UNREACHABLE', `Lost the connection to the station at ${target}: ${details}.`);
    case grpc.status.DEADLINE_EXCEEDED:
      return new CosiflashError('E_REMOTE_UNREACHABLE', `The station at ${target} did not answer in time: ${details}.`);
    default:
      return new CosiflashError('E_REMOTE', `The station at ${target} answered ${grpc.status[error.code] ?? error.code}: ${details}`, { cause: error });
  }
}

/** True for the status a server without the method answers (a plain Trident host for StationService). */
export function isUnimplemented(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === grpc.status.UNIMPLEMENTED;
}
