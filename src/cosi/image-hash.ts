import { createHash } from 'node:crypto';
import { CosiflashError } from '../errors.ts';

/**
 * The COSI image hash: SHA-384 over exactly the bytes of the `metadata.json` tar entry (no
 * header, no padding), written `sha384:<96 lowercase hex>` (as Trident's image hash; shared
 * docs/behavior.md §2). metadata.json pins every region's SHA-384, so this one
 * hash identifies the whole image before any region is downloaded.
 */

const HEX_96 = /^[0-9a-f]{96}$/i;

/**
 * Parses the hash a user expects: `sha384:<96 hex>` (prefix and hex in any case) or, as a
 * convenience Trident does not offer, the 96 hex digits alone. Surrounding whitespace is
 * ignored. `ignored` or an empty string means "no check" and returns ''. Anything else is
 * E_HASH_FORMAT, raised before any download starts.
 */
export function parseExpectedHash(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'ignored') return '';
  const hex = /^sha384:/i.test(trimmed) ? trimmed.slice('sha384:'.length) : trimmed;
  if (!HEX_96.test(hex)) {
    const shown = trimmed.length > 40 ? `${trimmed.slice(0, 37)}...` : trimmed;
    throw new CosiflashError('E_HASH_FORMAT',
      `"${shown}" is not an image hash; expected sha384:<96 hexadecimal digits> (or the 96 digits alone), or "ignored" to skip the check`);
  }
  return hex.toLowerCase();
}

/** SHA-384 of the metadata.json bytes, lowercase hex. */
export function computeImageHash(metadataBytes: Uint8Array): string {
  return createHash('sha384').update(metadataBytes).digest('hex');
}

/** `sha384:<hex>`, the form users copy and paste. */
export function formatImageHash(hex: string): string {
  return `sha384:${hex.toLowerCase()}`;
}

/**
 * Fails with E_HASH_MISMATCH, naming both hashes, unless `actualHex` equals `expectedHex`
 * (case-insensitive). An empty `expectedHex` (from `ignored` or no hash) skips the check.
 */
export function assertImageHash(actualHex: string, expectedHex: string): void {
  if (expectedHex === '') return;
  if (actualHex.toLowerCase() !== expectedHex.toLowerCase()) {
    throw new CosiflashError('E_HASH_MISMATCH',
      `the image hash is ${formatImageHash(actualHex)} but ${formatImageHash(expectedHex)} was expected`);
  }
}
