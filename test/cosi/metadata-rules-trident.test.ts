import { describe, expect, it } from 'vitest';
import { validateMetadata } from '../../src/cosi/validate-metadata.ts';
import { invalid, mutatedSample, outcome, type JsonDoc } from '../support/metadata-samples.ts';

const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const ENTRY = { type: 'uki-standalone', path: '/boot/efi/EFI/Linux/os.efi', cmdline: 'ro', kernel: '6.6.1' };
type Case = readonly [string, (d: JsonDoc) => void, string];

/** Trident's semantic checks (microsoft/trident crates/trident/src/osimage/cosi/validation.rs), in its order. */
describe("Trident's rules", () => {
  it.each<Case>([
    ['duplicate mount points', (d) => { d.images[1].mountPoint = '/boot/efi'; }, 'images[1].mountPoint: mount points must be unique ("/boot/efi" is also the mount point of images[0])'],
    ['bootloader missing', (d) => { delete d.bootloader; }, 'bootloader: is required since COSI 1.1 but missing'],
    ['bootloader null', (d) => { d.bootloader = null; }, 'bootloader: is required since COSI 1.1 but missing'],
    ['grub carrying systemd-boot entries', (d) => { d.bootloader.systemdBoot = { entries: [ENTRY] }; }, 'bootloader.systemdBoot: must be omitted or null when bootloader.type is "grub"'],
    ['grub carrying an empty systemdBoot', (d) => { d.bootloader.systemdBoot = { entries: [] }; }, 'bootloader.systemdBoot: must be omitted or null when bootloader.type is "grub"'],
    ['systemd-boot without systemdBoot', (d) => { d.bootloader = { type: 'systemd-boot', systemdBoot: null }; }, 'bootloader.systemdBoot: is required when bootloader.type is "systemd-boot" but missing'],
    ['systemd-boot with no entries', (d) => { d.bootloader = { type: 'systemd-boot', systemdBoot: { entries: [] } }; }, 'bootloader.systemdBoot.entries: must list at least one systemd-boot entry'],
    ['an unknown bootloader type', (d) => { d.bootloader.type = 'GRUB'; }, 'bootloader.type: must be "grub" or "systemd-boot", got "GRUB"'],
    ['osPackages missing', (d) => { delete d.osPackages; }, 'osPackages: is required since COSI 1.1 (the list of installed packages) but missing'],
    ['a package without release', (d) => { delete d.osPackages[2].release; }, 'osPackages[2].release: is required since COSI 1.1 but missing (package "systemd")'],
    ['a package with release null', (d) => { d.osPackages[0].release = null; }, 'osPackages[0].release: is required since COSI 1.1 but missing (package "bash")'],
    ['a package without arch', (d) => { delete d.osPackages[1].arch; }, 'osPackages[1].arch: is required since COSI 1.1 but missing (package "coreutils")'],
    ['compression missing', (d) => { delete d.compression; }, 'compression: is required since COSI 1.2 (it gives the zstd maxWindowLog) but missing'],
    ['disk missing', (d) => { delete d.disk; }, 'disk: is required since COSI 1.2 (the layout of the original disk) but missing'],
    ['disk type not gpt', (d) => { d.disk.type = 'mbr'; }, 'disk.type: must be "gpt" (the only partitioning type COSI defines), got "mbr"'],
    ['gptRegions empty', (d) => { d.disk.gptRegions = []; }, 'disk.gptRegions: must not be empty: it needs the primary-gpt region first, then the partitions'],
    ['gptRegions missing', (d) => { delete d.disk.gptRegions; }, 'disk.gptRegions: must not be empty: it needs the primary-gpt region first, then the partitions'],
    ['primary-gpt not first', (d) => { d.disk.gptRegions.reverse(); }, 'disk.gptRegions[0].type: the first region must be "primary-gpt", got "partition"'],
    ['a second primary-gpt', (d) => { d.disk.gptRegions[2] = { ...d.disk.gptRegions[0] }; }, 'disk.gptRegions[2].type: there must be exactly one "primary-gpt" region (disk.gptRegions[0])'],
    ['partition number 0', (d) => { d.disk.gptRegions[1].number = 0; }, 'disk.gptRegions[1].number: partition numbers start at 1, got 0'],
    ['a duplicate partition number', (d) => { d.disk.gptRegions[2].number = 1; }, 'disk.gptRegions[2].number: partition numbers must be unique (1 is used twice)'],
    ['compressedSize differing from the region', (d) => { d.images[1].image.compressedSize = 5; }, 'images[1].image.compressedSize: must equal disk.gptRegions[2].image.compressedSize (both describe "images/root.rawzst"): 5 ≠ 192874245'],
    ['uncompressedSize differing from the region', (d) => { d.disk.gptRegions[1].image.uncompressedSize = 4096; }, 'images[0].image.uncompressedSize: must equal disk.gptRegions[1].image.uncompressedSize (both describe "images/esp.rawzst"): 8388608 ≠ 4096'],
    ['sha384 differing from the region', (d) => { d.images[0].image.sha384 = 'ab'.repeat(48); }, `images[0].image.sha384: must equal disk.gptRegions[1].image.sha384 (both describe "images/esp.rawzst"): ${'ab'.repeat(48)} ≠ 2decc64a828dbbb76779731cd4afd3b86cc4ad0af06f4afe594e72e62e33e520a6649719fe43f09f11d518e485eae0db`],
    ['a filesystem image with no region', (d) => { d.disk.gptRegions.pop(); }, 'images[1].image.path: every filesystem and verity image must be the image of a partition region in disk.gptRegions; no region has "images/root.rawzst"'],
    ['a filesystem image that is the primary-gpt image', (d) => { d.images[0].image = { ...d.disk.gptRegions[0].image }; }, 'images[0].image.path: every filesystem and verity image must be the image of a partition region in disk.gptRegions; no region has "images/primary-gpt.rawzst"'],
    ['a verity image with no region', (d) => { d.images[1].verity = { image: { ...d.images[1].image, path: 'images/root-hash.rawzst' }, roothash: 'ab' }; }, 'images[1].verity.image.path: every filesystem and verity image must be the image of a partition region in disk.gptRegions; no region has "images/root-hash.rawzst"'],
  ])('rejects %s', (_name, mutate, detail) => {
    expect(outcome(mutatedSample(mutate))).toEqual(invalid(detail));
  });

  it('accepts systemd-boot with entries and warns about unknown entry types only', () => {
    const doc = mutatedSample((d) => {
      d.id = ID;
      d.bootloader = { type: 'systemd-boot', systemdBoot: { entries: [ENTRY, { ...ENTRY, type: 'uki-config' }, { ...ENTRY, type: 'efi-stub' }] } };
    });
    expect(outcome(doc)).toEqual({
      accepted: true,
      warnings: ['bootloader.systemdBoot.entries[2].type: unknown entry type "efi-stub" (known: uki-standalone, uki-config, config); it does not affect writing the disk'],
    });
  });

  it('accepts hashes that differ only in case between a filesystem and its region', () => {
    const doc = mutatedSample((d) => { d.id = ID; d.images[1].image.sha384 = d.images[1].image.sha384.toUpperCase(); });
    expect(outcome(doc)).toEqual({ accepted: true, warnings: [] });
  });

  it('accepts partition regions that no filesystem uses (raw partitions) and holes in the numbering', () => {
    const doc = mutatedSample((d) => {
      d.disk.gptRegions[2].number = 5;
      d.disk.gptRegions.push({ type: 'partition', number: 3, image: { path: 'images/raw.zst', compressedSize: 10, uncompressedSize: 1048576, sha384: 'cd'.repeat(48) } });
    });
    expect(validateMetadata(doc).metadata.disk.gptRegions.map((r) => r.number)).toEqual([undefined, 1, 5, 3]);
  });

  it('accepts an empty osPackages list', () => {
    expect(validateMetadata(mutatedSample((d) => { d.osPackages = []; })).metadata.osPackages).toEqual([]);
  });

  it('lets Azure Container Linux omit osPackages, with a warning (as Trident does)', () => {
    const doc = mutatedSample((d) => {
      d.id = ID;
      delete d.osPackages;
      d.osRelease = 'NAME="Microsoft Azure Linux"\nID=azurelinux\nVARIANT_ID="azurecontainerlinux"\nVERSION_ID="3.0"\n';
    });
    expect(outcome(doc)).toEqual({ accepted: true, warnings: ['osPackages: missing; accepted because osRelease says VARIANT_ID=azurecontainerlinux'] });
    expect(outcome(mutatedSample((d) => { delete d.osPackages; d.osRelease = 'ID=azurelinux\nVARIANT=azurecontainerlinux\n'; })))
      .toEqual(invalid('osPackages: is required since COSI 1.1 (the list of installed packages) but missing'));
  });
});
