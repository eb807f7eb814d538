import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { startGrpcServer } from '../../src/grpc/grpc-server.ts';
import { loadProtos } from '../../src/grpc/load-protos.ts';
import { createHandlers } from '../../src/service/create-handlers.ts';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike, hashDevice } from '../support/flash-checks.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { python, serveFile, setUpGrpcTests, tearDownGrpcTests, withStation, type GrpcTestContext, type Line } from './grpc-test-support.ts';

let context: GrpcTestContext;

beforeAll(async () => {
  context = await setUpGrpcTests();
});
afterAll(async () => {
  await tearDownGrpcTests(context);
});

/** The flash log lines a station wrote. */
async function logLines(file: string): Promise<Line[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
}

/** Starts a StreamDisk from a grpc-js client; resolves `started` once the first response arrived. */
function startStreamDisk(target: string, request: object): { started: Promise<void>; ended: Promise<Line[]>; close(): void } {
  const { streamingService } = loadProtos();
  const client = new streamingService(target, grpc.credentials.createInsecure()) as unknown as { StreamDisk(request: object): grpc.ClientReadableStream<Line>; close(): void };
  const call = client.StreamDisk(request);
  const received: Line[] = [];
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const ended = new Promise<Line[]>((resolve, reject) => {
    call.on('data', (message: Line) => {
      received.push(message);
      markStarted();
    });
    call.on('end', () => resolve(received.map((message) => ({ kind: message.response, ...(message[String(message.response)] as object) }))));
    call.on('error', reject);
  });
  return { started, ended, close: () => client.close() };
}

describe('gRPC server basics', () => {
  it('answers Version to a Python grpcio client on a 0600 Unix socket', async () => {
    await withStation(context, ['/dev/nonexistent-cosiflash-test'], async ({ target }) => {
      expect((await stat(target.slice('unix:'.length))).mode & 0o777).toBe(0o600);
      const [reply] = await python(context, 'trident_client.py', target, ['version']);
      expect(reply!.version).toMatch(/^cosiflash \d+\.\d+\.\d+/);
    });
  });

  it('refuses a non-loopback TCP address without --allow-remote, and remote without TLS and a token', async () => {
    const runtime = createHandlers({ mode: 'web' });
    await expect(startGrpcServer({ address: { kind: 'tcp', host: '10.1.2.3', port: 5000 }, policy: { allowLoop: false }, runtime })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(startGrpcServer({ address: { kind: 'tcp', host: '10.1.2.3', port: 5000 }, policy: { allowLoop: false }, runtime, allowRemote: true })).rejects.toThrow(/--tls-cert/);
  });
});

describeRootOnly('trident.v1.StreamingService/StreamDisk', () => {
  itRootOnly('writes a served COSI byte-exact to a loop device; Started, logs, progress JSON, Completed with the image hash; logged in the flash log', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      await withStation(context, [disk!.device], async ({ target, logFile }) => {
        const url = serveFile(context, fixture);
        const lines = await python(context, 'trident_client.py', target, ['stream', url, fixture.imageHash]);
        expect(lines[0]).toMatchObject({ kind: 'started', has_timestamp: true });
        const last = lines.at(-1)!;
        expect(last).toMatchObject({ kind: 'completed', status: 'STATUS_CODE_SUCCESS', image_hash: fixture.imageHash });
        const logs = lines.filter((l) => l.kind === 'log');
        expect(logs.some((l) => String(l.message).includes('never reboots'))).toBe(true);
        const progress = logs.filter((l) => l.target === 'cosiflash::progress').map((l) => JSON.parse(String(l.message)) as Record<string, unknown>);
        expect(progress.length).toBeGreaterThan(0);
        for (const p of progress) {
          expect(Object.keys(p).sort()).toEqual(['bytes', 'etaSeconds', 'fraction', 'phase', 'region']);
          expect(p.fraction).toBeGreaterThanOrEqual(0);
          expect(p.fraction).toBeLessThanOrEqual(1);
        }
        // Every region's last record is its final verdict.
        const finalPhases = new Map(progress.map((p) => [p.region, p.phase]));
        expect([...finalPhases.values()].every((phase) => phase === 'verified')).toBe(true);
        expect(finalPhases.size).toBe(fixture.regions.length);
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
        // The station's flash log has the gRPC flash like any other.
        const [entry] = await logLines(logFile);
        expect(entry).toMatchObject({ result: 'verified', station: 'grpc-test-station', device: { path: disk!.device }, image: { location: url, imageHash: fixture.imageHash } });
      });
    });
  }, 120_000);

  itRootOnly('a wrong image_hash ends in a failed Completed, leaves the disk untouched and is logged as refused', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      const before = await hashDevice(disk!.device, fixture.diskSizeBytes);
      await withStation(context, [disk!.device], async ({ target, logFile }) => {
        const lines = await python(context, 'trident_client.py', target, ['stream', serveFile(context, fixture), `sha384:${'0'.repeat(96)}`]);
        expect(lines[0]).toMatchObject({ kind: 'started' });
        expect(lines.at(-1)).toMatchObject({ kind: 'completed', status: 'STATUS_CODE_FAILURE', error: { kind: 'INVALID_INPUT_ERROR', subkind: 'E_HASH_MISMATCH' } });
        expect(await logLines(logFile)).toMatchObject([{ result: 'refused', errorCode: 'E_HASH_MISMATCH' }]);
      });
      expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
    });
  }, 120_000);

  itRootOnly('busy is per disk: with its only disk busy a second request gets UNAVAILABLE "Servicing is active"; with two disks both flash at once', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }, { sizeBytes: fixture.diskSizeBytes + 1024 * 1024 }], async ([small, large]) => {
      // One disk: the second request is refused before any response, as Trident refuses it.
      await withStation(context, [small!.device], async ({ target }) => {
        const first = startStreamDisk(target, { image_url: serveFile(context, fixture), image_hash: fixture.imageHash });
        await first.started;
        const second = await python(context, 'trident_client.py', target, ['stream', serveFile(context, fixture)]);
        expect(second).toEqual([{ rpc_error: 'UNAVAILABLE', details: 'Servicing is active' }]);
        const lines = await first.ended;
        first.close();
        expect(lines.at(-1)).toMatchObject({ kind: 'completed', status: 'STATUS_CODE_SUCCESS' });
        await expectFlashedLike(small!.device, fixture, { sameSize: true });
      });
      // Two disks: the first request takes the smaller, the second the other one, at the same time.
      await withStation(context, [small!.device, large!.device], async ({ target, logFile }) => {
        const first = startStreamDisk(target, { image_url: serveFile(context, fixture), image_hash: fixture.imageHash });
        await first.started;
        const second = await python(context, 'trident_client.py', target, ['stream', serveFile(context, fixture), fixture.imageHash]);
        expect(second.at(-1), JSON.stringify(second.filter((line) => line.kind !== 'log' || !String(line.target).includes('progress')))).toMatchObject({ kind: 'completed', status: 'STATUS_CODE_SUCCESS' });
        const firstLines = await first.ended;
        first.close();
        expect(firstLines.at(-1)).toMatchObject({ kind: 'completed', status: 'STATUS_CODE_SUCCESS' });
        const devices = (await logLines(logFile)).map((entry) => (entry.device as { path: string }).path).sort();
        expect(devices).toEqual([small!.device, large!.device].sort());
        await expectFlashedLike(large!.device, fixture, { sameSize: false });
      });
    });
  }, 180_000);
});
