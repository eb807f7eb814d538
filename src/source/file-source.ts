import { constants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { CosiflashError } from '../errors.ts';
import { formatBytes } from '../common/format-units.ts';
import { combineSignals, throwIfCancelled } from './cancellation.ts';
import type { ImageSource, ReadOptions } from './image-source.ts';

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Opens a local image file for random access. Missing file → E_FILE_NOT_FOUND; anything but a
 * regular file (or a symlink to one) → E_FILE_TYPE, decided by stat() *before* opening: opening
 * a FIFO for reading blocks until a writer appears, which hung inspect forever. The open itself
 * is non-blocking and the opened file is checked to be the one stat() saw, so a path swapped for
 * a FIFO in between cannot hang it either. Unreadable → E_FILE_READ. The handle stays open
 * until close().
 */
export async function openFileSource(absolutePath: string, options: { location: string; signal?: AbortSignal }): Promise<ImageSource> {
  let seen: Stats;
  try {
    seen = await stat(absolutePath);
  } catch (error) {
    throw fileOpenError(absolutePath, error);
  }
  assertRegularFile(absolutePath, seen);
  let handle: FileHandle;
  try {
    handle = await open(absolutePath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    throw fileOpenError(absolutePath, error);
  }
  try {
    const info = await handle.stat();
    assertRegularFile(absolutePath, info);
    if (info.dev !== seen.dev || info.ino !== seen.ino) {
      throw new CosiflashError('E_FILE_TYPE', `${absolutePath} was replaced while it was being opened.`, { hint: 'Make sure nothing else is changing the file, then try again.' });
    }
    return new FileSource(handle, { location: options.location, localPath: await realpath(absolutePath), sizeBytes: info.size, signal: options.signal });
  } catch (error) {
    await handle.close();
    throw error instanceof CosiflashError ? error : fileOpenError(absolutePath, error);
  }
}

/** Refuses directories, FIFOs, sockets and devices with a message naming what the path is. */
function assertRegularFile(filePath: string, info: Stats): void {
  if (info.isFile()) return;
  if (info.isDirectory()) throw new CosiflashError('E_FILE_TYPE', `${filePath} is a directory, not an image file.`, { hint: 'Give the path of the .cosi file itself.' });
  const kind = info.isFIFO() ? 'a named pipe (FIFO)' : info.isSocket() ? 'a socket' : info.isBlockDevice() ? 'a block device' : info.isCharacterDevice() ? 'a character device' : 'not a regular file';
  throw new CosiflashError('E_FILE_TYPE', `${filePath} is ${kind}, not an image file.`, {
    hint: info.isBlockDevice() ? 'Cosiflash reads COSI files; to copy a disk use a disk imaging tool. Give the path of a .cosi file.' : 'Give the path of a .cosi file (a regular file, or a symlink to one).',
  });
}

function fileOpenError(filePath: string, error: unknown): CosiflashError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new CosiflashError('E_FILE_NOT_FOUND', `There is no file at ${filePath}.`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new CosiflashError('E_FILE_READ', `No permission to read ${filePath}.`, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new CosiflashError('E_FILE_READ', `Cannot open ${filePath}: ${message}`, { cause: error });
}

/** A local file read with positioned reads on one FileHandle (no shared file position). */
class FileSource implements ImageSource {
  readonly kind = 'file';
  readonly location: string;
  readonly localPath: string;
  readonly sizeBytes: number;
  #transferredBytes = 0;
  readonly #handle: FileHandle;
  readonly #signal: AbortSignal | undefined;

  constructor(handle: FileHandle, init: { location: string; localPath: string; sizeBytes: number; signal: AbortSignal | undefined }) {
    this.#handle = handle;
    this.location = init.location;
    this.localPath = init.localPath;
    this.sizeBytes = init.sizeBytes;
    this.#signal = init.signal;
  }

  get transferredBytes(): number {
    return this.#transferredBytes;
  }

  async read(offsetBytes: number, lengthBytes: number, options: ReadOptions = {}): Promise<Buffer> {
    const signal = combineSignals(this.#signal, options.signal);
    throwIfCancelled(signal, this.location);
    this.#checkRange(offsetBytes, lengthBytes);
    const buffer = Buffer.allocUnsafe(lengthBytes);
    await this.#fill(buffer, offsetBytes);
    return buffer;
  }

  async *stream(offsetBytes: number, lengthBytes: number, options: ReadOptions = {}): AsyncIterable<Buffer> {
    const signal = combineSignals(this.#signal, options.signal);
    this.#checkRange(offsetBytes, lengthBytes);
    let position = offsetBytes;
    const end = offsetBytes + lengthBytes;
    while (position < end) {
      throwIfCancelled(signal, this.location);
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, end - position));
      await this.#fill(chunk, position);
      position += chunk.length;
      yield chunk;
    }
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }

  #checkRange(offsetBytes: number, lengthBytes: number): void {
    if (!Number.isSafeInteger(offsetBytes) || !Number.isSafeInteger(lengthBytes) || offsetBytes < 0 || lengthBytes < 0) {
      throw new CosiflashError('E_INTERNAL', `Invalid byte range: offset ${offsetBytes}, length ${lengthBytes}.`);
    }
    if (offsetBytes + lengthBytes > this.sizeBytes) throw this.#shortError(offsetBytes + lengthBytes);
  }

  /** Fills `buffer` from `position`, looping over short reads; EOF before the end is an error. */
  async #fill(buffer: Buffer, position: number): Promise<void> {
    let filled = 0;
    while (filled < buffer.length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.#handle.read(buffer, filled, buffer.length - filled, position + filled));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CosiflashError('E_FILE_READ', `Reading ${this.localPath} at byte ${position + filled} failed: ${message}`, { cause: error });
      }
      if (bytesRead === 0) throw this.#shortError(position + buffer.length);
      filled += bytesRead;
      this.#transferredBytes += bytesRead;
    }
  }

  #shortError(neededBytes: number): CosiflashError {
    return new CosiflashError(
      'E_FILE_READ',
      `${this.localPath} is shorter than needed: it has ${this.sizeBytes} bytes (${formatBytes(this.sizeBytes)}) but byte ${neededBytes} was requested. The file is truncated or changed while being read.`,
      { hint: 'Download the image again and check that the copy is complete.' },
    );
  }
}
