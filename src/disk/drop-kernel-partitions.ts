/**
 * Removes the kernel's partition entries of a whole disk (`partx -d`, i.e. BLKPG delete), then
 * asks lsblk whether any remain (when the kernel listed none in sysfs to begin with, that sysfs
 * answer is the result: lsblk would read the same entries).
 *
 * Why (issue 9 §1): zeroing the disk's ends removes the partition table, but the kernel keeps
 * the partitions it knew (`/dev/loop2p1`…, blkid still sees a clean filesystem there), and an
 * automounter could mount stale or half-written data. A flash drops them before it writes and
 * again after any failure or cancel. Linux only; elsewhere (and for plain files) a no-op.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { runTool, ToolError } from './run-tool.ts';
import { kernelPartitions } from './reread-partition-table.ts';

export interface DroppedPartitions {
  /** Partition names lsblk still lists for the disk afterwards (empty when all are gone). */
  readonly remaining: readonly string[];
  /** What partx or lsblk said when they failed (empty when they did not). */
  readonly problems: readonly string[];
}

/** Drops every kernel partition of `device` and reports what lsblk still shows. Never throws. */
export async function dropKernelPartitions(device: string, options: { timeoutMs?: number } = {}): Promise<DroppedPartitions> {
  if (process.platform !== 'linux') return { remaining: [], problems: [] };
  const isBlock = await stat(device).then((s) => s.isBlockDevice(), () => false);
  if (!isBlock) return { remaining: [], problems: [] };
  const timeoutMs = options.timeoutMs ?? 15_000;
  const problems: string[] = [];
  const name = basename(await realpath(device).catch(() => device));
  // partx -d fails ("specified range does not make sense") on a disk without partitions: only call it when the kernel has some.
  if ((await kernelPartitions(name)).length > 0) {
    await runTool('partx', ['-d', device], { timeoutMs }).catch((error: unknown) => problems.push(problem(error)));
  } else if (await readdir(`/sys/class/block/${name}`).then(() => true, () => false)) {
    // The kernel lists none in sysfs, where lsblk would read them too: no lsblk run (issue 10,
    // one process spawn less before the first byte). A name sysfs does not know still goes to lsblk.
    return { remaining: [], problems };
  }
  let remaining: string[];
  try {
    remaining = await lsblkPartitions(device, timeoutMs);
  } catch (error) {
    problems.push(problem(error));
    remaining = (await kernelPartitions(name)).map((p) => p.name);
  }
  return { remaining, problems };
}

/** The partitions lsblk lists under `device` (names such as loop2p1). */
export async function lsblkPartitions(device: string, timeoutMs = 15_000): Promise<string[]> {
  const out = await runTool('lsblk', ['--raw', '--noheadings', '--output', 'NAME,TYPE', device], { timeoutMs });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === 'part')
    .map((fields) => fields[0] ?? '');
}

function problem(error: unknown): string {
  return error instanceof ToolError ? `${error.command}: ${error.stderr || error.message}` : String(error);
}
