import { CosiflashError } from '../errors.ts';
import type { CosiMetadata } from './cosi-metadata.ts';
import { failAt, quote } from './json-path.ts';

/** zstd's smallest window (ZSTD_WINDOWLOG_ABSOLUTEMIN) and the largest we decode (2 GiB). */
export const MIN_WINDOW_LOG = 10;
export const MAX_WINDOW_LOG = 31;

/**
 * Rules of the COSI spec that Trident does not enforce, checked after Trident's (first
 * failure wins), and the soft issues that only warn. Everything here needs only the JSON;
 * rules that need the GPT (region order by start LBA, sizes against partitions) live with
 * the layout derivation, and those that need the tar in validate-against-tar.ts.
 */
export function applyExtraRules(metadata: CosiMetadata, warnings: string[]): void {
  const { disk } = metadata;
  // Spec, Disk object: "The field size MUST be a multiple of lbaSize."
  if (disk.size % disk.lbaSize !== 0) {
    failAt('disk.size', `must be a multiple of disk.lbaSize (${disk.lbaSize}); ${disk.size} is not`);
  }
  // Each region is written from its own tar entry, and tar paths are unique (spec, Tar File Layout).
  const regionByPath = new Map<string, number>();
  disk.gptRegions.forEach((region, index) => {
    const previous = regionByPath.get(region.image.path);
    if (previous !== undefined) {
      failAt(`disk.gptRegions[${index}].image.path`, `every region needs its own image file (${quote(region.image.path)} is also the image of disk.gptRegions[${previous}])`);
    }
    regionByPath.set(region.image.path, index);
  });
  checkWindowLog(metadata.compression.maxWindowLog);
  collectWarnings(metadata, warnings);
}

function checkWindowLog(maxWindowLog: number): void {
  if (maxWindowLog > MAX_WINDOW_LOG) {
    throw new CosiflashError('E_WINDOW_TOO_LARGE',
      `compression.maxWindowLog: ${maxWindowLog} means a ${windowText(maxWindowLog)} zstd window; at most ${MAX_WINDOW_LOG} (2 GiB) can be decoded safely`);
  }
  if (maxWindowLog < MIN_WINDOW_LOG) {
    failAt('compression.maxWindowLog', `must be between ${MIN_WINDOW_LOG} and ${MAX_WINDOW_LOG} (a zstd windowLog, the power of two of the window size), got ${maxWindowLog}`);
  }
}

function windowText(windowLog: number): string {
  const gib = 2 ** (windowLog - 30);
  return windowLog <= 60 ? `${gib} GiB` : `2^${windowLog}-byte`;
}

function collectWarnings(metadata: CosiMetadata, warnings: string[]): void {
  if (metadata.id === null) warnings.push('id: missing (optional); the image has no unique identifier');
  // Spec, Filesystem note [2]: fsUuid MUST be unique. It does not change what is written, so it only warns.
  const uuidOwner = new Map<string, number>();
  metadata.images.forEach((image, index) => {
    const key = image.fsUuid.toLowerCase();
    const previous = uuidOwner.get(key);
    if (previous !== undefined) {
      warnings.push(`images[${index}].fsUuid: ${quote(image.fsUuid)} is also the fsUuid of images[${previous}] (the spec requires unique filesystem UUIDs)`);
    } else {
      uuidOwner.set(key, index);
    }
  });
}
