import { createHash } from 'node:crypto';
import { CosiflashError } from '../errors.ts';
import { parseGpt } from '../gpt/parse-gpt.ts';
import type { Layout } from '../model/layout.ts';
import type { ImageSource } from '../source/image-source.ts';
import { checkRegionsAgainstGpt } from './check-regions-against-gpt.ts';
import type { CosiMetadata } from './cosi-metadata.ts';
import { decodeRegionBytes } from './decode-region-bytes.ts';
import { deriveLayout } from './derive-layout.ts';
import { assertImageHash, computeImageHash, formatImageHash, parseExpectedHash } from './image-hash.ts';
import { MAX_METADATA_BYTES, parseMetadataJson } from './parse-metadata-json.ts';
import { openTarWalker, type TarEntry } from './tar-index.ts';
import { validateAgainstTar } from './validate-against-tar.ts';
import { validateMetadata } from './validate-metadata.ts';

/** A COSI that passed every check that does not need the partition images' bytes. */
export interface CosiImage {
  readonly layout: Layout;
  readonly metadata: CosiMetadata;
  /** The exact bytes of metadata.json (their SHA-384 is the image hash). */
  readonly metadataBytes: Buffer;
  /** The decoded primary-gpt image (LBA 0 through the end of the entry array). */
  readonly primaryRegion: Buffer;
  /** The tar index, in archive order. */
  readonly entries: readonly TarEntry[];
  readonly warnings: readonly string[];
}

export interface InspectOptions {
  /** `sha384:<hex>`, bare hex, or `ignored`; checked before anything past metadata.json is read. */
  readonly expectedHash?: string;
  readonly signal?: AbortSignal;
}

/** The primary GPT region is at most a few hundred KiB even with large entry arrays. */
const MAX_PRIMARY_GPT_BYTES = 16 * 1024 * 1024;

/**
 * Reads and validates a COSI from its tar headers, metadata.json and primary-GPT image only
 * (a few KiB to download, whatever the image size), and derives its {@link Layout}.
 *
 * Order (first failure wins): expected-hash format (before any read); tar headers up to
 * metadata.json (E_NOT_COSI / E_HTML_PAGE / E_TAR_INVALID / E_NO_METADATA); the image hash against the expected
 * one (E_HASH_MISMATCH, before anything else is read); the rest of the tar index;
 * metadata.json as JSON within its budget, keys unique (parseMetadataJson) and against the COSI rules (validateMetadata);
 * metadata against the tar (validateAgainstTar); the primary-GPT image: SHA-384, exact
 * decoded size, GPT validity (parseGpt); then metadata against the GPT.
 * A missing or misplaced cosi-marker only warns (Trident never checks it).
 */
export async function inspectCosi(source: ImageSource, options: InspectOptions = {}): Promise<CosiImage> {
  const expectedHex = options.expectedHash === undefined ? '' : parseExpectedHash(options.expectedHash);
  const { signal } = options;
  const walker = openTarWalker(source, { signal });
  let metadataEntry: TarEntry | null = null;
  for (let entry = await walker.next(); entry !== null; entry = await walker.next()) {
    if (entry.path === 'metadata.json') {
      metadataEntry = entry;
      break;
    }
  }
  if (metadataEntry === null) {
    if (walker.entries.length === 0) throw new CosiflashError('E_NOT_COSI', 'the tar archive is empty');
    throw new CosiflashError('E_NO_METADATA', `the archive has ${walker.entries.length} entries but no metadata.json`);
  }
  if (metadataEntry.type !== 'file' && metadataEntry.type !== 'contiguous-file') {
    throw new CosiflashError('E_NO_METADATA', `metadata.json is a ${metadataEntry.type} entry, not a file`);
  }
  if (metadataEntry.sizeBytes > MAX_METADATA_BYTES) {
    throw new CosiflashError('E_METADATA_INVALID', `metadata.json is ${metadataEntry.sizeBytes} bytes, more than the ${MAX_METADATA_BYTES}-byte limit`);
  }
  const metadataBytes = await walker.readData(metadataEntry);
  const imageHashHex = computeImageHash(metadataBytes);
  assertImageHash(imageHashHex, expectedHex);
  while ((await walker.next()) !== null) signal?.throwIfAborted();
  const entries = [...walker.entries];

  const warnings: string[] = [];
  const markerIndex = entries.findIndex((e) => e.path === 'cosi-marker');
  if (markerIndex === -1) warnings.push('tar: the archive has no cosi-marker entry (the COSI spec wants it first)');
  else if (markerIndex !== 0) warnings.push(`tar: cosi-marker is entry ${markerIndex + 1}, the COSI spec wants it first`);

  const { metadata, warnings: metadataWarnings } = validateMetadata(parseMetadataJson(metadataBytes));
  warnings.push(...metadataWarnings);
  warnings.push(...validateAgainstTar(metadata, entries.filter((e) => e.type === 'file' || e.type === 'contiguous-file')));

  const primaryRegion = await readPrimaryGpt(metadata, entries, walker.readData);
  const gpt = parseGpt(primaryRegion, metadata.disk.lbaSize);
  warnings.push(...(gpt.warnings ?? []).map((w) => `gpt: ${w}`));
  const matched = checkRegionsAgainstGpt(metadata, gpt, warnings);
  const layout = deriveLayout({ imageHash: formatImageHash(imageHashHex), metadata, gpt, matched, entries, warnings });
  return { layout, metadata, metadataBytes, primaryRegion, entries, warnings };
}

async function readPrimaryGpt(metadata: CosiMetadata, entries: readonly TarEntry[], readData: (entry: TarEntry) => Promise<Buffer>): Promise<Buffer> {
  const region = metadata.disk.gptRegions[0];
  if (region === undefined || region.type !== 'primary-gpt') throw new CosiflashError('E_INTERNAL', 'validated metadata has no primary-gpt region first');
  const { image } = region;
  const entry = entries.find((e) => e.path === image.path);
  if (entry === undefined) throw new CosiflashError('E_INTERNAL', `${image.path} vanished after validation`);
  if (image.uncompressedSize > MAX_PRIMARY_GPT_BYTES || entry.sizeBytes > MAX_PRIMARY_GPT_BYTES) {
    throw new CosiflashError('E_METADATA_INVALID', `disk.gptRegions[0].image: the primary-gpt region is larger than ${MAX_PRIMARY_GPT_BYTES} bytes`);
  }
  const compressed = await readData(entry);
  const sha384 = createHash('sha384').update(compressed).digest('hex');
  if (sha384 !== image.sha384) {
    throw new CosiflashError('E_IMAGE_HASH', `${image.path} (primary-gpt): SHA-384 is ${sha384}, metadata.json says ${image.sha384}`);
  }
  return decodeRegionBytes(compressed, { maxWindowLog: metadata.compression.maxWindowLog, expectedBytes: image.uncompressedSize, path: image.path });
}
