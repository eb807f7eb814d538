/**
 * Small wrappers over the real tools the COSI fixture builder drives (sgdisk, mkfs, zstd, tar,
 * losetup). Kept apart from the builder so each file stays readable.
 */
import { execFile, spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs a tool, returns stdout; the error names the command and carries its stderr. */
export async function run(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr || String(error)}`, { cause: error });
  }
}

/** Attaches `file` to a new loop device with the given sector size, runs `body`, always detaches that device. */
export async function withLoopDevice<T>(file: string, sectorBytes: number, body: (device: string) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  const device = (await run('losetup', [...(options.readOnly ? ['-r'] : []), '-b', String(sectorBytes), '-f', '--show', file])).trim();
  try {
    return await body(device);
  } finally {
    // Partitions added by a flash's re-read (partx/BLKPG) on a loop attached without -P outlive
    // the detach and would show up for the next user of this loopN: remove them first.
    await run('partx', ['-d', device]).catch(() => undefined);
    await run('losetup', ['-d', device]);
  }
}

/**
 * Compresses `inputPath` to `outputPath` with the zstd CLI. Input is piped through stdin so the
 * frame really uses the requested window (with a file argument zstd shrinks the window to the
 * content size). `frames` > 1 splits the input and concatenates independent frames.
 */
export async function zstdCompress(inputPath: string, outputPath: string, options: { level: number; windowLog: number | null; frames: number; sizeBytes: number }): Promise<void> {
  const out = createWriteStream(outputPath);
  const frameCount = Math.max(1, Math.min(options.frames, Math.max(1, options.sizeBytes)));
  const frameBytes = Math.ceil(options.sizeBytes / frameCount);
  try {
    for (let start = 0; start < options.sizeBytes || (start === 0 && options.sizeBytes === 0); start += frameBytes) {
      const end = Math.min(options.sizeBytes, start + frameBytes);
      const args = [`-${options.level}`, '-q', '-c', ...(options.level > 19 ? ['--ultra'] : []), ...(options.windowLog === null ? [] : [`--long=${options.windowLog}`])];
      const child = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code) => resolve(code ?? 1));
      });
      const feed = end > start ? pipeline(createReadStream(inputPath, { start, end: end - 1 }), child.stdin) : Promise.resolve(child.stdin.end());
      const drain = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (!out.write(chunk)) {
            child.stdout.pause();
            out.once('drain', () => child.stdout.resume());
          }
        });
        child.stdout.on('end', resolve);
        child.stdout.on('error', reject);
      });
      await Promise.all([feed, drain]);
      const code = await exited;
      if (code !== 0) throw new Error(`zstd ${args.join(' ')} failed (${code}): ${stderr}`);
      if (options.sizeBytes === 0) break;
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}

/** Copies a whole file into `targetPath` at `offsetBytes` without truncating the target. */
export async function writeFileAt(sourcePath: string, targetPath: string, offsetBytes: number): Promise<void> {
  await pipeline(createReadStream(sourcePath, { highWaterMark: 1 << 20 }), createWriteStream(targetPath, { flags: 'r+', start: offsetBytes }));
}

/** Reads `lengthBytes` at `offsetBytes` of a file. */
export async function readAt(filePath: string, offsetBytes: number, lengthBytes: number): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(lengthBytes);
    const { bytesRead } = await handle.read(buffer, 0, lengthBytes, offsetBytes);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Writes random bytes (deterministic per seed is not needed: fixtures are cached) to a new file. */
export async function writeRandomFile(filePath: string, sizeBytes: number): Promise<void> {
  const { randomFillSync } = await import('node:crypto');
  const handle = await open(filePath, 'w');
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (let done = 0; done < sizeBytes; done += chunk.length) {
      randomFillSync(chunk);
      await handle.write(chunk, 0, Math.min(chunk.length, sizeBytes - done), done);
    }
  } finally {
    await handle.close();
  }
}
