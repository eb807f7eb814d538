import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3 polynomial, reflected, init and final XOR 0xFFFFFFFF) as an unsigned
 * 32-bit number — the checksum GPT headers and entry arrays carry (UEFI 2.10 §5.3.2).
 * Node's built-in `zlib.crc32` (Node ≥22.2) computes exactly this.
 */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data) >>> 0;
}
