import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../../src/grpc/load-protos.ts';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike, hashDevice } from '../support/flash-checks.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { python, serveFile, setUpGrpcTests, tearDownGrpcTests, type GrpcTestContext, type Line, withStation } from './grpc-test-support.ts';

let context: GrpcTestContext;

beforeAll(async () => {
  context = await setUpGrpcTests();
});
afterAll(async () => {
  await tearDownGrpcTests(context);
});

describe('cosiflash.v1.StationService', () => {
  describeRootOnly('with loop devices', () => {
    itRootOnly('ListDisks judges each disk against an image (too small refused with a reason, the fitting one selected); Inspect gives the layout; a wrong hash is FAILED_PRECONDITION E_HASH_MISMATCH', async () => {
      const fixture = await buildCosiFixture();
      await withLoops([{ sizeBytes: fixture.diskSizeBytes }, { sizeBytes: 16 * 1024 * 1024 }], async ([fits, tooSmall]) => {
        await withStation(context, [fits!.device, tooSmall!.device], async ({ target }) => {
          const url = serveFile(context, fixture);
          const plain = await python(context, 'station_client.py', target, ['disks']);
          expect(plain.map((d) => d.device).sort()).toEqual([fits!.device, tooSmall!.device].sort());
          expect(plain.every((d) => d.eligible === true && d.selected === false && d.busy === false)).toBe(true);

          const judged = await python(context, 'station_client.py', target, ['disks', url, fixture.imageHash]);
          const byDevice = new Map(judged.map((d) => [d.device, d]));
          expect(byDevice.get(fits!.device)).toMatchObject({ eligible: true, selected: true, reasons: [], size_bytes: String(fixture.diskSizeBytes) });
          expect(byDevice.get(tooSmall!.device)).toMatchObject({ eligible: false, selected: false });
          expect((byDevice.get(tooSmall!.device)!.reasons as string[]).join(' ')).toMatch(/small/i);

          const [inspected] = await python(context, 'station_client.py', target, ['inspect', url]);
          expect(inspected).toMatchObject({ image_hash: fixture.imageHash, location: url, required_bytes: String(fixture.diskSizeBytes), lba_size: 512 });
          expect((inspected!.partitions as Line[]).map((p) => p.name)).toEqual(fixture.regions.filter((r) => r.type === 'partition').map((r) => r.name));
          expect(JSON.parse(String(inspected!.layout_json))).toMatchObject({ imageHash: fixture.imageHash });

          const [wrong] = await python(context, 'station_client.py', target, ['inspect', url, `sha384:${'1'.repeat(96)}`]);
          expect(wrong).toMatchObject({ rpc_error: 'FAILED_PRECONDITION' });
          expect(String(wrong!.details)).toMatch(/^E_HASH_MISMATCH: /);
        });
      });
    }, 120_000);

    itRootOnly('Flash writes one image to two named disks at once, byte-exact; structured events per job; GetReport and ListLog have both; a named busy disk is UNAVAILABLE', async () => {
      const fixture = await buildCosiFixture();
      await withLoops([{ sizeBytes: fixture.diskSizeBytes }, { sizeBytes: fixture.diskSizeBytes }], async ([a, b]) => {
        await withStation(context, [a!.device, b!.device], async ({ target, logFile }) => {
          const url = serveFile(context, fixture);
          // While a grpc-js client's flash holds disk A, a Python Flash naming A is refused.
          const { stationService } = loadProtos();
          const client = new stationService(target, grpc.credentials.createInsecure()) as unknown as { Flash(request: object): grpc.ClientReadableStream<Line>; close(): void };
          const holder = client.Flash({ image_url: url, image_hash: fixture.imageHash, devices: [a!.device] });
          const held: Line[] = [];
          const holderEnded = new Promise<void>((resolve, reject) => {
            holder.on('data', (event: Line) => held.push(event));
            holder.on('end', () => resolve());
            holder.on('error', reject);
          });
          while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
          expect(await python(context, 'station_client.py', target, ['flash', url, fixture.imageHash, a!.device])).toEqual([{ rpc_error: 'UNAVAILABLE', details: `Servicing is active on ${a!.device}` }]);
          await holderEnded;
          client.close();
          expect(held.at(-1)).toMatchObject({ event: 'finished', finished: { report: { device: a!.device, outcome: 'verified' } } });

          const lines = await python(context, 'station_client.py', target, ['flash', url, fixture.imageHash, a!.device, b!.device]);
          for (const device of [a!.device, b!.device]) {
            const mine = lines.filter((l) => l.device === device || (l.report as Line | undefined)?.device === device);
            expect(mine[0]).toMatchObject({ kind: 'started', device, has_timestamp: true });
            expect(Number((mine[0]!.regions as Line[]).length)).toBe(fixture.regions.length);
            const progress = mine.filter((l) => l.kind === 'progress');
            expect(progress.length).toBeGreaterThan(0);
            for (const p of progress) expect(p.fraction as number).toBeLessThanOrEqual(1);
            const finished = mine.at(-1)!;
            expect(finished).toMatchObject({ kind: 'finished', report: { device, outcome: 'verified', verified: true, image_hash: fixture.imageHash, disk_touched: true } });
            const report = finished.report as Line;
            expect(JSON.parse(String(report.report_json))).toMatchObject({ outcome: 'verified', device: { path: device }, station: 'grpc-test-station' });
            const [again] = await python(context, 'station_client.py', target, ['report', String(report.job_id)]);
            expect(again).toMatchObject({ job_id: report.job_id, device, outcome: 'verified' });
            await expectFlashedLike(device, fixture, { sameSize: true });
          }
          expect(await python(context, 'station_client.py', target, ['report', 'no-such-job'])).toMatchObject([{ rpc_error: 'NOT_FOUND' }]);

          const [head, ...entries] = await python(context, 'station_client.py', target, ['log']);
          expect(head).toEqual({ file: logFile });
          expect(entries.map((e) => e.device).sort()).toEqual([a!.device, a!.device, b!.device].sort());
          expect(entries.every((e) => e.result === 'verified' && e.image_hash === fixture.imageHash && e.station === 'grpc-test-station')).toBe(true);
          expect((await readFile(logFile, 'utf8')).trim().split('\n')).toHaveLength(3);
        });
      });
    }, 240_000);

    itRootOnly('Flash with a wrong hash ends with one Refused event (E_HASH_MISMATCH), writes nothing and logs the refusal', async () => {
      const fixture = await buildCosiFixture();
      await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
        const before = await hashDevice(disk!.device, fixture.diskSizeBytes);
        await withStation(context, [disk!.device], async ({ target, logFile }) => {
          const lines = await python(context, 'station_client.py', target, ['flash', serveFile(context, fixture), `sha384:${'2'.repeat(96)}`, disk!.device]);
          expect(lines).toHaveLength(1);
          expect(lines[0]).toMatchObject({ kind: 'refused', error: { code: 'E_HASH_MISMATCH' } });
          expect(JSON.parse((await readFile(logFile, 'utf8')).trim())).toMatchObject({ result: 'refused', errorCode: 'E_HASH_MISMATCH' });
        });
        expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
      });
    }, 120_000);
  });
});
