import { CosiflashError } from '../errors.ts';
import { crc32 } from './crc32.ts';
import { guidFromBytes } from './guid.ts';
import type { GptHeader } from './parsed-gpt.ts';

/** "EFI PART", the GPT header signature (UEFI 2.10 §5.3.2, table 5.5). */
export const GPT_SIGNATURE = 'EFI PART';
/** Smallest HeaderSize the spec allows: the defined fields end at byte 92 (§5.3.2). */
export const MIN_GPT_HEADER_SIZE = 92;

/** Byte offsets of the header fields (UEFI 2.10 §5.3.2, table 5.5). */
export const HEADER_OFFSETS = {
  signature: 0,
  revision: 8,
  headerSize: 12,
  headerCrc32: 16,
  currentLba: 24,
  backupLba: 32,
  firstUsableLba: 40,
  lastUsableLba: 48,
  diskGuid: 56,
  entriesLba: 72,
  entryCount: 80,
  entrySize: 84,
  entriesCrc32: 88,
} as const;

/** The header fields {@link patchGptHeader} may change; everything else is kept byte for byte. */
export type GptHeaderPatch = Pick<GptHeader, 'currentLba' | 'backupLba' | 'lastUsableLba' | 'entriesLba' | 'entriesCrc32'>;

/**
 * Decodes the header fields of a GPT header sector without judging them (parseGpt does).
 * 64-bit LBAs above 2^53 − 1 cannot be represented exactly and are rejected (E_GPT_INVALID).
 */
export function decodeGptHeader(sector: Uint8Array): GptHeader {
  if (sector.byteLength < MIN_GPT_HEADER_SIZE) {
    throw new CosiflashError('E_GPT_INVALID', `GPT header sector is ${sector.byteLength} bytes, needs at least ${MIN_GPT_HEADER_SIZE}`);
  }
  const view = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  const u32 = (offset: number): number => view.getUint32(offset, true);
  return {
    revision: u32(HEADER_OFFSETS.revision),
    headerSize: u32(HEADER_OFFSETS.headerSize),
    headerCrc32: u32(HEADER_OFFSETS.headerCrc32),
    currentLba: readLba(view, HEADER_OFFSETS.currentLba, 'MyLBA'),
    backupLba: readLba(view, HEADER_OFFSETS.backupLba, 'AlternateLBA'),
    firstUsableLba: readLba(view, HEADER_OFFSETS.firstUsableLba, 'FirstUsableLBA'),
    lastUsableLba: readLba(view, HEADER_OFFSETS.lastUsableLba, 'LastUsableLBA'),
    diskGuid: guidFromBytes(sector, HEADER_OFFSETS.diskGuid),
    entriesLba: readLba(view, HEADER_OFFSETS.entriesLba, 'PartitionEntryLBA'),
    entryCount: u32(HEADER_OFFSETS.entryCount),
    entrySize: u32(HEADER_OFFSETS.entrySize),
    entriesCrc32: u32(HEADER_OFFSETS.entriesCrc32),
  };
}

/**
 * CRC32 of the first `headerSize` bytes of a header sector with the HeaderCRC32 field taken
 * as zero — the value the field must hold (UEFI 2.10 §5.3.2).
 */
export function gptHeaderCrc32(sector: Uint8Array, headerSize: number): number {
  const copy = Uint8Array.from(sector.subarray(0, headerSize));
  copy.fill(0, HEADER_OFFSETS.headerCrc32, HEADER_OFFSETS.headerCrc32 + 4);
  return crc32(copy);
}

/**
 * Returns a copy of a header sector with the given fields replaced and HeaderCRC32
 * recomputed. Signature, revision, size, disk GUID, first usable LBA, entry count/size and
 * reserved bytes are kept verbatim, so an unchanged patch yields identical bytes.
 */
export function patchGptHeader(sector: Uint8Array, patch: GptHeaderPatch): Buffer {
  const out = Buffer.from(sector);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigUint64(HEADER_OFFSETS.currentLba, BigInt(patch.currentLba), true);
  view.setBigUint64(HEADER_OFFSETS.backupLba, BigInt(patch.backupLba), true);
  view.setBigUint64(HEADER_OFFSETS.lastUsableLba, BigInt(patch.lastUsableLba), true);
  view.setBigUint64(HEADER_OFFSETS.entriesLba, BigInt(patch.entriesLba), true);
  view.setUint32(HEADER_OFFSETS.entriesCrc32, patch.entriesCrc32, true);
  const headerSize = view.getUint32(HEADER_OFFSETS.headerSize, true);
  view.setUint32(HEADER_OFFSETS.headerCrc32, gptHeaderCrc32(out, headerSize), true);
  return out;
}

function readLba(view: DataView, offset: number, field: string): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CosiflashError('E_GPT_INVALID', `GPT header ${field} is ${value}, beyond the supported range`);
  }
  return Number(value);
}
