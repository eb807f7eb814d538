/**
 * Several disks in one job (issue 11 §1): each region is fetched, hashed and decoded once and
 * written to every target; a target that fails is dropped alone. Real loop devices, nginx on
 * 127.0.0.1 (its access log counts the bytes sent), the same checks as the single-disk engine.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { FlashProgress } from '../../src/model/flash-progress.ts';
import type { FlashRequest } from '../../src/model/flash-request.ts';
import { flashDisk } from '../../src/pipeline/flash-disk.ts';
import { readDiskIdentity } from '../../src/disk/read-disk-identity.ts';
import { listDisks } from '../../src/disk/list-disks.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike, expectNoKernelPartitions, expectNoValidTable, tool, writeOldTable } from '../support/flash-checks.ts';
import { attachLoop, attachTmpfsLoop, describeRootOnly, itRootOnly, type LoopDevice, type TmpfsLoopDevice } from '../support/loop-device.ts';
import { nginxBodyBytes, startNginx, type NginxServer } from '../support/nginx-server.ts';

const MiB = 1024 * 1024;
let fixture: CosiFixture;
let nginx: NginxServer | null = null;

describeRootOnly('flashDisk onto several disks in one job', () => {
  beforeAll(async () => {
    fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'root', kind: 'ext4', sizeMiB: 16 }, { number: 3, name: 'data', kind: 'raw', sizeMiB: 12 }] });
    nginx = await startNginx({ files: { 'many.cosi': fixture.cosiPath } });
  });
  afterAll(async () => {
    await nginx?.close();
  });

  /** The request a front end's plan makes for these devices (flashRequestForAll's shape). */
  async function requestFor(devices: readonly string[]): Promise<FlashRequest> {
    const disks = await listDisks({ allowLoop: true, onlyDevices: devices });
    const identity = (device: string) => {
      const disk = disks.find((d) => d.device === device);
      if (disk === undefined) throw new Error(`${device} not listed`);
      return readDiskIdentity(disk);
    };
    const [first, ...rest] = devices as [string, ...string[]];
    return {
      source: nginx!.url('many.cosi'),
      device: first,
      confirmedDisk: identity(first),
      moreTargets: rest.map((device) => ({ device, confirmedDisk: identity(device) })),
      verify: true,
      unmount: false,
      allowLoop: true,
      onlyDevices: devices,
    };
  }

  itRootOnly('writes three disks identical to the source, the image transferred once', async () => {
    const loops: LoopDevice[] = [];
    try {
      // Different sizes: each gets its own table with the backup GPT at its own end.
      for (const sizeBytes of [fixture.diskSizeBytes, fixture.diskSizeBytes + 8 * MiB, fixture.diskSizeBytes + 16 * MiB]) loops.push(await attachLoop({ sizeBytes }));
      for (const loop of loops) await writeOldTable(loop.device);
      const devices = loops.map((l) => l.device);
      const before = await nginxBodyBytes(nginx!);
      const events: FlashProgress[] = [];
      const report = await flashDisk(await requestFor(devices), { signal: new AbortController().signal, onEvent: (e) => events.push(e) });
      const sent = (await nginxBodyBytes(nginx!)) - before;

      expect(report.outcome, JSON.stringify(report.error)).toBe('verified');
      expect(report.targets?.map((t) => [t.device.path, t.outcome])).toEqual(devices.map((d) => [d, 'verified']));
      expect(report.targets?.every((t) => t.identity !== null && t.regions.every((r) => r.readBackOk === true))).toBe(true);
      expect(events.at(-1)?.type).toBe('done');
      const plan = events.find((e) => e.type === 'plan');
      expect(plan?.type === 'plan' ? plan.devices : null).toEqual(devices);
      const lanes = events.filter((e): e is Extract<FlashProgress, { type: 'progress' }> => e.type === 'progress').at(-1)?.targets;
      expect(lanes?.map((l) => [l.device, l.state])).toEqual(devices.map((d) => [d, 'verified']));
      // Once: the compressed image plus the few small reads of inspection, not three times.
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(fixture.cosiSizeBytes * 1.1);
      expect(loops.map((l) => l.device)).toEqual(devices);
      await expectFlashedLike(loops[0]!.device, fixture, { sameSize: true });
      await expectFlashedLike(loops[1]!.device, fixture, { sameSize: false });
      await expectFlashedLike(loops[2]!.device, fixture, { sameSize: false });
    } finally {
      for (const loop of loops) await loop.detach();
    }
  });

  itRootOnly('a target that fails (tmpfs-backed loop, ENOSPC) is dropped alone: no valid table there, the others verify', async () => {
    const loops: LoopDevice[] = [];
    let full: TmpfsLoopDevice | null = null;
    try {
      loops.push(await attachLoop({ sizeBytes: fixture.diskSizeBytes }));
      full = await attachTmpfsLoop({ sizeBytes: fixture.diskSizeBytes, tmpfsBytes: 12 * MiB });
      loops.push(await attachLoop({ sizeBytes: fixture.diskSizeBytes }));
      const devices = [loops[0]!.device, full.device, loops[1]!.device];
      for (const device of devices) await writeOldTable(device);
      const events: FlashProgress[] = [];
      const report = await flashDisk(await requestFor(devices), { signal: new AbortController().signal, onEvent: (e) => events.push(e) });

      expect(report.targets?.map((t) => t.outcome)).toEqual(['verified', 'failed', 'verified']);
      const failed = report.targets?.[1];
      expect(failed?.error?.code).toBe('E_WRITE');
      expect(failed?.diskTouched).toBe(true);
      // The job's worst outcome is on top; it still ends 'done' because two disks are good.
      expect(report.outcome).toBe('failed');
      expect(events.at(-1)?.type).toBe('done');
      const dropped = events.filter((e) => e.type === 'target-failed');
      expect(dropped.map((e) => (e.type === 'target-failed' ? [e.device, e.error.code] : null))).toEqual([[full.device, 'E_WRITE']]);
      await expectNoValidTable(full.device);
      await expectNoKernelPartitions(full.device);
      await expectFlashedLike(loops[0]!.device, fixture, { sameSize: true });
      await expectFlashedLike(loops[1]!.device, fixture, { sameSize: true });
    } finally {
      for (const loop of loops) await loop.detach();
      await full?.detach();
    }
  });

  itRootOnly('refuses the whole job before writing when one named target is not eligible (too small): no disk touched', async () => {
    const loops: LoopDevice[] = [];
    try {
      loops.push(await attachLoop({ sizeBytes: fixture.diskSizeBytes }));
      loops.push(await attachLoop({ sizeBytes: 8 * MiB }));
      for (const loop of loops) await writeOldTable(loop.device);
      const report = await flashDisk(await requestFor(loops.map((l) => l.device)), { signal: new AbortController().signal, onEvent: () => undefined });
      expect(report.outcome).toBe('failed');
      expect(report.error?.code).toBe('E_DISK_INELIGIBLE');
      expect(report.diskTouched).toBe(false);
      // Both still hold the old table: nothing was written to either.
      for (const loop of loops) {
        const printed = await tool('sgdisk', ['-p', loop.device]);
        expect(printed.stdout, loop.device).toMatch(/\bold\b/);
      }
    } finally {
      for (const loop of loops) await loop.detach();
    }
  });
});
