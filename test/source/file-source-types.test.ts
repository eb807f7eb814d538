/**
 * Local images must be regular files (issue 7 §4): a FIFO used to hang inspect forever
 * because the file was opened before it was checked. Each special file is refused with
 * E_FILE_TYPE at once (the per-test timeout bounds "at once"; a blocking open would hang).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/source/open-source.ts';

const BOUND_MS = 5000;

describe('openSource on files that are not regular files', () => {
  let dir: string;
  let socketServer: Server;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'file-types-'));
    execFileSync('mkfifo', [path.join(dir, 'image.fifo')]);
    await symlink(path.join(dir, 'image.fifo'), path.join(dir, 'link-to-fifo.cosi'));
    await writeFile(path.join(dir, 'real.cosi'), Buffer.alloc(1024, 1));
    await symlink(path.join(dir, 'real.cosi'), path.join(dir, 'link-to-real.cosi'));
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer.listen(path.join(dir, 'image.sock'), resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => socketServer.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const cases: [string, () => string, RegExp][] = [
    ['a named pipe (FIFO)', () => path.join(dir, 'image.fifo'), /is a named pipe \(FIFO\), not an image file/],
    ['a symlink to a FIFO', () => path.join(dir, 'link-to-fifo.cosi'), /is a named pipe \(FIFO\)/],
    ['a socket', () => path.join(dir, 'image.sock'), /is a socket, not an image file/],
    ['a character device', () => '/dev/null', /is a character device, not an image file/],
    ['a directory', () => dir, /is a directory, not an image file/],
  ];
  for (const [name, location, detail] of cases) {
    it(`refuses ${name} with E_FILE_TYPE`, { timeout: BOUND_MS }, async () => {
      await expect(openSource(location())).rejects.toMatchObject({ code: 'E_FILE_TYPE', detail: expect.stringMatching(detail) });
    });
  }

  it('refuses a file:// URL to a FIFO the same way', { timeout: BOUND_MS }, async () => {
    await expect(openSource(`file://${path.join(dir, 'image.fifo')}`)).rejects.toMatchObject({ code: 'E_FILE_TYPE' });
  });

  it('accepts a symlink to a regular file', async () => {
    const source = await openSource(path.join(dir, 'link-to-real.cosi'));
    try {
      expect(source.sizeBytes).toBe(1024);
      expect(source.localPath).toBe(path.join(dir, 'real.cosi'));
    } finally {
      await source.close();
    }
  });
});
