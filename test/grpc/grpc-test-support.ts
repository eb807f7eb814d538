/**
 * Shared by the gRPC tests: Python stubs generated now by protoc from OUR proto files (the wire
 * format under test is theirs), a runner for the Python clients, and a station (handler table +
 * gRPC server on a Unix socket) restricted to the test's own loop devices.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startGrpcServer, type GrpcServerOptions, type RunningGrpcServer } from '../../src/grpc/grpc-server.ts';
import { PROTO_DIR } from '../../src/grpc/load-protos.ts';
import { createHandlers, type HandlerRuntime } from '../../src/service/create-handlers.ts';
import type { CosiFixture } from '../support/cosi-fixtures.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';

const run = promisify(execFile);
/** The system Python, where apt's python3-grpcio and python3-protobuf live (not a pyenv shim). */
const PYTHON = '/usr/bin/python3';
const HERE = path.dirname(new URL(import.meta.url).pathname);

export type Line = Record<string, unknown>;

export interface GrpcTestContext {
  readonly dir: string;
  readonly stubs: string;
  readonly http: RangeServer;
}

/** Generates the stubs and starts the HTTP server images are served from. */
export async function setUpGrpcTests(): Promise<GrpcTestContext> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-grpc-'));
  const stubs = path.join(dir, 'stubs');
  await mkdir(stubs);
  const files = [
    'trident/v1/file_location.proto',
    'trident/v1/log.proto',
    'trident/v1/error.proto',
    'trident/v1/servicing.proto',
    'trident/v1/streaming_service.proto',
    'trident/v1/version_service.proto',
    'cosiflash/v1/station_service.proto',
  ];
  // protoc needs google/protobuf/timestamp.proto only to compile (Debian's protobuf-compiler ships
  // no well-known types); the generated code imports python3-protobuf's own timestamp_pb2.
  const wellKnown = path.join(dir, 'well-known');
  await mkdir(path.join(wellKnown, 'google/protobuf'), { recursive: true });
  await writeFile(path.join(wellKnown, 'google/protobuf/timestamp.proto'), 'syntax = "proto3";\npackage google.protobuf;\nmessage Timestamp {\n  int64 seconds = 1;\n  int32 nanos = 2;\n}\n');
  await run('protoc', [`-I${PROTO_DIR}`, `-I${wellKnown}`, `--python_out=${stubs}`, ...files]);
  await writeGrpcStubs(stubs);
  const http = await startRangeServer({ files: {} });
  return { dir, stubs, http };
}

export async function tearDownGrpcTests(context: GrpcTestContext | undefined): Promise<void> {
  await context?.http.close();
  if (context !== undefined) await rm(context.dir, { recursive: true, force: true });
}

/** grpc_tools (the grpc_python_out plugin) is not packaged with python3-grpcio: the service stubs are written here. */
async function writeGrpcStubs(out: string): Promise<void> {
  const stub = (module: string, service: string, methods: readonly (readonly [string, 'unary_unary' | 'unary_stream', string, string])[]): string =>
    [
      `from ${module.split('/').slice(0, -1).join('.')} import ${path.basename(module)}_pb2 as pb`,
      ...(module.startsWith('trident') ? ['from trident.v1 import servicing_pb2'] : []),
      `class ${service}Stub:`,
      '    def __init__(self, channel):',
      ...methods.map(([name, kind, requestType, responseType]) => `        self.${name} = channel.${kind}('/${module.startsWith('trident') ? 'trident.v1' : 'cosiflash.v1'}.${service}/${name}', request_serializer=pb.${requestType}.SerializeToString, response_deserializer=${responseType}.FromString)`),
      '',
    ].join('\n');
  await writeFile(path.join(out, 'trident/v1/streaming_service_pb2_grpc.py'), stub('trident/v1/streaming_service', 'StreamingService', [['StreamDisk', 'unary_stream', 'StreamDiskRequest', 'servicing_pb2.ServicingResponse']]));
  await writeFile(path.join(out, 'trident/v1/version_service_pb2_grpc.py'), stub('trident/v1/version_service', 'VersionService', [['Version', 'unary_unary', 'VersionRequest', 'pb.VersionResponse']]));
  await writeFile(
    path.join(out, 'cosiflash/v1/station_service_pb2_grpc.py'),
    stub('cosiflash/v1/station_service', 'StationService', [
      ['ListDisks', 'unary_unary', 'ListDisksRequest', 'pb.ListDisksResponse'],
      ['Inspect', 'unary_unary', 'InspectRequest', 'pb.InspectResponse'],
      ['Flash', 'unary_stream', 'FlashRequest', 'pb.FlashEvent'],
      ['GetReport', 'unary_unary', 'GetReportRequest', 'pb.FlashReport'],
      ['ListLog', 'unary_unary', 'ListLogRequest', 'pb.ListLogResponse'],
    ]),
  );
}

/** Runs test/grpc/<client> with the stubs against `target`; one parsed JSON object per output line. */
export async function python(context: GrpcTestContext, client: 'trident_client.py' | 'station_client.py', target: string, args: readonly string[]): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [path.join(HERE, client), context.stubs, target, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)) : reject(new Error(`python exited ${code}: ${stderr}`))));
  });
}

let counter = 0;

/** Serves the fixture's COSI over HTTP under a fresh name; its URL. */
export function serveFile(context: GrpcTestContext, fixture: CosiFixture): string {
  counter += 1;
  context.http.setFile(`g${counter}.cosi`, fixture.cosiPath);
  return context.http.url(`g${counter}.cosi`);
}

export interface TestStation {
  readonly server: RunningGrpcServer;
  readonly target: string;
  readonly runtime: HandlerRuntime;
  readonly logFile: string;
}

/**
 * A station offering only `devices` (loop devices allowed), its flash log in the test's folder,
 * served on a fresh Unix socket; stopped (jobs cancelled) after `body`.
 */
export async function withStation(context: GrpcTestContext, devices: readonly string[], body: (station: TestStation) => Promise<void>, extra: Partial<GrpcServerOptions> = {}): Promise<void> {
  counter += 1;
  const socket = path.join(context.dir, `s${counter}`, 'cosiflash.sock');
  const configDir = path.join(context.dir, `config${counter}`);
  const logFile = path.join(configDir, 'flash-log.jsonl');
  const runtime = createHandlers({ mode: 'web', allowLoop: true, onlyDevices: devices, configDir, flashLogFile: logFile, station: 'grpc-test-station' });
  const server = await startGrpcServer({ address: { kind: 'unix', path: socket }, policy: { allowLoop: true, onlyDevices: devices }, runtime, ...extra });
  try {
    await body({ server, target: server.target, runtime, logFile });
  } finally {
    await server.close();
    await runtime.dispose();
  }
}
