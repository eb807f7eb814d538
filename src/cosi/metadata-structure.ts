import { isGuid } from '../gpt/guid.ts';
import type { Compression, Filesystem, GptRegion, OsArch, SystemdBootEntry } from './cosi-metadata.ts';
import {
  childPath, describeJson, failAt, type JsonObject, isAbsent, quote, readArray, readInteger, readObject, readString,
} from './json-path.ts';
import { readFilesystem, readGptRegion } from './metadata-structure-parts.ts';
import type { MetadataVersion } from './metadata-version.ts';

/**
 * The structural pass of metadata validation: types, formats and the fields every reader needs
 * (what Trident's deserializer enforces, plus the JSON schema's types and patterns).
 * Fields whose *presence* Trident checks later, in a fixed order (bootloader, osPackages,
 * release/arch, compression, disk, gptRegions), stay optional here so those rules fire in
 * that order (see metadata-rules-trident.ts).
 */

/** An OsPackage as read; release/arch presence is a Trident-order rule (required since 1.1). */
export interface ParsedOsPackage {
  readonly name: string;
  readonly version: string;
  readonly release: string | null;
  readonly arch: string | null;
}

/** A Bootloader as read; the type is checked with Trident's rules. */
export interface ParsedBootloader {
  readonly type: string;
  readonly systemdBoot: { readonly entries: readonly SystemdBootEntry[] } | null;
}

/** A Disk as read; `type` and the regions' order and numbers are checked with Trident's rules. */
export interface ParsedDisk {
  readonly size: number;
  readonly type: string;
  readonly lbaSize: 512 | 4096;
  /** Empty when absent (read as "no regions", as Trident does). */
  readonly gptRegions: readonly GptRegion[];
}

/** The structurally valid document; fields whose presence Trident checks later may be null. */
export interface ParsedMetadata {
  readonly version: MetadataVersion;
  readonly osArch: OsArch;
  readonly osRelease: string;
  readonly images: readonly Filesystem[];
  readonly osPackages: readonly ParsedOsPackage[] | null;
  readonly bootloader: ParsedBootloader | null;
  readonly id: string | null;
  readonly compression: Compression | null;
  readonly disk: ParsedDisk | null;
}

const OS_ARCH_ALIASES: Readonly<Record<string, OsArch>> = {
  x86_64: 'x86_64', amd64: 'x86_64', x64: 'x86_64', aarch64: 'aarch64', arm64: 'aarch64',
};

/** Reads `osArch` (spec: OsArchitecture enum, case-insensitive, with aliases) as x86_64 or aarch64. */
export function readOsArch(value: unknown): OsArch {
  const text = readString(value, 'osArch');
  const arch = Object.hasOwn(OS_ARCH_ALIASES, text.toLowerCase()) ? OS_ARCH_ALIASES[text.toLowerCase()] : undefined;
  if (arch === undefined) failAt('osArch', `must be x86_64 or arm64 (also accepted: amd64, x64, aarch64; any case), got ${quote(text)}`);
  return arch;
}

function readOsPackage(value: unknown, path: string): ParsedOsPackage {
  const object = readObject(value, path);
  const optional = (key: string): string | null =>
    isAbsent(object[key]) ? null : readString(object[key], childPath(path, key));
  return {
    name: readString(object['name'], childPath(path, 'name')),
    version: readString(object['version'], childPath(path, 'version')),
    release: optional('release'),
    arch: optional('arch'),
  };
}

function readSystemdBootEntry(value: unknown, path: string): SystemdBootEntry {
  const object = readObject(value, path);
  return {
    type: readString(object['type'], childPath(path, 'type')),
    path: readString(object['path'], childPath(path, 'path')),
    cmdline: readString(object['cmdline'], childPath(path, 'cmdline')),
    kernel: readString(object['kernel'], childPath(path, 'kernel')),
  };
}

function readBootloader(value: unknown): ParsedBootloader | null {
  if (isAbsent(value)) return null;
  const object = readObject(value, 'bootloader');
  const type = readString(object['type'], 'bootloader.type');
  if (isAbsent(object['systemdBoot'])) return { type, systemdBoot: null };
  const systemdBoot = readObject(object['systemdBoot'], 'bootloader.systemdBoot');
  const entries = readArray(systemdBoot['entries'], 'bootloader.systemdBoot.entries')
    .map((entry, index) => readSystemdBootEntry(entry, `bootloader.systemdBoot.entries[${index}]`));
  return { type, systemdBoot: { entries } };
}

function readDisk(value: unknown): ParsedDisk | null {
  if (isAbsent(value)) return null;
  const object = readObject(value, 'disk');
  const size = readInteger(object['size'], 'disk.size', { min: 0 });
  const type = readString(object['type'], 'disk.type');
  const lbaSize = readInteger(object['lbaSize'], 'disk.lbaSize', { min: 0 });
  if (lbaSize !== 512 && lbaSize !== 4096) failAt('disk.lbaSize', `must be 512 or 4096 (the logical sector size in bytes), got ${lbaSize}`);
  const gptRegions = isAbsent(object['gptRegions']) ? [] : readArray(object['gptRegions'], 'disk.gptRegions')
    .map((region, index) => readGptRegion(region, `disk.gptRegions[${index}]`));
  return { size, type, lbaSize, gptRegions };
}

function readCompression(value: unknown): Compression | null {
  if (isAbsent(value)) return null;
  const object = readObject(value, 'compression');
  return { maxWindowLog: readInteger(object['maxWindowLog'], 'compression.maxWindowLog', { min: 0 }) };
}

function readId(value: unknown): string | null {
  if (isAbsent(value)) return null;
  const id = readString(value, 'id');
  if (!isGuid(id)) failAt('id', `must be a UUID like "3f2504e0-4f89-41d3-9a0c-0305e82c3301", got ${quote(id)}`);
  return id.toLowerCase();
}

/** The document must be a JSON object; checked before anything else, the version included. */
export function readRootObject(json: unknown): JsonObject {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    failAt('metadata.json', `must hold a JSON object, got ${describeJson(json)}`);
  }
  return json as JsonObject;
}

/** Runs the structural pass over the root object (after the version was read). */
export function readMetadataStructure(object: JsonObject, version: MetadataVersion): ParsedMetadata {
  const osArch = readOsArch(object['osArch']);
  const osRelease = readString(object['osRelease'], 'osRelease');
  const images = readArray(object['images'], 'images').map((item, index) => readFilesystem(item, `images[${index}]`));
  const osPackages = isAbsent(object['osPackages']) ? null : readArray(object['osPackages'], 'osPackages')
    .map((item, index) => readOsPackage(item, `osPackages[${index}]`));
  const id = readId(object['id']);
  const bootloader = readBootloader(object['bootloader']);
  const disk = readDisk(object['disk']);
  const compression = readCompression(object['compression']);
  return { version, osArch, osRelease, images, osPackages, bootloader, id, compression, disk };
}
