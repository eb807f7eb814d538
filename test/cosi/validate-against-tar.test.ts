import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CosiMetadata } from '../../src/cosi/cosi-metadata.ts';
import { validateAgainstTar, type TarEntryRef } from '../../src/cosi/validate-against-tar.ts';
import { validateMetadata } from '../../src/cosi/validate-metadata.ts';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { mutatedSample, type JsonDoc } from '../support/metadata-samples.ts';
import { thrownCosiflashError } from '../support/thrown-cosiflash-error.ts';

/** Region files (disk order) with small, distinct sizes; the metadata is grub-simple.json resized to them. */
const FILES: Readonly<Record<string, number>> = {
  'images/primary-gpt.rawzst': 300,
  'images/esp.rawzst': 1100,
  'images/root.rawzst': 2000,
  'images/extra.bin': 10,
};

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cosiflash-tar-'));
  mkdirSync(path.join(dir, 'images'));
  writeFileSync(path.join(dir, 'cosi-marker'), '');
  writeFileSync(path.join(dir, 'metadata.json'), '{}');
  for (const [name, size] of Object.entries(FILES)) writeFileSync(path.join(dir, name), Buffer.alloc(size, 7));
});

afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/**
 * Builds a tar with GNU tar (members in the given order; `append` adds members again with
 * `tar -r`) and reads its entries back with `tar -tvR`, which prints each header's block:
 * for these short names the data starts one block after the header.
 */
function realTar(members: readonly string[], options: { append?: readonly string[] } = {}): TarEntryRef[] {
  const tarFile = path.join(dir, `t-${Math.random().toString(36).slice(2)}.tar`);
  execFileSync('tar', ['--format=gnu', '--no-recursion', '-C', dir, '-cf', tarFile, ...members]);
  if (options.append !== undefined) execFileSync('tar', ['--format=gnu', '-C', dir, '-rf', tarFile, ...options.append]);
  const entries = listTar(tarFile);
  rmSync(tarFile);
  return entries;
}

function listTar(tarFile: string): TarEntryRef[] {
  const listing = execFileSync('tar', ['-tvR', '-f', tarFile], { encoding: 'utf8' });
  return listing.split('\n').flatMap((line) => {
    const match = /^block (\d+): \S+ \S+\s+(\d+) \S+ \S+ (.+)$/.exec(line);
    return match === null ? [] : [{ path: match[3] ?? '', offsetBytes: (Number(match[1]) + 1) * 512, sizeBytes: Number(match[2]) }];
  });
}

function metadataFor(mutate: (d: JsonDoc) => void = () => {}): CosiMetadata {
  return validateMetadata(mutatedSample((d) => {
    d.disk.gptRegions.forEach((region: JsonDoc) => { region.image.compressedSize = FILES[region.image.path]; });
    d.images.forEach((fs: JsonDoc) => { fs.image.compressedSize = FILES[fs.image.path]; });
    mutate(d);
  })).metadata;
}

/** The code and detail (only) of the CosiflashError `fn` throws. */
function errorOf(fn: () => unknown): { code: string; detail: string } {
  const { code, detail } = thrownCosiflashError(fn);
  return { code, detail };
}

const IN_ORDER = ['cosi-marker', 'metadata.json', 'images', 'images/primary-gpt.rawzst', 'images/esp.rawzst', 'images/root.rawzst'];

describe('validateAgainstTar on tars written by GNU tar', () => {
  it('accepts region images present, sized as declared and in disk order (directory entries are fine)', () => {
    const entries = realTar(IN_ORDER);
    expect(entries.map((e) => e.path)).toEqual(['cosi-marker', 'metadata.json', 'images/', 'images/primary-gpt.rawzst', 'images/esp.rawzst', 'images/root.rawzst']);
    expect(validateAgainstTar(metadataFor(), entries)).toEqual([]);
  });

  it('warns about files under images/ that the metadata does not use', () => {
    expect(validateAgainstTar(metadataFor(), realTar([...IN_ORDER, 'images/extra.bin'])))
      .toEqual(['tar: "images/extra.bin" is not referenced by metadata.json; it is ignored']);
  });

  it('rejects region images stored out of disk order', () => {
    const entries = realTar(['cosi-marker', 'metadata.json', 'images/primary-gpt.rawzst', 'images/root.rawzst', 'images/esp.rawzst']);
    expect(errorOf(() => validateAgainstTar(metadataFor(), entries))).toEqual({
      code: 'E_METADATA_INVALID',
      detail: 'disk.gptRegions[2].image.path: region images must be stored in the tar in disk order, but "images/root.rawzst" comes before the image of disk.gptRegions[1]',
    });
  });

  it('rejects the primary-gpt image stored after a partition image', () => {
    const entries = realTar(['cosi-marker', 'metadata.json', 'images/esp.rawzst', 'images/primary-gpt.rawzst', 'images/root.rawzst']);
    expect(errorOf(() => validateAgainstTar(metadataFor(), entries)).detail)
      .toBe('disk.gptRegions[1].image.path: region images must be stored in the tar in disk order, but "images/esp.rawzst" comes before the image of disk.gptRegions[0]');
  });

  it('rejects a compressedSize that differs from the tar entry size', () => {
    const metadata = metadataFor((d) => { d.disk.gptRegions[0].image.compressedSize = 301; });
    expect(errorOf(() => validateAgainstTar(metadata, realTar(IN_ORDER)))).toEqual({
      code: 'E_METADATA_INVALID',
      detail: 'disk.gptRegions[0].image.compressedSize: is 301 but the tar entry "images/primary-gpt.rawzst" holds 300 bytes',
    });
  });

  it('rejects an image missing from the tar', () => {
    const entries = realTar(['cosi-marker', 'metadata.json', 'images/primary-gpt.rawzst', 'images/esp.rawzst']);
    expect(errorOf(() => validateAgainstTar(metadataFor(), entries))).toEqual({
      code: 'E_METADATA_INVALID',
      detail: 'disk.gptRegions[2].image.path: "images/root.rawzst" is not in the tar (paths must match exactly)',
    });
  });

  it('rejects a duplicate tar path with E_TAR_INVALID', () => {
    const entries = realTar(IN_ORDER, { append: ['images/esp.rawzst'] });
    const { code, detail } = errorOf(() => validateAgainstTar(metadataFor(), entries));
    expect(code).toBe('E_TAR_INVALID');
    expect(detail).toMatch(/^"images\/esp\.rawzst" appears twice in the tar \(data at byte \d+ and at byte \d+\); COSI paths must be unique$/);
  });
});

describe('COSI fixtures built with mkfs, zstd and GNU tar', () => {
  it.each([
    ['the default layout', {}],
    ['images in a subfolder, unknown fields, partitions 1, 2 and 5 (a hole)', {
      imagesDir: 'images/sub', unknownField: true,
      partitions: [
        { number: 1, name: 'esp', kind: 'esp' as const, sizeMiB: 4 },
        { number: 2, name: 'root', kind: 'ext4' as const, sizeMiB: 8 },
        { number: 5, name: 'raw', kind: 'raw' as const, sizeMiB: 1, rawFill: 'zero' as const },
      ],
    }],
  ])('%s passes validateMetadata and validateAgainstTar', async (_name, options) => {
    const fixture = await buildCosiFixture({ ...options, tarFormat: 'gnu' });
    const { metadata, warnings } = validateMetadata(JSON.parse(fixture.metadataBytes.toString('utf8')));
    expect(warnings).toEqual([]);
    expect(metadata.disk.gptRegions.map((r) => r.image.path)).toEqual(fixture.regions.map((r) => r.path));
    expect(validateAgainstTar(metadata, listTar(fixture.cosiPath))).toEqual([]);
  });
});

describe('validateAgainstTar on hand-made entry lists', () => {
  const entry = (p: string, offsetBytes: number, sizeBytes: number): TarEntryRef => ({ path: p, offsetBytes, sizeBytes });
  const regions = (): TarEntryRef[] => [
    entry('images/primary-gpt.rawzst', 2048, 300), entry('images/esp.rawzst', 4096, 1100), entry('images/root.rawzst', 8192, 2000),
  ];

  it('matches paths exactly (case and ./ prefix matter)', () => {
    for (const wrong of ['images/ESP.rawzst', './images/esp.rawzst', 'images/esp.rawzst/']) {
      const entries = regions().map((e) => (e.path === 'images/esp.rawzst' ? { ...e, path: wrong } : e));
      expect(errorOf(() => validateAgainstTar(metadataFor(), entries)).detail)
        .toBe('disk.gptRegions[1].image.path: "images/esp.rawzst" is not in the tar (paths must match exactly)');
    }
  });

  it('checks verity images too', () => {
    const metadata = metadataFor((d) => {
      const image = { path: 'images/root-verity.zst', compressedSize: 64, uncompressedSize: 4096, sha384: 'ab'.repeat(48) };
      d.images[1].verity = { image, roothash: 'cd' };
      d.disk.gptRegions.push({ type: 'partition', number: 3, image: { ...image } });
    });
    expect(validateAgainstTar(metadata, [...regions(), entry('images/root-verity.zst', 12288, 64)])).toEqual([]);
    expect(errorOf(() => validateAgainstTar(metadata, [...regions(), entry('images/root-verity.zst', 12288, 65)])).detail)
      .toBe('disk.gptRegions[3].image.compressedSize: is 64 but the tar entry "images/root-verity.zst" holds 65 bytes');
  });

  it('checks order by tar offset, not by list position', () => {
    const entries = regions().reverse();
    expect(validateAgainstTar(metadataFor(), entries)).toEqual([]);
  });
});
