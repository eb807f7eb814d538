/**
 * A loop device over an empty file, for the station tests: it is there from the start with no
 * size (no disk yet) and "appears" when the test grows its file and `losetup -c`s it.
 * `detach` removes only this device, and only while it is still backed by this file.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface EmptyLoop {
  readonly device: string;
  readonly backing: string;
  detach(): Promise<void>;
}

export async function attachEmptyLoop(label: string): Promise<EmptyLoop> {
  const backing = path.join(tmpdir(), `cosiflash-${label}-${process.pid}-${Date.now()}.img`);
  await writeFile(backing, '');
  const device = (await run('losetup', ['-f', '--show', backing])).stdout.trim();
  if (!/^\/dev\/loop\d+$/.test(device)) throw new Error(`losetup gave ${device}`);
  return {
    device,
    backing,
    async detach() {
      const backed = await run('losetup', ['-n', '-O', 'BACK-FILE', device]).then((r) => r.stdout.trim(), () => '');
      if (backed === backing) {
        // Drop the partitions the flash's re-read added, or the next user of this loopN sees them.
        await run('partx', ['-d', device]).catch(() => undefined);
        await run('losetup', ['-d', device]);
      }
      await rm(backing, { force: true });
    },
  };
}
