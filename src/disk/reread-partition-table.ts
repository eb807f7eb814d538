/**
 * After the new partition table is written, makes the kernel read it (docs/stream-disk-behavior.md
 * §5 step 5): `blockdev --rereadpt` (BLKRRPART), then `partx -u` (BLKPG, which also works on a
 * busy disk, on loop devices attached without partition scanning and on kernels without a GPT
 * parser), then waits until the kernel shows exactly the expected partitions and their device
 * nodes exist.
 */
import { access, readdir, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { CosiflashError } from '../errors.ts';
import { runTool, ToolError } from './run-tool.ts';

export interface RereadOptions {
  /** Number of partitions the written table has (used GPT entries). */
  expectedPartitions: number;
  /** How long to wait for the kernel; default 15 s. */
  timeoutMs?: number;
}

const POLL_MS = 100;

/** Re-reads the partition table of `device` and waits for its partitions; E_PARTITION_REREAD on timeout. */
export async function rereadPartitionTable(device: string, options: RereadOptions): Promise<void> {
  if (process.platform !== 'linux') return; // macOS and Windows pick the new table up themselves.
  const timeoutMs = options.timeoutMs ?? 15_000;
  const name = basename(await realpath(device).catch(() => device));
  const problems: string[] = [];
  // BLKRRPART uses the kernel's own partition parsers, which some kernels lack (this project's
  // CI kernel has no GPT parser: the re-read "succeeds" and shows nothing). partx parses in user
  // space and adds, resizes or removes partitions one by one, so it runs in every case.
  for (const [tool, args] of [['blockdev', ['--rereadpt', device]], ['partx', ['-u', device]]] as const) {
    try {
      await runTool(tool, args, { timeoutMs });
    } catch (error) {
      problems.push(toolProblem(error));
    }
  }
  const deadline = Date.now() + timeoutMs;
  let seen: string[];
  for (;;) {
    await settleUdev(Math.max(1, Math.ceil((deadline - Date.now()) / 1000)));
    seen = await kernelPartitions(name);
    if (seen.length === options.expectedPartitions && (await allExist(seen.map((part) => `/dev/${part}`)))) return;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const why = problems.length > 0 ? ` (${problems.join('; ')})` : '';
  throw new CosiflashError(
    'E_PARTITION_REREAD',
    `After writing, the kernel shows ${seen.length} partition(s) on ${device} (${seen.join(', ') || 'none'}), expected ${options.expectedPartitions}${why}.`,
  );
}

/** Partition names the kernel has for disk `name`, from /sys/class/block/<name>/<part>/partition. */
export async function kernelPartitions(name: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(`/sys/class/block/${name}`);
  } catch {
    return [];
  }
  const parts: string[] = [];
  for (const entry of entries) {
    if (entry.startsWith(name) && (await allExist([`/sys/class/block/${name}/${entry}/partition`]))) parts.push(entry);
  }
  return parts.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Lets udev finish creating device nodes; a no-op where udevadm is missing or udev is not running. */
async function settleUdev(timeoutSeconds: number): Promise<void> {
  try {
    await runTool('udevadm', ['settle', `--timeout=${timeoutSeconds}`], { timeoutMs: (timeoutSeconds + 1) * 1000 });
  } catch {
    // Not available: the polling below still waits for the nodes.
  }
}

async function allExist(paths: readonly string[]): Promise<boolean> {
  for (const path of paths) {
    try {
      await access(path);
    } catch {
      return false;
    }
  }
  return true;
}

function toolProblem(error: unknown): string {
  return error instanceof ToolError ? `${error.command}: ${error.stderr || error.message}` : String(error);
}
