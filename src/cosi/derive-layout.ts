import { CosiflashError } from '../errors.ts';
import type { ParsedGpt } from '../gpt/parse-gpt.ts';
import { partitionTypeName } from '../gpt/partition-type-name.ts';
import type { ImageFileInfo, Layout, PartitionLayout } from '../model/layout.ts';
import type { MatchedRegion } from './check-regions-against-gpt.ts';
import type { CosiMetadata, ImageFile } from './cosi-metadata.ts';
import { findGaps } from './find-gaps.ts';
import { parseOsRelease } from './parse-os-release.ts';
import type { TarEntry } from './tar-index.ts';

/** Everything inspectCosi has checked, handed to deriveLayout. */
export interface DeriveLayoutInput {
  readonly imageHash: string;
  readonly metadata: CosiMetadata;
  readonly gpt: ParsedGpt;
  /** Partition regions with their GPT entries, in metadata (= start-LBA) order. */
  readonly matched: readonly MatchedRegion[];
  readonly entries: readonly TarEntry[];
  readonly warnings: readonly string[];
}

/**
 * Builds the {@link Layout} every front end shows and the flash follows: names, type GUIDs,
 * LBAs and attributes from the image's GPT; filesystem and verity facts from metadata.json,
 * matched by image path (COSI spec: a Filesystem's image is the same ImageFile as its
 * partition region's); gaps; sizes to download and write. Pure: all checks ran before.
 */
export function deriveLayout(input: DeriveLayoutInput): Layout {
  const { metadata, gpt, matched } = input;
  const entryByPath = new Map(input.entries.map((entry) => [entry.path, entry]));
  const info = (image: ImageFile): ImageFileInfo => {
    const entry = entryByPath.get(image.path);
    if (entry === undefined) throw new CosiflashError('E_INTERNAL', `tar entry ${image.path} vanished after validation`);
    return { path: image.path, compressedSize: image.compressedSize, uncompressedSize: image.uncompressedSize, sha384: image.sha384, tarOffsetBytes: entry.offsetBytes };
  };
  const numberByPath = new Map(matched.map((m) => [m.region.image.path, m.region.number]));
  const partitions: PartitionLayout[] = matched.map(({ region, entry }) => {
    const fs = metadata.images.find((f) => f.image.path === region.image.path) ?? null;
    const hashOf = metadata.images.find((f) => f.verity?.image.path === region.image.path) ?? null;
    let verity: PartitionLayout['verity'] = null;
    if (fs?.verity) verity = { role: 'data', peerNumber: numberByPath.get(fs.verity.image.path) ?? null, roothash: fs.verity.roothash };
    else if (hashOf?.verity) verity = { role: 'hash', peerNumber: numberByPath.get(hashOf.image.path) ?? null, roothash: hashOf.verity.roothash };
    const sizeBytes = (entry.lastLba - entry.firstLba + 1) * gpt.lbaSize;
    return {
      number: region.number,
      name: entry.name,
      typeGuid: entry.typeGuid,
      typeName: partitionTypeName(entry.typeGuid),
      partGuid: entry.partGuid,
      startLba: entry.firstLba,
      endLba: entry.lastLba,
      sizeBytes,
      attributes: entry.attributes.toString(),
      fsType: fs?.fsType ?? null,
      fsUuid: fs?.fsUuid ?? null,
      mountPoint: fs?.mountPoint ?? null,
      verity,
      image: info(region.image),
      shrunk: region.image.uncompressedSize < sizeBytes,
    };
  });
  const primary = metadata.disk.gptRegions[0];
  if (primary === undefined) throw new CosiflashError('E_INTERNAL', 'validated metadata has no primary-gpt region');
  const os = parseOsRelease(metadata.osRelease);
  const regions = metadata.disk.gptRegions;
  return {
    imageHash: input.imageHash,
    version: metadata.version,
    osArch: metadata.osArch,
    os: { prettyName: os.prettyName ?? os.name, id: os.id, versionId: os.versionId },
    bootloader: { type: metadata.bootloader.type, entries: metadata.bootloader.systemdBoot?.entries.length ?? 0 },
    packages: metadata.osPackages.map((p) => ({ name: p.name, version: p.version, release: p.release, arch: p.arch })),
    compression: { maxWindowLog: metadata.compression.maxWindowLog },
    disk: { sizeBytes: metadata.disk.size, lbaSize: metadata.disk.lbaSize, guid: gpt.header.diskGuid },
    firstUsableLba: gpt.header.firstUsableLba,
    lastUsableLba: gpt.header.lastUsableLba,
    primaryGpt: { ...info(primary.image), startLba: 0 },
    partitions,
    gaps: findGaps(partitions, { firstUsableLba: gpt.header.firstUsableLba, lastUsableLba: gpt.header.lastUsableLba, lbaSize: gpt.lbaSize }),
    warnings: [...input.warnings],
    writeBytes: regions.reduce((sum, r) => sum + r.image.uncompressedSize, 0),
    downloadBytes: regions.reduce((sum, r) => sum + r.image.compressedSize, 0),
  };
}
