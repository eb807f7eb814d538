import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCosi } from '../../src/cosi/inspect-cosi.ts';
import { openSource } from '../../src/source/open-source.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { startNginx, type NginxServer } from '../support/nginx-server.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';

const MiB = 1024 * 1024;

// A 100 MiB random raw partition compresses to ~100 MiB: a big COSI whose inspection must
// still download only headers, metadata.json and the GPT. Built once and cached.
describe('inspecting a COSI of 100+ MiB downloads less than 2 MiB', () => {
  let fixture: CosiFixture;
  let range: RangeServer;
  let nginx: NginxServer;
  beforeAll(async () => {
    fixture = await buildCosiFixture({
      diskSizeMiB: 140,
      partitions: [
        { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
        { number: 2, name: 'blob', kind: 'raw', sizeMiB: 104 },
        { number: 3, name: 'root', kind: 'ext4', sizeMiB: 16 },
      ],
    });
    range = await startRangeServer({ files: { '/big.cosi': fixture.cosiPath } });
    nginx = await startNginx({ files: { '/big.cosi': fixture.cosiPath } });
  }, 600_000);
  afterAll(async () => {
    await range?.close();
    await nginx?.close();
  });

  it('is really that big', () => {
    expect(fixture.cosiSizeBytes).toBeGreaterThanOrEqual(100 * MiB);
  });

  it('over the range server (counted by the server)', async () => {
    range.resetStats();
    const source = await openSource(range.url('/big.cosi'));
    try {
      const { layout } = await inspectCosi(source, { expectedHash: fixture.imageHash });
      expect(layout.partitions.map((p) => p.name)).toEqual(['esp', 'blob', 'root']);
    } finally {
      await source.close();
    }
    expect(range.stats.bytesSent).toBeLessThan(2 * MiB);
    expect(range.stats.requests.length).toBeLessThanOrEqual(8);
  });

  it('over nginx (counted by the client)', async () => {
    const source = await openSource(nginx.url('/big.cosi'));
    try {
      await inspectCosi(source, { expectedHash: fixture.imageHash });
      expect(source.transferredBytes).toBeLessThan(2 * MiB);
    } finally {
      await source.close();
    }
  });

  it('from a file path (counted by the source)', async () => {
    const source = await openSource(fixture.cosiPath);
    try {
      await inspectCosi(source);
      expect(source.transferredBytes).toBeLessThan(2 * MiB);
    } finally {
      await source.close();
    }
  });
});
