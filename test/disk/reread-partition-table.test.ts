import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { kernelPartitions, rereadPartitionTable } from '../../src/disk/reread-partition-table.ts';
import { CosiflashError } from '../../src/errors.ts';
import { attachLoop, describeRootOnly } from '../support/loop-device.ts';

const exec = promisify(execFile);
const MiB = 1024 * 1024;

describeRootOnly('rereadPartitionTable on loop devices I created', () => {
  it.each([
    ['512-byte sectors, attached without -P', { sectorBytes: 512 as const, partscan: false }],
    ['512-byte sectors, attached with -P', { sectorBytes: 512 as const, partscan: true }],
    ['4096-byte sectors', { sectorBytes: 4096 as const, partscan: false }],
  ])('sees the partitions of a GPT written with sgdisk (%s)', async (_name, options) => {
    const loop = await attachLoop({ sizeBytes: 32 * MiB, ...options });
    const name = basename(loop.device);
    try {
      // sgdisk writes through the whole-disk device; partitions 1, 2 and 5 (a hole in the slots).
      await exec('sgdisk', ['-n', '1:0:+4M', '-n', '2:0:+4M', '-n', '5:0:+4M', loop.device]);
      await rereadPartitionTable(loop.device, { expectedPartitions: 3 });
      expect((await kernelPartitions(name)).map((p) => [p.name, p.number])).toEqual([[`${name}p1`, 1], [`${name}p2`, 2], [`${name}p5`, 5]]);
      for (const part of [1, 2, 5]) await access(`${loop.device}p${part}`);
      const size = Number((await exec('blockdev', ['--getsize64', `${loop.device}p2`])).stdout.trim());
      expect(size).toBe(4 * MiB);
      // A new table with fewer partitions replaces the old ones.
      await exec('sgdisk', ['-Z', loop.device]).catch(() => undefined); // exits 2 when it wipes a valid GPT
      await exec('sgdisk', ['-n', '1:0:+8M', loop.device]);
      await rereadPartitionTable(loop.device, { expectedPartitions: 1 });
      expect((await kernelPartitions(name)).map((p) => p.name)).toEqual([`${name}p1`]);
      expect(Number((await exec('blockdev', ['--getsize64', `${loop.device}p1`])).stdout.trim())).toBe(8 * MiB);
    } finally {
      await loop.detach();
    }
  });

  it('works while the disk is held open with O_EXCL (as the writer holds it)', async () => {
    const loop = await attachLoop({ sizeBytes: 32 * MiB, partscan: true });
    try {
      await exec('sgdisk', ['-n', '1:0:+4M', '-n', '2:0:+4M', '-n', '5:0:+4M', loop.device]);
      const handle = await open(loop.device, constants.O_RDWR | constants.O_EXCL);
      try {
        await rereadPartitionTable(loop.device, { expectedPartitions: 3 });
        expect((await kernelPartitions(basename(loop.device))).map((p) => p.number)).toEqual([1, 2, 5]);
      } finally {
        await handle.close();
      }
    } finally {
      await loop.detach();
    }
  });

  it('E_PARTITION_REREAD when the table on the disk does not have the expected partitions', async () => {
    const loop = await attachLoop({ sizeBytes: 16 * MiB });
    try {
      await exec('sgdisk', ['-n', '1:0:+4M', loop.device]);
      const error = await rereadPartitionTable(loop.device, { expectedPartitions: 2, timeoutMs: 2_000 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CosiflashError);
      expect((error as CosiflashError).code).toBe('E_PARTITION_REREAD');
      expect((error as CosiflashError).detail).toBe(`The partition table on ${loop.device} has 1 partition(s), expected 2.`);
    } finally {
      await loop.detach();
    }
  });

  it('a disk with no table and no partitions expected is fine', async () => {
    const loop = await attachLoop({ sizeBytes: 4 * MiB });
    try {
      await rereadPartitionTable(loop.device, { expectedPartitions: 0 });
      expect(await kernelPartitions(basename(loop.device))).toEqual([]);
    } finally {
      await loop.detach();
    }
  });
});
