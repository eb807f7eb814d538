import type { ImageSource } from '../../src/source/image-source.ts';
import { openTarWalker, type TarEntry } from '../../src/cosi/tar-index.ts';

export interface TarIndexOptions {
  signal?: AbortSignal;
  /** Stop reading after the first entry for which this returns true. */
  stopAfter?: (entry: TarEntry) => boolean;
}

/** Reads the whole index (or up to `stopAfter`). Throws E_NOT_COSI when the file is not a tar, E_TAR_INVALID when it is damaged. */
export async function readTarIndex(source: ImageSource, options: TarIndexOptions = {}): Promise<TarEntry[]> {
  const walker = openTarWalker(source, { signal: options.signal });
  for (let entry = await walker.next(); entry !== null; entry = await walker.next()) {
    if (options.stopAfter?.(entry)) break;
  }
  return [...walker.entries];
}
