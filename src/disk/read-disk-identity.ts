/**
 * The identity of a disk as it is now (model/disk-identity.ts), and the check that it is still
 * the disk the user confirmed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DiskIdentity } from '../model/disk-identity.ts';
import { diskIdentityOf } from '../common/disk-identity-of.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import type { KernelIdentity } from './lsblk-to-disk-info.ts';

function sysfsValue(device: string, file: string): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const value = readFileSync(path.join('/sys/block', path.basename(device), file), 'utf8').trim();
    return value === '' ? null : value;
  } catch {
    return null;
  }
}

/** The kernel's diskseq and MAJ:MIN of `device` now (null where the kernel has none). */
export function readKernelIdentity(device: string): KernelIdentity {
  return { diskseq: sysfsValue(device, 'diskseq'), majMin: sysfsValue(device, 'dev') };
}

/** Reads `disk`'s identity now: the enumeration's fields plus the kernel's diskseq and MAJ:MIN as they are at this moment. */
export function readDiskIdentity(disk: DiskInfo): DiskIdentity {
  return { ...diskIdentityOf(disk), ...readKernelIdentity(disk.device) };
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
