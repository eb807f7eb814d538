import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CosiflashError } from '../../src/errors.ts';

/** A temp directory with random files for the source tests; removed by `cleanup`. */
export interface SourceFixtures {
  dir: string;
  /** Writes `sizeBytes` random bytes to `name` and returns the content. */
  randomFile(name: string, sizeBytes: number): Promise<{ path: string; content: Buffer }>;
  /** A sparse file of `sizeBytes` (all zeros, no disk space used). */
  sparseFile(name: string, sizeBytes: number): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createSourceFixtures(): Promise<SourceFixtures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-source-'));
  return {
    dir,
    randomFile: async (name, sizeBytes) => {
      const content = randomBytes(sizeBytes);
      const filePath = path.join(dir, name);
      await mkdir(path.dirname(filePath), { recursive: true });
      await writeFile(filePath, content);
      return { path: filePath, content };
    },
    sparseFile: async (name, sizeBytes) => {
      const filePath = path.join(dir, name);
      await writeFile(filePath, '');
      await truncate(filePath, sizeBytes);
      return filePath;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Runs `action` and returns the CosiflashError it throws (fails the test when it does not throw one). */
export async function errorOf(action: () => Promise<unknown>): Promise<CosiflashError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CosiflashError) return error;
    throw new Error(`expected a CosiflashError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an error, but the action succeeded');
}
