import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { listDisks } from '../../src/disk/list-disks.ts';
import { unmountDisk } from '../../src/disk/unmount-disk.ts';
import { CosiflashError } from '../../src/errors.ts';
import type { DiskInfo } from '../../src/model/disk-info.ts';
import { attachLoop, describeRootOnly, type LoopDevice } from '../support/loop-device.ts';

const exec = promisify(execFile);
const MiB = 1024 * 1024;

/** A -P loop with two partitions: ext4 mounted at <dir>/a and ext4 mounted inside it at <dir>/a/b. */
async function withNestedMounts(body: (loop: LoopDevice, disk: DiskInfo, outer: string, inner: string) => Promise<void>): Promise<void> {
  const loop = await attachLoop({ sizeBytes: 48 * MiB, partscan: true });
  const dir = await mkdtemp(join(tmpdir(), 'cosiflash-unmount-'));
  const outer = join(dir, 'a');
  const inner = join(outer, 'b');
  try {
    await exec('sgdisk', ['-n', '1:2048:+20M', '-n', '2:0:0', loop.device]);
    await exec('partx', ['-u', loop.device]);
    await exec('mkfs.ext4', ['-q', '-F', `${loop.device}p1`]);
    await exec('mkfs.ext4', ['-q', '-F', `${loop.device}p2`]);
    await mkdir(outer);
    await exec('mount', [`${loop.device}p1`, outer]);
    await mkdir(inner);
    await exec('mount', [`${loop.device}p2`, inner]);
    const [disk] = await listDisks({ allowLoop: true, onlyDevices: [loop.device] });
    if (disk === undefined) throw new Error(`listDisks did not return ${loop.device}`);
    await body(loop, disk, outer, inner);
  } finally {
    // Clean up whatever the test left mounted, innermost first.
    await exec('umount', [inner]).catch(() => undefined);
    await exec('umount', [outer]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await loop.detach();
  }
}

describeRootOnly('unmountDisk on a loop device I created', () => {
  it('unmounts nested mounts of every partition, deepest first', async () => {
    await withNestedMounts(async (loop, disk, outer, inner) => {
      expect(disk.mountpoints).toEqual(expect.arrayContaining([outer, inner]));
      await unmountDisk(disk);
      const [after] = await listDisks({ allowLoop: true, onlyDevices: [loop.device] });
      expect(after?.mountpoints).toEqual([]);
      expect(after?.partitions.map((p) => p.mountpoints)).toEqual([[], []]);
      await unmountDisk(disk); // nothing left: a no-op
    });
  });

  it('fails with E_DISK_OPEN naming the busy mount point, and never unmounts lazily', async () => {
    await withNestedMounts(async (loop, disk, outer) => {
      const busy = await open(join(outer, 'open-file'), 'w');
      try {
        const error = await unmountDisk(disk).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CosiflashError);
        expect((error as CosiflashError).code).toBe('E_DISK_OPEN');
        expect((error as CosiflashError).detail).toContain(`umount ${outer}`);
        const [after] = await listDisks({ allowLoop: true, onlyDevices: [loop.device] });
        expect(after?.mountpoints).toEqual([outer]);
      } finally {
        await busy.close();
      }
    });
  });
});
