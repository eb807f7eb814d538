import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inspectCosi } from '../../src/cosi/inspect-cosi.ts';
import { verifyCosi, type VerifyProgress } from '../../src/cosi/verify-cosi.ts';
import { buildCosiFixture, type CosiFixtureMutations, type CosiFixtureOptions } from '../support/cosi-fixtures.ts';
import { bufferSource } from './buffer-source.ts';

const OPTIONS: CosiFixtureOptions = {
  frames: 2,
  partitions: [
    { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
    { number: 2, name: 'root', kind: 'ext4', sizeMiB: 16, shrink: true },
    { number: 5, name: 'data', kind: 'raw', sizeMiB: 2, gapBeforeMiB: 1 },
  ],
};

async function verifyFixture(mutations: CosiFixtureMutations = {}, onProgress?: (p: VerifyProgress) => void) {
  const fixture = await buildCosiFixture(OPTIONS, mutations);
  const source = bufferSource(await readFile(fixture.cosiPath));
  const image = await inspectCosi(source);
  const before = source.transferredBytes;
  const report = await verifyCosi(source, image, onProgress ? { onProgress } : {});
  return { fixture, report, streamedBytes: source.transferredBytes - before };
}

describe('verifyCosi', () => {
  it('passes a clean image, reading every region exactly once', async () => {
    const progress: VerifyProgress[] = [];
    const { fixture, report, streamedBytes } = await verifyFixture({}, (p) => progress.push(p));
    expect(report.ok).toBe(true);
    expect(report.regions.map((r) => [r.number, r.verdict])).toEqual([[0, 'ok'], [1, 'ok'], [2, 'ok'], [5, 'ok']]);
    expect(report.regions.map((r) => r.sha384)).toEqual(fixture.regions.map((r) => r.sha384));
    expect(report.regions.map((r) => r.decodedBytes)).toEqual(fixture.regions.map((r) => r.uncompressedSize));
    const compressedTotal = fixture.regions.reduce((sum, r) => sum + r.compressedSize, 0);
    expect(streamedBytes).toBe(compressedTotal);
    expect(report.readBytes).toBe(compressedTotal);
    const last = progress.at(-1);
    expect(last).toMatchObject({ readBytes: compressedTotal, totalBytes: compressedTotal });
    // Throttled at the source: consecutive callbacks (except the final one) are ≥ 250 ms apart.
    const times = progress.slice(0, -1).map((p) => p.elapsedMs);
    for (let i = 1; i < times.length; i += 1) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(250);
  });

  for (const region of [1, 2, 5]) {
    it(`names partition ${region} when one byte of its compressed data is flipped`, async () => {
      const { report } = await verifyFixture({ corruptCompressed: { region } });
      expect(report.ok).toBe(false);
      const failed = report.regions.filter((r) => r.verdict !== 'ok');
      expect(failed.map((r) => [r.number, r.verdict])).toEqual([[region, 'E_IMAGE_HASH']]);
      expect(failed[0]?.error?.detail).toContain('SHA-384');
    });
  }

  it('E_DECODE for garbage after the last zstd frame (as zstd -t), even though the hash matches', async () => {
    const { report, fixture } = await verifyFixture({ appendToCompressed: { region: 5, bytes: Buffer.from('trailing garbage') } });
    const failed = report.regions.filter((r) => r.verdict !== 'ok');
    expect(failed.map((r) => [r.number, r.verdict])).toEqual([[5, 'E_DECODE']]);
    const region = fixture.regions.find((r) => r.number === 5);
    expect(failed[0]?.error?.detail).toBe(`${region?.path} (data): data that is not a zstd frame at byte ${(region?.compressedSize ?? 0) - 16}, after the last frame (zstd -t rejects this)`);
  });

  it('E_DECODE when the damaged bytes still match the declared hash', async () => {
    const { report } = await verifyFixture({ corruptCompressed: { region: 2, beforeHash: true } });
    expect(report.regions.filter((r) => r.verdict !== 'ok').map((r) => [r.number, r.verdict])).toEqual([[2, 'E_DECODE']]);
  });

  it('E_IMAGE_SIZE when a region decodes to more or fewer bytes than declared', async () => {
    const smaller = await verifyFixture({
      editMetadata: (m) => {
        for (const image of [m.disk.gptRegions.find((r) => r.number === 5)?.image]) if (image) image.uncompressedSize -= 4096;
      },
    });
    expect(smaller.report.regions.filter((r) => r.verdict !== 'ok').map((r) => [r.number, r.verdict])).toEqual([[5, 'E_IMAGE_SIZE']]);
    const larger = await verifyFixture({
      editMetadata: (m) => {
        const region = m.disk.gptRegions.find((r) => r.number === 2);
        const fs = m.images.find((f) => f.image.path === region?.image.path);
        for (const image of [region?.image, fs?.image]) if (image) image.uncompressedSize += 4096;
      },
    });
    expect(larger.report.regions.filter((r) => r.verdict !== 'ok').map((r) => [r.number, r.verdict, r.error?.detail])).toEqual([
      [2, 'E_IMAGE_SIZE', expect.stringContaining('decodes to 5')],
    ]);
  });

  it('stops when the signal aborts', async () => {
    const fixture = await buildCosiFixture(OPTIONS);
    const source = bufferSource(await readFile(fixture.cosiPath));
    const image = await inspectCosi(source);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(verifyCosi(source, image, { signal: controller.signal })).rejects.toThrow('stop');
  });
});
