import { afterAll, beforeAll, expect } from 'vitest';
import type { FlashProgress, FlashReport } from '../../src/model/flash-progress.ts';
import { flashDisk } from '../../src/pipeline/flash-disk.ts';
import type { FlashRequest } from '../../src/model/flash-request.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { expectFilesystemsClean, expectFlashedLike, expectNoValidTable, hashDevice, writeOldTable } from '../support/flash-checks.ts';
import { attachTmpfsLoop, describeRootOnly, itRootOnly, withLoops, type AttachLoopOptions } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';

const MiB = 1024 * 1024;
let server: RangeServer;
let counter = 0;

beforeAll(async () => {
  server = await startRangeServer({ files: {} });
});
afterAll(async () => {
  await server?.close();
});

function serve(fixture: CosiFixture): string {
  counter += 1;
  const name = `m${counter}.cosi`;
  server.setFile(name, fixture.cosiPath);
  return server.url(name);
}

async function flash(request: Partial<FlashRequest> & { source: string; onlyDevices: readonly string[] }): Promise<{ report: FlashReport; events: FlashProgress[] }> {
  const events: FlashProgress[] = [];
  const report = await flashDisk({ verify: true, unmount: false, allowLoop: true, ...request }, { signal: new AbortController().signal, onEvent: (event) => events.push(event) });
  return { report, events };
}

const loop = (sizeBytes: number): AttachLoopOptions => ({ sizeBytes, partscan: true });
const compressedTotal = (fixture: CosiFixture): number => fixture.regions.reduce((sum, r) => sum + r.compressedSize, 0);

describeRootOnly('flashDisk onto several disks in one job', () => {
  itRootOnly('three loops of different sizes: each identical to the source with its own backup GPT at its end, the image transferred once', async () => {
    const fixture = await buildCosiFixture({
      partitions: [
        { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
        { number: 2, name: 'root', kind: 'ext4', sizeMiB: 16, shrink: true },
        { number: 3, name: 'data', kind: 'raw', sizeMiB: 6 },
      ],
    });
    await withLoops([loop(fixture.diskSizeBytes), loop(fixture.diskSizeBytes + 8 * MiB), loop(fixture.diskSizeBytes + 16 * MiB)], async (loops) => {
      const devices = loops.map((l) => l.device);
      for (const device of devices) await writeOldTable(device);
      const url = serve(fixture);
      server.resetStats();
      const { report, events } = await flash({ source: url, devices, onlyDevices: devices });
      expect(report.error).toBeNull();
      expect(report.outcome).toBe('verified');
      expect(report.targets?.map((t) => [t.device.path, t.outcome])).toEqual(devices.map((d) => [d, 'verified']));
      for (const section of report.targets ?? []) {
        expect(section.regions.every((r) => r.phase === 'verified' && r.readBackOk === true)).toBe(true);
        expect(section.writtenBytes).toBeGreaterThan(0);
      }
      // Fetched once: every compressed byte at least once, and about the image once (the
      // inspection reads a little ahead), nowhere near three times.
      expect(server.stats.bytesSent).toBeGreaterThanOrEqual(compressedTotal(fixture));
      expect(server.stats.bytesSent).toBeLessThanOrEqual(1.1 * fixture.cosiSizeBytes);
      expect(3 * compressedTotal(fixture)).toBeGreaterThan(2 * fixture.cosiSizeBytes);
      // Every event of the job names every target; lanes carry the device path.
      const plan = events.find((e) => e.type === 'plan');
      expect(plan?.type === 'plan' ? plan.targets?.map((t) => t.device) : null).toEqual(devices);
      const progress = events.filter((e) => e.type === 'progress');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.every((e) => e.type === 'progress' && e.targets?.map((t) => t.device).join() === devices.join())).toBe(true);
      await expectFlashedLike(devices[0]!, fixture, { sameSize: true });
      await expectFlashedLike(devices[1]!, fixture, { sameSize: false });
      await expectFlashedLike(devices[2]!, fixture, { sameSize: false });
      for (const device of devices) await expectFilesystemsClean(device, fixture);
    });
  });

  itRootOnly('a target that fails writes (tmpfs-backed loop, ENOSPC) is dropped alone: no valid table on it, the others verify', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 4 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 12 }] });
    const failing = await attachTmpfsLoop({ sizeBytes: fixture.diskSizeBytes, tmpfsBytes: 8 * MiB });
    try {
      await withLoops([loop(fixture.diskSizeBytes), loop(fixture.diskSizeBytes)], async ([a, b]) => {
        const devices = [a!.device, failing.device, b!.device];
        for (const device of devices) await writeOldTable(device);
        const { report, events } = await flash({ source: serve(fixture), devices, onlyDevices: devices });
        expect(report.outcome).toBe('failed');
        expect(report.targets?.map((t) => t.outcome)).toEqual(['verified', 'failed', 'verified']);
        const dropped = report.targets?.[1];
        expect(dropped?.error?.code).toBe('E_WRITE');
        expect(dropped?.diskTouched).toBe(true);
        expect(report.error?.code).toBe('E_WRITE');
        expect(events.at(-1)?.type).toBe('failed');
        // The lane of the dropped disk said so while the others went on.
        expect(events.some((e) => e.type === 'progress' && e.targets?.[1]?.state === 'failed' && e.targets[0]?.state === 'running')).toBe(true);
        await expectNoValidTable(failing.device);
        await expectFlashedLike(a!.device, fixture, { sameSize: true });
        await expectFlashedLike(b!.device, fixture, { sameSize: true });
      });
    } finally {
      await failing.detach();
    }
  });

  itRootOnly('count 2 writes the two smallest eligible disks that fit and leaves the third (and a too-small one) untouched', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'data', kind: 'raw', sizeMiB: 6 }] });
    const specs = [loop(fixture.diskSizeBytes + 16 * MiB), loop(fixture.diskSizeBytes - MiB), loop(fixture.diskSizeBytes + 8 * MiB), loop(fixture.diskSizeBytes)];
    await withLoops(specs, async ([largest, tooSmall, middle, exact]) => {
      const before = { largest: await hashDevice(largest!.device, specs[0]!.sizeBytes), tooSmall: await hashDevice(tooSmall!.device, specs[1]!.sizeBytes) };
      const onlyDevices = [largest!.device, tooSmall!.device, middle!.device, exact!.device];
      const { report } = await flash({ source: serve(fixture), count: 2, onlyDevices });
      expect(report.error).toBeNull();
      expect(report.targets?.map((t) => t.device.path)).toEqual([exact!.device, middle!.device]);
      await expectFlashedLike(exact!.device, fixture, { sameSize: true });
      await expectFlashedLike(middle!.device, fixture, { sameSize: false });
      expect(await hashDevice(largest!.device, specs[0]!.sizeBytes)).toBe(before.largest);
      expect(await hashDevice(tooSmall!.device, specs[1]!.sizeBytes)).toBe(before.tooSmall);
    });
  });

  itRootOnly('a count larger than the eligible disks is refused before anything is written', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'data', kind: 'raw', sizeMiB: 4 }] });
    await withLoops([loop(fixture.diskSizeBytes), loop(fixture.diskSizeBytes - MiB)], async ([fits, tooSmall]) => {
      const before = await hashDevice(fits!.device, fixture.diskSizeBytes);
      const { report } = await flash({ source: serve(fixture), count: 2, onlyDevices: [fits!.device, tooSmall!.device] });
      expect(report.outcome).toBe('failed');
      expect(report.error?.code).toBe('E_NO_ELIGIBLE_DISK');
      expect(report.error?.detail).toContain('only 1');
      expect(report.diskTouched).toBe(false);
      expect(await hashDevice(fits!.device, fixture.diskSizeBytes)).toBe(before);
    });
  });

  itRootOnly('every target is re-checked: one refused disk (read-only) refuses the job and writes none', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'data', kind: 'raw', sizeMiB: 4 }] });
    await withLoops([loop(fixture.diskSizeBytes), { ...loop(fixture.diskSizeBytes), readOnly: true }], async ([ok, readOnly]) => {
      const before = await hashDevice(ok!.device, fixture.diskSizeBytes);
      const devices = [ok!.device, readOnly!.device];
      const { report } = await flash({ source: serve(fixture), devices, onlyDevices: devices });
      expect(report.error?.code).toBe('E_DISK_INELIGIBLE');
      expect(report.diskTouched).toBe(false);
      expect(await hashDevice(ok!.device, fixture.diskSizeBytes)).toBe(before);
    });
  });

  itRootOnly('the identity of every target is checked after the exclusive open: one changed disk refuses the job (E_DISK_CHANGED)', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'data', kind: 'raw', sizeMiB: 4 }] });
    await withLoops([loop(fixture.diskSizeBytes), loop(fixture.diskSizeBytes)], async ([a, b]) => {
      const before = await hashDevice(a!.device, fixture.diskSizeBytes);
      const identity = (device: string, sizeBytes: number) => ({ device, sizeBytes, logicalSectorBytes: 512, diskseq: null, majMin: null, serial: null, model: null });
      const devices = [a!.device, b!.device];
      const { report } = await flash({ source: serve(fixture), devices, onlyDevices: devices, confirmedDisks: [identity(a!.device, fixture.diskSizeBytes), identity(b!.device, fixture.diskSizeBytes + MiB)] });
      expect(report.error?.code).toBe('E_DISK_CHANGED');
      expect(report.diskTouched).toBe(false);
      expect(await hashDevice(a!.device, fixture.diskSizeBytes)).toBe(before);
    });
  });
});
