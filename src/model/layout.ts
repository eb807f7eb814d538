/**
 * The disk layout a COSI describes, derived from its metadata.json and its primary-GPT image.
 * Sizes are bytes unless the name says LBA. Everything here is plain, structured-clone-safe data.
 */

/** One compressed image stored in the COSI tar (COSI spec: ImageFile), plus where it sits in the tar. */
export interface ImageFileInfo {
  readonly path: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Lowercase hex SHA-384 of the compressed bytes as stored in the tar. */
  readonly sha384: string;
  /** Byte offset of the entry's data inside the tar (after its header blocks). */
  readonly tarOffsetBytes: number;
}

export interface PartitionLayout {
  /** GPT entry slot, 1-based (holes preserved: 1, 2, 5). */
  readonly number: number;
  readonly name: string;
  readonly typeGuid: string;
  /** Friendly name from the Discoverable Partitions Specification, or "Unknown". */
  readonly typeName: string;
  readonly partGuid: string;
  readonly startLba: number;
  readonly endLba: number;
  readonly sizeBytes: number;
  /** GPT attribute bits as a decimal string (64-bit). */
  readonly attributes: string;
  readonly fsType: string | null;
  readonly fsUuid: string | null;
  readonly mountPoint: string | null;
  /** Verity: the hash partition's number when this is a verity data partition (or vice versa). */
  readonly verity: { readonly role: 'data' | 'hash'; readonly peerNumber: number | null; readonly roothash: string | null } | null;
  readonly image: ImageFileInfo;
  /** The filesystem image is smaller than its partition (e.g. resize2fs -M). */
  readonly shrunk: boolean;
}

export interface Gap {
  readonly startLba: number;
  readonly endLba: number;
  readonly sizeBytes: number;
}

export interface OsPackageInfo {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
}

export interface Layout {
  /** `sha384:<hex>` of the exact metadata.json bytes (Trident's image hash). */
  readonly imageHash: string;
  readonly version: string;
  readonly osArch: string;
  readonly os: { readonly prettyName: string | null; readonly id: string | null; readonly versionId: string | null };
  readonly bootloader: { readonly type: string; readonly entries: number } | null;
  readonly packages: readonly OsPackageInfo[];
  readonly compression: { readonly maxWindowLog: number };
  readonly disk: { readonly sizeBytes: number; readonly lbaSize: 512 | 4096; readonly guid: string };
  /** First usable / last usable LBA from the image's primary GPT header. */
  readonly firstUsableLba: number;
  readonly lastUsableLba: number;
  /** The primary-gpt region (LBA0 + header + entries) as stored in the COSI. */
  readonly primaryGpt: ImageFileInfo & { readonly startLba: number };
  /** In GPT-region order (increasing start LBA). */
  readonly partitions: readonly PartitionLayout[];
  readonly gaps: readonly Gap[];
  readonly warnings: readonly string[];
  /** Total bytes the flash writes (sum of uncompressed sizes, GPT included). */
  readonly writeBytes: number;
  /** Total compressed bytes the flash downloads. */
  readonly downloadBytes: number;
}
