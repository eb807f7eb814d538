/**
 * GPT fixtures made by the real tools: sgdisk partitions a sparse file (512-byte sectors) or
 * a loop device attached with 4096-byte sectors; sfdisk --json is the independent reader the
 * tests compare parseGpt and buildPartitionTable against.
 */
import { mkdtemp, open, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, withLoopDevice } from '../support/cosi-fixture-tools.ts';

export const isRoot = process.getuid?.() === 0;
export const MIB = 1024 * 1024;

/** What sfdisk --json reports for one partition. */
export interface SfdiskPartition { node: string; start: number; size: number; type: string; uuid: string; name?: string; attrs?: string }
export interface SfdiskTable { id: string; firstlba: number; lastlba: number; sectorsize?: number; partitions: SfdiskPartition[] }

/** The partitions every fixture gets: slots 1, 2 and 5 with a gap before 5, names and attributes. */
export const FIXTURE_LAYOUT = [
  { slot: 1, startBytes: 1 * MIB, sizeBytes: 1 * MIB, typeCode: 'ef00', name: 'EFI', attributeBits: [] },
  { slot: 2, startBytes: 2 * MIB, sizeBytes: 2 * MIB, typeCode: '8304', name: 'root ä€', attributeBits: [60, 63] },
  { slot: 5, startBytes: 8 * MIB, sizeBytes: 1 * MIB, typeCode: '8300', name: 'data', attributeBits: [2] },
] as const;

export async function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'cosiflash-gpt-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** sgdisk arguments that create FIXTURE_LAYOUT on a fresh GPT for the given sector size. */
function sgdiskArgs(lbaSize: number): string[] {
  const args = ['-o'];
  for (const p of FIXTURE_LAYOUT) {
    const first = p.startBytes / lbaSize;
    const last = (p.startBytes + p.sizeBytes) / lbaSize - 1;
    args.push('-n', `${p.slot}:${first}:${last}`, '-t', `${p.slot}:${p.typeCode}`, '-c', `${p.slot}:${p.name}`);
    for (const bit of p.attributeBits) args.push('-A', `${p.slot}:set:${bit}`);
  }
  return args;
}

/** Runs `body` with a path sgdisk/sfdisk see with `lbaSize` sectors: the file itself for 512, a loop device for 4096. */
export async function withSectorView<T>(file: string, lbaSize: 512 | 4096, body: (target: string) => Promise<T>): Promise<T> {
  if (lbaSize === 512) return body(file);
  return withLoopDevice(file, lbaSize, body);
}

/** Creates a sparse file of `sizeBytes` partitioned with FIXTURE_LAYOUT by sgdisk; returns its sfdisk view. */
export async function createSgdiskImage(file: string, lbaSize: 512 | 4096, sizeBytes: number): Promise<SfdiskTable> {
  await createSparseFile(file, sizeBytes);
  return withSectorView(file, lbaSize, async (target) => {
    await run('sgdisk', [...sgdiskArgs(lbaSize), target]);
    return readSfdisk(target);
  });
}

export async function createSparseFile(file: string, sizeBytes: number): Promise<void> {
  await (await open(file, 'w')).close();
  await truncate(file, sizeBytes);
}

export async function readSfdisk(target: string): Promise<SfdiskTable> {
  const json = JSON.parse(await run('sfdisk', ['--json', target])) as { partitiontable: SfdiskTable };
  return json.partitiontable;
}

/** `sgdisk -v` output for the file (through a loop device for 4096-byte sectors). */
export async function verifyWithSgdisk(file: string, lbaSize: 512 | 4096): Promise<{ output: string; table: SfdiskTable }> {
  return withSectorView(file, lbaSize, async (target) => ({ output: await run('sgdisk', ['-v', target]), table: await readSfdisk(target) }));
}

/** Reads `lengthBytes` at `offsetBytes` of a file (the shared fixture tool, under this folder's name). */
export { readAt as readBytes } from '../support/cosi-fixture-tools.ts';

export async function writeBytes(file: string, offsetBytes: number, data: Uint8Array): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(data, 0, data.byteLength, offsetBytes);
  } finally {
    await handle.close();
  }
}

/** sfdisk's attribute text ("RequiredPartition LegacyBIOSBootable GUID:60,63") as the 64-bit field. */
export function sfdiskAttributes(attrs: string | undefined): bigint {
  let value = 0n;
  for (const token of (attrs ?? '').split(/\s+/).filter(Boolean)) {
    if (token === 'RequiredPartition') value |= 1n;
    else if (token === 'NoBlockIOProtocol') value |= 2n;
    else if (token === 'LegacyBIOSBootable') value |= 4n;
    else if (token.startsWith('GUID:')) for (const bit of token.slice(5).split(',')) value |= 1n << BigInt(bit);
    else throw new Error(`unknown sfdisk attribute ${token}`);
  }
  return value;
}

/** The 1-based slot of an sfdisk partition node such as "/tmp/x/disk.img5" or "/dev/loop3p5". */
export function sfdiskSlot(node: string): number {
  const match = /(\d+)$/.exec(node.replace(/^\/dev\/loop\d+p/, 'p'));
  if (match?.[1] === undefined) throw new Error(`cannot read a partition number from ${node}`);
  return Number(match[1]);
}
