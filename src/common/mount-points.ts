/**
 * The mount points of a disk as people read them: each once (a disk's own list already
 * includes its partitions' mount points), swap named as such, and one sentence that says
 * what happens to them.
 */
import type { DiskInfo } from '../model/disk-info.ts';

/** Mount points of the disk and of each partition, each once, in order of appearance. */
export function allMountpoints(disk: Pick<DiskInfo, 'mountpoints' | 'partitions'>): string[] {
  return [...new Set([...disk.mountpoints, ...disk.partitions.flatMap((partition) => partition.mountpoints)])];
}

/** Mount points for people: comma-separated, each once, lsblk's `[SWAP]` shown as `swap`. */
export function mountpointList(mountpoints: readonly string[]): string {
  return [...new Set(mountpoints.map((m) => (m === '[SWAP]' ? 'swap' : m)))].join(', ');
}

/**
 * "Mounted at /mnt/x — Cosiflash will unmount it if you agree." A system disk is never
 * offered for unmounting, so its sentence only says where it is mounted.
 */
export function mountedSentence(mountpoints: readonly string[], options: { system: boolean }): string {
  const where = `Mounted at ${mountpointList(mountpoints)}`;
  if (options.system) return `${where}.`;
  const them = new Set(mountpoints).size === 1 ? 'it' : 'them';
  return `${where} — Cosiflash will unmount ${them} if you agree.`;
}
