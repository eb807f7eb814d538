import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectCosi } from '../../src/cosi/inspect-cosi.ts';
import { readTarIndex } from '../support/read-tar-index.ts';
import { buildCosiFixture, corruptCosiCopy, type CosiFixtureOptions, type FixtureMetadata } from '../support/cosi-fixtures.ts';
import { corruptGptHeaderCrc, editGptEntry } from '../support/gpt-edit.ts';
import { SAMPLES_DIR, sampleNames } from '../support/metadata-samples.ts';
import { bufferSource } from './buffer-source.ts';
import { expectLayoutMatchesDisk } from './expect-layout.ts';

const isRoot = process.getuid?.() === 0;

async function inspectFile(file: string, options: { expectedHash?: string } = {}): Promise<Awaited<ReturnType<typeof inspectCosi>> & { source: ReturnType<typeof bufferSource> }> {
  const source = bufferSource(await readFile(file));
  return { ...(await inspectCosi(source, options)), source };
}

const HOLES: CosiFixtureOptions['partitions'] = [
  { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
  { number: 2, name: 'root', kind: 'ext4', sizeMiB: 16, shrink: true },
  { number: 5, name: 'data', kind: 'raw', sizeMiB: 2, gapBeforeMiB: 3 },
];

const VARIANTS: { name: string; options: CosiFixtureOptions; root?: boolean }[] = [
  { name: 'GNU tar --format=gnu, 512-byte sectors', options: { tarFormat: 'gnu' } },
  { name: '--format=posix (PAX)', options: { tarFormat: 'posix' } },
  { name: '--format=ustar', options: { tarFormat: 'ustar' } },
  { name: 'GPT holes 1,2,5, a gap, a shrunk ext4 and a raw partition', options: { partitions: HOLES } },
  { name: 'several zstd frames and windowLog 27 (--long=27)', options: { frames: 3, windowLog: 27 } },
  { name: 'images in a subdirectory, trailing data, unknown fields', options: { imagesDir: 'images/sub', trailingBytes: 3000, unknownField: true, tarFormat: 'posix' } },
  { name: '4096-byte sectors with holes', options: { lbaSize: 4096, partitions: HOLES }, root: true },
];

describe('inspectCosi on real COSIs', () => {
  for (const variant of VARIANTS) {
    it.skipIf(variant.root === true && !isRoot)(`${variant.name}${variant.root && !isRoot ? ' (skipped: needs root for losetup -b 4096)' : ''}`, async () => {
      const fixture = await buildCosiFixture(variant.options);
      const image = await inspectFile(fixture.cosiPath, { expectedHash: fixture.imageHash });
      await expectLayoutMatchesDisk(image.layout, fixture);
      expect(image.metadataBytes.equals(fixture.metadataBytes)).toBe(true);
      expect(image.layout.partitions.map((p) => p.number)).toEqual(fixture.regions.filter((r) => r.type === 'partition').map((r) => r.number));
      expect(image.primaryRegion.length).toBe(fixture.regions[0]?.uncompressedSize);
      expect(image.layout.writeBytes).toBe(fixture.regions.reduce((sum, r) => sum + r.uncompressedSize, 0));
      expect(image.layout.downloadBytes).toBe(fixture.regions.reduce((sum, r) => sum + r.compressedSize, 0));
      expect(image.layout.os).toEqual({ prettyName: 'Cosiflash Test OS 1.0', id: 'cosiflash-test', versionId: '1.0' });
      expect(image.warnings.filter((w) => w.includes('cosi-marker'))).toEqual([]);
    });
  }

  it('reports shrunk filesystems and the gap between partitions', async () => {
    const fixture = await buildCosiFixture({ partitions: HOLES });
    const { layout } = await inspectFile(fixture.cosiPath);
    expect(layout.partitions.map((p) => [p.number, p.fsType, p.mountPoint, p.shrunk])).toEqual([
      [1, 'vfat', '/boot/efi', false],
      [2, 'ext4', '/', true],
      [5, null, null, false],
    ]);
    const root = layout.partitions[1];
    const data = layout.partitions[2];
    expect(layout.gaps).toContainEqual({ startLba: (root?.endLba ?? 0) + 1, endLba: (data?.startLba ?? 0) - 1, sizeBytes: 3 * 1024 * 1024 });
  });

  it('only warns when cosi-marker is missing or not first', async () => {
    const missing = await inspectFile((await buildCosiFixture({ omitMarker: true })).cosiPath);
    expect(missing.warnings).toContain('tar: the archive has no cosi-marker entry (the COSI spec wants it first)');
    const second = await inspectFile((await buildCosiFixture({ markerNotFirst: true })).cosiPath);
    expect(second.warnings).toContain('tar: cosi-marker is entry 2, the COSI spec wants it first');
  });
});

describe('inspectCosi rejects bad images with specific errors', () => {
  const editRoot = (change: (image: FixtureMetadata['disk']['gptRegions'][number]['image']) => void) => (metadata: FixtureMetadata): void => {
    const region = metadata.disk.gptRegions.find((r) => r.number === 2);
    const fs = metadata.images.find((f) => f.image.path === region?.image.path);
    if (region) change(region.image);
    if (fs) change(fs.image);
  };

  it('checks the expected hash format before reading anything', async () => {
    const fixture = await buildCosiFixture();
    const source = bufferSource(await readFile(fixture.cosiPath));
    await expect(inspectCosi(source, { expectedHash: 'sha256:abc' })).rejects.toMatchObject({ code: 'E_HASH_FORMAT' });
    expect(source.reads).toBe(0);
  });

  it('fails on an expected hash mismatch before reading past metadata.json', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'big', kind: 'raw', sizeMiB: 1 }, { number: 2, name: 'root', kind: 'ext4', sizeMiB: 8 }] });
    const source = bufferSource(await readFile(fixture.cosiPath));
    await expect(inspectCosi(source, { expectedHash: `sha384:${'0'.repeat(96)}` })).rejects.toMatchObject({ code: 'E_HASH_MISMATCH' });
    expect(source.reads).toBe(1);
    await expect(inspectCosi(bufferSource(await readFile(fixture.cosiPath)), { expectedHash: fixture.imageHash.toUpperCase().replace('SHA384:', 'sha384:') })).resolves.toBeDefined();
  });

  it('E_NOT_COSI for a raw disk image, E_HTML_PAGE for an HTML page', async () => {
    const fixture = await buildCosiFixture();
    await expect(inspectFile(fixture.sourceDiskPath)).rejects.toMatchObject({ code: 'E_NOT_COSI' });
    await expect(inspectCosi(bufferSource(Buffer.from(`<!doctype html><title>Error</title>${'x'.repeat(600)}`)))).rejects.toMatchObject({ code: 'E_HTML_PAGE' });
  });

  it('E_NO_METADATA when metadata.json is missing', async () => {
    const fixture = await buildCosiFixture({ omitMetadata: true });
    await expect(inspectFile(fixture.cosiPath)).rejects.toMatchObject({ code: 'E_NO_METADATA' });
  });

  it('E_TAR_INVALID for a truncated archive and for a wrong header checksum', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 1 }] });
    const entries = await readTarIndex(bufferSource(await readFile(fixture.cosiPath)));
    const last = entries.at(-1);
    if (!last) throw new Error('no entries');
    const truncated = await corruptCosiCopy(fixture, { truncateToBytes: last.offsetBytes + 1000 });
    await expect(inspectFile(truncated)).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringContaining('truncated') });
    const badChecksum = await corruptCosiCopy(fixture, { writeAt: { offsetBytes: last.headerOffsetBytes + 20, bytes: Buffer.from('X') } });
    await expect(inspectFile(badChecksum)).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: `invalid tar header checksum at offset ${last.headerOffsetBytes}` });
  });

  it('E_METADATA_JSON for broken JSON', async () => {
    const fixture = await buildCosiFixture({}, { editMetadataText: (text) => text.slice(0, -5) });
    await expect(inspectFile(fixture.cosiPath)).rejects.toMatchObject({ code: 'E_METADATA_JSON' });
  });

  it('E_METADATA_INVALID when an image is larger than its partition', async () => {
    const fixture = await buildCosiFixture({}, { editMetadata: editRoot((image) => (image.uncompressedSize = 16 * 1024 * 1024 + 512)) });
    await expect(inspectFile(fixture.cosiPath)).rejects.toMatchObject({ code: 'E_METADATA_INVALID', detail: expect.stringMatching(/^disk\.gptRegions\[2\]\.image\.uncompressedSize: .* larger than its partition/) });
  });

  it('E_GPT_INVALID for overlapping partitions and for a corrupt header CRC', async () => {
    const overlap = await buildCosiFixture({}, { editPrimaryGpt: (gpt, { lbaSize }) => editGptEntry(gpt, lbaSize, 2, { firstLba: 2048 + 100 }) });
    await expect(inspectFile(overlap.cosiPath)).rejects.toMatchObject({ code: 'E_GPT_INVALID', detail: expect.stringContaining('overlap') });
    const crc = await buildCosiFixture({}, { editPrimaryGpt: (gpt, { lbaSize }) => corruptGptHeaderCrc(gpt, lbaSize) });
    await expect(inspectFile(crc.cosiPath)).rejects.toMatchObject({ code: 'E_GPT_INVALID', detail: expect.stringContaining('CRC32') });
  });

  it('E_METADATA_INVALID when regions are not in increasing start-LBA order', async () => {
    // Swap the two partitions' places on disk in the GPT; the metadata keeps slot 1 before slot 2.
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'a', kind: 'raw', sizeMiB: 1 }, { number: 2, name: 'b', kind: 'raw', sizeMiB: 1 }] });
    const swapped = await buildCosiFixture({ partitions: [{ number: 1, name: 'a', kind: 'raw', sizeMiB: 1 }, { number: 2, name: 'b', kind: 'raw', sizeMiB: 1 }] }, {
      editPrimaryGpt: (gpt, { lbaSize }) => {
        editGptEntry(gpt, lbaSize, 1, { firstLba: 4096, lastLba: 6143 });
        editGptEntry(gpt, lbaSize, 2, { firstLba: 2048, lastLba: 4095 });
      },
    });
    expect(fixture.regions.map((r) => r.number)).toEqual([0, 1, 2]);
    await expect(inspectFile(swapped.cosiPath)).rejects.toMatchObject({ code: 'E_METADATA_INVALID', detail: expect.stringMatching(/^disk\.gptRegions\[2\]: partition regions must be in increasing start-LBA order/) });
  });

  it('E_METADATA_INVALID when regions and GPT entries do not correspond, or disk.size disagrees', async () => {
    const dropped = await buildCosiFixture({ partitions: HOLES }, { editMetadata: (m) => void m.disk.gptRegions.pop() });
    await expect(inspectFile(dropped.cosiPath)).rejects.toMatchObject({ code: 'E_METADATA_INVALID', detail: expect.stringContaining('2 partition regions, but the image\'s GPT has 3 used entries') });
    const renumbered = await buildCosiFixture({ partitions: HOLES }, { editMetadata: (m) => void (m.disk.gptRegions[3]!.number = 4) });
    await expect(inspectFile(renumbered.cosiPath)).rejects.toMatchObject({ code: 'E_METADATA_INVALID', detail: 'disk.gptRegions[3].number: the image\'s GPT has no partition in slot 4' });
    const size = await buildCosiFixture({}, { editMetadata: (m) => void (m.disk.size += 1024 * 1024) });
    await expect(inspectFile(size.cosiPath)).rejects.toMatchObject({ code: 'E_METADATA_INVALID', detail: expect.stringMatching(/^disk\.size: .*backup header/) });
  });

  it('E_IMAGE_HASH for a corrupt primary-GPT image, E_DECODE when the window exceeds maxWindowLog', async () => {
    const corrupt = await buildCosiFixture({}, { corruptCompressed: { region: 'primary-gpt' } });
    await expect(inspectFile(corrupt.cosiPath)).rejects.toMatchObject({ code: 'E_IMAGE_HASH', detail: expect.stringContaining('primary-gpt') });
    const window = await buildCosiFixture({ windowLog: 27 }, { editMetadata: (m) => void (m.compression.maxWindowLog = 20) });
    await expect(inspectFile(window.cosiPath)).rejects.toMatchObject({ code: 'E_DECODE', detail: expect.stringContaining('maxWindowLog (20)') });
  });

  it('E_IMAGE_SIZE when the primary GPT decodes to another size than declared', async () => {
    const fixture = await buildCosiFixture({}, { editMetadata: (m) => void (m.disk.gptRegions[0]!.image.uncompressedSize -= 512) });
    await expect(inspectFile(fixture.cosiPath)).rejects.toMatchObject({ code: 'E_IMAGE_SIZE' });
  });

  for (const name of sampleNames('invalid')) {
    it(`rejects a COSI whose metadata.json is the official invalid sample ${name}`, async () => {
      const text = await readFile(path.join(SAMPLES_DIR, 'invalid', name), 'utf8');
      const fixture = await buildCosiFixture({}, { editMetadataText: () => text });
      await expect(inspectFile(fixture.cosiPath)).rejects.toMatchObject({ code: expect.stringMatching(/^E_(METADATA_INVALID|UNSUPPORTED_VERSION)$/) });
    });
  }
});
