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
import { runStreamDisk, servicingActive, type StationPolicy } from './stream-disk.ts';

/** How to serve: where, and (for remote TCP) TLS material and the token. */
export interface GrpcServerOptions {
  readonly address: GrpcAddress;
  readonly policy: StationPolicy;
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
  server.addService(protos.streamingService.service, {
    StreamDisk: (call: grpc.ServerWritableStream<{ image_url: string; image_hash?: string; reboot?: { handling?: string } }, unknown>) => {
      if (!authorized(call.metadata)) return void call.emit('error', unauthenticated);
      if (servicingActive()) return void call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'Servicing is active' });
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      void runStreamDisk(call.request, options.policy, (response) => void call.write(response), controller.signal).finally(() => call.end());
    },
  });
  server.addService(protos.stationService.service, {
    ListDisks: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      if (!authorized(call.metadata)) return callback(unauthenticated);
      void listStationDisks(options.policy).then((disks) => callback(null, { disks }), (error: unknown) => callback({ code: grpc.status.INTERNAL, details: (error as Error).message }));
    },
  });

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

async function listStationDisks(policy: StationPolicy): Promise<unknown[]> {
  const { listDisks } = await import('../disk/list-disks.ts');
  const { ineligibleReasons } = await import('../disk/eligibility.ts');
  const disks = await listDisks({ allowLoop: policy.allowLoop, ...(policy.onlyDevices === undefined ? {} : { onlyDevices: policy.onlyDevices }) });
  return disks.map((disk) => {
    const reasons = ineligibleReasons(disk, { requiredBytes: 0, lbaSize: disk.logicalSectorBytes, sourcePath: null, sourceDisks: [], unmountConsent: false, allowVirtual: policy.allowLoop });
    return { device: disk.device, size_bytes: disk.sizeBytes, model: disk.model ?? '', serial: disk.serial ?? '', eligible: reasons.length === 0, reasons: reasons.map((r) => r.detail) };
  });
}
