import { CosiflashError } from '../errors.ts';
import { guidFromBytes, ZERO_GUID } from './guid.ts';
import type { GptEntry } from './parsed-gpt.ts';

/** Entry size Cosiflash accepts: the UEFI minimum and the only size Trident accepts (§5.3.2). */
export const GPT_ENTRY_SIZE = 128;
/** PartitionName is 72 bytes: 36 UTF-16LE code units (UEFI 2.10 §5.3.3, table 5.6). */
const NAME_OFFSET = 56;
const NAME_CODE_UNITS = 36;

/**
 * Decodes one 128-byte partition entry (UEFI 2.10 §5.3.3, table 5.6), or null when the
 * slot is unused (partition type GUID all zero). `slot` is 1-based.
 */
export function decodeGptEntry(bytes: Uint8Array, slot: number): GptEntry | null {
  const typeGuid = guidFromBytes(bytes, 0);
  if (typeGuid === ZERO_GUID) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lba = (offset: number, field: string): number => {
    const value = view.getBigUint64(offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CosiflashError('E_GPT_INVALID', `GPT entry ${slot}: ${field} ${value} is beyond the supported range`);
    }
    return Number(value);
  };
  return {
    slot,
    typeGuid,
    partGuid: guidFromBytes(bytes, 16),
    firstLba: lba(32, 'StartingLBA'),
    lastLba: lba(40, 'EndingLBA'),
    attributes: view.getBigUint64(48, true),
    name: decodeName(bytes.subarray(NAME_OFFSET, NAME_OFFSET + NAME_CODE_UNITS * 2)),
  };
}

/** UTF-16LE up to the first NUL code unit (the name need not be NUL-terminated when 36 units long). */
function decodeName(bytes: Uint8Array): string {
  let units = 0;
  while (units < NAME_CODE_UNITS && (bytes[units * 2] !== 0 || bytes[units * 2 + 1] !== 0)) units += 1;
  return Buffer.from(bytes.buffer, bytes.byteOffset, units * 2).toString('utf16le');
}
