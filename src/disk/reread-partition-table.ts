/**
 * After the new partition table is written, makes the kernel use it (docs/behavior.md
 * §5 step 5) and waits until the kernel's partitions are exactly the table's — same numbers,
 * starts and sizes — and their device nodes exist.
 *
 * `blockdev --rereadpt` (BLKRRPART) first, as every partitioning tool does. It is not enough
 * everywhere: it fails on loop devices attached without partition scanning, a kernel built
 * without the GPT parser "succeeds" and shows nothing (this project's CI kernel), and stale
 * partitions may overlap the new ones. When the kernel's view still differs from the table,
 * partx (BLKPG, parsing in user space) deletes the old partitions and adds the new ones. We do
 * not use `partx -u`: util-linux 2.38 stops at the partition count (slots 1, 2, 5 loses 5) and
 * cannot grow a partition over a stale neighbour.
 */
import { access, readdir, readFile, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { CosiflashError } from '../errors.ts';
import { runTool, ToolError } from './run-tool.ts';

export interface RereadOptions {
  /** Number of partitions the written table has (used GPT entries). */
  expectedPartitions: number;
  /** How long to wait for the kernel; default 15 s. */
  timeoutMs?: number;
}

/** One partition: its number and its extent in 512-byte units (as sysfs and partx count). */
export interface KernelPartition {
  readonly name: string;
  readonly number: number;
  readonly start: number;
  readonly sectors: number;
}

const POLL_MS = 100;

/** Re-reads the partition table of `device` and waits for its partitions; E_PARTITION_REREAD on timeout or mismatch. */
export async function rereadPartitionTable(device: string, options: RereadOptions): Promise<void> {
  if (process.platform !== 'linux') return; // macOS and Windows pick the new table up themselves.
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  const name = basename(await realpath(device).catch(() => device));
  const problems: string[] = [];
  const attempt = async (tool: string, args: readonly string[]): Promise<void> => {
    await runTool(tool, args, { timeoutMs }).catch((error: unknown) => problems.push(toolProblem(error)));
  };
  const table = await readTable(device);
  if (table.length !== options.expectedPartitions) {
    throw new CosiflashError('E_PARTITION_REREAD', `The partition table on ${device} has ${table.length} partition(s), expected ${options.expectedPartitions}.`);
  }
  await attempt('blockdev', ['--rereadpt', device]);
  await settleUdev(1);
  if (!sameExtents(await kernelPartitions(name), table)) {
    await attempt('partx', ['-d', device]);
    if (table.length > 0) await attempt('partx', ['-a', device]);
  }
  let seen: KernelPartition[];
  for (;;) {
    await settleUdev(Math.max(1, Math.ceil((deadline - Date.now()) / 1000)));
    seen = await kernelPartitions(name);
    if (sameExtents(seen, table) && (await allExist(seen.map((part) => `/dev/${part.name}`)))) return;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const why = problems.length > 0 ? ` (${problems.join('; ')})` : '';
  throw new CosiflashError(
    'E_PARTITION_REREAD',
    `After writing, the kernel shows ${seen.length} partition(s) on ${device} (${seen.map((p) => p.name).join(', ') || 'none'}), expected ${options.expectedPartitions} as written${why}.`,
  );
}

/** The partitions the kernel has for disk `name` (from /sys/class/block), by number. */
export async function kernelPartitions(name: string): Promise<KernelPartition[]> {
  let entries: string[];
  try {
    entries = await readdir(`/sys/class/block/${name}`);
  } catch {
    return [];
  }
  const parts: KernelPartition[] = [];
  for (const entry of entries.filter((e) => e.startsWith(name))) {
    const dir = `/sys/class/block/${name}/${entry}`;
    const [number, start, sectors] = await Promise.all(['partition', 'start', 'size'].map((file) => readFile(`${dir}/${file}`, 'utf8').then(Number, () => NaN)));
    if (Number.isInteger(number) && Number.isInteger(start) && Number.isInteger(sectors)) parts.push({ name: entry, number: number ?? 0, start: start ?? 0, sectors: sectors ?? 0 });
  }
  return parts.sort((a, b) => a.number - b.number);
}

/** The table on the disk as partx reads it in user space (512-byte units). */
async function readTable(device: string): Promise<Omit<KernelPartition, 'name'>[]> {
  let stdout: string;
  try {
    stdout = await runTool('partx', ['--show', '--noheadings', '--bytes', '-o', 'NR,START,SECTORS', device]);
  } catch (error) {
    // No table at all reads as an error; a disk with an empty table has no partitions.
    if (error instanceof ToolError && /failed to read partition table/i.test(error.stderr)) return [];
    throw new CosiflashError('E_PARTITION_REREAD', `Cannot read the partition table of ${device}: ${toolProblem(error)}`, { cause: error });
  }
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [number, start, sectors] = line.trim().split(/\s+/).map(Number);
      return { number: number ?? NaN, start: start ?? NaN, sectors: sectors ?? NaN };
    });
}

function sameExtents(kernel: readonly Omit<KernelPartition, 'name'>[], table: readonly Omit<KernelPartition, 'name'>[]): boolean {
  return kernel.length === table.length && table.every((want) => kernel.some((have) => have.number === want.number && have.start === want.start && have.sectors === want.sectors));
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
