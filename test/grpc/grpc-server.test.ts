import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/grpc/grpc-server.ts';
import { loadProtos, PROTO_DIR } from '../../src/grpc/load-protos.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike, hashDevice } from '../support/flash-checks.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';

const run = promisify(execFile);
/** The system Python, where apt's python3-grpcio and python3-protobuf live (not a pyenv shim). */
const PYTHON = '/usr/bin/python3';
const CLIENT = path.join(path.dirname(new URL(import.meta.url).pathname), 'trident_client.py');
let dir: string;
let stubs: string;
let http: RangeServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-grpc-'));
  stubs = path.join(dir, 'stubs');
  await mkdir(stubs);
  // Stubs from OUR proto files, generated now by protoc: the wire format under test is theirs.
  const files = ['trident/v1/file_location.proto', 'trident/v1/log.proto', 'trident/v1/error.proto', 'trident/v1/servicing.proto', 'trident/v1/streaming_service.proto', 'trident/v1/version_service.proto'];
  // protoc needs google/protobuf/timestamp.proto only to compile (Debian's protobuf-compiler ships
  // no well-known types); the generated code imports python3-protobuf's own timestamp_pb2.
  const wellKnown = path.join(dir, 'well-known');
  await mkdir(path.join(wellKnown, 'google/protobuf'), { recursive: true });
  await writeFile(path.join(wellKnown, 'google/protobuf/timestamp.proto'), 'syntax = "proto3";\npackage google.protobuf;\nmessage Timestamp {\n  int64 seconds = 1;\n  int32 nanos = 2;\n}\n');
  await run('protoc', [`-I${PROTO_DIR}`, `-I${wellKnown}`, `--python_out=${stubs}`, ...files]);
  await writeGrpcStubs(stubs);
  http = await startRangeServer({ files: {} });
});
afterAll(async () => {
  await http?.close();
  await rm(dir, { recursive: true, force: true });
});

/** grpc_tools (the grpc_python_out plugin) is not packaged with python3-grpcio: the two service stubs are written here. */
async function writeGrpcStubs(out: string): Promise<void> {
  await writeFile(path.join(out, 'trident/v1/streaming_service_pb2_grpc.py'), [
    'from trident.v1 import streaming_service_pb2, servicing_pb2',
    'class StreamingServiceStub:',
    '    def __init__(self, channel):',
    "        self.StreamDisk = channel.unary_stream('/trident.v1.StreamingService/StreamDisk', request_serializer=streaming_service_pb2.StreamDiskRequest.SerializeToString, response_deserializer=servicing_pb2.ServicingResponse.FromString)",
    '',
  ].join('\n'));
  await writeFile(path.join(out, 'trident/v1/version_service_pb2_grpc.py'), [
    'from trident.v1 import version_service_pb2',
    'class VersionServiceStub:',
    '    def __init__(self, channel):',
    "        self.Version = channel.unary_unary('/trident.v1.VersionService/Version', request_serializer=version_service_pb2.VersionRequest.SerializeToString, response_deserializer=version_service_pb2.VersionResponse.FromString)",
    '',
  ].join('\n'));
}

type Line = Record<string, unknown>;

async function python(target: string, args: readonly string[]): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [CLIENT, stubs, target, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)) : reject(new Error(`python exited ${code}: ${stderr}`))));
  });
}

let counter = 0;
function serveFile(fixture: CosiFixture): string {
  counter += 1;
  http.setFile(`g${counter}.cosi`, fixture.cosiPath);
  return http.url(`g${counter}.cosi`);
}

async function withGrpc(devices: readonly string[], body: (server: RunningGrpcServer, target: string) => Promise<void>): Promise<void> {
  const socket = path.join(dir, `s${++counter}`, 'cosiflash.sock');
  const server = await startGrpcServer({ address: { kind: 'unix', path: socket }, policy: { allowLoop: true, onlyDevices: devices } });
  try {
    await body(server, server.target);
  } finally {
    await server.close();
  }
}

describe('gRPC server basics', () => {
  it('answers Version to a Python grpcio client on a 0600 Unix socket', async () => {
    await withGrpc(['/dev/nonexistent-cosiflash-test'], async (_server, target) => {
      expect((await stat(target.slice('unix:'.length))).mode & 0o777).toBe(0o600);
      const [reply] = await python(target, ['version']);
      expect(reply!.version).toMatch(/^cosiflash \d+\.\d+\.\d+/);
    });
  });

  it('refuses a non-loopback TCP address without --allow-remote, and remote without TLS and a token', async () => {
    await expect(startGrpcServer({ address: { kind: 'tcp', host: '10.1.2.3', port: 5000 }, policy: { allowLoop: false } })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(startGrpcServer({ address: { kind: 'tcp', host: '10.1.2.3', port: 5000 }, policy: { allowLoop: false }, allowRemote: true })).rejects.toThrow(/--tls-cert/);
  });
});

describeRootOnly('trident.v1.StreamingService/StreamDisk', () => {
  itRootOnly('writes a served COSI byte-exact to a loop device; Started, logs, progress JSON, Completed with the image hash', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      await withGrpc([disk!.device], async (_server, target) => {
        const lines = await python(target, ['stream', serveFile(fixture), fixture.imageHash]);
        expect(lines[0]).toMatchObject({ kind: 'started', has_timestamp: true });
        const last = lines.at(-1)!;
        expect(last).toMatchObject({ kind: 'completed', status: 'STATUS_CODE_SUCCESS', image_hash: fixture.imageHash });
        const logs = lines.filter((l) => l.kind === 'log');
        expect(logs.some((l) => String(l.message).includes('never reboots'))).toBe(true);
        const progress = logs.filter((l) => l.target === 'cosiflash::progress').map((l) => JSON.parse(String(l.message)) as Record<string, unknown>);
        expect(progress.length).toBeGreaterThan(0);
        for (const p of progress) expect(Object.keys(p).sort()).toEqual(['bytes', 'etaSeconds', 'fraction', 'phase', 'region']);
        expect(progress.some((p) => p.phase === 'verified')).toBe(true);
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
      });
    });
  }, 120_000);

  itRootOnly('a wrong image_hash ends in a failed Completed and leaves the disk untouched', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      const before = await hashDevice(disk!.device, fixture.diskSizeBytes);
      await withGrpc([disk!.device], async (_server, target) => {
        const lines = await python(target, ['stream', serveFile(fixture), `sha384:${'0'.repeat(96)}`]);
        expect(lines[0]).toMatchObject({ kind: 'started' });
        expect(lines.at(-1)).toMatchObject({ kind: 'completed', status: 'STATUS_CODE_FAILURE', error: { kind: 'INVALID_INPUT_ERROR', subkind: 'E_HASH_MISMATCH' } });
      });
      expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
    });
  }, 120_000);

  itRootOnly('a second request while a servicing is active gets UNAVAILABLE "Servicing is active"', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      await withGrpc([disk!.device], async (_server, target) => {
        // The first servicing comes from a grpc-js client; once its Started arrived the station is busy.
        const { streamingService } = loadProtos();
        const client = new streamingService(target, grpc.credentials.createInsecure()) as unknown as { StreamDisk(request: object): grpc.ClientReadableStream<Line>; close(): void };
        const call = client.StreamDisk({ image_url: serveFile(fixture), image_hash: fixture.imageHash });
        const received: Line[] = [];
        const ended = new Promise<void>((resolve, reject) => {
          call.on('data', (message: Line) => received.push(message));
          call.on('end', () => resolve());
          call.on('error', reject);
        });
        while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        const second = await python(target, ['stream', serveFile(fixture)]);
        expect(second).toEqual([{ rpc_error: 'UNAVAILABLE', details: 'Servicing is active' }]);
        await ended;
        client.close();
        const lines = received.map((message) => ({ kind: message.response, ...(message[String(message.response)] as object) }));
        expect(lines.at(-1)).toMatchObject({ kind: 'completed', status: 'STATUS_CODE_SUCCESS' });
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
      });
    });
  }, 120_000);
});
