import { CosiflashError } from '../errors.ts';
import type { CosiMetadata, ImageFile } from './cosi-metadata.ts';
import { failAt, quote } from './json-path.ts';

/** The part of a tar entry these checks need (TarEntry from tar-index.ts fits). */
export interface TarEntryRef {
  readonly path: string;
  /** Where the entry's data starts in the tar. */
  readonly offsetBytes: number;
  readonly sizeBytes: number;
}

interface ImageRef { readonly jsonPath: string; readonly file: ImageFile }

/** Region images first (they are what gets written), then filesystem and verity images. */
function imageRefs(metadata: CosiMetadata): ImageRef[] {
  return [
    ...metadata.disk.gptRegions.map((region, index) => ({ jsonPath: `disk.gptRegions[${index}].image`, file: region.image })),
    ...metadata.images.flatMap((image, index) => [
      { jsonPath: `images[${index}].image`, file: image.image },
      ...(image.verity === null ? [] : [{ jsonPath: `images[${index}].verity.image`, file: image.verity.image }]),
    ]),
  ];
}

function indexByPath(entries: readonly TarEntryRef[]): Map<string, TarEntryRef> {
  const byPath = new Map<string, TarEntryRef>();
  for (const entry of entries) {
    const previous = byPath.get(entry.path);
    if (previous !== undefined) {
      throw new CosiflashError('E_TAR_INVALID',
        `${quote(entry.path)} appears twice in the tar (data at byte ${previous.offsetBytes} and at byte ${entry.offsetBytes}); COSI paths must be unique`);
    }
    byPath.set(entry.path, entry);
  }
  return byPath;
}

/**
 * Checks validated metadata against the tar's entries (COSI spec, "Tar File Layout" and
 * "Disk Region Images"): tar paths are unique (else E_TAR_INVALID); every image the metadata names
 * is a tar entry with exactly that path and `compressedSize` bytes; region images appear in
 * the tar in `disk.gptRegions` order, i.e. the disk's physical order, which lets a stream
 * write the disk front to back. Failures are E_METADATA_INVALID naming the JSON path.
 * Returns warnings (tar files under images/ that the metadata does not use).
 */
export function validateAgainstTar(metadata: CosiMetadata, entries: readonly TarEntryRef[]): string[] {
  const byPath = indexByPath(entries);
  const used = new Set<string>();
  for (const ref of imageRefs(metadata)) {
    const entry = byPath.get(ref.file.path);
    if (entry === undefined) failAt(`${ref.jsonPath}.path`, `${quote(ref.file.path)} is not in the tar (paths must match exactly)`);
    if (entry.sizeBytes !== ref.file.compressedSize) {
      failAt(`${ref.jsonPath}.compressedSize`, `is ${ref.file.compressedSize} but the tar entry ${quote(ref.file.path)} holds ${entry.sizeBytes} bytes`);
    }
    used.add(entry.path);
  }
  const regions = metadata.disk.gptRegions;
  for (let index = 1; index < regions.length; index++) {
    const earlier = byPath.get(regions[index - 1]?.image.path ?? '');
    const region = regions[index];
    const entry = byPath.get(region?.image.path ?? '');
    if (region !== undefined && earlier !== undefined && entry !== undefined && entry.offsetBytes <= earlier.offsetBytes) {
      failAt(`disk.gptRegions[${index}].image.path`,
        `region images must be stored in the tar in disk order, but ${quote(region.image.path)} comes before the image of disk.gptRegions[${index - 1}]`);
    }
  }
  return entries
    .filter((entry) => entry.path.startsWith('images/') && !entry.path.endsWith('/') && !used.has(entry.path))
    .map((entry) => `tar: ${quote(entry.path)} is not referenced by metadata.json; it is ignored`);
}
