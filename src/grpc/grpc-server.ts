/**
 * The station's gRPC endpoint: Trident's StreamingService and VersionService plus Cosiflash's
 * StationService, on a Unix socket (mode 0600, the serving user's) or a TCP port. Non-loopback
 * TCP needs TLS and a bearer token ("authorization: Bearer <token>" metadata), checked on every call.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { CosiflashError } from '../errors.ts';
import { APP_VERSION } from '../common/app-version.ts';
import { grpcTarget, isLoopbackHost, type GrpcAddress } from './grpc-address.ts';
import { loadProtos } from './load-protos.ts';
import { StationServicing, type StationRuntime } from '../service/station-servicing.ts';
import { stationServiceHandlers } from './station-service.ts';
import { runStreamDisk, SERVICING_ACTIVE, type StationPolicy, type StreamDiskRequest } from './stream-disk.ts';

/** How to serve: where, and (for remote TCP) TLS material and the token. */
export interface GrpcServerOptions {
  readonly address: GrpcAddress;
  readonly policy: StationPolicy;
  /** The station's handler table (createHandlers with the same policy): every flash goes through it. */
  readonly runtime: StationRuntime;
  /** Serve only Trident's services (no cosiflash.v1.StationService), as a plain Trident host would. */
  readonly tridentOnly?: boolean;
  readonly allowRemote?: boolean;
  readonly tls?: { readonly certPem: Buffer; readonly keyPem: Buffer };
  readonly token?: string;
}

/** A running server; close() stops it and removes its socket. */
export interface RunningGrpcServer {
  readonly target: string;
  close(): Promise<void>;
}

/** Starts the server; E_INPUT when the address/TLS combination is unsafe. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { address } = options;
  if (address.kind === 'tcp' && !isLoopbackHost(address.host)) {
    if (options.allowRemote !== true) throw new CosiflashError('E_INPUT', `${address.host} is not a loopback address; pass --allow-remote (with --tls-cert, --tls-key and --token) to serve gRPC on the network.`);
    if (options.tls === undefined || options.token === undefined || options.token === '') throw new CosiflashError('E_INPUT', '--allow-remote needs --tls-cert, --tls-key and a token (--token or COSIFLASH_GRPC_TOKEN).');
  }
  const protos = loadProtos();
  const server = new grpc.Server();
  const authorized = (metadata: grpc.Metadata): boolean => {
    if (options.token === undefined || options.token === '') return true;
    return metadata.get('authorization').some((value) => value === `Bearer ${options.token}`);
  };
  const unauthenticated = { code: grpc.status.UNAUTHENTICATED, details: 'a valid "authorization: Bearer <token>" is required' };

  server.addService(protos.versionService.service, {
    Version: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      if (!authorized(call.metadata)) return callback(unauthenticated);
      callback(null, { version: `cosiflash ${APP_VERSION}` });
    },
  });
  const station = new StationServicing({ runtime: options.runtime, allowLoop: options.policy.allowLoop });
  server.addService(protos.streamingService.service, {
    StreamDisk: (call: grpc.ServerWritableStream<StreamDiskRequest, unknown>) => {
      if (!authorized(call.metadata)) return void call.emit('error', unauthenticated);
      void station.admit([]).then(
        (admission) => {
          // Trident answers a servicing request while one runs with UNAVAILABLE "Servicing is active", before any response.
          if (admission === null) return void call.emit('error', { code: grpc.status.UNAVAILABLE, details: SERVICING_ACTIVE });
          const controller = new AbortController();
          call.on('cancelled', () => controller.abort());
          void runStreamDisk(call.request, station, admission, (response) => void call.write(response), controller.signal).finally(() => call.end());
        },
        (error: unknown) => call.emit('error', { code: grpc.status.INTERNAL, details: (error as Error).message }),
      );
    },
  });
  if (options.tridentOnly !== true) server.addService(protos.stationService.service, stationServiceHandlers(station, authorized));

  if (address.kind === 'unix') {
    await mkdir(path.dirname(address.path), { recursive: true, mode: 0o700 });
    await rm(address.path, { force: true });
  }
  const credentials = options.tls === undefined ? grpc.ServerCredentials.createInsecure() : grpc.ServerCredentials.createSsl(null, [{ cert_chain: options.tls.certPem, private_key: options.tls.keyPem }], false);
  const target = grpcTarget(address);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(target, credentials, (error, boundPort) => (error === null ? resolve(boundPort) : reject(new CosiflashError('E_INPUT', `cannot listen on ${target}: ${error.message}`)))));
  if (address.kind === 'unix') await chmod(address.path, 0o600);
  return {
    target: address.kind === 'unix' ? target : grpcTarget({ ...address, port }),
    close: async () => {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      if (address.kind === 'unix') await rm(address.path, { force: true });
    },
  };
}
