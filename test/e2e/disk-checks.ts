/**
 * Checks of a flashed loop device with tools nobody here wrote (sgdisk, sfdisk) and byte
 * comparison of each partition against the fixture's source disk.
 */
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { CosiFixture } from '../support/cosi-fixtures.ts';

const execFileAsync = promisify(execFile);

export async function sgdiskVerify(device: string): Promise<string> {
  const { stdout } = await execFileAsync('sgdisk', ['-v', device], { encoding: 'utf8' });
  return stdout;
}

interface SfdiskPartition {
  start: number;
  size: number;
  type: string;
  uuid: string;
  name?: string;
}

export async function sfdiskPartitions(pathOrDevice: string): Promise<SfdiskPartition[]> {
  const { stdout } = await execFileAsync('sfdisk', ['--json', pathOrDevice], { encoding: 'utf8' });
  const table = (JSON.parse(stdout) as { partitiontable: { partitions?: SfdiskPartition[] } }).partitiontable;
  return (table.partitions ?? []).map(({ start, size, type, uuid, name }) => ({ start, size, type, uuid, ...(name === undefined ? {} : { name }) }));
}

async function readRange(pathOrDevice: string, offsetBytes: number, lengthBytes: number): Promise<Buffer> {
  const handle = await open(pathOrDevice, 'r');
  try {
    const buffer = Buffer.alloc(lengthBytes);
    let done = 0;
    while (done < lengthBytes) {
      const { bytesRead } = await handle.read(buffer, done, lengthBytes - done, offsetBytes + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  } finally {
    await handle.close();
  }
}

/** Regions whose written bytes differ from the source disk (empty when all match). */
export async function differingPartitions(device: string, fixture: CosiFixture): Promise<string[]> {
  const differing: string[] = [];
  for (const region of fixture.regions) {
    if (region.type !== 'partition') continue;
    const offset = region.startLba * fixture.lbaSize;
    const [written, source] = await Promise.all([readRange(device, offset, region.uncompressedSize), readRange(fixture.sourceDiskPath, offset, region.uncompressedSize)]);
    if (written.length !== source.length || !written.equals(source)) differing.push(region.name);
  }
  return differing;
}

/** Whether LBA 1 (primary header) or the last LBA (backup header) carries the GPT signature. */
export async function gptSignatures(device: string, sizeBytes: number, lbaSize: number): Promise<{ primary: boolean; backup: boolean }> {
  const signature = Buffer.from('EFI PART', 'latin1');
  const primary = await readRange(device, lbaSize, 8);
  const backup = await readRange(device, sizeBytes - lbaSize, 8);
  return { primary: primary.equals(signature), backup: backup.equals(signature) };
}
