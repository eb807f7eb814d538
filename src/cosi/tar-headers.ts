/**
 * Tar header decoding, delegated to tar-stream's own header codec (USTAR, GNU and PAX).
 *
 * Why not tar-stream's `extract()`: it is sequential and would download every entry body to
 * reach the next header, while a COSI is read by random access (a few KiB of headers out of
 * gigabytes). tar-stream 3.2.2 does not export `headers.js` from its package entry point, so
 * it is loaded with createRequire from the resolved package directory. The version is pinned
 * in package.json; the two error messages matched below are the ones that version throws.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** The fields of a decoded header block that the tar index uses. */
export interface RawTarHeader {
  readonly name: string;
  readonly size: number;
  /** tar-stream's type name: 'file', 'directory', 'pax-header', 'gnu-long-path', … or null when unknown. */
  readonly type: string | null;
}

interface TarStreamHeaders {
  decode(block: Uint8Array, filenameEncoding?: string, allowUnknownFormat?: boolean): RawTarHeader | null;
  decodeLongPath(block: Uint8Array, encoding?: string): string;
}

const require = createRequire(import.meta.url);
const headers = require(path.join(path.dirname(require.resolve('tar-stream')), 'headers.js')) as TarStreamHeaders;

/** Why a 512-byte block is not a tar header. */
export type TarHeaderProblem = 'checksum' | 'format';

export class TarHeaderError extends Error {
  readonly problem: TarHeaderProblem;
  constructor(problem: TarHeaderProblem, message: string) {
    super(message);
    this.name = 'TarHeaderError';
    this.problem = problem;
  }
}

/**
 * Decodes one 512-byte header block. Returns null for an all-zero block (end of archive).
 * Throws TarHeaderError when the checksum is wrong or the block is neither USTAR nor GNU.
 */
export function decodeTarHeader(block: Uint8Array): RawTarHeader | null {
  try {
    return headers.decode(block, 'utf-8', false);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TarHeaderError(message.includes('unknown format') ? 'format' : 'checksum', message);
  }
}

/**
 * Decodes the records of a PAX extended header body (`path`, `size`, …), strictly (POSIX.1-2001
 * pax, "extended header"): each record is `LENGTH SP KEY=VALUE LF` where LENGTH is the decimal
 * byte count of the whole record. tar-stream's decoder accepts negative or absurd lengths and
 * silently stops at garbage, so a damaged header could change meaning instead of failing.
 * Trailing NUL bytes (padding some writers add) are allowed. Returns null when malformed.
 */
export function decodePaxRecords(body: Uint8Array): Record<string, string> | null {
  const records: Record<string, string> = Object.create(null) as Record<string, string>;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  while (at < bytes.length && bytes[at] !== 0) {
    const space = bytes.indexOf(0x20, at);
    if (space === -1 || space - at > 10) return null;
    const lengthText = bytes.toString('latin1', at, space);
    if (!/^[1-9]\d*$/.test(lengthText)) return null;
    const length = Number(lengthText);
    const end = at + length;
    if (end > bytes.length || end <= space + 1 || bytes[end - 1] !== 0x0a) return null;
    const record = bytes.toString('utf-8', space + 1, end - 1);
    const equals = record.indexOf('=');
    if (equals <= 0) return null;
    records[record.slice(0, equals)] = record.slice(equals + 1);
    at = end;
  }
  for (; at < bytes.length; at += 1) if (bytes[at] !== 0) return null;
  return records;
}

/** Decodes a GNU long name body ('././@LongLink', type L), NUL-terminated. */
export function decodeGnuLongPath(body: Uint8Array): string {
  return headers.decodeLongPath(body, 'utf-8');
}
