/**
 * The index of a COSI's tar archive, read by random access: headers only, entry bodies are
 * skipped, so inspecting a multi-GiB COSI downloads a few KiB.
 *
 * Accepts what Trident accepts (docs/stream-disk-behavior.md §1): USTAR and GNU headers, GNU
 * long names, PAX extended headers (`path`, `size` override; global headers merged), verified
 * header checksums, the first all-zero block ends the archive (trailing data is ignored), and
 * duplicate paths are an error. `./` prefixes are removed.
 */
import { CosiflashError } from '../errors.ts';
import type { ImageSource } from '../source/image-source.ts';
import { createBufferedReader } from './buffered-reader.ts';
import { decodeGnuLongPath, decodePaxRecords, decodeTarHeader, TarHeaderError, type RawTarHeader } from './tar-headers.ts';

const BLOCK = 512;

export interface TarEntry {
  /** Normalised path (no `./` prefix, no trailing `/`). */
  readonly path: string;
  /** Byte offset of the entry's data. */
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  /** Byte offset of the entry's first header block (its PAX / long-name header when it has one). */
  readonly headerOffsetBytes: number;
  /** tar-stream's type name: 'file', 'directory', 'symlink', … */
  readonly type: string;
}

export interface TarIndexOptions {
  signal?: AbortSignal;
  /** Stop reading after the first entry for which this returns true. */
  stopAfter?: (entry: TarEntry) => boolean;
}

/** Walks a tar archive one entry at a time; `readData` reuses the walker's read-ahead. */
export interface TarWalker {
  /** The next entry, or null at the end of the archive. */
  next(): Promise<TarEntry | null>;
  /** Reads a (small) entry's data. */
  readData(entry: TarEntry): Promise<Buffer>;
  /** Entries returned so far, in archive order. */
  readonly entries: readonly TarEntry[];
}

/** Reads the whole index (or up to `stopAfter`). Throws E_NOT_COSI when the file is not a tar, E_TAR when it is damaged. */
export async function readTarIndex(source: ImageSource, options: TarIndexOptions = {}): Promise<TarEntry[]> {
  const walker = openTarWalker(source, { signal: options.signal });
  for (let entry = await walker.next(); entry !== null; entry = await walker.next()) {
    if (options.stopAfter?.(entry)) break;
  }
  return [...walker.entries];
}

/** Tar paths as COSI compares them: `./images/x` and `images/x` are the same entry; directories lose their trailing `/`. */
export function normaliseTarPath(name: string): string {
  let result = name;
  while (result.startsWith('./')) result = result.slice(2);
  while (result.endsWith('/') && result.length > 1) result = result.slice(0, -1);
  return result;
}

/** Opens a header walker over `source` (64 KiB read-ahead per request). */
export function openTarWalker(source: ImageSource, options: { signal?: AbortSignal } = {}): TarWalker {
  const reader = createBufferedReader(source, { signal: options.signal });
  const entries: TarEntry[] = [];
  const seen = new Set<string>();
  let offset = 0;
  let ended = false;
  let globalPax: Record<string, string> = {};

  async function readBody(dataOffset: number, sizeBytes: number, what: string): Promise<Buffer> {
    if (dataOffset + sizeBytes > source.sizeBytes) {
      throw new CosiflashError('E_TAR', `archive is truncated: ${what} at offset ${dataOffset} needs ${sizeBytes} bytes but the file ends at ${source.sizeBytes}`);
    }
    return Buffer.from(await reader.read(dataOffset, sizeBytes));
  }

  async function readHeader(at: number): Promise<RawTarHeader | null> {
    if (at + BLOCK > source.sizeBytes) {
      if (at === 0) throw new CosiflashError('E_NOT_COSI', `not a tar archive: the file has only ${source.sizeBytes} bytes`);
      throw new CosiflashError('E_TAR', `archive is truncated: header at offset ${at} is past the end of the file (${source.sizeBytes} bytes)`);
    }
    const block = await reader.read(at, BLOCK);
    try {
      return decodeTarHeader(block);
    } catch (error) {
      if (!(error instanceof TarHeaderError)) throw error;
      if (at === 0) throw new CosiflashError('E_NOT_COSI', 'not a tar archive: the first 512 bytes are not a tar header', { cause: error });
      const rule = error.problem === 'checksum' ? 'invalid tar header checksum' : 'invalid tar header format';
      throw new CosiflashError('E_TAR', `${rule} at offset ${at}`, { cause: error });
    }
  }

  async function next(): Promise<TarEntry | null> {
    if (ended) return null;
    options.signal?.throwIfAborted();
    const headerOffsetBytes = offset;
    let longPath: string | null = null;
    let pax: Record<string, string> = {};
    for (;;) {
      // A well-formed archive ends with zero blocks; accept one that simply stops at a header boundary.
      if (offset === source.sizeBytes && offset > 0 && longPath === null && Object.keys(pax).length === 0) {
        ended = true;
        return null;
      }
      const header = await readHeader(offset);
      if (header === null) {
        ended = true;
        return null;
      }
      const dataOffset = offset + BLOCK;
      const paddedBytes = Math.ceil(header.size / BLOCK) * BLOCK;
      if (header.type === 'pax-header' || header.type === 'pax-global-header' || header.type === 'gnu-long-path' || header.type === 'gnu-long-link-path') {
        const body = await readBody(dataOffset, header.size, `the ${header.type} of the entry at offset ${headerOffsetBytes}`);
        if (header.type === 'pax-header') pax = { ...pax, ...decodePaxRecords(body) };
        else if (header.type === 'pax-global-header') globalPax = { ...globalPax, ...decodePaxRecords(body) };
        else if (header.type === 'gnu-long-path') longPath = decodeGnuLongPath(body);
        offset = dataOffset + paddedBytes;
        continue;
      }
      const records = { ...globalPax, ...pax };
      const sizeBytes = records.size === undefined ? header.size : parsePaxSize(records.size, offset);
      const name = records.path ?? longPath ?? header.name;
      const entry: TarEntry = { path: normaliseTarPath(name), offsetBytes: dataOffset, sizeBytes, headerOffsetBytes, type: header.type ?? 'unknown' };
      if (dataOffset + sizeBytes > source.sizeBytes) {
        throw new CosiflashError('E_TAR', `archive is truncated: entry "${entry.path}" at offset ${dataOffset} needs ${sizeBytes} bytes but the file ends at ${source.sizeBytes}`);
      }
      if (seen.has(entry.path)) throw new CosiflashError('E_TAR', `duplicate entry "${entry.path}" at offset ${headerOffsetBytes}`);
      seen.add(entry.path);
      entries.push(entry);
      offset = dataOffset + Math.ceil(sizeBytes / BLOCK) * BLOCK;
      return entry;
    }
  }

  return {
    next,
    entries,
    readData: (entry) => readBody(entry.offsetBytes, entry.sizeBytes, `entry "${entry.path}"`),
  };
}

function parsePaxSize(text: string, offset: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new CosiflashError('E_TAR', `invalid PAX size "${text}" in the header at offset ${offset}`);
  return value;
}
