/**
 * Builds real COSI images with real tools (sgdisk, mkfs.vfat + mcopy, mkfs.ext4 -d,
 * resize2fs -M, the zstd CLI, GNU tar) for every test that needs one, plus the source disk
 * image the COSI was cut from, which is the reference for byte comparisons after a flash.
 *
 * Builds are cached under .cache/fixtures/ keyed by a hash of the options, lock-free: each
 * build happens in a private temp dir that is renamed into place (the loser of a race throws
 * its copy away). Mutations for invalid-input tests (edit the GPT, edit metadata, corrupt a
 * compressed region) reuse the cached parts and write a fresh COSI into a scratch dir.
 *
 * Root is needed only for 4096-byte sectors (sgdisk runs on a loop device made with
 * `losetup -b 4096`, detached in a finally).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, stat, truncate, writeFile, appendFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFixtureParts, type FixtureParts, type FixtureRegionPart } from './cosi-fixture-parts.ts';
import { run, zstdCompress } from './cosi-fixture-tools.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where built fixtures are cached; COSIFLASH_FIXTURE_CACHE overrides it (e.g. to test a cold cache). */
export const FIXTURE_CACHE_DIR = process.env['COSIFLASH_FIXTURE_CACHE'] ?? path.join(PROJECT_ROOT, '.cache', 'fixtures');
/** Bump when the builder's output changes, so stale caches are not reused. */
const BUILDER_VERSION = 5;

export const TYPE_GUIDS = {
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  rootX64: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
  linuxData: '0fc63daf-8483-4772-8e79-3d69d8477de4',
  home: '933ac7e1-2eb4-4f13-b844-0e14e2aef915',
} as const;

export type FixturePartitionKind = 'esp' | 'ext4' | 'raw';

export interface FixturePartition {
  /** GPT slot (1-based); holes such as 1, 2, 5 are allowed. */
  number: number;
  name: string;
  kind: FixturePartitionKind;
  sizeMiB: number;
  /** Defaults: esp → ESP, ext4 → x86-64 root, raw → Linux data. */
  typeGuid?: string;
  /** Defaults: esp → /boot/efi, ext4 → / (raw partitions have no filesystem entry). */
  mountPoint?: string;
  /** ext4 only: `resize2fs -M`, the image is then smaller than its partition. */
  shrink?: boolean;
  /** Unallocated space left before this partition. */
  gapBeforeMiB?: number;
  /** raw only: random (incompressible, the default) or zero bytes. */
  rawFill?: 'random' | 'zero';
  /** GPT attribute bits to set (sgdisk -A N:set:bit). */
  attributeBits?: number[];
}

export interface CosiFixtureOptions {
  lbaSize?: 512 | 4096;
  /** Default: 1 MiB + partitions and gaps + 1 MiB, at least 32 MiB. */
  diskSizeMiB?: number;
  partitions?: FixturePartition[];
  tarFormat?: 'gnu' | 'posix' | 'ustar';
  zstdLevel?: number;
  /** zstd `--long=N` (a real window of 2^N: the input is piped so zstd cannot shrink it). */
  windowLog?: number | null;
  /** Independently compressed zstd frames per region, concatenated. */
  frames?: number;
  /** Folder of the images inside the tar, default `images` (e.g. `images/sub`). */
  imagesDir?: string;
  /** Bytes of random junk appended after the tar archive. */
  trailingBytes?: number;
  /** Adds unknown fields (top level, in an image, in disk) that readers must ignore. */
  unknownField?: boolean;
  /** compression.maxWindowLog to declare; default windowLog ?? 23 (≥ what zstd levels ≤ 19 use). */
  maxWindowLog?: number;
  omitMarker?: boolean;
  /** Put cosi-marker after metadata.json. */
  markerNotFirst?: boolean;
  omitMetadata?: boolean;
  /** Declares partition `hash` as the dm-verity hash partition of filesystem partition `data`. */
  verity?: { data: number; hash: number; roothash?: string };
}

/** Edits applied after the cached build (for invalid-input tests); the result is not cached. */
export interface CosiFixtureMutations {
  /** Edits the uncompressed primary-GPT region before it is compressed (see test/support/gpt-edit.ts). */
  editPrimaryGpt?: (primaryGpt: Buffer, context: { lbaSize: 512 | 4096 }) => void;
  /** Edits the metadata object before it is serialized. */
  editMetadata?: (metadata: FixtureMetadata) => void;
  /** Replaces the serialized metadata.json text (e.g. broken JSON). */
  editMetadataText?: (text: string) => string;
  /**
   * Flips one byte of a region's compressed bytes after its hash went into the metadata, or
   * before (`beforeHash`: the hash then matches and only decoding can notice).
   */
  corruptCompressed?: { region: number | 'primary-gpt'; offsetBytes?: number; beforeHash?: boolean };
  /** Appends bytes to a partition's compressed image before its hash is taken (trailing garbage after the last zstd frame). */
  appendToCompressed?: { region: number; bytes: Buffer };
}

export interface FixtureImageFile { path: string; compressedSize: number; uncompressedSize: number; sha384: string; [extra: string]: unknown }
export interface FixtureMetadata {
  version: string;
  osArch: string;
  osRelease: string;
  images: { image: FixtureImageFile; mountPoint: string; fsType: string; fsUuid: string; partType: string; verity: null | { image: FixtureImageFile; roothash: string }; [extra: string]: unknown }[];
  osPackages: { name: string; version: string; release: string; arch: string }[];
  bootloader: { type: string; [extra: string]: unknown };
  compression: { maxWindowLog: number };
  disk: { size: number; type: string; lbaSize: number; gptRegions: { image: FixtureImageFile; type: string; number?: number }[]; [extra: string]: unknown };
  [extra: string]: unknown;
}

export interface CosiFixtureRegion {
  type: 'primary-gpt' | 'partition';
  /** GPT slot, 0 for the primary GPT. */
  number: number;
  name: string;
  startLba: number;
  partitionSizeBytes: number;
  uncompressedSize: number;
  compressedSize: number;
  sha384: string;
  /** Path inside the tar. */
  path: string;
  /** The uncompressed image on disk (for byte comparison). */
  rawPath: string;
  /** The compressed image as stored in the tar. */
  compressedPath: string;
}

export interface CosiFixture {
  dir: string;
  cosiPath: string;
  cosiSizeBytes: number;
  sourceDiskPath: string;
  metadata: FixtureMetadata;
  metadataBytes: Buffer;
  /** `sha384:<hex>` of metadataBytes (the COSI image hash). */
  imageHash: string;
  /** Regions in disk order, primary GPT first. */
  regions: CosiFixtureRegion[];
  diskSizeBytes: number;
  lbaSize: 512 | 4096;
  diskGuid: string;
}

export const DEFAULT_PARTITIONS: readonly FixturePartition[] = [
  { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
  { number: 2, name: 'root', kind: 'ext4', sizeMiB: 16 },
];

function hashKey(value: unknown): string {
  return createHash('sha256').update(JSON.stringify({ BUILDER_VERSION, value })).digest('hex').slice(0, 24);
}

/** Builds (or reuses from the cache) a COSI described by `options`, then applies `mutations` if any. */
export async function buildCosiFixture(options: CosiFixtureOptions = {}, mutations: CosiFixtureMutations = {}): Promise<CosiFixture> {
  const lbaSize = options.lbaSize ?? 512;
  const partitions = options.partitions ?? [...DEFAULT_PARTITIONS];
  const partsOptions = { lbaSize, diskSizeMiB: options.diskSizeMiB ?? null, partitions, zstdLevel: options.zstdLevel ?? 3, windowLog: options.windowLog ?? null, frames: options.frames ?? 1 };
  const parts = await cached(`parts-${hashKey(partsOptions)}`, (dir) => buildFixtureParts(dir, partsOptions), loadParts);
  const mutated = Object.keys(mutations).length > 0;
  if (!mutated) {
    return cached(`cosi-${hashKey({ partsOptions, options })}`, (dir) => assembleCosi(dir, parts, options, {}), loadFixture);
  }
  const dir = await scratchPath('');
  await mkdir(dir, { recursive: true });
  await assembleCosi(dir, parts, options, mutations);
  return loadFixture(dir);
}

async function cached<T>(name: string, build: (dir: string) => Promise<void>, load: (dir: string) => Promise<T>): Promise<T> {
  const finalDir = path.join(FIXTURE_CACHE_DIR, name);
  if (await exists(path.join(finalDir, 'done.json'))) return load(finalDir);
  const tempDir = path.join(FIXTURE_CACHE_DIR, `tmp-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tempDir, { recursive: true });
  try {
    await build(tempDir);
    await writeFile(path.join(tempDir, 'done.json'), '{}');
    await rename(tempDir, finalDir);
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    // Another process finished the same build first: use theirs.
    if (!(await exists(path.join(finalDir, 'done.json')))) throw error;
  }
  return load(finalDir);
}

let pruned = false;

/** A fresh path in the scratch folder (mutated fixtures); entries older than a day are removed once per process. */
async function scratchPath(suffix: string): Promise<string> {
  const scratch = path.join(FIXTURE_CACHE_DIR, 'scratch');
  await mkdir(scratch, { recursive: true });
  if (!pruned) {
    pruned = true;
    const cutoff = Date.now() - 24 * 3600 * 1000;
    for (const name of await readdir(scratch)) {
      const started = Number(name.split('-')[0]);
      if (Number.isFinite(started) && started < cutoff) await rm(path.join(scratch, name), { recursive: true, force: true });
    }
  }
  return path.join(scratch, `${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}${suffix}`);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

async function loadParts(dir: string): Promise<FixtureParts> {
  const parts = JSON.parse(await readFile(path.join(dir, 'parts.json'), 'utf8')) as FixtureParts;
  return { ...parts, dir, diskPath: path.join(dir, 'disk.img') };
}

async function loadFixture(dir: string): Promise<CosiFixture> {
  const stored = JSON.parse(await readFile(path.join(dir, 'fixture.json'), 'utf8')) as CosiFixture;
  const metadataBytes = await readFile(path.join(dir, 'metadata.json'));
  // The build ran in a temp dir that was then renamed: rebase the stored paths.
  const rebase = (file: string): string => (file.startsWith(stored.dir) ? path.join(dir, path.relative(stored.dir, file)) : file);
  const regions = stored.regions.map((r) => ({ ...r, rawPath: rebase(r.rawPath), compressedPath: rebase(r.compressedPath) }));
  return { ...stored, dir, cosiPath: rebase(stored.cosiPath), regions, metadataBytes };
}

async function sha384File(file: string): Promise<string> {
  return createHash('sha384').update(await readFile(file)).digest('hex');
}

/** Writes metadata.json and the tar (GNU tar, chosen format, chosen entry order) into `dir`. */
async function assembleCosi(dir: string, parts: FixtureParts, options: CosiFixtureOptions, mutations: CosiFixtureMutations): Promise<void> {
  const lbaSize = parts.lbaSize;
  const imagesDir = options.imagesDir ?? 'images';
  const stage = path.join(dir, 'stage');
  await mkdir(path.join(stage, imagesDir), { recursive: true });
  const regions: CosiFixtureRegion[] = [];
  for (const part of parts.regions) {
    const region = await stageRegion(part, { parts, stage, imagesDir, mutations });
    regions.push(region);
  }
  const metadata = buildMetadata(parts, regions, options);
  mutations.editMetadata?.(metadata);
  let text = `${JSON.stringify(metadata, null, 2)}\n`;
  if (mutations.editMetadataText) text = mutations.editMetadataText(text);
  const metadataBytes = Buffer.from(text, 'utf8');
  await writeFile(path.join(dir, 'metadata.json'), metadataBytes);
  await writeFile(path.join(stage, 'metadata.json'), metadataBytes);
  await writeFile(path.join(stage, 'cosi-marker'), '');
  if (mutations.corruptCompressed && !mutations.corruptCompressed.beforeHash) {
    const target = mutations.corruptCompressed.region;
    const region = regions.find((r) => (target === 'primary-gpt' ? r.type === 'primary-gpt' : r.number === target));
    if (!region) throw new Error(`corruptCompressed: no region ${String(target)}`);
    await flipByte(path.join(stage, region.path), mutations.corruptCompressed.offsetBytes);
  }
  const head = options.omitMetadata ? [] : ['metadata.json'];
  const entries = options.omitMarker ? head : options.markerNotFirst ? [...head, 'cosi-marker'] : ['cosi-marker', ...head];
  entries.push(...regions.map((r) => r.path));
  const cosiPath = path.join(dir, 'fixture.cosi');
  await run('tar', [`--format=${options.tarFormat ?? 'gnu'}`, '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1700000000', '-cf', cosiPath, '-C', stage, '--', ...entries]);
  if (options.trailingBytes) await appendFile(cosiPath, randomBytes(options.trailingBytes));
  const finalRegions = regions.map((r) => ({ ...r, compressedPath: path.join(dir, 'images', path.basename(r.path)) }));
  await mkdir(path.join(dir, 'images'), { recursive: true });
  for (const region of regions) await rename(path.join(stage, region.path), path.join(dir, 'images', path.basename(region.path)));
  await rm(stage, { recursive: true, force: true });
  const fixture: Omit<CosiFixture, 'metadataBytes'> = {
    dir,
    cosiPath,
    cosiSizeBytes: (await stat(cosiPath)).size,
    sourceDiskPath: parts.diskPath,
    metadata,
    imageHash: `sha384:${createHash('sha384').update(metadataBytes).digest('hex')}`,
    regions: finalRegions,
    diskSizeBytes: parts.diskSizeBytes,
    lbaSize,
    diskGuid: parts.diskGuid,
  };
  await writeFile(path.join(dir, 'fixture.json'), JSON.stringify(fixture, null, 2));
}

async function stageRegion(part: FixtureRegionPart, context: { parts: FixtureParts; stage: string; imagesDir: string; mutations: CosiFixtureMutations }): Promise<CosiFixtureRegion> {
  const tarPath = `${context.imagesDir}/${part.fileName}`;
  const staged = path.join(context.stage, tarPath);
  let rawPath = path.join(context.parts.dir, part.rawFile);
  const corrupt = context.mutations.corruptCompressed;
  const corrupted = corrupt !== undefined && (corrupt.region === 'primary-gpt' ? part.type === 'primary-gpt' : part.type === 'partition' && corrupt.region === part.number);
  const edit = context.mutations.editPrimaryGpt;
  const append = context.mutations.appendToCompressed;
  const appended = append !== undefined && part.type === 'partition' && append.region === part.number;
  if (part.type === 'primary-gpt' && edit) {
    const raw = await readFile(rawPath);
    edit(raw, { lbaSize: context.parts.lbaSize });
    rawPath = path.join(context.stage, '..', 'edited-primary-gpt.raw');
    await writeFile(rawPath, raw);
    await zstdCompress(rawPath, staged, { level: context.parts.zstdLevel, windowLog: null, frames: 1, sizeBytes: raw.length });
  } else if (corrupted || appended) {
    await copyFile(path.join(context.parts.dir, part.compressedFile), staged);
    if (appended) await appendFile(staged, append.bytes);
  } else {
    // Hard link: the cached parts are never modified, and big fixtures are not stored twice.
    await link(path.join(context.parts.dir, part.compressedFile), staged);
  }
  if (corrupted && corrupt?.beforeHash) await flipByte(staged, corrupt.offsetBytes);
  const compressedSize = (await stat(staged)).size;
  return {
    type: part.type,
    number: part.number,
    name: part.name,
    startLba: part.startLba,
    partitionSizeBytes: part.partitionSizeBytes,
    uncompressedSize: part.uncompressedSize,
    compressedSize,
    sha384: await sha384File(staged),
    path: tarPath,
    rawPath,
    compressedPath: staged,
  };
}

async function flipByte(file: string, offsetBytes: number | undefined): Promise<void> {
  const bytes = await readFile(file);
  const offset = offsetBytes ?? Math.floor(bytes.length / 2);
  bytes.writeUInt8(bytes.readUInt8(offset) ^ 0x5a, offset);
  await writeFile(file, bytes);
}

function imageFile(region: CosiFixtureRegion, options: CosiFixtureOptions): FixtureImageFile {
  const file: FixtureImageFile = { path: region.path, compressedSize: region.compressedSize, uncompressedSize: region.uncompressedSize, sha384: region.sha384 };
  if (options.unknownField) file['x-future-field'] = { note: 'readers must ignore this' };
  return file;
}

function buildMetadata(parts: FixtureParts, regions: CosiFixtureRegion[], options: CosiFixtureOptions): FixtureMetadata {
  const images: FixtureMetadata['images'] = [];
  for (const part of parts.regions) {
    if (part.fs === null) continue;
    const region = regions.find((r) => r.type === 'partition' && r.number === part.number);
    if (!region) continue;
    const hashRegion = options.verity?.data === part.number ? regions.find((r) => r.type === 'partition' && r.number === options.verity?.hash) : undefined;
    const verity = hashRegion ? { image: imageFile(hashRegion, options), roothash: options.verity?.roothash ?? 'ab'.repeat(32) } : null;
    images.push({ image: imageFile(region, options), mountPoint: part.fs.mountPoint, fsType: part.fs.fsType, fsUuid: part.fs.fsUuid, partType: part.typeGuid, verity });
  }
  const metadata: FixtureMetadata = {
    version: '1.2',
    osArch: 'x86_64',
    osRelease: 'NAME="Cosiflash Test OS"\nVERSION="1.0 (fixture)"\nID=cosiflash-test\nVERSION_ID="1.0"\nPRETTY_NAME="Cosiflash Test OS 1.0"\n',
    images,
    osPackages: [
      { name: 'bash', version: '5.2.15', release: '2', arch: 'x86_64' },
      { name: 'coreutils', version: '9.1', release: '1', arch: 'x86_64' },
      { name: 'systemd', version: '252', release: '3', arch: 'x86_64' },
    ],
    bootloader: { type: 'grub' },
    id: randomUUID(),
    compression: { maxWindowLog: options.maxWindowLog ?? parts.windowLog ?? 23 },
    disk: {
      size: parts.diskSizeBytes,
      type: 'gpt',
      lbaSize: parts.lbaSize,
      gptRegions: regions.map((r) => (r.type === 'primary-gpt' ? { image: imageFile(r, options), type: 'primary-gpt' } : { image: imageFile(r, options), type: 'partition', number: r.number })),
    },
  };
  if (options.unknownField) {
    metadata['x-unknown-top-level'] = 'ignored';
    metadata.disk['x-unknown-disk-field'] = 42;
  }
  return metadata;
}

/** Writes `bytes` over a copy of the fixture's COSI at `offsetBytes` (or truncates it), for tar-level corruption tests. */
export async function corruptCosiCopy(fixture: CosiFixture, edit: { writeAt?: { offsetBytes: number; bytes: Buffer }; truncateToBytes?: number }): Promise<string> {
  const target = await scratchPath('.cosi');
  await copyFile(fixture.cosiPath, target);
  if (edit.writeAt) {
    const { open } = await import('node:fs/promises');
    const handle = await open(target, 'r+');
    try {
      await handle.write(edit.writeAt.bytes, 0, edit.writeAt.bytes.length, edit.writeAt.offsetBytes);
    } finally {
      await handle.close();
    }
  }
  if (edit.truncateToBytes !== undefined) await truncate(target, edit.truncateToBytes);
  return target;
}
