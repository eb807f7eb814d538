import { CosiflashError } from '../errors.ts';
import { crc32 } from './crc32.ts';
import { patchGptHeader } from './gpt-header.ts';
import { parseGpt } from './parse-gpt.ts';
import { protectiveSizeInLba, readProtectiveMbr } from './protective-mbr.ts';

/** The partition table for one target disk, ready to be written last in a flash. */
export interface PartitionTable {
  /** Protective MBR + primary header + entry array; same length as the image's region, written at offset 0. */
  primary: Buffer;
  /** Backup entry array followed by the backup header; written at `backupOffsetBytes`. */
  backup: Buffer;
  /** Where `backup` goes: (last LBA − entry-array sectors) × lbaSize. */
  backupOffsetBytes: number;
}

/** Inputs of {@link buildPartitionTable}. */
export interface BuildPartitionTableOptions {
  /** The image's decoded primary-GPT region (LBA 0, LBA 1, entry array). */
  primaryRegion: Uint8Array;
  lbaSize: 512 | 4096;
  /** Real size of the target disk; a multiple of lbaSize. */
  targetSizeBytes: number;
}

/**
 * Builds the GPT for the real size of the target (docs/behavior.md §5.5):
 * LBA 0 verbatim except the protective 0xEE record's SizeInLBA fixed for the target (UEFI 2.10
 * §5.2.3); the primary header rebuilt with AlternateLBA = last LBA and LastUsableLBA = last
 * LBA − entry-array sectors − 1 (§5.3.2), everything else (disk GUID, first usable LBA, entry
 * array location) kept; the entry array verbatim, every entry at its original slot (Trident
 * compacts them); and the backup entry array + backup header at the end of the disk (§5.3.1).
 * When the target has exactly the size the image's header describes, `primary` equals the
 * image's region byte for byte. Throws E_GPT_INVALID for a bad image, E_INPUT for a size that
 * is not a positive integer, E_DISK_INELIGIBLE when the target does not fit the layout.
 */
export function buildPartitionTable(options: BuildPartitionTableOptions): PartitionTable {
  const { primaryRegion, lbaSize, targetSizeBytes } = options;
  const gpt = parseGpt(primaryRegion, lbaSize);
  if (!Number.isSafeInteger(targetSizeBytes) || targetSizeBytes <= 0) {
    throw new CosiflashError('E_INPUT', `target size ${String(targetSizeBytes)} is not a positive whole number of bytes`);
  }
  if (targetSizeBytes % lbaSize !== 0) {
    throw new CosiflashError('E_DISK_INELIGIBLE', `target size ${targetSizeBytes} bytes is not a multiple of the image's ${lbaSize}-byte LBA size`);
  }
  const { header } = gpt;
  const arrayBytes = header.entryCount * header.entrySize;
  const arraySectors = Math.ceil(arrayBytes / lbaSize);
  const lastLba = targetSizeBytes / lbaSize - 1;
  const lastUsableLba = lastLba - arraySectors - 1;
  const neededLastUsable = Math.max(header.firstUsableLba, ...gpt.entries.map((entry) => entry.lastLba));
  if (lastUsableLba < neededLastUsable) {
    const neededBytes = (neededLastUsable + arraySectors + 2) * lbaSize;
    throw new CosiflashError('E_DISK_INELIGIBLE',
      `target of ${targetSizeBytes} bytes is too small: the partitions and the backup GPT need at least ${neededBytes} bytes (${neededBytes / lbaSize} LBAs of ${lbaSize} bytes)`);
  }

  const backupEntriesLba = lastLba - arraySectors;
  if (backupEntriesLba * lbaSize < primaryRegion.byteLength) {
    throw new CosiflashError('E_DISK_INELIGIBLE',
      `target of ${targetSizeBytes} bytes is too small: the backup GPT would overlap the ${primaryRegion.byteLength}-byte primary GPT region`);
  }

  const primary = Buffer.from(primaryRegion);
  const mbr = readProtectiveMbr(primary.subarray(0, lbaSize));
  if (mbr.startingLba === 1) primary.writeUInt32LE(protectiveSizeInLba(lastLba), mbr.sizeFieldOffsetBytes);

  const arrayOffset = header.entriesLba * lbaSize;
  const entriesCrc32 = crc32(primary.subarray(arrayOffset, arrayOffset + arrayBytes));
  const headerSector = primary.subarray(lbaSize, 2 * lbaSize);
  const primaryHeader = patchGptHeader(headerSector, {
    currentLba: 1, backupLba: lastLba, lastUsableLba, entriesLba: header.entriesLba, entriesCrc32,
  });
  primaryHeader.copy(primary, lbaSize);

  const backup = Buffer.alloc((arraySectors + 1) * lbaSize);
  primary.copy(backup, 0, arrayOffset, arrayOffset + arraySectors * lbaSize);
  const backupHeader = patchGptHeader(headerSector, {
    currentLba: lastLba, backupLba: 1, lastUsableLba, entriesLba: backupEntriesLba, entriesCrc32,
  });
  backupHeader.copy(backup, arraySectors * lbaSize);
  return { primary, backup, backupOffsetBytes: backupEntriesLba * lbaSize };
}

/** The disk size the image's own GPT describes: (AlternateLBA + 1) × lbaSize. */
export function describedDiskSizeBytes(gpt: { header: { backupLba: number }; lbaSize: number }): number {
  return (gpt.header.backupLba + 1) * gpt.lbaSize;
}
