import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/cosi/verify-cosi.ts';
import { buildCosiFixture, type CosiFixtureOptions } from '../support/cosi-fixtures.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { runCli } from './run-cli.ts';

const OPTIONS: CosiFixtureOptions = {
  tarFormat: 'posix',
  partitions: [
    { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
    { number: 2, name: 'root', kind: 'ext4', sizeMiB: 16, shrink: true },
    { number: 5, name: 'data', kind: 'raw', sizeMiB: 2, gapBeforeMiB: 1 },
  ],
};

describe('cosiflash verify (real process)', () => {
  let range: RangeServer;
  beforeAll(async () => {
    range = await startRangeServer({ files: {} });
  });
  afterAll(async () => range?.close());

  it('exits 0 and reports every region OK, from a file and over HTTP', async () => {
    const fixture = await buildCosiFixture(OPTIONS);
    const text = await runCli(['verify', fixture.cosiPath]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Image hash ${fixture.imageHash}`);
    for (const label of ['primary GPT', 'partition 1 (esp)', 'partition 2 (root)', 'partition 5 (data)']) expect(text.stdout).toMatch(new RegExp(`OK\\s+${label.replace(/[()]/g, '\\$&')}:`));
    expect(text.stdout).toContain('All 4 regions verified');
    range.setFile('/clean.cosi', fixture.cosiPath);
    range.resetStats();
    const json = await runCli(['verify', range.url('/clean.cosi'), '--json', '--hash', fixture.imageHash]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as VerifyReport;
    expect(report.ok).toBe(true);
    expect(report.regions.map((r) => [r.number, r.verdict, r.sha384])).toEqual(fixture.regions.map((r) => [r.number, 'ok', r.sha384]));
    // Each region is read once: what went over the wire is the image, not a multiple of it.
    expect(range.stats.bytesSent).toBeLessThan(fixture.cosiSizeBytes + 256 * 1024);
  });

  for (const region of [1, 2, 5, 'primary-gpt'] as const) {
    it(`exits 7 and names the region when one byte of ${region === 'primary-gpt' ? 'the GPT region' : `partition ${region}`} is flipped`, async () => {
      const fixture = await buildCosiFixture(OPTIONS, { corruptCompressed: { region } });
      const result = await runCli(['verify', fixture.cosiPath]);
      expect(result.code).toBe(7);
      const label = region === 'primary-gpt' ? 'primary GPT' : `partition ${region} \\(${fixture.regions.find((r) => r.number === region)?.name}\\)`;
      expect(result.stdout).toMatch(new RegExp(`FAILED\\s+${label}: E_IMAGE_HASH`));
      expect(result.stdout.match(/FAILED/g)).toHaveLength(1);
      expect(result.stdout).toMatch(region === 'primary-gpt' ? /1 of \d+ regions? is corrupt\./ : new RegExp(`1 of ${fixture.regions.length} regions is corrupt\\.`));
      const json = JSON.parse((await runCli(['verify', fixture.cosiPath, '--json'])).stdout) as VerifyReport;
      expect(json.ok).toBe(false);
      expect(json.regions.filter((r) => r.verdict !== 'ok').map((r) => r.number)).toEqual([region === 'primary-gpt' ? 0 : region]);
    });
  }

  it('--help exits 0; an invalid image exits 3, not 7', async () => {
    expect((await runCli(['verify', '--help'])).code).toBe(0);
    const fixture = await buildCosiFixture(OPTIONS);
    const result = await runCli(['verify', fixture.sourceDiskPath]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('E_NOT_COSI');
  });
});
