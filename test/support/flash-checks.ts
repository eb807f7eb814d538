/**
 * Checks of a flashed device with tools nobody here wrote (sgdisk, sfdisk, blkid, fsck) and
 * byte comparison against the fixture's source disk. Shared by the flash-disk and CLI tests.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { withLoopDevice } from './cosi-fixture-tools.ts';
import type { CosiFixture } from './cosi-fixtures.ts';

const execFileAsync = promisify(execFile);

export async function tool(command: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** SHA-384 of a byte range of a file or device. */
export async function hashRange(file: string, offsetBytes: number, lengthBytes: number): Promise<string> {
  const handle = await open(file, 'r');
  const hash = createHash('sha384');
  const buffer = Buffer.alloc(4 * 1024 * 1024);
  try {
    for (let done = 0; done < lengthBytes; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, lengthBytes - done), offsetBytes + done);
      if (bytesRead === 0) throw new Error(`${file}: short read at ${offsetBytes + done}`);
      hash.update(buffer.subarray(0, bytesRead));
      done += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** SHA-384 of the whole device (refusal tests: the disk must be untouched). */
export async function hashDevice(device: string, sizeBytes: number): Promise<string> {
  return hashRange(device, 0, sizeBytes);
}

interface SfdiskPartition { node: string; start: number; size: number; type: string; uuid: string; name?: string }
interface SfdiskTable { partitiontable: { label: string; id: string; sectorsize?: number; firstlba: number; lastlba: number; partitions: SfdiskPartition[] } }

async function sfdiskJson(target: string): Promise<SfdiskTable | null> {
  const result = await tool('sfdisk', ['--json', target]);
  if (result.code !== 0 || result.stdout.trim() === '') return null;
  return JSON.parse(result.stdout) as SfdiskTable;
}

const slotOf = (node: string): number => Number(/(\d+)$/.exec(node)?.[1] ?? NaN);

/** The device carries the fixture's partitions, byte-exact, with a valid GPT at its real size. */
export async function expectFlashedLike(device: string, fixture: CosiFixture, options: { sameSize: boolean }): Promise<void> {
  const verify = await tool('sgdisk', ['-v', device]);
  expect(verify.stdout, verify.stdout + verify.stderr).toContain('No problems found');
  const actual = await sfdiskJson(device);
  // sfdisk reads a plain file with 512-byte sectors: look at a 4096-byte source through a loop device.
  const expected = fixture.lbaSize === 512 ? await sfdiskJson(fixture.sourceDiskPath) : await withLoopDevice(fixture.sourceDiskPath, fixture.lbaSize, (loop) => sfdiskJson(loop));
  expect(actual, 'sfdisk finds a table').not.toBeNull();
  if (actual === null || expected === null) return;
  expect(actual.partitiontable.label).toBe('gpt');
  expect(actual.partitiontable.id.toLowerCase()).toBe(expected.partitiontable.id.toLowerCase());
  expect(actual.partitiontable.firstlba).toBe(expected.partitiontable.firstlba);
  if (options.sameSize) expect(actual.partitiontable.lastlba).toBe(expected.partitiontable.lastlba);
  const simplify = (p: SfdiskPartition) => ({ slot: slotOf(p.node), start: p.start, size: p.size, type: p.type.toLowerCase(), uuid: p.uuid.toLowerCase(), name: p.name ?? '' });
  expect(actual.partitiontable.partitions.map(simplify)).toEqual(expected.partitiontable.partitions.map(simplify));
  for (const region of fixture.regions.filter((r) => r.type === 'partition')) {
    const offset = region.startLba * fixture.lbaSize;
    expect(await hashRange(device, offset, region.uncompressedSize), `partition ${region.number} bytes`).toBe(await hashRange(fixture.sourceDiskPath, offset, region.uncompressedSize));
  }
  if (options.sameSize) {
    const primaryLength = fixture.regions[0]?.uncompressedSize ?? 0;
    expect(await hashRange(device, 0, primaryLength), 'primary GPT region identical for an equal-size target').toBe(await hashRange(fixture.sourceDiskPath, 0, primaryLength));
  }
}

/** Filesystem checks through the partition nodes (the loop device must have partscan). */
export async function expectFilesystemsClean(device: string, fixture: CosiFixture): Promise<void> {
  for (const image of fixture.metadata.images) {
    const region = fixture.regions.find((r) => r.path === image.image.path);
    if (region === undefined) continue;
    const node = `${device}p${region.number}`;
    const uuid = (await tool('blkid', ['-p', '-o', 'value', '-s', 'UUID', node])).stdout.trim();
    expect(uuid.toLowerCase(), `blkid ${node}`).toBe(image.fsUuid.toLowerCase());
    if (image.fsType === 'ext4') {
      const fsck = await tool('fsck.ext4', ['-fn', node]);
      expect(fsck.code, fsck.stdout + fsck.stderr).toBe(0);
    } else if (image.fsType === 'vfat') {
      const fsck = await tool('fsck.vfat', ['-n', node]);
      expect(fsck.code, fsck.stdout + fsck.stderr).toBe(0);
    }
  }
}

/** After a failed or cancelled flash: no tool finds a valid partition table. */
export async function expectNoValidTable(device: string): Promise<void> {
  const table = await sfdiskJson(device);
  expect(table, 'sfdisk must find no partition table').toBeNull();
  // sgdisk says so when it finds neither a primary nor a backup GPT (nor an MBR).
  const printed = await tool('sgdisk', ['-p', device]);
  expect(printed.stdout + printed.stderr).toMatch(/Creating new GPT entries|GPT: not present/);
  const blkid = await tool('blkid', ['-p', device]);
  expect(blkid.stdout).not.toMatch(/PTTYPE/);
  await expectNoKernelPartitions(device);
}

/** The kernel lists no partition of `device` (lsblk and sysfs): nothing stale an automounter could mount. */
export async function expectNoKernelPartitions(device: string): Promise<void> {
  const listed = await tool('lsblk', ['--raw', '--noheadings', '--output', 'NAME,TYPE', device]);
  expect(listed.code, listed.stderr).toBe(0);
  const parts = listed.stdout.split('\n').filter((line) => line.trim().endsWith(' part'));
  expect(parts, `lsblk ${device} lists partitions`).toEqual([]);
  const name = basename(device);
  const sysfs = await readdir(`/sys/class/block/${name}`).catch(() => [] as string[]);
  expect(sysfs.filter((entry) => entry.startsWith(name)), `/sys/class/block/${name} partitions`).toEqual([]);
}

/** Puts a valid old GPT on the device (as a previously used disk has), so a test can prove it is gone afterwards. */
export async function writeOldTable(device: string): Promise<void> {
  const result = await tool('sgdisk', ['-o', '-n', '1:0:+1M', '-c', '1:old', device]);
  expect(result.code, result.stderr).toBe(0);
  expect(await sfdiskJson(device), 'the old table is there before the flash').not.toBeNull();
}
