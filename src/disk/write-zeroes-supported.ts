/**
 * Whether a whole-disk block device can WRITE ZEROES: the kernel reports a non-zero
 * `queue/write_zeroes_max_bytes` in sysfs only when the device (or its driver, e.g. loop)
 * offers a command that leaves guaranteed zeros (NVMe Write Zeroes, SCSI WRITE SAME with
 * zeros, loop → fallocate on its backing file). Plain discard/TRIM is never taken for zeros.
 * Plain files, unknown devices and unreadable sysfs answer false: then everything is written.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The sysfs root the probe reads; tests inject a fake tree. */
export const SYSFS_ROOT = '/sys';

export function writeZeroesSupported(devicePath: string, sysfsRoot: string = SYSFS_ROOT): boolean {
  try {
    if (!statSync(devicePath).isBlockDevice()) return false;
    const name = basename(realpathSync(devicePath));
    const text = readFileSync(join(sysfsRoot, 'block', name, 'queue', 'write_zeroes_max_bytes'), 'utf8').trim();
    return /^\d+$/.test(text) && Number(text) > 0;
  } catch {
    return false;
  }
}
