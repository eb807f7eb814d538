import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { FlashProgress, FlashReport } from '../../src/model/flash-progress.ts';
import { flashDisk, prepareImage, type FlashDiskOptions } from '../../src/pipeline/flash-disk.ts';
import type { FlashRequest } from '../../src/model/flash-request.ts';
import { buildCosiFixture, type CosiFixture, type CosiFixtureOptions } from '../support/cosi-fixtures.ts';
import { expectFilesystemsClean, expectFlashedLike, expectNoValidTable, hashDevice, tool, writeOldTable } from '../support/flash-checks.ts';
import { attachLoop, attachTmpfsLoop, describeRootOnly, itRootOnly, withLoops, type AttachLoopOptions } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer, type RangeServerFaults } from '../support/range-server.ts';

const MiB = 1024 * 1024;
let server: RangeServer;
let counter = 0;

beforeAll(async () => {
  server = await startRangeServer({ files: {} });
});
afterAll(async () => {
  await server?.close();
});

/** Serves the fixture under a fresh name and returns its URL. */
function serve(fixture: CosiFixture): string {
  counter += 1;
  const name = `f${counter}.cosi`;
  server.setFile(name, fixture.cosiPath);
  return server.url(name);
}

interface FlashRun {
  readonly report: FlashReport;
  readonly events: FlashProgress[];
}

async function flash(request: Partial<FlashRequest> & { source: string; onlyDevices: readonly string[] }, extra: Partial<FlashDiskOptions> & { onPlan?: () => void; abortWhenWritten?: number } = {}, watch?: (event: FlashProgress) => void): Promise<FlashRun> {
  const events: FlashProgress[] = [];
  const controller = new AbortController();
  const report = await flashDisk(
    { verify: true, unmount: false, allowLoop: true, ...request },
    {
      signal: controller.signal,
      ...extra,
      onEvent: (event) => {
        events.push(event);
        watch?.(event);
        if (event.type === 'plan') extra.onPlan?.();
        if (extra.abortWhenWritten !== undefined && event.type === 'progress' && event.regions.reduce((n, r) => n + r.writtenBytes, 0) >= extra.abortWhenWritten) controller.abort(new Error('test cancel'));
      },
    },
  );
  return { report, events };
}

/** Partition names the kernel lists for `device` now (sysfs). */
function kernelPartitionsNow(device: string): string[] {
  const name = basename(device);
  return readdirSync(`/sys/class/block/${name}`).filter((entry) => entry.startsWith(name));
}

const loop = (sizeBytes: number, more: Partial<AttachLoopOptions> = {}): AttachLoopOptions => ({ sizeBytes, partscan: true, ...more });

const HOLES_SHRUNK: CosiFixtureOptions = {
  partitions: [
    { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
    { number: 2, name: 'root', kind: 'ext4', sizeMiB: 16, shrink: true },
    { number: 5, name: 'data', kind: 'raw', sizeMiB: 3, gapBeforeMiB: 2 },
  ],
};

describeRootOnly('flashDisk on loop devices', () => {
  itRootOnly('auto-selects the exact-size loop among too-small, exact and bigger; result checks out with sgdisk, sfdisk, blkid, fsck and bytes', async () => {
    const fixture = await buildCosiFixture(HOLES_SHRUNK);
    await withLoops([loop(fixture.diskSizeBytes - MiB), loop(fixture.diskSizeBytes), loop(fixture.diskSizeBytes + 8 * MiB)], async ([small, exact, big]) => {
      const { report, events } = await flash({ source: serve(fixture), onlyDevices: [small!.device, exact!.device, big!.device] });
      expect(report.error).toBeNull();
      expect(report.outcome).toBe('verified');
      expect(report.device.path).toBe(exact!.device);
      expect(report.regions.map((r) => r.number)).toEqual([0, 1, 2, 5]);
      expect(report.regions.every((r) => r.phase === 'verified' && r.readBackOk === true)).toBe(true);
      expect(report.regions.filter((r) => r.number > 0).every((r) => r.compressedSha384Ok === true && r.uncompressedSha384 !== null)).toBe(true);
      expect(events[0]?.type).toBe('plan');
      expect(events.at(-1)?.type).toBe('done');
      await expectFlashedLike(exact!.device, fixture, { sameSize: true });
      await expectFilesystemsClean(exact!.device, fixture);
    });
  });

  itRootOnly('writes an explicitly chosen bigger disk: backup GPT at its real end', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([loop(fixture.diskSizeBytes), loop(fixture.diskSizeBytes + 16 * MiB)], async ([exact, big]) => {
      const { report } = await flash({ source: serve(fixture), device: big!.device, onlyDevices: [exact!.device, big!.device], verify: false });
      expect(report.error).toBeNull();
      expect(report.outcome).toBe('written');
      expect(report.device.path).toBe(big!.device);
      await expectFlashedLike(big!.device, fixture, { sameSize: false });
      await expectFilesystemsClean(big!.device, fixture);
    });
  });

  itRootOnly('uses an image opened ahead of the job, and still checks the expected hash against it', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([loop(fixture.diskSizeBytes)], async ([disk]) => {
      const url = serve(fixture);
      const before = await hashDevice(disk!.device, fixture.diskSizeBytes);
      const wrong = await flash({ source: url, onlyDevices: [disk!.device], expectedHash: `sha384:${'1'.repeat(96)}` }, { prepared: prepareImage(url, { signal: new AbortController().signal }) });
      expect(wrong.report.error?.code).toBe('E_HASH_MISMATCH');
      expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
      const requests = server.stats.requests.length;
      const prepared = prepareImage(url, { signal: new AbortController().signal });
      await prepared.opened;
      const inspectRequests = server.stats.requests.length - requests;
      const { report } = await flash({ source: url, onlyDevices: [disk!.device], expectedHash: fixture.imageHash }, { prepared });
      expect(report.outcome).toBe('verified');
      // The job read only the partition regions: no second inspection.
      expect(server.stats.requests.length - requests - inspectRequests).toBe(fixture.regions.length - 1);
      await expectFlashedLike(disk!.device, fixture, { sameSize: true });
    });
  });

  itRootOnly('flashes 4096-byte-sector images onto 4096-byte-sector disks', async () => {
    const fixture = await buildCosiFixture({ lbaSize: 4096 });
    await withLoops([loop(fixture.diskSizeBytes, { sectorBytes: 4096 })], async ([disk]) => {
      const { report } = await flash({ source: serve(fixture), onlyDevices: [disk!.device] });
      expect(report.error).toBeNull();
      expect(report.outcome).toBe('verified');
      await expectFlashedLike(disk!.device, fixture, { sameSize: true });
      await expectFilesystemsClean(disk!.device, fixture);
    });
  });

  itRootOnly('decodes multi-frame regions and a 128 MiB window (windowLog 27)', async () => {
    for (const options of [{ frames: 3 }, { windowLog: 27, zstdLevel: 19 }] satisfies CosiFixtureOptions[]) {
      const fixture = await buildCosiFixture(options);
      await withLoops([loop(fixture.diskSizeBytes)], async ([disk]) => {
        const { report } = await flash({ source: serve(fixture), onlyDevices: [disk!.device] });
        expect(report.error).toBeNull();
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
      });
    }
  });

  describeRootOnly('refusals leave the disk untouched', () => {
    async function expectRefused(fixture: CosiFixture, spec: AttachLoopOptions, code: string, request: Partial<FlashRequest> = {}, prepare?: (device: string) => Promise<() => Promise<void>>): Promise<void> {
      await withLoops([spec], async ([disk]) => {
        const cleanup = prepare === undefined ? null : await prepare(disk!.device);
        try {
          const before = await hashDevice(disk!.device, spec.sizeBytes);
          const { report } = await flash({ source: serve(fixture), device: disk!.device, onlyDevices: [disk!.device], ...request });
          expect(report.outcome).toBe('failed');
          expect(report.error?.code).toBe(code);
          expect(await hashDevice(disk!.device, spec.sizeBytes)).toBe(before);
        } finally {
          await cleanup?.();
        }
      });
    }

    itRootOnly('read-only disk', async () => {
      const fixture = await buildCosiFixture();
      await expectRefused(fixture, loop(fixture.diskSizeBytes, { readOnly: true }), 'E_DISK_INELIGIBLE');
    });

    itRootOnly('too small disk', async () => {
      const fixture = await buildCosiFixture();
      await expectRefused(fixture, loop(fixture.diskSizeBytes - MiB), 'E_DISK_INELIGIBLE');
    });

    itRootOnly('sector size mismatch (512-byte image, 4096-byte disk)', async () => {
      const fixture = await buildCosiFixture();
      await expectRefused(fixture, loop(fixture.diskSizeBytes, { sectorBytes: 4096 }), 'E_DISK_INELIGIBLE');
    });

    itRootOnly('disk held exclusively by another program (O_EXCL → EBUSY → E_DISK_OPEN)', async () => {
      const fixture = await buildCosiFixture();
      let holder: number | null = null;
      await expectRefused(fixture, loop(fixture.diskSizeBytes), 'E_DISK_OPEN', {}, async (device) => {
        holder = openSync(device, constants.O_RDONLY | constants.O_EXCL);
        return async () => {
          if (holder !== null) closeSync(holder);
        };
      });
    });

    itRootOnly('expected image hash mismatch', async () => {
      const fixture = await buildCosiFixture();
      await expectRefused(fixture, loop(fixture.diskSizeBytes), 'E_HASH_MISMATCH', { expectedHash: `sha384:${'0'.repeat(96)}` });
    });

    itRootOnly('mounted partition without consent to unmount; with consent it is unmounted and flashed', async () => {
      const fixture = await buildCosiFixture();
      const root = fixture.regions.find((r) => r.name === 'root');
      await withLoops([loop(fixture.diskSizeBytes)], async ([disk]) => {
        const first = await flash({ source: serve(fixture), onlyDevices: [disk!.device], verify: false });
        expect(first.report.error).toBeNull();
        const mountDir = (await tool('mktemp', ['-d'])).stdout.trim();
        const mounted = await tool('mount', [`${disk!.device}p${root!.number}`, mountDir]);
        expect(mounted.code, mounted.stderr).toBe(0);
        try {
          const before = await hashDevice(disk!.device, fixture.diskSizeBytes);
          const refused = await flash({ source: serve(fixture), device: disk!.device, onlyDevices: [disk!.device] });
          expect(refused.report.error?.code).toBe('E_DISK_INELIGIBLE');
          expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
          const accepted = await flash({ source: serve(fixture), device: disk!.device, onlyDevices: [disk!.device], unmount: true });
          expect(accepted.report.error).toBeNull();
          expect(accepted.report.outcome).toBe('verified');
        } finally {
          await tool('umount', [mountDir]);
          await tool('rmdir', [mountDir]);
        }
      });
    });
  });

  describeRootOnly('failures leave no valid partition table', () => {
    itRootOnly('a corrupted region (SHA-384 mismatch mid-flash)', async () => {
      const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 4 }] }, { corruptCompressed: { region: 2 } });
      await withLoops([loop(fixture.diskSizeBytes)], async ([disk]) => {
        await writeOldTable(disk!.device);
        const { report, events } = await flash({ source: serve(fixture), onlyDevices: [disk!.device] });
        expect(report.outcome).toBe('failed');
        expect(['E_IMAGE_HASH', 'E_DECODE']).toContain(report.error?.code);
        expect(report.regions.find((r) => r.number === 2)?.phase).toBe('failed');
        expect(report.regions.find((r) => r.number === 1)?.phase).toBe('written');
        expect(events.at(-1)?.type).toBe('failed');
        await expectNoValidTable(disk!.device);
      });
    });

    itRootOnly('a disk that fails writes partway (tmpfs-backed loop, ENOSPC)', async () => {
      const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'data', kind: 'raw', sizeMiB: 12 }] });
      const disk = await attachTmpfsLoop({ sizeBytes: fixture.diskSizeBytes, tmpfsBytes: 8 * MiB });
      try {
        await writeOldTable(disk.device);
        const { report } = await flash({ source: serve(fixture), onlyDevices: [disk.device], device: disk.device });
        expect(report.outcome).toBe('failed');
        expect(report.error?.code).toBe('E_WRITE');
        await expectNoValidTable(disk.device);
      } finally {
        await disk.detach();
      }
    });

    itRootOnly('cancel mid-flash (abort signal)', async () => {
      const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 24 }] });
      await withLoops([loop(fixture.diskSizeBytes)], async ([disk]) => {
        await writeOldTable(disk!.device);
        // A slow network (the server stalls once) keeps the flash running while we cancel.
        const { report } = await flash(
          { source: serve(fixture), onlyDevices: [disk!.device] },
          { onPlan: () => server.setFaults({ stallAfterBytes: 2 * MiB, stallMs: 3000, stallCount: 1 }), abortWhenWritten: 1 },
        );
        server.setFaults({});
        expect(report.outcome).toBe('cancelled');
        expect(report.error?.code).toBe('E_CANCELLED');
        // Depending on when the abort lands: regions are written, cancelled mid-way or waiting, never failed.
        expect(report.regions.every((r) => ['written', 'cancelled', 'waiting'].includes(r.phase))).toBe(true);
        expect(report.regions.some((r) => r.phase !== 'written')).toBe(true);
        await expectNoValidTable(disk!.device);
      });
    });
  });

  describeRootOnly('the partition table is written after the read-back (issue 9 §1)', () => {
    itRootOnly('drops the old kernel partitions before writing, reads back every region before the table is written, then reads back only the table', async () => {
      const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 4 }] });
      await withLoops([loop(fixture.diskSizeBytes)], async ([disk]) => {
        await writeOldTable(disk!.device);
        // This kernel may lack the GPT parser: partx adds the old table's partition in user space.
        await tool('partx', ['-a', disk!.device]);
        expect(kernelPartitionsNow(disk!.device), 'the old table shows as a kernel partition').not.toEqual([]);
        let partitionsWhileWriting: string[] | null = null;
        const phases: string[] = [];
        const { report } = await flash(
          { source: serve(fixture), onlyDevices: [disk!.device] },
          {},
          (event) => {
            if (event.type !== 'progress') return;
            const line = event.regions.map((r) => `${r.number}:${r.phase}`).join(' ');
            if (phases.at(-1) !== line) phases.push(line);
            if (partitionsWhileWriting === null && event.regions.some((r) => r.phase === 'writing')) partitionsWhileWriting = kernelPartitionsNow(disk!.device);
          },
        );
        expect(report.outcome, JSON.stringify(report.error)).toBe('verified');
        expect(partitionsWhileWriting, 'no kernel partition while writing').toEqual([]);
        const tableWritingAt = phases.findIndex((line) => line.startsWith('0:writing'));
        expect(tableWritingAt, phases.join('\n')).toBeGreaterThan(0);
        // Before the table is written, every partition region has been verified.
        expect(phases[tableWritingAt - 1], phases.join('\n')).toBe('0:waiting 1:verified 2:verified');
        expect(phases.slice(tableWritingAt).every((line) => line.endsWith('1:verified 2:verified')), phases.join('\n')).toBe(true);
        expect(phases.some((line) => line.startsWith('0:verifying'))).toBe(true);
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
      });
    });

    itRootOnly('cancel during the read-back (a partition was re-added meanwhile): no valid table, no kernel partitions', async () => {
      const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 16 }] });
      await withLoops([loop(fixture.diskSizeBytes)], async ([disk]) => {
        await writeOldTable(disk!.device);
        const controller = new AbortController();
        const report = await flashDisk(
          { source: serve(fixture), onlyDevices: [disk!.device], verify: true, unmount: false, allowLoop: true },

          {
            signal: controller.signal,
            onEvent: (event) => {
              if (controller.signal.aborted || event.type !== 'progress' || !event.regions.some((r) => r.phase === 'verifying')) return;
              // Something (udev, another tool) re-added a partition mid-flash: the cleanup must drop it too.
              execFileSync('addpart', [disk!.device, '1', '2048', '2048']);
              expect(kernelPartitionsNow(disk!.device)).toHaveLength(1);
              controller.abort(new Error('test cancel'));
            },
          },
        );
        expect(report.outcome).toBe('cancelled');
        expect(report.regions.find((r) => r.number === 0)?.phase).toBe('waiting');
        await expectNoValidTable(disk!.device);
      });
    });
  });

  describeRootOnly('network faults during a flash', () => {
    const RAW: CosiFixtureOptions = { partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 6 }] };
    async function flashWithFaults(faults: RangeServerFaults, sourceOptions: FlashDiskOptions['sourceOptions'] = {}): Promise<{ run: FlashRun; fixture: CosiFixture; device: string; check: () => Promise<void> }> {
      const fixture = await buildCosiFixture(RAW);
      const disk = await attachLoop(loop(fixture.diskSizeBytes));
      try {
        const run = await flash({ source: serve(fixture), onlyDevices: [disk.device] }, { sourceOptions: { retryBaseDelayMs: 10, retryMaxDelayMs: 50, ...sourceOptions }, onPlan: () => server.setFaults(faults) });
        server.setFaults({});
        const check = async (): Promise<void> => {
          if (run.report.error === null) await expectFlashedLike(disk.device, fixture, { sameSize: true });
          else await expectNoValidTable(disk.device);
        };
        await check();
        return { run, fixture, device: disk.device, check };
      } finally {
        server.setFaults({});
        await disk.detach();
      }
    }

    itRootOnly('a dropped connection mid-body resumes and stays byte-exact', async () => {
      const { run } = await flashWithFaults({ dropAfterBytes: 1 * MiB + 12345, dropCount: 2 });
      expect(run.report.error).toBeNull();
      expect(run.report.retries).toBeGreaterThan(0);
      expect(run.events.some((e) => e.type === 'retry')).toBe(true);
    });

    itRootOnly('a stall past the idle timeout is retried', async () => {
      // The first GET after the plan is the small ESP region; the second (6 MiB raw) stalls.
      const { run } = await flashWithFaults({ stallAfterBytes: 1 * MiB, stallMs: 4000, stallCount: 2 }, { idleTimeoutMs: 300 });
      expect(run.report.error).toBeNull();
      expect(run.report.retries).toBeGreaterThan(0);
    });

    itRootOnly('a burst of 5xx answers is recovered from', async () => {
      const { run } = await flashWithFaults({ status: 503, statusCount: 3 });
      expect(run.report.error).toBeNull();
      expect(run.report.retries).toBeGreaterThan(0);
    });

    itRootOnly('a persistent failure fails clearly within the retry budget', async () => {
      const { run } = await flashWithFaults({ status: 503 }, { maxRetries: 2 });
      expect(run.report.outcome).toBe('failed');
      expect(run.report.error?.code).toBe('E_HTTP_SERVER');
    });
  });
});
