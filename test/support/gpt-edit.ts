/**
 * Test-only GPT byte editing (UEFI 2.10 §5.3): lets fixtures craft tables that sgdisk refuses
 * to write (overlapping partitions, entries outside the usable range) or corrupt a CRC on
 * purpose. Independent of src/gpt so tests do not check the code with itself.
 */
import { crc32 } from 'node:zlib';

interface HeaderFields {
  entriesLba: number;
  entryCount: number;
  entrySize: number;
}

function headerFields(primary: Buffer, lbaSize: number): HeaderFields {
  const header = primary.subarray(lbaSize, lbaSize * 2);
  return { entriesLba: Number(header.readBigUInt64LE(72)), entryCount: header.readUInt32LE(80), entrySize: header.readUInt32LE(84) };
}

/** Length in bytes of the primary GPT region (LBA 0 through the end of the entry array). */
export function primaryGptLengthBytes(headerLba: Buffer, lbaSize: number): number {
  const entriesLba = Number(headerLba.readBigUInt64LE(72));
  const entryArrayBytes = headerLba.readUInt32LE(80) * headerLba.readUInt32LE(84);
  return (entriesLba + Math.ceil(entryArrayBytes / lbaSize)) * lbaSize;
}

/** Recomputes the entry-array CRC and then the header CRC of a primary GPT region, in place. */
export function fixGptCrcs(primary: Buffer, lbaSize: number): void {
  const { entriesLba, entryCount, entrySize } = headerFields(primary, lbaSize);
  const entries = primary.subarray(entriesLba * lbaSize, entriesLba * lbaSize + entryCount * entrySize);
  const header = primary.subarray(lbaSize, lbaSize * 2);
  header.writeUInt32LE(crc32(entries), 88);
  const headerSize = header.readUInt32LE(12);
  header.writeUInt32LE(0, 16);
  header.writeUInt32LE(crc32(header.subarray(0, headerSize)), 16);
}

/** Changes the first/last LBA of the entry at `slot` (1-based) and fixes the CRCs. */
export function editGptEntry(primary: Buffer, lbaSize: number, slot: number, change: { firstLba?: number; lastLba?: number }): void {
  const { entriesLba, entrySize } = headerFields(primary, lbaSize);
  const entry = primary.subarray(entriesLba * lbaSize + (slot - 1) * entrySize);
  if (change.firstLba !== undefined) entry.writeBigUInt64LE(BigInt(change.firstLba), 32);
  if (change.lastLba !== undefined) entry.writeBigUInt64LE(BigInt(change.lastLba), 40);
  fixGptCrcs(primary, lbaSize);
}

/** Flips one bit of the header CRC field, so the header no longer checks. */
export function corruptGptHeaderCrc(primary: Buffer, lbaSize: number): void {
  primary.writeUInt8(primary.readUInt8(lbaSize + 16) ^ 0x01, lbaSize + 16);
}

/** Sets the UTF-16LE name (36 code units at most) of the entry at `slot` (1-based) and fixes the CRCs. */
export function renameGptEntry(primary: Buffer, lbaSize: number, slot: number, name: string): void {
  const { entriesLba, entrySize } = headerFields(primary, lbaSize);
  const entry = primary.subarray(entriesLba * lbaSize + (slot - 1) * entrySize);
  entry.fill(0, 56, 128);
  entry.write(name.slice(0, 36), 56, 'utf16le');
  fixGptCrcs(primary, lbaSize);
}
