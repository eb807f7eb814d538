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

/**
 * Encodes a canonical GUID string (any case) as the 16 mixed-endian bytes GPT stores.
 * Throws E_INPUT for anything that is not an 8-4-4-4-12 hex GUID.
 */
export function guidToBytes(guid: string): Uint8Array {
  if (!isGuid(guid)) throw new CosiflashError('E_INPUT', `"${guid}" is not a GUID (expected 8-4-4-4-12 hex digits)`);
  const hex = guid.replaceAll('-', '');
  const inOrder = Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
  const bytes = new Uint8Array(16);
  bytes.set(inOrder.subarray(0, 4).reverse(), 0);
  bytes.set(inOrder.subarray(4, 6).reverse(), 4);
  bytes.set(inOrder.subarray(6, 8).reverse(), 6);
  bytes.set(inOrder.subarray(8, 16), 8);
  return bytes;
}

/** Lowercase canonical form of a GUID string; E_INPUT when it is not one. */
export function normalizeGuid(guid: string): string {
  if (!isGuid(guid)) throw new CosiflashError('E_INPUT', `"${guid}" is not a GUID (expected 8-4-4-4-12 hex digits)`);
  return guid.toLowerCase();
}
