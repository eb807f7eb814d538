/**
 * The index of a COSI's tar archive, read by random access: headers only, entry bodies are
 * skipped, so inspecting a multi-GiB COSI downloads a few KiB.
 *
 * Accepts what Trident accepts (docs/behavior.md §1): USTAR and GNU headers, GNU
 * long names, PAX extended headers (`path`, `size` override; global headers merged), verified
 * header checksums, the first all-zero block ends the archive (trailing data is ignored), and
 * duplicate paths are an error. `./` prefixes are removed.
 */
import { CosiflashError } from '../errors.ts';
import { htmlPageError, looksLikeHtml } from '../source/html-page.ts';
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

/** Walks a tar archive one entry at a time; `readData` reuses the walker's read-ahead. */
export interface TarWalker {
  /** The next entry, or null at the end of the archive. */
  next(): Promise<TarEntry | null>;
  /** Reads a (small) entry's data. */
  readData(entry: TarEntry): Promise<Buffer>;
  /** Entries returned so far, in archive order. */
  readonly entries: readonly TarEntry[];
}

/** Tar paths as COSI compares them: `./images/x` and `images/x` are the same entry; directories lose their trailing `/`. */
export function normaliseTarPath(name: string): string {
  let result = name;
  while (result.startsWith('./')) result = result.slice(2);
  while (result.endsWith('/') && result.length > 1) result = result.slice(0, -1);
  return result;
}

/**
 * Largest body of a tar metadata member (PAX, global PAX, GNU long name or long link). Real
 * ones are a few hundred bytes; GNU tar and libarchive cap theirs far lower than this. Without
 * a cap a header claiming a 1 GiB body made inspect allocate gigabytes.
 */
export const MAX_TAR_METADATA_BODY_BYTES = 1024 * 1024;
/** Total bytes of global PAX records kept for the rest of the archive. */
const MAX_GLOBAL_PAX_BYTES = 1024 * 1024;
/** A COSI has a handful of entries; an archive of millions of empty headers is not one. */
export const MAX_TAR_ENTRIES = 65_536;

const METADATA_TYPES = new Set(['pax-header', 'pax-global-header', 'gnu-long-path', 'gnu-long-link-path']);

/** Opens a header walker over `source` (64 KiB read-ahead per request). */
export function openTarWalker(source: ImageSource, options: { signal?: AbortSignal } = {}): TarWalker {
  const reader = createBufferedReader(source, { signal: options.signal });
  const entries: TarEntry[] = [];
  const seen = new Set<string>();
  let offset = 0;
  let ended = false;
  let globalPax: Record<string, string> = {};
  let globalPaxBytes = 0;

  async function readBody(dataOffset: number, sizeBytes: number, what: string): Promise<Buffer> {
    if (dataOffset + sizeBytes > source.sizeBytes) {
      throw new CosiflashError('E_TAR_INVALID', `archive is truncated: ${what} at offset ${dataOffset} needs ${sizeBytes} bytes but the file ends at ${source.sizeBytes}`);
    }
    return Buffer.from(await reader.read(dataOffset, sizeBytes));
  }

  async function readHeader(at: number): Promise<RawTarHeader | null> {
    if (at + BLOCK > source.sizeBytes) {
      if (at === 0) throw new CosiflashError('E_NOT_COSI', `not a tar archive: the file has only ${source.sizeBytes} bytes`);
      throw new CosiflashError('E_TAR_INVALID', `archive is truncated: header at offset ${at} is past the end of the file (${source.sizeBytes} bytes)`);
    }
    const block = await reader.read(at, BLOCK);
    try {
      return decodeTarHeader(block);
    } catch (error) {
      if (!(error instanceof TarHeaderError)) throw error;
      if (at === 0) {
        if (looksLikeHtml(block)) throw htmlPageError(source.location, { kind: source.kind, why: 'it starts with "<"' });
        throw new CosiflashError('E_NOT_COSI', 'not a tar archive: the first 512 bytes are not a tar header', { cause: error });
      }
      const rule = error.problem === 'checksum' ? 'invalid tar header checksum' : 'invalid tar header format';
      throw new CosiflashError('E_TAR_INVALID', `${rule} at offset ${at}`, { cause: error });
    }
  }

  /** The size field of a header, checked: a whole number of bytes that fits in the file after the header. */
  function checkedSize(header: RawTarHeader, at: number): number {
    const member = describeMember(header, at);
    const { size } = header;
    if (typeof size !== 'number' || Number.isNaN(size)) throw new CosiflashError('E_TAR_INVALID', `${member} has a size field that is not a number`);
    if (size < 0) throw new CosiflashError('E_TAR_INVALID', `${member} has a negative size (${size})`);
    if (!Number.isSafeInteger(size)) throw new CosiflashError('E_TAR_INVALID', `${member} has an out-of-range size (${size})`);
    if (at + BLOCK + size > source.sizeBytes) {
      throw new CosiflashError('E_TAR_INVALID', `archive is truncated or damaged: ${member} claims ${size} bytes of data but the file ends ${source.sizeBytes - at - BLOCK} bytes after its header`);
    }
    return size;
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
      if (header.type !== null && METADATA_TYPES.has(header.type)) {
        const headerSize = checkedSize(header, offset);
        const member = describeMember(header, offset);
        if (headerSize > MAX_TAR_METADATA_BODY_BYTES) {
          throw new CosiflashError('E_TAR_INVALID', `${member} has a ${headerSize}-byte body, more than the ${MAX_TAR_METADATA_BODY_BYTES}-byte limit for tar metadata`);
        }
        const body = await readBody(dataOffset, headerSize, member);
        if (header.type === 'pax-header' || header.type === 'pax-global-header') {
          const records = decodePaxRecords(body);
          if (records === null) throw new CosiflashError('E_TAR_INVALID', `${member} has malformed PAX records`);
          if (header.type === 'pax-header') pax = { ...pax, ...records };
          else {
            globalPaxBytes += headerSize;
            if (globalPaxBytes > MAX_GLOBAL_PAX_BYTES) throw new CosiflashError('E_TAR_INVALID', `${member}: the global PAX headers exceed ${MAX_GLOBAL_PAX_BYTES} bytes in total`);
            globalPax = { ...globalPax, ...records };
          }
        } else if (header.type === 'gnu-long-path') longPath = decodeGnuLongPath(body);
        offset = advance(offset, dataOffset + paddedSize(headerSize), member);
        continue;
      }
      const records = { ...globalPax, ...pax };
      // A PAX `size` replaces the header's field (which then may hold anything, e.g. for files over 8 GiB).
      const sizeBytes = records.size === undefined ? checkedSize(header, offset) : parsePaxSize(records.size, offset);
      const name = records.path ?? longPath ?? header.name;
      const entry: TarEntry = { path: normaliseTarPath(name), offsetBytes: dataOffset, sizeBytes, headerOffsetBytes, type: header.type ?? 'unknown' };
      if (dataOffset + sizeBytes > source.sizeBytes) {
        throw new CosiflashError('E_TAR_INVALID', `archive is truncated: entry "${entry.path}" at offset ${dataOffset} needs ${sizeBytes} bytes but the file ends at ${source.sizeBytes}`);
      }
      if (seen.has(entry.path)) throw new CosiflashError('E_TAR_INVALID', `duplicate entry "${entry.path}" at offset ${headerOffsetBytes}`);
      if (entries.length >= MAX_TAR_ENTRIES) throw new CosiflashError('E_TAR_INVALID', `the archive has more than ${MAX_TAR_ENTRIES} entries (entry "${entry.path}" at offset ${headerOffsetBytes}); a COSI has a handful`);
      seen.add(entry.path);
      entries.push(entry);
      offset = advance(offset, dataOffset + paddedSize(sizeBytes), `entry "${entry.path}" at offset ${headerOffsetBytes}`);
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
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new CosiflashError('E_TAR_INVALID', `invalid PAX size "${text.slice(0, 40)}" in the header at offset ${offset}`);
  return value;
}

function paddedSize(sizeBytes: number): number {
  return Math.ceil(sizeBytes / BLOCK) * BLOCK;
}

/** Every header must move the walk forward (a size of -512 once made it re-read the same header forever). */
function advance(from: number, to: number, member: string): number {
  if (!(to > from) || !Number.isSafeInteger(to)) throw new CosiflashError('E_TAR_INVALID', `${member} does not move the archive position forward`);
  return to;
}

/** Names a header for error messages: its type, its (raw, possibly placeholder) name and offset. */
function describeMember(header: RawTarHeader, at: number): string {
  const kind = header.type === null ? 'member' : header.type === 'file' ? 'entry' : `${header.type} member`;
  return `${kind} "${header.name.slice(0, 200)}" at offset ${at}`;
}
