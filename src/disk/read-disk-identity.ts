/**
 * The identity of a disk as it is now (model/disk-identity.ts), and the check that it is still
 * the disk the user confirmed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DiskIdentity } from '../model/disk-identity.ts';
import type { DiskInfo } from '../model/disk-info.ts';

function sysfsValue(device: string, file: string): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const value = readFileSync(path.join('/sys/block', path.basename(device), file), 'utf8').trim();
    return value === '' ? null : value;
  } catch {
    return null;
  }
}

/** Reads `disk`'s identity now: the enumeration's fields plus the kernel's diskseq and MAJ:MIN. */
export function readDiskIdentity(disk: DiskInfo): DiskIdentity {
  return {
    device: disk.device,
    sizeBytes: disk.sizeBytes,
    logicalSectorBytes: disk.logicalSectorBytes,
    diskseq: sysfsValue(disk.device, 'diskseq'),
    majMin: sysfsValue(disk.device, 'dev'),
    serial: disk.serial,
    model: disk.model,
  };
}

/**
 * What differs between the confirmed identity and the current one (empty when it is the same
 * disk). A field unknown on either side is not compared; device, size and sector size always are.
 */
export function identityDifferences(confirmed: DiskIdentity, current: DiskIdentity): string[] {
  const differences: string[] = [];
  const compare = (name: keyof DiskIdentity, always: boolean): void => {
    const a = confirmed[name];
    const b = current[name];
    if (!always && (a === null || b === null)) return;
    if (a !== b) differences.push(`${name} ${String(a)} → ${String(b)}`);
  };
  compare('device', true);
  compare('sizeBytes', true);
  compare('logicalSectorBytes', true);
  compare('diskseq', false);
  compare('majMin', false);
  compare('serial', false);
  compare('model', false);
  return differences;
}
