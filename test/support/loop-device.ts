/**
 * Loop devices for tests: every write in the test suite lands on a loop device created here
 * (or on a plain file), never on a real disk (shared docs/testing.md, "Safety first").
 * Each helper detaches exactly the device it attached (`losetup -d /dev/loopN`), only while
 * that device is still backed by our own file, and never runs `losetup -D`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';

const execFileAsync = promisify(execFile);

/** The one-line reason root-only tests give when they skip. */
export const ROOT_ONLY_REASON = 'needs root: attaches loop devices';

export interface AttachLoopOptions {
  /** Size of the sparse backing file; a multiple of sectorBytes. */
  sizeBytes: number;
  /** Logical sector size of the loop device (`losetup -b`); default 512. */
  sectorBytes?: 512 | 4096;
  /** Attach read-only (`losetup -r`). */
  readOnly?: boolean;
  /** Folder for the backing file; default os.tmpdir(). */
  backingDir?: string;
  /** Let the kernel scan partitions (`losetup -P`), so /dev/loopNpM nodes appear. */
  partscan?: boolean;
}

export interface LoopDevice {
  /** The exact device losetup attached, e.g. /dev/loop7. */
  readonly device: string;
  readonly backingFile: string;
  /** Detaches this device and removes the backing file; safe to call more than once. */
  detach(): Promise<void>;
}

export interface TmpfsLoopDevice extends LoopDevice {
  /** Where the small tmpfs holding the backing file is mounted. */
  readonly tmpfsDir: string;
  readonly tmpfsBytes: number;
}

/** True when the tests run as root (CI does), which loop devices need. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** `describe` that skips with {@link ROOT_ONLY_REASON} when not root. */
export function describeRootOnly(name: string, body: () => void): void {
  const root = isRoot();
  describe.skipIf(!root)(root ? name : `${name} (skipped: ${ROOT_ONLY_REASON})`, body);
}

/** `it` that skips with {@link ROOT_ONLY_REASON} when not root. */
export function itRootOnly(name: string, body: () => Promise<void> | void, timeoutMs?: number): void {
  const root = isRoot();
  it.skipIf(!root)(root ? name : `${name} (skipped: ${ROOT_ONLY_REASON})`, body, timeoutMs);
}

async function run(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], { encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

async function createSparseFile(path: string, sizeBytes: number): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.truncate(sizeBytes);
  } finally {
    await handle.close();
  }
}

/** The backing file the kernel reports for `device`, or null when it is not attached. */
async function backingFileOf(device: string): Promise<string | null> {
  try {
    const out = await run('losetup', ['--list', '--noheadings', '--output', 'BACK-FILE', device]);
    const text = out.trim().replace(/ \(deleted\)$/, '');
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

async function hasPartitions(device: string): Promise<boolean> {
  const name = basename(device);
  try {
    return (await readdir(`/sys/class/block/${name}`)).some((entry) => entry.startsWith(`${name}p`));
  } catch {
    return false;
  }
}

async function losetupAttach(file: string, options: AttachLoopOptions): Promise<string> {
  const args = ['-f', '--show'];
  if (options.sectorBytes !== undefined && options.sectorBytes !== 512) args.push('-b', String(options.sectorBytes));
  if (options.readOnly === true) args.push('-r');
  if (options.partscan === true) args.push('-P');
  args.push(file);
  // Other test processes attach concurrently; losetup -f can lose the race for a free device.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const device = (await run('losetup', args)).trim();
      if (!/^\/dev\/loop\d+$/.test(device)) throw new Error(`losetup printed an unexpected device name: ${JSON.stringify(device)}`);
      return device;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
  }
  throw lastError;
}

async function detachExactly(device: string, backingFile: string): Promise<void> {
  // Only detach while the device is still ours: after our detach the kernel may hand the
  // same /dev/loopN to another test.
  const current = await backingFileOf(device);
  if (current !== backingFile) return;
  // Partitions added with partx (BLKPG) to a loop device attached without -P outlive the
  // detach and would confuse the next user of this loopN; remove them while it is still ours.
  if (await hasPartitions(device)) await run('partx', ['-d', device]).catch(() => undefined);
  let lastError: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await run('losetup', ['-d', device]);
      return;
    } catch (error) {
      lastError = error;
      if ((await backingFileOf(device)) !== backingFile) return;
      // udev may still hold the device briefly after partitions change.
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
  }
  throw lastError;
}

/**
 * Attaches a new loop device over a fresh sparse file. Returns the exact device losetup chose;
 * detach() detaches that device and removes the file.
 */
export async function attachLoop(options: AttachLoopOptions): Promise<LoopDevice> {
  const sectorBytes = options.sectorBytes ?? 512;
  if (options.sizeBytes <= 0 || options.sizeBytes % sectorBytes !== 0) {
    throw new Error(`attachLoop: sizeBytes ${options.sizeBytes} must be a positive multiple of ${sectorBytes}`);
  }
  const backingFile = join(options.backingDir ?? tmpdir(), `cosiflash-loop-${process.pid}-${randomBytes(6).toString('hex')}.img`);
  await createSparseFile(backingFile, options.sizeBytes);
  let device: string;
  try {
    device = await losetupAttach(backingFile, options);
  } catch (error) {
    await rm(backingFile, { force: true });
    throw error;
  }
  let detached: Promise<void> | null = null;
  return {
    device,
    backingFile,
    detach(): Promise<void> {
      detached ??= (async () => {
        await detachExactly(device, backingFile);
        await rm(backingFile, { force: true });
      })();
      return detached;
    },
  };
}

/** Attaches one loop device per spec, runs `body`, and always detaches every one of them. */
export async function withLoops<T>(specs: readonly AttachLoopOptions[], body: (loops: LoopDevice[]) => Promise<T>): Promise<T> {
  const loops: LoopDevice[] = [];
  let result: T;
  try {
    for (const spec of specs) loops.push(await attachLoop(spec));
    result = await body(loops);
  } finally {
    await detachAll(loops);
  }
  return result;
}

async function detachAll(loops: readonly LoopDevice[]): Promise<void> {
  const results = await Promise.allSettled(loops.map((loop) => loop.detach()));
  const failed = results.find((settled) => settled.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/**
 * A loop device whose sparse backing file lives on a small tmpfs, smaller than the device: writes
 * beyond what the tmpfs holds fail (ENOSPC inside the kernel, an I/O error on the device).
 * Use it to prove a failed flash is reported clearly. detach() also unmounts the tmpfs.
 */
export async function attachTmpfsLoop(options: { sizeBytes: number; tmpfsBytes?: number; sectorBytes?: 512 | 4096 }): Promise<TmpfsLoopDevice> {
  const tmpfsBytes = options.tmpfsBytes ?? 8 * 1024 * 1024;
  if (options.sizeBytes <= tmpfsBytes) throw new Error(`attachTmpfsLoop: sizeBytes ${options.sizeBytes} must exceed tmpfsBytes ${tmpfsBytes}`);
  const tmpfsDir = await mkdtemp(join(tmpdir(), 'cosiflash-tmpfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${tmpfsBytes}`, 'cosiflash-test-tmpfs', tmpfsDir]);
  } catch (error) {
    await rmdir(tmpfsDir).catch(() => undefined);
    throw error;
  }
  const unmount = async (): Promise<void> => {
    await run('umount', [tmpfsDir]);
    await rmdir(tmpfsDir);
  };
  let loop: LoopDevice;
  try {
    loop = await attachLoop({ sizeBytes: options.sizeBytes, sectorBytes: options.sectorBytes, backingDir: tmpfsDir });
  } catch (error) {
    await unmount().catch(() => undefined);
    throw error;
  }
  let detached: Promise<void> | null = null;
  return {
    device: loop.device,
    backingFile: loop.backingFile,
    tmpfsDir,
    tmpfsBytes,
    detach(): Promise<void> {
      detached ??= (async () => {
        await loop.detach();
        await unmount();
      })();
      return detached;
    },
  };
}
