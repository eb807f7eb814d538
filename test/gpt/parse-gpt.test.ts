import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosiflashError } from '../../src/errors.ts';
import { parseGpt } from '../../src/gpt/parse-gpt.ts';
import { fixGptCrcs } from '../support/gpt-edit.ts';
import {
  createSgdiskImage, FIXTURE_LAYOUT, isRoot, makeTempDir, MIB, readBytes, removeDir, sfdiskAttributes, sfdiskSlot, type SfdiskTable,
} from './gpt-fixture.ts';

/** Primary region length for 128 entries: LBA 0, LBA 1 and 16 KiB of entries. */
function regionBytes(lbaSize: 512 | 4096): number {
  return 2 * lbaSize + 16_384;
}

function expectGptError(action: () => unknown, detail: RegExp): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CosiflashError);
  expect((caught as CosiflashError).code).toBe('E_GPT_INVALID');
  expect((caught as CosiflashError).detail).toMatch(detail);
}

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeDir(dir);
});

function checkAgainstSfdisk(region: Buffer, lbaSize: 512 | 4096, sfdisk: SfdiskTable): void {
  const gpt = parseGpt(region, lbaSize);
  expect(gpt.lbaSize).toBe(lbaSize);
  expect(gpt.header.diskGuid).toBe(sfdisk.id.toLowerCase());
  expect(gpt.header.firstUsableLba).toBe(sfdisk.firstlba);
  expect(gpt.header.lastUsableLba).toBe(sfdisk.lastlba);
  expect(gpt.header.currentLba).toBe(1);
  expect(gpt.header.entriesLba).toBe(2);
  expect(gpt.header.entryCount).toBe(128);
  expect(gpt.header.entrySize).toBe(128);
  expect(gpt.header.firstUsableLba).toBe(2 + 16_384 / lbaSize);
  expect(gpt.warnings).toEqual([]);
  expect(gpt.entries.map((e) => e.slot)).toEqual([1, 2, 5]);
  expect(gpt.entries.map((e) => e.slot)).toEqual(sfdisk.partitions.map((p) => sfdiskSlot(p.node)));
  for (const [index, part] of sfdisk.partitions.entries()) {
    const entry = gpt.entries[index];
    expect(entry).toEqual({
      slot: sfdiskSlot(part.node),
      typeGuid: part.type.toLowerCase(),
      partGuid: part.uuid.toLowerCase(),
      firstLba: part.start,
      lastLba: part.start + part.size - 1,
      attributes: sfdiskAttributes(part.attrs),
      name: part.name ?? '',
    });
  }
  // The layout the fixture asked sgdisk for, independently of sfdisk.
  expect(gpt.entries.map((e) => e.name)).toEqual(FIXTURE_LAYOUT.map((p) => p.name));
  expect(gpt.entries[1]?.attributes).toBe((1n << 60n) | (1n << 63n));
  expect(gpt.entries[2]?.attributes).toBe(4n);
}

describe('parseGpt on tables written by sgdisk', () => {
  it('reads a 512-byte-sector table like sfdisk does (slots 1, 2, 5, names, attributes)', async () => {
    const file = path.join(dir, 'parse-512.img');
    const sfdisk = await createSgdiskImage(file, 512, 16 * MIB);
    const region = await readBytes(file, 0, regionBytes(512));
    checkAgainstSfdisk(region, 512, sfdisk);
    const gpt = parseGpt(region, 512);
    expect(gpt.header.backupLba).toBe(16 * MIB / 512 - 1);
    expect(gpt.mbrSizeInLba).toBe(16 * MIB / 512 - 1);
    expect(gpt.header.lastUsableLba).toBe(16 * MIB / 512 - 34);
  });

  it.skipIf(!isRoot)('reads a 4096-byte-sector table made on a loop device like sfdisk does (skipped unless root: needs losetup)', async () => {
    const file = path.join(dir, 'parse-4k.img');
    const sfdisk = await createSgdiskImage(file, 4096, 16 * MIB);
    expect(sfdisk.sectorsize).toBe(4096);
    const region = await readBytes(file, 0, regionBytes(4096));
    checkAgainstSfdisk(region, 4096, sfdisk);
    const gpt = parseGpt(region, 4096);
    expect(gpt.header.firstUsableLba).toBe(6);
    expect(gpt.header.lastUsableLba).toBe(16 * MIB / 4096 - 6);
    expect(gpt.mbrSizeInLba).toBe(16 * MIB / 4096 - 1);
  });
});

describe('parseGpt rejects broken tables', () => {
  let pristine: Buffer = Buffer.alloc(0);
  beforeAll(async () => {
    const file = path.join(dir, 'broken-source.img');
    await createSgdiskImage(file, 512, 16 * MIB);
    pristine = await readBytes(file, 0, regionBytes(512));
  });
  const edited = (edit: (region: Buffer) => void, options: { reseal: boolean }): Buffer => {
    const region = Buffer.from(pristine);
    edit(region);
    if (options.reseal) fixGptCrcs(region, 512);
    return region;
  };
  const entryOffset = (slot: number): number => 2 * 512 + (slot - 1) * 128;

  it('accepts the untouched table and a resealed copy of it', () => {
    expect(parseGpt(pristine, 512).entries).toHaveLength(3);
    expect(parseGpt(edited(() => {}, { reseal: true }), 512).entries).toHaveLength(3);
  });

  it('rejects a corrupted header CRC', () => {
    expectGptError(() => parseGpt(edited((r) => r.writeUInt8(r.readUInt8(512 + 16) ^ 1, 512 + 16), { reseal: false }), 512), /header CRC32/);
  });

  it('rejects a corrupted entry array (CRC mismatch)', () => {
    expectGptError(() => parseGpt(edited((r) => r.writeUInt8(0x41, entryOffset(1) + 58), { reseal: false }), 512), /entry array CRC32/);
  });

  it('rejects a wrong header signature', () => {
    expectGptError(() => parseGpt(edited((r) => r.write('EFI PARX', 512, 'latin1'), { reseal: true }), 512), /signature is "EFI PARX"/);
  });

  it('rejects 256-byte entries (Trident accepts only 128)', () => {
    const region = edited((r) => {
      r.writeUInt32LE(64, 512 + 80);
      r.writeUInt32LE(256, 512 + 84);
    }, { reseal: true });
    expectGptError(() => parseGpt(region, 512), /entry size is 256/);
  });

  it('rejects overlapping entries', () => {
    const region = edited((r) => r.writeBigUInt64LE(BigInt(3 * MIB / 512), entryOffset(5) + 32), { reseal: true });
    expectGptError(() => parseGpt(region, 512), /entries 2 .* and 5 .* overlap/);
  });

  it('rejects an entry outside the usable LBA range', () => {
    const region = edited((r) => r.writeBigUInt64LE(BigInt(16 * MIB / 512), entryOffset(5) + 40), { reseal: true });
    expectGptError(() => parseGpt(region, 512), /entry 5 .* outside the usable range/);
  });

  it('rejects an entry whose first LBA is after its last', () => {
    const region = edited((r) => r.writeBigUInt64LE(BigInt(2047), entryOffset(1) + 40), { reseal: true });
    expectGptError(() => parseGpt(region, 512), /entry 1 starts at LBA 2048, after its end LBA 2047/);
  });

  it('rejects a header that is not at LBA 1', () => {
    expectGptError(() => parseGpt(edited((r) => r.writeBigUInt64LE(2n, 512 + 24), { reseal: true }), 512), /at LBA 2, expected 1/);
  });

  it('rejects header sizes below 92 or above the LBA size', () => {
    expectGptError(() => parseGpt(edited((r) => r.writeUInt32LE(91, 512 + 12), { reseal: true }), 512), /header size is 91/);
    expectGptError(() => parseGpt(edited((r) => r.writeUInt32LE(513, 512 + 12), { reseal: false }), 512), /header size is 513/);
  });

  it('rejects first usable LBA after last usable LBA', () => {
    expectGptError(() => parseGpt(edited((r) => r.writeBigUInt64LE(40_000n, 512 + 40), { reseal: true }), 512), /first usable LBA 40000 is after/);
  });

  it('rejects an entry array that does not fit in the region', () => {
    expectGptError(() => parseGpt(edited((r) => r.writeBigUInt64LE(3n, 512 + 72), { reseal: true }), 512), /extends past/);
    expectGptError(() => parseGpt(pristine.subarray(0, pristine.length - 512), 512), /extends past/);
  });

  it('rejects a region shorter than two LBAs', () => {
    expectGptError(() => parseGpt(pristine.subarray(0, 1000), 512), /shorter than LBA 0 and LBA 1/);
  });

  it('rejects a missing MBR signature or a missing 0xEE partition record', () => {
    expectGptError(() => parseGpt(edited((r) => r.writeUInt8(0, 510), { reseal: false }), 512), /MBR signature is 0x00AA/);
    expectGptError(() => parseGpt(edited((r) => r.writeUInt8(0x83, 446 + 4), { reseal: false }), 512), /no partition record of type 0xEE/);
  });

  it('warns (does not fail) on a hybrid MBR and a stale protective size', () => {
    const region = edited((r) => {
      r.writeUInt8(0x0c, 446 + 16 + 4);
      r.writeUInt32LE(1234, 446 + 12);
    }, { reseal: false });
    const gpt = parseGpt(region, 512);
    expect(gpt.mbrSizeInLba).toBe(1234);
    expect(gpt.warnings).toHaveLength(2);
    expect(gpt.warnings?.join('\n')).toMatch(/hybrid MBR/);
    expect(gpt.warnings?.join('\n')).toMatch(/covers 1234 LBAs/);
  });

  it('reads a 36-code-unit name that has no NUL terminator', () => {
    const name = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const region = edited((r) => r.write(name, entryOffset(5) + 56, 'utf16le'), { reseal: true });
    expect(parseGpt(region, 512).entries[2]?.name).toBe(name);
  });

  it('keeps holes: slots 1, 2, 5 stay 1, 2, 5 and an emptied slot disappears', () => {
    const region = edited((r) => r.fill(0, entryOffset(2), entryOffset(2) + 16), { reseal: true });
    expect(parseGpt(region, 512).entries.map((e) => e.slot)).toEqual([1, 5]);
  });
});
