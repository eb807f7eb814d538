/**
 * The disks the running system depends on (Linux): those holding `/`, `/boot`, `/boot/efi`,
 * `/usr`, `/var` and every active swap area, found by device number rather than by mount point names so that
 * LVM, LUKS and btrfs set-ups are caught too (docs/behavior.md §4).
 */
import { readFile } from 'node:fs/promises';
import { findDisksHolding, findDisksUnderNode } from './find-disks-holding.ts';

/** Mount points that make a disk a system disk when any of its devices is mounted there. */
export const SYSTEM_MOUNTPOINTS: readonly string[] = [
  '/',
  '/boot',
  '/boot/efi',
  '/efi',
  '/usr',
  '/var',
  '[SWAP]',
  // The medium a live system runs from (Debian/Ubuntu live, Fedora live, Arch ISO).
  '/run/live/medium',
  '/lib/live/mount/medium',
  '/cdrom',
  '/run/initramfs/live',
  '/run/archiso/bootmnt',
];

/** Device paths of every whole disk under /, /boot, /boot/efi or an active swap area. */
export async function findSystemDisks(): Promise<Set<string>> {
  const disks = new Set<string>();
  if (process.platform !== 'linux') return disks;
  for (const path of ['/', '/boot', '/boot/efi', '/efi', '/usr', '/var']) {
    for (const disk of await findDisksHolding(path)) disks.add(disk);
  }
  for (const swap of parseProcSwaps(await readFile('/proc/swaps', 'utf8').catch(() => ''))) {
    const found = swap.type === 'partition' ? await findDisksUnderNode(swap.path) : await findDisksHolding(swap.path);
    for (const disk of found) disks.add(disk);
  }
  return disks;
}

/** Active swap areas from /proc/swaps (path with octal escapes decoded, and its type). */
export function parseProcSwaps(text: string): { path: string; type: string }[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 2 && fields[0] !== '')
    .map((fields) => ({
      path: (fields[0] ?? '').replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8))),
      type: fields[1] ?? '',
    }));
}
