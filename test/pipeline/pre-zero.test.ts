import { randomFillSync } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { writeZeroesSupported } from '../../src/disk/write-zeroes-supported.ts';
import type { ZeroingPace } from '../../src/disk/zero-ranges-while-fast.ts';
import { flashDisk } from '../../src/pipeline/flash-disk.ts';
import { allocateAligned, viewOf } from '../../src/pipeline/aligned-buffer.ts';
import { openTarget } from '../../src/pipeline/target-device.ts';
import { writeSpan, ZERO_RUN_BYTES } from '../../src/pipeline/write-span.ts';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike } from '../support/flash-checks.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
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

/** Fills the whole device with random bytes (garbage a pre-zero must clear). */
function fillRandom(device: string, sizeBytes: number): void {
  const fd = openSync(device, constants.O_WRONLY);
  try {
    const chunk = Buffer.alloc(4 * MiB);
    for (let at = 0; at < sizeBytes; at += chunk.byteLength) {
      randomFillSync(chunk);
      writeSync(fd, chunk, 0, Math.min(chunk.byteLength, sizeBytes - at), at);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readRange(device: string, offsetBytes: number, lengthBytes: number): Buffer {
  const fd = openSync(device, constants.O_RDONLY | constants.O_DIRECT);
  try {
    const aligned = allocateAligned(lengthBytes, fd, 4096);
    if (aligned === null) throw new Error('no aligned buffer');
    const view = viewOf(aligned);
    expect(readSync(fd, view, 0, lengthBytes, offsetBytes)).toBe(lengthBytes);
    return Buffer.from(view);
  } finally {
    closeSync(fd);
  }
}

/** A sysfs tree whose loop reports write_zeroes_max_bytes = 0. */
async function sysfsWithoutWriteZeroes(device: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cosiflash-sysfs-'));
  await mkdir(join(root, 'block', basename(device), 'queue'), { recursive: true });
  writeFileSync(join(root, 'block', basename(device), 'queue', 'write_zeroes_max_bytes'), '0\n');
  return root;
}

async function flashOnto(device: string, source: string, options: { sysfsRoot?: string; zeroingPace?: Partial<ZeroingPace> } = {}) {
  counter += 1;
  server.setFile(`z${counter}.cosi`, source);
  return flashDisk(
    { source: server.url(`z${counter}.cosi`), onlyDevices: [device], verify: true, unmount: false, allowLoop: true },
    { signal: new AbortController().signal, onEvent: () => undefined, ...options },
  );
}

/** A clock that moves `stepMs` every time it is read: each zeroing call then takes `stepMs`. */
function steppingClock(stepMs: number): () => number {
  let now = 0;
  return () => (now += stepMs);
}

describeRootOnly('pre-zeroing with WRITE ZEROES and skipping zero runs', () => {
  itRootOnly('the probe: a loop device can WRITE ZEROES; a sysfs reporting 0, a plain file and a missing device cannot', async () => {
    await withLoops([{ sizeBytes: 8 * MiB }], async ([disk]) => {
      expect(writeZeroesSupported(disk!.device)).toBe(true);
      const root = await sysfsWithoutWriteZeroes(disk!.device);
      try {
        expect(writeZeroesSupported(disk!.device, root)).toBe(false);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
      expect(writeZeroesSupported(disk!.backingFile)).toBe(false);
      expect(writeZeroesSupported('/dev/cosiflash-no-such-disk')).toBe(false);
    });
  });

  itRootOnly('writeSpan on a preZeroed target leaves aligned 64 KiB zero runs unwritten and writes every other byte', async () => {
    await withLoops([{ sizeBytes: 8 * MiB }], async ([disk]) => {
      fillRandom(disk!.device, 8 * MiB);
      const before = readRange(disk!.device, 0, 8 * MiB);
      const device = openTarget(disk!.device, { sizeBytes: 8 * MiB, blockBytes: 512 });
      try {
        const run = ZERO_RUN_BYTES;
        // [ones][zero run][zero run][half zero, half ones][zero run][ones], then 512 zero bytes
        const data = viewOf(device.allocate(6 * run + 512));
        data.fill(1, 0, run);
        data.fill(1, 3 * run + run / 2, 4 * run);
        data.fill(1, 5 * run, 6 * run);
        const at = 1 * MiB;
        await writeSpan({ fd: device.fd, tailFd: device.tailFd, direct: device.direct, blockBytes: 512, preZeroed: true }, data, at);
        await device.sync();
        const after = readRange(disk!.device, at, data.byteLength);
        const expected = Buffer.from(data);
        // Skipped: the zero runs at run 1, 2 and 4 still hold the old garbage.
        for (const index of [1, 2, 4]) before.copy(expected, index * run, at + index * run, at + (index + 1) * run);
        expect(after.equals(expected)).toBe(true);
        expect(after.subarray(run, 2 * run).equals(Buffer.alloc(run))).toBe(false);
        // Not preZeroed: every byte is written.
        await writeSpan({ fd: device.fd, tailFd: device.tailFd, direct: device.direct, blockBytes: 512, preZeroed: false }, data, at);
        await device.sync();
        expect(readRange(disk!.device, at, data.byteLength).equals(Buffer.from(data))).toBe(true);
      } finally {
        device.close();
      }
    });
  });

  for (const lbaSize of [512, 4096] as const) {
    itRootOnly(`byte-exact flash onto a ${lbaSize}-byte-sector loop full of random bytes: regions pre-zeroed, zero runs elided`, async () => {
      const fixture = await buildCosiFixture(lbaSize === 512 ? {} : { lbaSize });
      await withLoops([{ sizeBytes: fixture.diskSizeBytes, sectorBytes: lbaSize, partscan: true }], async ([disk]) => {
        fillRandom(disk!.device, fixture.diskSizeBytes);
        const report = await flashOnto(disk!.device, fixture.cosiPath);
        expect(report.error).toBeNull();
        expect(report.outcome).toBe('verified');
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
      });
    });
  }

  itRootOnly('a disk reporting write_zeroes_max_bytes = 0 gets every byte written and is byte-exact over random garbage', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes, partscan: true }], async ([disk]) => {
      fillRandom(disk!.device, fixture.diskSizeBytes);
      const root = await sysfsWithoutWriteZeroes(disk!.device);
      try {
        const report = await flashOnto(disk!.device, fixture.cosiPath, { sysfsRoot: root });
        expect(report.error).toBeNull();
        expect(report.outcome).toBe('verified');
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  });
  itRootOnly('a fast device is zeroed in growing chunks that cover every range exactly, and nothing outside them', async () => {
    await withLoops([{ sizeBytes: 8 * MiB }], async ([disk]) => {
      fillRandom(disk!.device, 8 * MiB);
      const before = readRange(disk!.device, 0, 8 * MiB);
      const device = openTarget(disk!.device, { sizeBytes: 8 * MiB, blockBytes: 512 });
      // Unaligned ends are widened to whole blocks; a 64 KiB probe, then 128 KiB, 256 KiB, … per call.
      const ranges = [
        { offsetBytes: 1 * MiB + 100, lengthBytes: 700 * 1024 },
        { offsetBytes: 3 * MiB, lengthBytes: 2 * MiB + 512 },
      ];
      try {
        expect(await device.preZero(ranges, undefined, { firstChunkBytes: 64 * 1024, nowMs: steppingClock(1) })).toBe(true);
        expect(device.preZeroed).toBe(true);
      } finally {
        device.close();
      }
      const after = readRange(disk!.device, 0, 8 * MiB);
      const expected = Buffer.from(before);
      expected.fill(0, 1 * MiB, 1 * MiB + 700 * 1024 + 512);
      expected.fill(0, 3 * MiB, 5 * MiB + 512);
      expect(after.equals(expected)).toBe(true);
    });
  });

  itRootOnly('a device that zeroes slower than the pace is left after the probe: preZeroed stays false, only the probe was zeroed', async () => {
    await withLoops([{ sizeBytes: 8 * MiB }], async ([disk]) => {
      fillRandom(disk!.device, 8 * MiB);
      const before = readRange(disk!.device, 0, 8 * MiB);
      const device = openTarget(disk!.device, { sizeBytes: 8 * MiB, blockBytes: 512 });
      try {
        // Every call takes 1 s by this clock: 1 MiB in 1 s is far below 4 GiB/s.
        expect(await device.preZero([{ offsetBytes: 1 * MiB, lengthBytes: 4 * MiB }], undefined, { nowMs: steppingClock(1000) })).toBe(false);
        expect(device.preZeroed).toBe(false);
      } finally {
        device.close();
      }
      const after = readRange(disk!.device, 0, 8 * MiB);
      expect(after.subarray(1 * MiB, 2 * MiB).equals(Buffer.alloc(MiB))).toBe(true);
      expect(after.subarray(2 * MiB).equals(before.subarray(2 * MiB))).toBe(true);
      expect(after.subarray(0, 1 * MiB).equals(before.subarray(0, 1 * MiB))).toBe(true);
    });
  });

  itRootOnly('a flash onto a loop full of random bytes whose zeroing is slow writes every byte and is byte-exact', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes, partscan: true }], async ([disk]) => {
      fillRandom(disk!.device, fixture.diskSizeBytes);
      const report = await flashOnto(disk!.device, fixture.cosiPath, { zeroingPace: { nowMs: steppingClock(1000) } });
      expect(report.error).toBeNull();
      expect(report.outcome).toBe('verified');
      await expectFlashedLike(disk!.device, fixture, { sameSize: true });
    });
  });
});
