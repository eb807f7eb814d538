/**
 * Typed COSI metadata (the `metadata.json` of a Composable OS Image), as returned by
 * validateMetadata. Field names follow the COSI specification (microsoft/trident,
 * docs/Reference/Composable-OS-Image.md, revision 1.2); unknown fields of the JSON are dropped.
 * Everything is readonly plain data; numbers are JS numbers (safe integers, checked).
 */

/** A compressed image stored in the COSI tar (spec: ImageFile). */
export interface ImageFile {
  /** Path inside the tar; always under `images/`. */
  readonly path: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** SHA-384 of the compressed bytes as stored in the tar, normalised to lowercase hex. */
  readonly sha384: string;
}

/** dm-verity data of a filesystem (spec: VerityConfig). */
export interface VerityConfig {
  /** The hash partition's image. */
  readonly image: ImageFile;
  readonly roothash: string;
}

/** One filesystem of the OS (spec: Filesystem, the items of `images`). */
export interface Filesystem {
  readonly image: ImageFile;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly fsUuid: string;
  /** GPT partition type GUID, lowercase. */
  readonly partType: string;
  readonly verity: VerityConfig | null;
}

/** One installed package (spec: OsPackage; all four fields are required from 1.1). */
export interface OsPackage {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
}

/** The entry types the spec defines (SystemDBootEntryType); others are kept with a warning. */
export const SYSTEMD_BOOT_ENTRY_TYPES = ['uki-standalone', 'uki-config', 'config'] as const;

/** One systemd-boot loader entry (spec: SystemDBootEntry). */
export interface SystemdBootEntry {
  /** Normally one of SYSTEMD_BOOT_ENTRY_TYPES; an unknown value only warns (it does not affect flashing). */
  readonly type: string;
  readonly path: string;
  readonly cmdline: string;
  readonly kernel: string;
}

export type BootloaderType = 'grub' | 'systemd-boot';

/** The OS's bootloader (spec: Bootloader). `systemdBoot` is set only for systemd-boot. */
export interface Bootloader {
  readonly type: BootloaderType;
  readonly systemdBoot: { readonly entries: readonly SystemdBootEntry[] } | null;
}

/** zstd parameters common to all images (spec: Compression). */
export interface Compression {
  /** Largest zstd windowLog used by any image: 10..31 after validation. */
  readonly maxWindowLog: number;
}

export type GptRegionType = 'primary-gpt' | 'partition';

/** One region of the original disk (spec: GptDiskRegion), in increasing start-LBA order. */
export interface GptRegion {
  readonly image: ImageFile;
  readonly type: GptRegionType;
  /** 1-based GPT entry index; present for partitions only (absent for the primary-gpt region). */
  readonly number?: number;
}

/** The original disk (spec: Disk). Only GPT is defined. */
export interface DiskMetadata {
  /** Size of the original disk in bytes; a multiple of lbaSize. */
  readonly size: number;
  readonly type: 'gpt';
  readonly lbaSize: 512 | 4096;
  /** Non-empty; gptRegions[0] is the primary-gpt region. */
  readonly gptRegions: readonly GptRegion[];
}

/** Normalised `osArch`: aliases (amd64, x64, arm64, any case) map to these. */
export type OsArch = 'x86_64' | 'aarch64';

/** A validated COSI metadata document (revision ≥ 1.2). */
export interface CosiMetadata {
  /** As written, `MAJOR.MINOR`. */
  readonly version: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly osArch: OsArch;
  readonly osRelease: string;
  readonly images: readonly Filesystem[];
  readonly osPackages: readonly OsPackage[];
  readonly bootloader: Bootloader;
  /** UUID of the COSI file, lowercase; null when absent (a warning). */
  readonly id: string | null;
  readonly compression: Compression;
  readonly disk: DiskMetadata;
}
