import { execFile } from 'node:child_process';
import { access, readdir, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { attachLoop, attachTmpfsLoop, describeRootOnly, withLoops } from '../support/loop-device.ts';

const exec = promisify(execFile);

async function backingOf(device: string): Promise<string> {
  return (await exec('losetup', ['--list', '--noheadings', '--output', 'BACK-FILE', device])).stdout.trim();
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** test/support/loop-device.ts: the helper every root test relies on to stay off real disks. */
describeRootOnly('attachLoop / withLoops / attachTmpfsLoop', () => {
  it('attaches a sparse file with the requested sector size and read-only flag, then detaches exactly that device', async () => {
    const loop = await attachLoop({ sizeBytes: 8 * 1024 * 1024, sectorBytes: 4096, readOnly: true });
    try {
      expect(loop.device).toMatch(/^\/dev\/loop\d+$/);
      expect(await backingOf(loop.device)).toBe(loop.backingFile);
      const name = basename(loop.device);
      expect((await exec('cat', [`/sys/block/${name}/queue/logical_block_size`, `/sys/block/${name}/ro`])).stdout.split('\n').slice(0, 2)).toEqual(['4096', '1']);
      expect((await stat(loop.backingFile)).blocks).toBe(0);
    } finally {
      await loop.detach();
    }
    await loop.detach(); // idempotent
    expect(await exists(loop.backingFile)).toBe(false);
    expect(await backingOf(loop.device).catch(() => '')).not.toBe(loop.backingFile);
  });

  it('withLoops detaches every device even when the body throws', async () => {
    let seen: string[] = [];
    await expect(
      withLoops([{ sizeBytes: 1024 * 1024 }, { sizeBytes: 2 * 1024 * 1024 }], async (loops) => {
        seen = loops.map((loop) => loop.backingFile);
        throw new Error('body failed');
      }),
    ).rejects.toThrow('body failed');
    expect(seen).toHaveLength(2);
    for (const file of seen) expect(await exists(file)).toBe(false);
  });

  it('removes partitions added with partx on a loop attached without -P, so the next user of the device sees none', async () => {
    const loop = await attachLoop({ sizeBytes: 16 * 1024 * 1024 });
    const name = basename(loop.device);
    try {
      await exec('sgdisk', ['-n', '1:2048:+4M', loop.device]);
      await exec('partx', ['-u', loop.device]);
      expect((await readdir(`/sys/class/block/${name}`)).filter((e) => e.startsWith(`${name}p`))).toEqual([`${name}p1`]);
    } finally {
      await loop.detach();
    }
    expect((await readdir(`/sys/class/block/${name}`)).filter((e) => e.startsWith(`${name}p`))).toEqual([]);
  });

  it('a tmpfs-backed loop device fails writes once the tmpfs is full', async () => {
    const loop = await attachTmpfsLoop({ sizeBytes: 16 * 1024 * 1024, tmpfsBytes: 4 * 1024 * 1024 });
    try {
      const failed = await exec('dd', ['if=/dev/zero', `of=${loop.device}`, 'bs=1M', 'count=16', 'conv=fsync', 'status=none']).then(
        () => null,
        (error: { stderr?: string }) => error.stderr ?? 'failed',
      );
      expect(failed).toMatch(/error/i);
    } finally {
      await loop.detach();
    }
    expect(await exists(loop.tmpfsDir)).toBe(false);
  });
});
