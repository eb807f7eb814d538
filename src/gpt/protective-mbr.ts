import { CosiflashError } from '../errors.ts';

/** Byte offset of the four 16-byte partition records in LBA 0 (UEFI 2.10 §5.2.1, table 5.1). */
const RECORDS_OFFSET = 446;
const RECORD_SIZE = 16;
/** OSType of the GPT protective partition (UEFI 2.10 §5.2.3, table 5.4). */
export const GPT_PROTECTIVE_OS_TYPE = 0xee;
/** Largest value the 32-bit SizeInLBA field can hold; larger disks store this (§5.2.3). */
export const MAX_MBR_SIZE_IN_LBA = 0xffff_ffff;

/** What LBA 0 says about the GPT behind it. */
export interface ProtectiveMbr {
  /** 0-based index (0…3) of the first 0xEE record. */
  recordIndex: number;
  /** Byte offset of that record's SizeInLBA field within LBA 0. */
  sizeFieldOffsetBytes: number;
  startingLba: number;
  sizeInLba: number;
  /** Non-fatal findings: hybrid MBR, 0xEE not starting at LBA 1. */
  warnings: string[];
}

/**
 * Reads the protective MBR in LBA 0 (UEFI 2.10 §5.2.3): the 0x55AA signature and a partition
 * record of type 0xEE must be there (E_GPT_INVALID otherwise). Other non-empty records
 * (a hybrid MBR) or a 0xEE record not starting at LBA 1 are reported as warnings.
 */
export function readProtectiveMbr(lba0: Uint8Array): ProtectiveMbr {
  if (lba0.byteLength < 512) throw new CosiflashError('E_GPT_INVALID', `LBA 0 is ${lba0.byteLength} bytes, a protective MBR needs 512`);
  const view = new DataView(lba0.buffer, lba0.byteOffset, 512);
  if (lba0[510] !== 0x55 || lba0[511] !== 0xaa) {
    throw new CosiflashError('E_GPT_INVALID', `protective MBR signature is 0x${hex2(lba0[510])}${hex2(lba0[511])}, expected 0x55AA`);
  }
  const types = [0, 1, 2, 3].map((i) => lba0[RECORDS_OFFSET + i * RECORD_SIZE + 4] ?? 0);
  const recordIndex = types.indexOf(GPT_PROTECTIVE_OS_TYPE);
  if (recordIndex < 0) {
    throw new CosiflashError('E_GPT_INVALID', 'protective MBR has no partition record of type 0xEE (GPT protective)');
  }
  const recordOffset = RECORDS_OFFSET + recordIndex * RECORD_SIZE;
  const startingLba = view.getUint32(recordOffset + 8, true);
  const sizeInLba = view.getUint32(recordOffset + 12, true);
  const warnings: string[] = [];
  if (types.some((type, i) => i !== recordIndex && type !== 0)) {
    warnings.push('the MBR is a hybrid MBR (it has partition records besides the 0xEE one); they are copied unchanged');
  }
  if (startingLba !== 1) warnings.push(`the protective MBR partition starts at LBA ${startingLba}, not 1`);
  return { recordIndex, sizeFieldOffsetBytes: recordOffset + 12, startingLba, sizeInLba, warnings };
}

/** The SizeInLBA a protective record starting at LBA 1 must hold for a disk whose last LBA is `lastLba` (§5.2.3). */
export function protectiveSizeInLba(lastLba: number): number {
  return Math.min(lastLba, MAX_MBR_SIZE_IN_LBA);
}

function hex2(byte: number | undefined): string {
  return (byte ?? 0).toString(16).toUpperCase().padStart(2, '0');
}
