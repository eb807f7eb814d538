import type { Bootloader, CosiMetadata, DiskMetadata, ImageFile, OsPackage } from './cosi-metadata.ts';
import { SYSTEMD_BOOT_ENTRY_TYPES } from './cosi-metadata.ts';
import { failAt, quote } from './json-path.ts';
import type { ParsedMetadata } from './metadata-structure.ts';

/**
 * The semantic checks Trident (microsoft/trident, the reference COSI reader) applies, in
 * Trident's order; the first failure wins. Where Trident only warns about an unknown
 * bootloader type, we reject it as the COSI 1.2 schema does (BootloaderType enum).
 * Returns the metadata with every field Trident requires now known to be present.
 */
export function applyTridentRules(parsed: ParsedMetadata, warnings: string[]): CosiMetadata {
  checkUniqueMountPoints(parsed);
  const bootloader = checkBootloader(parsed, warnings);
  const osPackages = checkOsPackages(parsed, warnings);
  if (parsed.compression === null) failAt('compression', 'is required since COSI 1.2 (it gives the zstd maxWindowLog) but missing');
  const disk = checkDisk(parsed);
  return {
    version: parsed.version.text,
    versionMajor: parsed.version.major,
    versionMinor: parsed.version.minor,
    osArch: parsed.osArch,
    osRelease: parsed.osRelease,
    images: parsed.images,
    osPackages,
    bootloader,
    id: parsed.id,
    compression: parsed.compression,
    disk,
  };
}

function checkUniqueMountPoints(parsed: ParsedMetadata): void {
  const firstUse = new Map<string, number>();
  parsed.images.forEach((image, index) => {
    const previous = firstUse.get(image.mountPoint);
    if (previous !== undefined) {
      failAt(`images[${index}].mountPoint`, `mount points must be unique (${quote(image.mountPoint)} is also the mount point of images[${previous}])`);
    }
    firstUse.set(image.mountPoint, index);
  });
}

function checkBootloader(parsed: ParsedMetadata, warnings: string[]): Bootloader {
  const bootloader = parsed.bootloader;
  if (bootloader === null) failAt('bootloader', 'is required since COSI 1.1 but missing');
  const { type, systemdBoot } = bootloader;
  if (type === 'grub') {
    if (systemdBoot !== null) failAt('bootloader.systemdBoot', 'must be omitted or null when bootloader.type is "grub"');
    return { type, systemdBoot: null };
  }
  if (type !== 'systemd-boot') failAt('bootloader.type', `must be "grub" or "systemd-boot", got ${quote(type)}`);
  if (systemdBoot === null) failAt('bootloader.systemdBoot', 'is required when bootloader.type is "systemd-boot" but missing');
  if (systemdBoot.entries.length === 0) failAt('bootloader.systemdBoot.entries', 'must list at least one systemd-boot entry');
  systemdBoot.entries.forEach((entry, index) => {
    if (!(SYSTEMD_BOOT_ENTRY_TYPES as readonly string[]).includes(entry.type)) {
      warnings.push(`bootloader.systemdBoot.entries[${index}].type: unknown entry type ${quote(entry.type)} (known: ${SYSTEMD_BOOT_ENTRY_TYPES.join(', ')}); it does not affect writing the disk`);
    }
  });
  return { type, systemdBoot };
}

/** Azure Container Linux images may omit osPackages (Trident exempts VARIANT_ID=azurecontainerlinux). */
function isAzureContainerLinux(osRelease: string): boolean {
  return osRelease.split('\n').some((line) => /^VARIANT_ID=(["']?)azurecontainerlinux\1\s*$/.test(line.trim()));
}

function checkOsPackages(parsed: ParsedMetadata, warnings: string[]): readonly OsPackage[] {
  if (parsed.osPackages === null) {
    if (isAzureContainerLinux(parsed.osRelease)) {
      warnings.push('osPackages: missing; accepted because osRelease says VARIANT_ID=azurecontainerlinux');
      return [];
    }
    failAt('osPackages', 'is required since COSI 1.1 (the list of installed packages) but missing');
  }
  return parsed.osPackages.map((pkg, index) => {
    if (pkg.release === null) failAt(`osPackages[${index}].release`, `is required since COSI 1.1 but missing (package ${quote(pkg.name)})`);
    if (pkg.arch === null) failAt(`osPackages[${index}].arch`, `is required since COSI 1.1 but missing (package ${quote(pkg.name)})`);
    return { name: pkg.name, version: pkg.version, release: pkg.release, arch: pkg.arch };
  });
}

interface FilesystemImageRef { readonly jsonPath: string; readonly file: ImageFile }

/** Filesystem images and their verity hash images, in document order. */
function filesystemImageRefs(parsed: ParsedMetadata): FilesystemImageRef[] {
  return parsed.images.flatMap((image, index) => [
    { jsonPath: `images[${index}].image`, file: image.image },
    ...(image.verity === null ? [] : [{ jsonPath: `images[${index}].verity.image`, file: image.verity.image }]),
  ]);
}

function checkDisk(parsed: ParsedMetadata): DiskMetadata {
  const disk = parsed.disk;
  if (disk === null) failAt('disk', 'is required since COSI 1.2 (the layout of the original disk) but missing');
  if (disk.type !== 'gpt') failAt('disk.type', `must be "gpt" (the only partitioning type COSI defines), got ${quote(disk.type)}`);
  const first = disk.gptRegions[0];
  if (first === undefined) failAt('disk.gptRegions', 'must not be empty: it needs the primary-gpt region first, then the partitions');
  if (first.type !== 'primary-gpt') failAt('disk.gptRegions[0].type', `the first region must be "primary-gpt", got ${quote(first.type)}`);

  let unmatched = filesystemImageRefs(parsed);
  const numbers = new Set<number>();
  disk.gptRegions.forEach((region, index) => {
    if (index === 0) return;
    const at = `disk.gptRegions[${index}]`;
    if (region.type === 'primary-gpt') failAt(`${at}.type`, 'there must be exactly one "primary-gpt" region (disk.gptRegions[0])');
    const number = region.number ?? 0;
    if (number === 0) failAt(`${at}.number`, 'partition numbers start at 1, got 0');
    if (numbers.has(number)) failAt(`${at}.number`, `partition numbers must be unique (${number} is used twice)`);
    numbers.add(number);
    for (const ref of unmatched) {
      if (ref.file.path === region.image.path) compareImageFiles(ref, region.image, `${at}.image`);
    }
    unmatched = unmatched.filter((ref) => ref.file.path !== region.image.path);
  });
  const leftover = unmatched[0];
  if (leftover !== undefined) {
    failAt(`${leftover.jsonPath}.path`, `every filesystem and verity image must be the image of a partition region in disk.gptRegions; no region has ${quote(leftover.file.path)}`);
  }
  return { size: disk.size, type: 'gpt', lbaSize: disk.lbaSize, gptRegions: disk.gptRegions };
}

/** Spec: a filesystem and its partition region name the same file, so all ImageFile fields must match. */
function compareImageFiles(ref: FilesystemImageRef, regionFile: ImageFile, regionPath: string): void {
  for (const field of ['compressedSize', 'uncompressedSize', 'sha384'] as const) {
    const mine = ref.file[field];
    const theirs = regionFile[field];
    if (mine !== theirs) {
      failAt(`${ref.jsonPath}.${field}`, `must equal ${regionPath}.${field} (both describe ${quote(ref.file.path)}): ${String(mine)} ≠ ${String(theirs)}`);
    }
  }
}
