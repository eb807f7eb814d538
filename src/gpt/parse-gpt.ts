import { CosiflashError } from '../errors.ts';
import { crc32 } from './crc32.ts';
import { decodeGptEntry, GPT_ENTRY_SIZE } from './gpt-entry.ts';
import { decodeGptHeader, gptHeaderCrc32, GPT_SIGNATURE, MIN_GPT_HEADER_SIZE } from './gpt-header.ts';
import type { GptEntry, GptHeader, ParsedGpt } from './parsed-gpt.ts';
import { protectiveSizeInLba, readProtectiveMbr } from './protective-mbr.ts';

export type { GptEntry, GptHeader, ParsedGpt } from './parsed-gpt.ts';

/** GPT revision 1.0, the only one UEFI defines (§5.3.2). */
const GPT_REVISION_1_0 = 0x0001_0000;

/**
 * Parses and validates the primary GPT of an image: LBA 0 (protective MBR, UEFI 2.10 §5.2.3),
 * LBA 1 (GPT header, §5.3.2) and the partition entry array (§5.3.3), as found in a COSI's
 * decoded primary-GPT region. Every rule a flash relies on is checked here, each failure
 * an E_GPT_INVALID with the specific reason: signatures, header size and CRC32, MyLBA 1,
 * 128-byte entries (Trident's rule, docs/behavior.md §3), entry-array CRC32 and
 * placement, usable range, and used entries inside it without overlaps.
 * Returns the used entries only, each at its original 1-based slot.
 */
export function parseGpt(primaryRegion: Uint8Array, lbaSize: 512 | 4096): ParsedGpt {
  if (lbaSize !== 512 && lbaSize !== 4096) throw new CosiflashError('E_INPUT', `LBA size ${String(lbaSize)} is not 512 or 4096`);
  if (primaryRegion.byteLength < 2 * lbaSize) {
    throw new CosiflashError('E_GPT_INVALID', `primary GPT region is ${primaryRegion.byteLength} bytes, shorter than LBA 0 and LBA 1 (${2 * lbaSize} bytes)`);
  }
  const mbr = readProtectiveMbr(primaryRegion.subarray(0, lbaSize));
  const warnings = [...mbr.warnings];
  const headerSector = primaryRegion.subarray(lbaSize, 2 * lbaSize);
  const header = validateHeader(headerSector, lbaSize, warnings);
  const entryArray = locateEntryArray(primaryRegion, header, lbaSize);
  const entries = decodeEntries(entryArray, header);
  if (mbr.startingLba === 1 && mbr.sizeInLba !== protectiveSizeInLba(header.backupLba)) {
    warnings.push(`the protective MBR covers ${mbr.sizeInLba} LBAs but the GPT describes a disk whose last LBA is ${header.backupLba}`);
  }
  return { lbaSize, header, entries, mbrSizeInLba: mbr.sizeInLba, warnings };
}

function validateHeader(sector: Uint8Array, lbaSize: number, warnings: string[]): GptHeader {
  const signature = Buffer.from(sector.subarray(0, 8)).toString('latin1');
  if (signature !== GPT_SIGNATURE) throw invalid(`GPT header signature is ${JSON.stringify(signature)}, expected "EFI PART"`);
  const header = decodeGptHeader(sector);
  if (header.headerSize < MIN_GPT_HEADER_SIZE || header.headerSize > lbaSize) {
    throw invalid(`GPT header size is ${header.headerSize}, must be between ${MIN_GPT_HEADER_SIZE} and the LBA size ${lbaSize}`);
  }
  const expectedCrc = gptHeaderCrc32(sector, header.headerSize);
  if (expectedCrc !== header.headerCrc32) {
    throw invalid(`GPT header CRC32 is ${hex32(header.headerCrc32)}, computed ${hex32(expectedCrc)}`);
  }
  if (header.revision !== GPT_REVISION_1_0) warnings.push(`GPT header revision is ${hex32(header.revision)}, expected 0x00010000`);
  if (header.currentLba !== 1) throw invalid(`primary GPT header says it is at LBA ${header.currentLba}, expected 1`);
  if (header.entrySize !== GPT_ENTRY_SIZE) throw invalid(`GPT entry size is ${header.entrySize} bytes, only ${GPT_ENTRY_SIZE} is supported`);
  if (header.entryCount === 0) throw invalid('GPT header declares 0 partition entries');
  if (header.firstUsableLba > header.lastUsableLba) {
    throw invalid(`GPT first usable LBA ${header.firstUsableLba} is after last usable LBA ${header.lastUsableLba}`);
  }
  if (header.backupLba <= header.lastUsableLba) {
    throw invalid(`GPT backup header LBA ${header.backupLba} is not after the last usable LBA ${header.lastUsableLba}`);
  }
  return header;
}

function locateEntryArray(region: Uint8Array, header: GptHeader, lbaSize: number): Uint8Array {
  const arrayBytes = header.entryCount * header.entrySize;
  const arraySectors = Math.ceil(arrayBytes / lbaSize);
  if (header.entriesLba < 2) throw invalid(`GPT entry array LBA is ${header.entriesLba}, it must come after the header (LBA ≥ 2)`);
  const startBytes = header.entriesLba * lbaSize;
  if (startBytes + arrayBytes > region.byteLength) {
    throw invalid(`GPT entry array (LBA ${header.entriesLba}, ${arrayBytes} bytes) extends past the ${region.byteLength}-byte primary GPT region`);
  }
  if (header.entriesLba + arraySectors > header.firstUsableLba) {
    throw invalid(`GPT entry array (LBAs ${header.entriesLba}–${header.entriesLba + arraySectors - 1}) overlaps the first usable LBA ${header.firstUsableLba}`);
  }
  const array = region.subarray(startBytes, startBytes + arrayBytes);
  const computed = crc32(array);
  if (computed !== header.entriesCrc32) {
    throw invalid(`GPT entry array CRC32 is ${hex32(header.entriesCrc32)}, computed ${hex32(computed)}`);
  }
  return array;
}

function decodeEntries(array: Uint8Array, header: GptHeader): GptEntry[] {
  const entries: GptEntry[] = [];
  for (let index = 0; index < header.entryCount; index += 1) {
    const entry = decodeGptEntry(array.subarray(index * header.entrySize, (index + 1) * header.entrySize), index + 1);
    if (entry === null) continue;
    if (entry.firstLba > entry.lastLba) throw invalid(`GPT entry ${entry.slot} starts at LBA ${entry.firstLba}, after its end LBA ${entry.lastLba}`);
    if (entry.firstLba < header.firstUsableLba || entry.lastLba > header.lastUsableLba) {
      throw invalid(`GPT entry ${entry.slot} (LBAs ${entry.firstLba}–${entry.lastLba}) is outside the usable range ${header.firstUsableLba}–${header.lastUsableLba}`);
    }
    entries.push(entry);
  }
  const byStart = [...entries].sort((a, b) => a.firstLba - b.firstLba);
  for (let i = 1; i < byStart.length; i += 1) {
    const previous = byStart[i - 1];
    const current = byStart[i];
    if (previous !== undefined && current !== undefined && current.firstLba <= previous.lastLba) {
      throw invalid(`GPT entries ${previous.slot} (LBAs ${previous.firstLba}–${previous.lastLba}) and ${current.slot} (LBAs ${current.firstLba}–${current.lastLba}) overlap`);
    }
  }
  return entries;
}

function invalid(detail: string): CosiflashError {
  return new CosiflashError('E_GPT_INVALID', detail);
}

function hex32(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
}
