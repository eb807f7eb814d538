import { describe, expect, it } from 'vitest';
import { validateMetadata } from '../../src/cosi/validate-metadata.ts';
import { invalid, mutatedSample, outcome, type JsonDoc } from '../support/metadata-samples.ts';

const HEX96 = 'ab'.repeat(48);
type Case = readonly [string, (d: JsonDoc) => void, string];

/** Applies the same edit to a filesystem image and its partition region, so only the edited rule can fail. */
function bothEsp(edit: (image: JsonDoc) => void): (d: JsonDoc) => void {
  return (d) => { edit(d.images[0].image); edit(d.disk.gptRegions[1].image); };
}

describe('osArch', () => {
  it.each([
    ['x86_64', 'x86_64'], ['X86_64', 'x86_64'], ['amd64', 'x86_64'], ['AMD64', 'x86_64'], ['x64', 'x86_64'], ['X64', 'x86_64'],
    ['arm64', 'aarch64'], ['ARM64', 'aarch64'], ['aarch64', 'aarch64'], ['AArch64', 'aarch64'],
  ])('accepts %s as %s', (given, normalised) => {
    expect(validateMetadata(mutatedSample((d) => { d.osArch = given; })).metadata.osArch).toBe(normalised);
  });

  it.each([
    ['riscv64', 'osArch: must be x86_64 or arm64 (also accepted: amd64, x64, aarch64; any case), got "riscv64"'],
    ['', 'osArch: must be x86_64 or arm64 (also accepted: amd64, x64, aarch64; any case), got ""'],
    ['toString', 'osArch: must be x86_64 or arm64 (also accepted: amd64, x64, aarch64; any case), got "toString"'],
    [64, 'osArch: must be a string, got the number 64'],
  ])('rejects %j', (given, detail) => {
    expect(outcome(mutatedSample((d) => { d.osArch = given; }))).toEqual(invalid(detail));
  });
});

describe('image files', () => {
  it.each<Case>([
    ['path not under images/', bothEsp((i) => { i.path = 'esp.rawzst'; }), 'images[0].image.path: must start with "images/" (images live in the images/ folder of the tar), got "esp.rawzst"'],
    ['absolute path', bothEsp((i) => { i.path = '/images/esp.rawzst'; }), 'images[0].image.path: must start with "images/" (images live in the images/ folder of the tar), got "/images/esp.rawzst"'],
    ['./ prefix', bothEsp((i) => { i.path = './images/esp.rawzst'; }), 'images[0].image.path: must start with "images/" (images live in the images/ folder of the tar), got "./images/esp.rawzst"'],
    ['the folder itself', bothEsp((i) => { i.path = 'images/'; }), 'images[0].image.path: must name a file inside images/ without empty, "." or ".." path segments, got "images/"'],
    ['a .. segment', bothEsp((i) => { i.path = 'images/../esp.rawzst'; }), 'images[0].image.path: must name a file inside images/ without empty, "." or ".." path segments, got "images/../esp.rawzst"'],
    ['an empty segment', bothEsp((i) => { i.path = 'images//esp.rawzst'; }), 'images[0].image.path: must name a file inside images/ without empty, "." or ".." path segments, got "images//esp.rawzst"'],
    ['a trailing slash', bothEsp((i) => { i.path = 'images/sub/'; }), 'images[0].image.path: must name a file inside images/ without empty, "." or ".." path segments, got "images/sub/"'],
    ['a region path', (d) => { d.disk.gptRegions[0].image.path = 'images/./gpt'; }, 'disk.gptRegions[0].image.path: must name a file inside images/ without empty, "." or ".." path segments, got "images/./gpt"'],
    ['a verity path', (d) => { d.images[1].verity = { image: { ...d.images[1].image, path: 'verity.zst' }, roothash: 'aa' }; }, 'images[1].verity.image.path: must start with "images/" (images live in the images/ folder of the tar), got "verity.zst"'],
    ['missing path', bothEsp((i) => { delete i.path; }), 'images[0].image.path: is required (a string) but missing'],
    ['negative size', bothEsp((i) => { i.compressedSize = -1; }), 'images[0].image.compressedSize: must be at least 0, got -1'],
    ['fractional size', bothEsp((i) => { i.uncompressedSize = 1.5; }), 'images[0].image.uncompressedSize: must be a whole number, got the number 1.5'],
    ['size as a string', bothEsp((i) => { i.compressedSize = '839345'; }), 'images[0].image.compressedSize: must be a whole number, got the string "839345"'],
    ['size beyond 2^53', bothEsp((i) => { i.uncompressedSize = 2 ** 60; }), `images[0].image.uncompressedSize: must be at most ${Number.MAX_SAFE_INTEGER}, got ${2 ** 60}`],
    ['missing sha384', bothEsp((i) => { delete i.sha384; }), 'images[0].image.sha384: is required (a string) but missing'],
    ['sha384 too long', bothEsp((i) => { i.sha384 = `${HEX96}0`; }), `images[0].image.sha384: must be a SHA-384 hash: exactly 96 hexadecimal characters, got 97 characters ("${HEX96.slice(0, 77)}...")`],
    ['sha384 not hex', bothEsp((i) => { i.sha384 = `${HEX96.slice(0, 95)}g`; }), `images[0].image.sha384: must be a SHA-384 hash: exactly 96 hexadecimal characters, got 96 characters ("${HEX96.slice(0, 77)}...")`],
    ['image not an object', (d) => { d.images[0].image = 'images/esp.rawzst'; }, 'images[0].image: must be an object, got the string "images/esp.rawzst"'],
  ])('rejects %s', (_name, mutate, detail) => {
    expect(outcome(mutatedSample(mutate))).toEqual(invalid(detail));
  });

  it('accepts images in subdirectories of images/ and any-case sha384 (returned lowercase)', () => {
    const doc = mutatedSample(bothEsp((i) => { i.path = 'images/boot/efi/esp.rawzst'; i.sha384 = HEX96.toUpperCase(); }));
    const { metadata } = validateMetadata(doc);
    expect(metadata.images[0]?.image).toEqual({ path: 'images/boot/efi/esp.rawzst', compressedSize: 839345, uncompressedSize: 8388608, sha384: HEX96 });
    expect(metadata.disk.gptRegions[1]?.image.sha384).toBe(HEX96);
  });
});

describe('filesystems, packages, bootloader, disk, compression, id', () => {
  it.each<Case>([
    ['images not an array', (d) => { d.images = {}; }, 'images: must be an array, got an object'],
    ['images missing', (d) => { delete d.images; }, 'images: is required (an array) but missing'],
    ['a filesystem that is null', (d) => { d.images[1] = null; }, 'images[1]: must be an object, got null'],
    ['missing mountPoint', (d) => { delete d.images[1].mountPoint; }, 'images[1].mountPoint: is required (a string) but missing'],
    ['empty fsType', (d) => { d.images[1].fsType = ''; }, 'images[1].fsType: must not be empty'],
    ['fsUuid not a string', (d) => { d.images[1].fsUuid = 42; }, 'images[1].fsUuid: must be a string, got the number 42'],
    ['partType not a UUID', (d) => { d.images[1].partType = 'linux-generic'; }, 'images[1].partType: must be a GPT partition type UUID like "0fc63daf-8483-4772-8e79-3d69d8477de4", got "linux-generic"'],
    ['verity without roothash', (d) => { d.images[1].verity = { image: d.images[1].image }; }, 'images[1].verity.roothash: is required (a string) but missing'],
    ['verity not an object', (d) => { d.images[1].verity = true; }, 'images[1].verity: must be an object, got true'],
    ['osRelease not a string', (d) => { d.osRelease = ['ID=x']; }, 'osRelease: must be a string, got an array'],
    ['osPackages not an array', (d) => { d.osPackages = 'bash'; }, 'osPackages: must be an array, got the string "bash"'],
    ['a package without name', (d) => { delete d.osPackages[2].name; }, 'osPackages[2].name: is required (a string) but missing'],
    ['a package without version', (d) => { delete d.osPackages[1].version; }, 'osPackages[1].version: is required (a string) but missing'],
    ['a package arch that is not a string', (d) => { d.osPackages[0].arch = 64; }, 'osPackages[0].arch: must be a string, got the number 64'],
    ['bootloader not an object', (d) => { d.bootloader = 'grub'; }, 'bootloader: must be an object, got the string "grub"'],
    ['bootloader without type', (d) => { d.bootloader = {}; }, 'bootloader.type: is required (a string) but missing'],
    ['systemdBoot without entries', (d) => { d.bootloader = { type: 'systemd-boot', systemdBoot: {} }; }, 'bootloader.systemdBoot.entries: is required (an array) but missing'],
    ['an entry without kernel', (d) => { d.bootloader = { type: 'systemd-boot', systemdBoot: { entries: [{ type: 'config', path: '/a', cmdline: '' }] } }; }, 'bootloader.systemdBoot.entries[0].kernel: is required (a string) but missing'],
    ['id not a UUID', (d) => { d.id = 'cosi-1'; }, 'id: must be a UUID like "3f2504e0-4f89-41d3-9a0c-0305e82c3301", got "cosi-1"'],
    ['disk not an object', (d) => { d.disk = []; }, 'disk: must be an object, got an array'],
    ['disk without size', (d) => { delete d.disk.size; }, 'disk.size: is required (a whole number) but missing'],
    ['disk without type', (d) => { delete d.disk.type; }, 'disk.type: is required (a string) but missing'],
    ['lbaSize 1024', (d) => { d.disk.lbaSize = 1024; }, 'disk.lbaSize: must be 512 or 4096 (the logical sector size in bytes), got 1024'],
    ['lbaSize as a string', (d) => { d.disk.lbaSize = '512'; }, 'disk.lbaSize: must be a whole number, got the string "512"'],
    ['gptRegions not an array', (d) => { d.disk.gptRegions = {}; }, 'disk.gptRegions: must be an array, got an object'],
    ['an unknown region type', (d) => { d.disk.gptRegions[2].type = 'backup-gpt'; }, 'disk.gptRegions[2].type: must be "primary-gpt" or "partition", got "backup-gpt"'],
    ['a region without image', (d) => { delete d.disk.gptRegions[1].image; }, 'disk.gptRegions[1].image: is required (an object) but missing'],
    ['a negative partition number', (d) => { d.disk.gptRegions[1].number = -1; }, 'disk.gptRegions[1].number: must be at least 1 (partition numbers are 1-based), got -1'],
    ['a partition number as a string', (d) => { d.disk.gptRegions[1].number = '1'; }, 'disk.gptRegions[1].number: must be a whole number, got the string "1"'],
    ['compression not an object', (d) => { d.compression = 30; }, 'compression: must be an object, got the number 30'],
    ['maxWindowLog missing', (d) => { d.compression = {}; }, 'compression.maxWindowLog: is required (a whole number) but missing'],
    ['maxWindowLog fractional', (d) => { d.compression.maxWindowLog = 27.5; }, 'compression.maxWindowLog: must be a whole number, got the number 27.5'],
  ])('rejects %s', (_name, mutate, detail) => {
    expect(outcome(mutatedSample(mutate))).toEqual(invalid(detail));
  });

  it('treats null like an omitted optional field (verity, systemdBoot for grub, id)', () => {
    const doc = mutatedSample((d) => { delete d.images[0].verity; d.bootloader.systemdBoot = null; d.id = null; });
    const { metadata } = validateMetadata(doc);
    expect(metadata.images[0]?.verity).toBeNull();
    expect(metadata.bootloader.systemdBoot).toBeNull();
    expect(metadata.id).toBeNull();
  });

  it('accepts any package arch string (RPM %{ARCH}: noarch, i686, …)', () => {
    const doc = mutatedSample((d) => { d.osPackages[0].arch = 'noarch'; d.osPackages[1].arch = 'i686'; });
    expect(validateMetadata(doc).metadata.osPackages.map((p) => p.arch)).toEqual(['noarch', 'i686', 'x86_64']);
  });

  it('ignores a number on the primary-gpt region', () => {
    const doc = mutatedSample((d) => { d.disk.gptRegions[0].number = 7; });
    expect(validateMetadata(doc).metadata.disk.gptRegions[0]?.number).toBeUndefined();
  });

  it('accepts 4096-byte sectors', () => {
    expect(validateMetadata(mutatedSample((d) => { d.disk.lbaSize = 4096; })).metadata.disk.lbaSize).toBe(4096);
  });
});
