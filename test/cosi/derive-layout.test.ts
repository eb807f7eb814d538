import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findGaps } from '../../src/cosi/find-gaps.ts';
import { inspectCosi } from '../../src/cosi/inspect-cosi.ts';
import { parseOsRelease } from '../../src/cosi/parse-os-release.ts';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { bufferSource } from './buffer-source.ts';

describe('findGaps', () => {
  const range = { firstUsableLba: 34, lastUsableLba: 65502, lbaSize: 512 };
  it('lists the space before, between and after partitions', () => {
    expect(findGaps([{ startLba: 2048, endLba: 4095 }, { startLba: 8192, endLba: 65502 }], range)).toEqual([
      { startLba: 34, endLba: 2047, sizeBytes: 2014 * 512 },
      { startLba: 4096, endLba: 8191, sizeBytes: 4096 * 512 },
    ]);
  });
  it('handles no partitions, adjacent partitions and unsorted input', () => {
    expect(findGaps([], range)).toEqual([{ startLba: 34, endLba: 65502, sizeBytes: 65469 * 512 }]);
    expect(findGaps([{ startLba: 100, endLba: 65502 }, { startLba: 34, endLba: 99 }], range)).toEqual([]);
  });
});

describe('parseOsRelease', () => {
  it('reads quoted, unquoted and escaped values', () => {
    expect(parseOsRelease('NAME="Azure Linux"\nID=azurelinux\nVERSION_ID="3.0"\nPRETTY_NAME="A \\"quoted\\" name"\n# comment\n')).toEqual({
      name: 'Azure Linux', id: 'azurelinux', versionId: '3.0', prettyName: 'A "quoted" name',
    });
    expect(parseOsRelease("ID='single'\r\nGARBAGE LINE\n")).toEqual({ name: null, id: 'single', versionId: null, prettyName: null });
  });
});

describe('deriveLayout through inspectCosi', () => {
  it('links a verity data partition and its hash partition both ways, and keeps GPT attributes', async () => {
    const fixture = await buildCosiFixture({
      partitions: [
        { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
        { number: 2, name: 'root', kind: 'ext4', sizeMiB: 16, attributeBits: [60, 63] },
        { number: 3, name: 'root-hash', kind: 'raw', sizeMiB: 1 },
      ],
      verity: { data: 2, hash: 3, roothash: 'cd'.repeat(32) },
    });
    const { layout } = await inspectCosi(bufferSource(await readFile(fixture.cosiPath)));
    const [, root, hash] = layout.partitions;
    expect(root?.verity).toEqual({ role: 'data', peerNumber: 3, roothash: 'cd'.repeat(32) });
    expect(hash?.verity).toEqual({ role: 'hash', peerNumber: 2, roothash: 'cd'.repeat(32) });
    expect(root?.attributes).toBe(((1n << 60n) | (1n << 63n)).toString());
    expect(layout.partitions[0]?.verity).toBeNull();
  });
});
