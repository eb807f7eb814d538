import { describe, expect, it } from 'vitest';
import { validateMetadata } from '../../src/cosi/validate-metadata.ts';
import { invalid, loadSample, mutatedSample, outcome, sampleNames, type JsonDoc } from '../support/metadata-samples.ts';

/** Every invalid sample breaks exactly one rule; this is the code and the JSON path + rule we report. */
const INVALID_SAMPLES: Readonly<Record<string, { code: string; detail: string }>> = {
  'gpt-missing-primary-region.json': { code: 'E_METADATA_INVALID', detail: 'disk.gptRegions[0].type: the first region must be "primary-gpt", got "partition"' },
  'invalid-lba-size.json': { code: 'E_METADATA_INVALID', detail: 'disk.lbaSize: must be 512 or 4096 (the logical sector size in bytes), got 1024' },
  'invalid-part-type-uuid.json': { code: 'E_METADATA_INVALID', detail: 'images[1].partType: must be a GPT partition type UUID like "0fc63daf-8483-4772-8e79-3d69d8477de4", got "not-a-uuid"' },
  'missing-image-path-prefix.json': { code: 'E_METADATA_INVALID', detail: 'images[0].image.path: must start with "images/" (images live in the images/ folder of the tar), got "esp.rawzst"' },
  'missing-os-arch.json': { code: 'E_METADATA_INVALID', detail: 'osArch: is required (a string) but missing' },
  'missing-os-packages.json': { code: 'E_METADATA_INVALID', detail: 'osPackages: is required since COSI 1.1 (the list of installed packages) but missing' },
  'os-package-missing-arch.json': { code: 'E_METADATA_INVALID', detail: 'osPackages[0].arch: is required since COSI 1.1 but missing (package "bash")' },
  'partition-region-missing-number.json': { code: 'E_METADATA_INVALID', detail: 'disk.gptRegions[1].number: is required for a "partition" region (its 1-based GPT entry index) but missing' },
  'short-sha384.json': { code: 'E_METADATA_INVALID', detail: 'images[0].image.sha384: must be a SHA-384 hash: exactly 96 hexadecimal characters, got 8 characters ("deadbeef")' },
  'systemd-boot-missing-config.json': { code: 'E_METADATA_INVALID', detail: 'bootloader.systemdBoot: is required when bootloader.type is "systemd-boot" but missing' },
  'unknown-bootloader-type.json': { code: 'E_METADATA_INVALID', detail: 'bootloader.type: must be "grub" or "systemd-boot", got "lilo"' },
  'wrong-version.json': { code: 'E_UNSUPPORTED_VERSION', detail: 'version: COSI 1.1 has no disk layout; writing a disk needs COSI 1.2 or newer (1.2 added the "disk" object)' },
};

describe('official v1.2 samples', () => {
  it('the table covers exactly the invalid samples on disk', () => {
    expect(Object.keys(INVALID_SAMPLES).sort()).toEqual(sampleNames('invalid'));
  });

  it.each(sampleNames('invalid'))('rejects invalid/%s naming the JSON path and rule', (name) => {
    expect(outcome(loadSample('invalid', name))).toEqual({ accepted: false, ...INVALID_SAMPLES[name] });
  });

  it('accepts valid/grub-simple.json (only warning: no id)', () => {
    expect(outcome(loadSample('valid', 'grub-simple.json'))).toEqual({
      accepted: true, warnings: ['id: missing (optional); the image has no unique identifier'],
    });
  });

  // Known quirk (cosi-reference/README.md): this sample passes the JSON schema, but its verity
  // hash image has no gptRegions entry, which Trident's semantic validation rejects and so do we
  // (the spec's cross-field rule; a flasher could not write that partition anyway).
  it('rejects valid/verity-uki-systemd-boot.json for its verity image without a partition region', () => {
    expect(outcome(loadSample('valid', 'verity-uki-systemd-boot.json'))).toEqual(invalid(
      'images[1].verity.image.path: every filesystem and verity image must be the image of a partition region in disk.gptRegions; no region has "images/root-verity.rawzst"'));
  });

  it('accepts valid/verity-uki-systemd-boot.json once its verity partition has a region', () => {
    const doc = loadSample('valid', 'verity-uki-systemd-boot.json');
    doc.disk.gptRegions.push({ image: structuredClone(doc.images[1].verity.image), type: 'partition', number: 3 });
    const result = outcome(doc);
    expect(result).toEqual({ accepted: true, warnings: ['id: missing (optional); the image has no unique identifier'] });
  });

  it('covers every valid sample on disk', () => {
    expect(sampleNames('valid')).toEqual(['grub-simple.json', 'verity-uki-systemd-boot.json']);
  });
});

describe('returned metadata', () => {
  it('is typed, complete and normalised', () => {
    const doc = mutatedSample((d) => {
      d.osArch = 'AMD64';
      d.id = 'ABCDEF01-2345-6789-ABCD-EF0123456789';
      d.images[1].partType = '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709';
      d.images[1].image.sha384 = d.images[1].image.sha384.toUpperCase();
    });
    const { metadata, warnings } = validateMetadata(doc);
    expect(warnings).toEqual([]);
    expect(metadata.version).toBe('1.2');
    expect([metadata.versionMajor, metadata.versionMinor]).toEqual([1, 2]);
    expect(metadata.osArch).toBe('x86_64');
    expect(metadata.id).toBe('abcdef01-2345-6789-abcd-ef0123456789');
    expect(metadata.images[1]?.partType).toBe('4f68bce3-e8cd-4db1-96e7-fbcaf984b709');
    expect(metadata.images[1]?.image.sha384).toBe('98ea4adbbb8ce0220d109d53d65825bd5a565248e4af3a9346d088918e7856ac2c42e13461cac67dbf3711ff69695ec3');
    expect(metadata.images[0]?.verity).toBeNull();
    expect(metadata.bootloader).toEqual({ type: 'grub', systemdBoot: null });
    expect(metadata.osPackages[2]).toEqual({ name: 'systemd', version: '255', release: '20.azl3', arch: 'x86_64' });
    expect(metadata.compression).toEqual({ maxWindowLog: 30 });
    expect(metadata.disk).toEqual({
      size: 1073741824, type: 'gpt', lbaSize: 512,
      gptRegions: [
        { type: 'primary-gpt', image: { path: 'images/primary-gpt.rawzst', compressedSize: 16384, uncompressedSize: 32768, sha384: doc.disk.gptRegions[0].image.sha384 } },
        { type: 'partition', number: 1, image: doc.disk.gptRegions[1].image },
        { type: 'partition', number: 2, image: doc.disk.gptRegions[2].image },
      ],
    });
  });

  it('ignores unknown fields everywhere and does not return them', () => {
    const doc = mutatedSample((d: JsonDoc) => {
      d.futureRootField = { anything: [1, 2] };
      d.images[0].futureFsField = 'x';
      d.images[0].image.futureImageField = 7;
      d.osPackages[0].epoch = '1';
      d.bootloader.futureBootField = true;
      d.disk.futureDiskField = null;
      d.disk.gptRegions[1].futureRegionField = 'y';
      d.disk.gptRegions[1].image.futureImageField = 'z';
      d.compression.level = 19;
    });
    const { metadata } = validateMetadata(doc);
    const text = JSON.stringify(metadata);
    expect(text).not.toMatch(/future|epoch|level/);
    expect(metadata.images).toHaveLength(2);
  });

  it('does not modify its input', () => {
    const doc = mutatedSample((d) => { d.osArch = 'arm64'; });
    const before = JSON.stringify(doc);
    validateMetadata(doc);
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('first failure wins, in a fixed order', () => {
  it.each([
    ['the version before anything else', (d: JsonDoc) => { d.version = '1.1'; delete d.osArch; }, { accepted: false, code: 'E_UNSUPPORTED_VERSION', detail: 'version: COSI 1.1 has no disk layout; writing a disk needs COSI 1.2 or newer (1.2 added the "disk" object)' }],
    ['structure before Trident\'s rules', (d: JsonDoc) => { d.disk.lbaSize = 1000; d.images[1].mountPoint = '/boot/efi'; }, invalid('disk.lbaSize: must be 512 or 4096 (the logical sector size in bytes), got 1000')],
    ['duplicate mount points before the bootloader', (d: JsonDoc) => { d.images[1].mountPoint = '/boot/efi'; delete d.bootloader; }, invalid('images[1].mountPoint: mount points must be unique ("/boot/efi" is also the mount point of images[0])')],
    ['bootloader before osPackages', (d: JsonDoc) => { delete d.bootloader; delete d.osPackages; }, invalid('bootloader: is required since COSI 1.1 but missing')],
    ['osPackages before compression', (d: JsonDoc) => { delete d.osPackages[1].release; delete d.compression; }, invalid('osPackages[1].release: is required since COSI 1.1 but missing (package "coreutils")')],
    ['compression before disk', (d: JsonDoc) => { delete d.compression; delete d.disk; }, invalid('compression: is required since COSI 1.2 (it gives the zstd maxWindowLog) but missing')],
    ['Trident\'s rules before the extra MUSTs', (d: JsonDoc) => { d.disk.size = 1000; d.disk.gptRegions[2].number = 1; }, invalid('disk.gptRegions[2].number: partition numbers must be unique (1 is used twice)')],
    ['document order within a pass', (d: JsonDoc) => { d.images[0].image.sha384 = 'x'; d.images[1].image.sha384 = 'y'; }, invalid('images[0].image.sha384: must be a SHA-384 hash: exactly 96 hexadecimal characters, got 1 character ("x")')],
  ])('%s', (_name, mutate, expected) => {
    expect(outcome(mutatedSample(mutate))).toEqual(expected);
  });
});
