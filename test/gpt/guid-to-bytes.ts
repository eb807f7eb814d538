import { CosiflashError } from '../../src/errors.ts';
import { isGuid } from '../../src/gpt/guid.ts';

/**
 * The inverse of guidFromBytes, for the tests only (the writer never encodes a GUID: it writes
 * the image's own table). Encodes a canonical GUID string (any case) as the 16 mixed-endian bytes GPT stores.
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
