import { isGuid } from '../gpt/guid.ts';
import type { Filesystem, GptRegion, ImageFile, VerityConfig } from './cosi-metadata.ts';
import {
  childPath, failAt, isAbsent, quote, readInteger, readObject, readString,
} from './json-path.ts';

/**
 * Structural readers for the COSI objects that carry image files: ImageFile, Filesystem,
 * VerityConfig, GptDiskRegion (COSI spec 1.2, "Schema"; cosi-metadata-v1.2.schema.json).
 * Each checks types, required fields and single-field formats, and normalises case.
 */

const SHA384_PATTERN = /^[0-9a-f]{96}$/i;

/** `images/…`, relative, no empty, `.` or `..` segments (spec: "MUST start with images/"; tar paths have no `./`). */
export function checkImagePath(path: string, jsonPath: string): void {
  if (!path.startsWith('images/')) failAt(jsonPath, `must start with "images/" (images live in the images/ folder of the tar), got ${quote(path)}`);
  const segments = path.slice('images/'.length).split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    failAt(jsonPath, `must name a file inside images/ without empty, "." or ".." path segments, got ${quote(path)}`);
  }
}

/** Reads an ImageFile; `sha384` is returned lowercase. */
export function readImageFile(value: unknown, path: string): ImageFile {
  const object = readObject(value, path);
  const filePath = readString(object['path'], childPath(path, 'path'));
  checkImagePath(filePath, childPath(path, 'path'));
  const compressedSize = readInteger(object['compressedSize'], childPath(path, 'compressedSize'), { min: 0 });
  const uncompressedSize = readInteger(object['uncompressedSize'], childPath(path, 'uncompressedSize'), { min: 0 });
  const sha384 = readString(object['sha384'], childPath(path, 'sha384'));
  if (!SHA384_PATTERN.test(sha384)) {
    failAt(childPath(path, 'sha384'), `must be a SHA-384 hash: exactly 96 hexadecimal characters, got ${sha384.length} character${sha384.length === 1 ? '' : 's'} (${quote(sha384)})`);
  }
  return { path: filePath, compressedSize, uncompressedSize, sha384: sha384.toLowerCase() };
}

function readVerity(value: unknown, path: string): VerityConfig | null {
  if (isAbsent(value)) return null;
  const object = readObject(value, path);
  const image = readImageFile(object['image'], childPath(path, 'image'));
  const roothash = readString(object['roothash'], childPath(path, 'roothash'));
  return { image, roothash };
}

/** Reads one item of `images` (spec: Filesystem). `partType` is returned lowercase. */
export function readFilesystem(value: unknown, path: string): Filesystem {
  const object = readObject(value, path);
  const image = readImageFile(object['image'], childPath(path, 'image'));
  const mountPoint = readString(object['mountPoint'], childPath(path, 'mountPoint'));
  const fsType = readString(object['fsType'], childPath(path, 'fsType'), { nonEmpty: true });
  const fsUuid = readString(object['fsUuid'], childPath(path, 'fsUuid'), { nonEmpty: true });
  const partType = readString(object['partType'], childPath(path, 'partType'));
  if (!isGuid(partType)) {
    failAt(childPath(path, 'partType'), `must be a GPT partition type UUID like "0fc63daf-8483-4772-8e79-3d69d8477de4", got ${quote(partType)}`);
  }
  const verity = readVerity(object['verity'], childPath(path, 'verity'));
  return { image, mountPoint, fsType, fsUuid, partType: partType.toLowerCase(), verity };
}

/** Reads one item of `disk.gptRegions` (spec: GptDiskRegion); `number` is required for partitions. */
export function readGptRegion(value: unknown, path: string): GptRegion {
  const object = readObject(value, path);
  const image = readImageFile(object['image'], childPath(path, 'image'));
  const type = readString(object['type'], childPath(path, 'type'));
  if (type === 'primary-gpt') return { image, type };
  if (type !== 'partition') failAt(childPath(path, 'type'), `must be "primary-gpt" or "partition", got ${quote(type)}`);
  const numberPath = childPath(path, 'number');
  if (object['number'] === undefined) failAt(numberPath, 'is required for a "partition" region (its 1-based GPT entry index) but missing');
  // Negative numbers are malformed; 0 is well-formed and rejected later with Trident's rules, in their order.
  const number = readInteger(object['number'], numberPath, { min: Number.MIN_SAFE_INTEGER });
  if (number < 0) failAt(numberPath, `must be at least 1 (partition numbers are 1-based), got ${number}`);
  return { image, type, number };
}
