import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { readAt } from '../support/cosi-fixture-tools.ts';

// The fixture builder is what every other test trusts: check it against the tools themselves.
describe('buildCosiFixture', () => {
  it('writes each image into the source disk at its partition offset, and tar holds what zstd -d restores', async () => {
    const fixture = await buildCosiFixture({ frames: 2, partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 3, name: 'root', kind: 'ext4', sizeMiB: 16, shrink: true, gapBeforeMiB: 2 }] });
    expect(execFileSync('sgdisk', ['-v', fixture.sourceDiskPath], { encoding: 'utf8' })).toContain('No problems found');
    const listing = execFileSync('tar', ['-tf', fixture.cosiPath], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(['cosi-marker', 'metadata.json', ...fixture.regions.map((r) => r.path)]);
    for (const region of fixture.regions) {
      const compressed = execFileSync('tar', ['-xOf', fixture.cosiPath, region.path]);
      expect(compressed.length).toBe(region.compressedSize);
      const raw = execFileSync('zstd', ['-d', '-c', '-q'], { input: compressed, maxBuffer: 64 * 1024 * 1024 });
      expect(raw.length).toBe(region.uncompressedSize);
      const onDisk = await readAt(fixture.sourceDiskPath, region.startLba * fixture.lbaSize, region.uncompressedSize);
      expect(onDisk.equals(raw), `region ${region.name}`).toBe(true);
      expect(raw.equals(await readFile(region.rawPath))).toBe(true);
    }
    expect(execFileSync('tar', ['-xOf', fixture.cosiPath, 'metadata.json']).equals(fixture.metadataBytes)).toBe(true);
  });

  it('returns the cached build for the same options', async () => {
    const first = await buildCosiFixture({ tarFormat: 'ustar' });
    const second = await buildCosiFixture({ tarFormat: 'ustar' });
    expect(second.cosiPath).toBe(first.cosiPath);
    expect(second.imageHash).toBe(first.imageHash);
  });
});
