import { CosiflashError } from '../errors.ts';

/** The all-zero GUID: an unused GPT entry has this partition type (UEFI 2.10 §5.3.3). */
export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `text` is a GUID in its canonical 8-4-4-4-12 hex form (any case). */
export function isGuid(text: string): boolean {
  return GUID_PATTERN.test(text);
}

/**
 * Reads the 16-byte on-disk GUID at `offsetBytes` as a lowercase canonical string.
 * GPT stores GUIDs mixed-endian (UEFI 2.10 Appendix A, EFI_GUID): the first three fields
 * (4, 2, 2 bytes) little-endian, the last 8 bytes in order.
 */
export function guidFromBytes(bytes: Uint8Array, offsetBytes = 0): string {
  if (offsetBytes < 0 || offsetBytes + 16 > bytes.byteLength) {
    throw new CosiflashError('E_INTERNAL', `GUID at byte ${offsetBytes} is outside a ${bytes.byteLength}-byte buffer`);
  }
  const hex = (from: number, to: number, reverse: boolean): string => {
    const part = Array.from(bytes.subarray(offsetBytes + from, offsetBytes + to), (b) => b.toString(16).padStart(2, '0'));
    return (reverse ? part.reverse() : part).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}
