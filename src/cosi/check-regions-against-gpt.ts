import { CosiflashError } from '../errors.ts';
import { describedDiskSizeBytes } from '../gpt/build-partition-table.ts';
import type { GptEntry, ParsedGpt } from '../gpt/parse-gpt.ts';
import type { CosiMetadata, GptRegion } from './cosi-metadata.ts';

/** A partition region of the metadata with its GPT entry. */
export interface MatchedRegion {
  readonly index: number;
  readonly region: GptRegion & { readonly number: number };
  readonly entry: GptEntry;
}

function invalid(detail: string): CosiflashError {
  return new CosiflashError('E_METADATA_INVALID', detail);
}

/**
 * The rules that need both metadata.json and the image's own GPT (COSI spec, "Disk" and
 * "GptDiskRegion"; docs/behavior.md §3), first failure wins:
 * one partition region per used GPT entry and vice versa (Trident's count rule, then by
 * slot), regions in increasing start-LBA order, each image no larger than its partition,
 * and `disk.size` equal to the disk the GPT describes (backup header on the last LBA).
 * Returns the partition regions in metadata order with their entries; soft issues go to
 * `warnings` (a filesystem's partType that differs from its partition's type GUID).
 */
export function checkRegionsAgainstGpt(metadata: CosiMetadata, gpt: ParsedGpt, warnings: string[]): MatchedRegion[] {
  const { disk } = metadata;
  const partitionRegions = disk.gptRegions.flatMap((region, index) => (region.type === 'partition' && region.number !== undefined ? [{ index, region: { ...region, number: region.number } }] : []));
  if (partitionRegions.length !== gpt.entries.length) {
    throw invalid(`disk.gptRegions: ${partitionRegions.length} partition regions, but the image's GPT has ${gpt.entries.length} used entries (slots ${gpt.entries.map((e) => e.slot).join(', ') || 'none'})`);
  }
  const bySlot = new Map(gpt.entries.map((entry) => [entry.slot, entry]));
  const matched: MatchedRegion[] = partitionRegions.map(({ index, region }) => {
    const entry = bySlot.get(region.number);
    if (entry === undefined) throw invalid(`disk.gptRegions[${index}].number: the image's GPT has no partition in slot ${region.number}`);
    return { index, region, entry };
  });
  const covered = new Set(matched.map((m) => m.entry.slot));
  for (const entry of gpt.entries) {
    if (!covered.has(entry.slot)) throw invalid(`disk.gptRegions: GPT partition ${entry.slot} ("${entry.name}") has no partition region`);
  }
  for (let i = 1; i < matched.length; i += 1) {
    const previous = matched[i - 1];
    const current = matched[i];
    if (previous !== undefined && current !== undefined && current.entry.firstLba <= previous.entry.firstLba) {
      throw invalid(`disk.gptRegions[${current.index}]: partition regions must be in increasing start-LBA order (partition ${current.region.number} starts at LBA ${current.entry.firstLba}, before or at partition ${previous.region.number} at LBA ${previous.entry.firstLba})`);
    }
  }
  for (const { index, region, entry } of matched) {
    const partitionBytes = (entry.lastLba - entry.firstLba + 1) * gpt.lbaSize;
    if (region.image.uncompressedSize > partitionBytes) {
      throw invalid(`disk.gptRegions[${index}].image.uncompressedSize: ${region.image.uncompressedSize} bytes is larger than its partition (slot ${region.number}, ${partitionBytes} bytes)`);
    }
  }
  const primary = disk.gptRegions[0];
  const firstStartBytes = Math.min(...matched.map((m) => m.entry.firstLba * gpt.lbaSize));
  if (primary !== undefined && matched.length > 0 && primary.image.uncompressedSize > firstStartBytes) {
    throw invalid(`disk.gptRegions[0].image.uncompressedSize: the primary-gpt region (${primary.image.uncompressedSize} bytes) overlaps the first partition at byte ${firstStartBytes}`);
  }
  const describedBytes = describedDiskSizeBytes(gpt);
  if (describedBytes !== disk.size) {
    throw invalid(`disk.size: ${disk.size} bytes, but the image's GPT puts its backup header at LBA ${gpt.header.backupLba}, which means a disk of ${describedBytes} bytes`);
  }
  for (const [index, fs] of metadata.images.entries()) {
    const match = matched.find((m) => m.region.image.path === fs.image.path);
    if (match && match.entry.typeGuid !== fs.partType.toLowerCase()) {
      warnings.push(`images[${index}].partType: ${fs.partType} differs from the GPT type ${match.entry.typeGuid} of partition ${match.region.number}`);
    }
  }
  return matched;
}
