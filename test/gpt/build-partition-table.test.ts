import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPartitionTable, describedDiskSizeBytes } from '../../src/gpt/build-partition-table.ts';
import { parseGpt } from '../../src/gpt/parse-gpt.ts';
import { run } from '../support/cosi-fixture-tools.ts';
import { thrownCosiflashError } from '../support/thrown-cosiflash-error.ts';
import {
  createSgdiskImage, createSparseFile, isRoot, makeTempDir, MIB, readBytes, removeDir, verifyWithSgdisk, withSectorView, writeBytes,
  type SfdiskTable,
} from './gpt-fixture.ts';

const SOURCE_BYTES = 16 * MIB;
/** Byte offsets of the protective record's ending CHS (UEFI 2.10 §5.2.3): kept verbatim by design. */
const ENDING_CHS = [451, 452, 453];

function regionBytes(lbaSize: 512 | 4096): number {
  return 2 * lbaSize + 16_384;
}

/** The partition list without device-specific node names, for comparing two tables. */
function partitionsOf(table: SfdiskTable): unknown[] {
  return table.partitions.map(({ node, ...rest }) => ({ slot: /(\d+)$/.exec(node)?.[1], ...rest }));
}

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeDir(dir);
});

describe.each([
  { lbaSize: 512 as const, needsRoot: false },
  { lbaSize: 4096 as const, needsRoot: true },
])('buildPartitionTable with $lbaSize-byte sectors', ({ lbaSize, needsRoot }) => {
  const skip = needsRoot && !isRoot;
  const entrySectors = 16_384 / lbaSize;
  let source = '';
  let sourceTable: SfdiskTable;
  let region: Buffer = Buffer.alloc(0);

  beforeAll(async () => {
    if (skip) return;
    source = path.join(dir, `source-${lbaSize}.img`);
    sourceTable = await createSgdiskImage(source, lbaSize, SOURCE_BYTES);
    region = await readBytes(source, 0, regionBytes(lbaSize));
  });

  it.skipIf(skip)(`same size: primary byte-identical to the image, backup identical to sgdisk's${skip ? ' (skipped: needs root for losetup)' : ''}`, async () => {
    expect(describedDiskSizeBytes(parseGpt(region, lbaSize))).toBe(SOURCE_BYTES);
    const table = buildPartitionTable({ primaryRegion: region, lbaSize, targetSizeBytes: SOURCE_BYTES });
    expect(table.primary.equals(region)).toBe(true);
    expect(table.backupOffsetBytes).toBe(SOURCE_BYTES - (entrySectors + 1) * lbaSize);
    const sgdiskBackup = await readBytes(source, table.backupOffsetBytes, (entrySectors + 1) * lbaSize);
    expect(table.backup.length).toBe(sgdiskBackup.length);
    expect(table.backup.equals(sgdiskBackup)).toBe(true);
  });

  it.skipIf(skip)(`bigger target: sgdisk -v finds no problems, sfdisk sees the same partitions at the same slots${skip ? ' (skipped: needs root for losetup)' : ''}`, async () => {
    const targetBytes = 40 * MIB;
    const target = path.join(dir, `bigger-${lbaSize}.img`);
    await createSparseFile(target, targetBytes);
    const table = buildPartitionTable({ primaryRegion: region, lbaSize, targetSizeBytes: targetBytes });
    expect(table.primary.length).toBe(region.length);
    await writeBytes(target, 0, table.primary);
    await writeBytes(target, table.backupOffsetBytes, table.backup);
    expect(table.backupOffsetBytes + table.backup.length).toBe(targetBytes);

    const { output, table: written } = await verifyWithSgdisk(target, lbaSize);
    expect(output).toContain('No problems found');
    expect(written.id).toBe(sourceTable.id);
    expect(written.firstlba).toBe(sourceTable.firstlba);
    expect(written.lastlba).toBe(targetBytes / lbaSize - entrySectors - 2);
    expect(partitionsOf(written)).toEqual(partitionsOf(sourceTable));
    expect(written.partitions.map((p) => /(\d+)$/.exec(p.node)?.[1])).toEqual(['1', '2', '5']);

    const lba0 = await readBytes(target, 0, lbaSize);
    expect(lba0.readUInt32LE(446 + 12)).toBe(targetBytes / lbaSize - 1);
    const reparsed = parseGpt(await readBytes(target, 0, regionBytes(lbaSize)), lbaSize);
    expect(reparsed.mbrSizeInLba).toBe(targetBytes / lbaSize - 1);
    expect(reparsed.warnings).toEqual([]);
    expect(reparsed.entries).toEqual(parseGpt(region, lbaSize).entries);
  });

  it.skipIf(skip)(`bigger target: same bytes as sgdisk -e (relocate backup) except the ending CHS${skip ? ' (skipped: needs root for losetup)' : ''}`, async () => {
    const targetBytes = 24 * MIB;
    const moved = path.join(dir, `moved-${lbaSize}.img`);
    await copyFile(source, moved);
    await run('truncate', ['-s', String(targetBytes), moved]);
    await withSectorView(moved, lbaSize, (device) => run('sgdisk', ['-e', device]));
    const table = buildPartitionTable({ primaryRegion: region, lbaSize, targetSizeBytes: targetBytes });
    const theirs = await readBytes(moved, 0, region.length);
    for (const offset of ENDING_CHS) theirs[offset] = region[offset] ?? 0;
    expect(table.primary.equals(theirs)).toBe(true);
    expect(table.backup.equals(await readBytes(moved, table.backupOffsetBytes, table.backup.length))).toBe(true);
  });

  it.skipIf(skip)(`smallest target that fits works; one LBA less is E_DISK_INELIGIBLE${skip ? ' (skipped: needs root for losetup)' : ''}`, async () => {
    const lastPartitionLba = (9 * MIB) / lbaSize - 1;
    const minimalBytes = (lastPartitionLba + 1 + entrySectors + 1) * lbaSize;
    const table = buildPartitionTable({ primaryRegion: region, lbaSize, targetSizeBytes: minimalBytes });
    expect(parseGpt(table.primary, lbaSize).header.lastUsableLba).toBe(lastPartitionLba);
    const error = thrownCosiflashError(() => buildPartitionTable({ primaryRegion: region, lbaSize, targetSizeBytes: minimalBytes - lbaSize }));
    expect(error.code).toBe('E_DISK_INELIGIBLE');
    expect(error.detail).toContain(`need at least ${minimalBytes} bytes`);
  });
});

describe('buildPartitionTable input checks', () => {
  let region: Buffer = Buffer.alloc(0);
  beforeAll(async () => {
    const source = path.join(dir, 'checks.img');
    await createSgdiskImage(source, 512, SOURCE_BYTES);
    region = await readBytes(source, 0, regionBytes(512));
  });

  it('rejects sizes that are not a positive whole number of bytes (E_INPUT)', () => {
    for (const size of [0, -512, 1.5, Number.NaN, 2 ** 60]) {
      expect(thrownCosiflashError(() => buildPartitionTable({ primaryRegion: region, lbaSize: 512, targetSizeBytes: size })).code).toBe('E_INPUT');
    }
  });

  it('rejects a size that is not a multiple of the LBA size (E_DISK_INELIGIBLE)', () => {
    const error = thrownCosiflashError(() => buildPartitionTable({ primaryRegion: region, lbaSize: 512, targetSizeBytes: 32 * MIB + 100 }));
    expect(error.code).toBe('E_DISK_INELIGIBLE');
    expect(error.detail).toMatch(/not a multiple of the image's 512-byte LBA size/);
  });

  it('rejects an invalid image (E_GPT_INVALID) before looking at the size', () => {
    const broken = Buffer.from(region);
    broken.writeUInt8(broken.readUInt8(512 + 16) ^ 1, 512 + 16);
    expect(thrownCosiflashError(() => buildPartitionTable({ primaryRegion: broken, lbaSize: 512, targetSizeBytes: 0 })).code).toBe('E_GPT_INVALID');
  });

  it('caps the protective MBR size at 0xFFFFFFFF beyond 2 TiB, and sgdisk accepts the result', async () => {
    const targetBytes = 3 * 1024 ** 4;
    const table = buildPartitionTable({ primaryRegion: region, lbaSize: 512, targetSizeBytes: targetBytes });
    expect(table.primary.readUInt32LE(446 + 12)).toBe(0xffff_ffff);
    const gpt = parseGpt(table.primary, 512);
    expect(gpt.header.backupLba).toBe(targetBytes / 512 - 1);
    expect(gpt.warnings).toEqual([]);
    const target = path.join(dir, 'huge.img');
    await createSparseFile(target, targetBytes);
    await writeBytes(target, 0, table.primary);
    await writeBytes(target, table.backupOffsetBytes, table.backup);
    const { output } = await verifyWithSgdisk(target, 512);
    expect(output).toContain('No problems found');
  });
});
