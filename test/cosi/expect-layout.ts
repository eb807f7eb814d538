/**
 * Checks an inspected layout against tools nobody here wrote: sfdisk --json and blkid on the
 * fixture's source disk, GNU tar extracting metadata.json, sha384sum. Shared by the library
 * and CLI tests.
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { withLoopDevice } from '../support/cosi-fixture-tools.ts';
import type { CosiFixture } from '../support/cosi-fixtures.ts';

export interface LayoutLike {
  imageHash: string;
  disk: { sizeBytes: number; lbaSize: number; guid: string };
  firstUsableLba: number;
  lastUsableLba: number;
  partitions: readonly {
    number: number; name: string; typeGuid: string; partGuid: string; startLba: number; endLba: number; sizeBytes: number;
    fsType: string | null; fsUuid: string | null; mountPoint: string | null; shrunk: boolean;
    image: { path: string; compressedSize: number; uncompressedSize: number; sha384: string };
  }[];
  gaps: readonly { startLba: number; endLba: number; sizeBytes: number }[];
}

interface SfdiskTable {
  partitiontable: { label: string; id: string; firstlba: number; lastlba: number; sectorsize?: number; partitions: { node: string; start: number; size: number; type: string; uuid: string; name?: string }[] };
}

export async function sfdiskJson(fixture: CosiFixture): Promise<SfdiskTable> {
  if (fixture.lbaSize === 512) return JSON.parse(execFileSync('sfdisk', ['--json', fixture.sourceDiskPath], { encoding: 'utf8' })) as SfdiskTable;
  return withLoopDevice(fixture.sourceDiskPath, 4096, async (device) => JSON.parse(execFileSync('sfdisk', ['--json', device], { encoding: 'utf8' })) as SfdiskTable, { readOnly: true });
}

function blkidAt(diskPath: string, offsetBytes: number, sizeBytes: number): Record<string, string> {
  let text: string;
  try {
    text = execFileSync('blkid', ['-p', '-o', 'export', '--offset', String(offsetBytes), '--size', String(sizeBytes), diskPath], { encoding: 'utf8' });
  } catch {
    return {}; // blkid exits 2 when it finds nothing (a raw partition)
  }
  return Object.fromEntries(text.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** Asserts that `layout` describes the fixture's COSI exactly as the independent tools see it. */
export async function expectLayoutMatchesDisk(layout: LayoutLike, fixture: CosiFixture): Promise<void> {
  const metadataBytes = execFileSync('tar', ['-xOf', fixture.cosiPath, 'metadata.json']);
  const sha = execFileSync('sha384sum', { input: metadataBytes, encoding: 'utf8' }).split(' ')[0];
  expect(layout.imageHash).toBe(`sha384:${sha}`);
  const table = (await sfdiskJson(fixture)).partitiontable;
  expect(table.label).toBe('gpt');
  expect(layout.disk.lbaSize).toBe(fixture.lbaSize);
  expect(table.sectorsize ?? 512).toBe(fixture.lbaSize);
  expect(layout.disk.guid).toBe(table.id.toLowerCase());
  expect(layout.disk.sizeBytes).toBe(fixture.diskSizeBytes);
  expect(layout.firstUsableLba).toBe(table.firstlba);
  expect(layout.lastUsableLba).toBe(table.lastlba);
  const expected = table.partitions.map((p) => ({
    number: Number(/(\d+)$/.exec(p.node)?.[1]),
    name: p.name ?? '',
    typeGuid: p.type.toLowerCase(),
    partGuid: p.uuid.toLowerCase(),
    startLba: p.start,
    endLba: p.start + p.size - 1,
    sizeBytes: p.size * fixture.lbaSize,
  }));
  expect(layout.partitions.map((p) => ({ number: p.number, name: p.name, typeGuid: p.typeGuid, partGuid: p.partGuid, startLba: p.startLba, endLba: p.endLba, sizeBytes: p.sizeBytes }))).toEqual(
    [...expected].sort((a, b) => a.startLba - b.startLba),
  );
  for (const partition of layout.partitions) {
    const probe = blkidAt(fixture.sourceDiskPath, partition.startLba * fixture.lbaSize, partition.sizeBytes);
    expect(partition.fsType, `partition ${partition.number} fsType`).toBe(probe['TYPE'] ?? null);
    expect(partition.fsUuid, `partition ${partition.number} fsUuid`).toBe(probe['UUID'] ?? null);
    const region = fixture.regions.find((r) => r.type === 'partition' && r.number === partition.number);
    expect(region, `fixture region ${partition.number}`).toBeDefined();
    expect(partition.image).toMatchObject({ path: region?.path, compressedSize: region?.compressedSize, uncompressedSize: region?.uncompressedSize, sha384: region?.sha384 });
    expect(partition.shrunk).toBe((region?.uncompressedSize ?? 0) < partition.sizeBytes);
  }
  const covered = [...expected].sort((a, b) => a.startLba - b.startLba);
  const gaps: { startLba: number; endLba: number; sizeBytes: number }[] = [];
  let cursor = table.firstlba;
  for (const p of covered) {
    if (p.startLba > cursor) gaps.push({ startLba: cursor, endLba: p.startLba - 1, sizeBytes: (p.startLba - cursor) * fixture.lbaSize });
    cursor = p.endLba + 1;
  }
  if (cursor <= table.lastlba) gaps.push({ startLba: cursor, endLba: table.lastlba, sizeBytes: (table.lastlba - cursor + 1) * fixture.lbaSize });
  expect(layout.gaps).toEqual(gaps);
}
