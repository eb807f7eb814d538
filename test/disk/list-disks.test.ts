import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chooseTarget } from '../../src/disk/choose-target.ts';
import { evaluateDisks } from '../../src/disk/evaluate-disks.ts';
import { findDisksHolding } from '../../src/disk/find-disks-holding.ts';
import { listDisks } from '../../src/disk/list-disks.ts';
import { attachLoop, describeRootOnly, type LoopDevice, withLoops } from '../support/loop-device.ts';

const exec = promisify(execFile);
const MiB = 1024 * 1024;

describeRootOnly('listDisks over real loop devices', () => {
  let plain: LoopDevice;
  let big4k: LoopDevice;
  let readOnly: LoopDevice;
  let mine: string[];

  beforeAll(async () => {
    plain = await attachLoop({ sizeBytes: 24 * MiB });
    big4k = await attachLoop({ sizeBytes: 32 * MiB, sectorBytes: 4096 });
    readOnly = await attachLoop({ sizeBytes: 8 * MiB, readOnly: true });
    mine = [plain.device, big4k.device, readOnly.device];
  });

  afterAll(async () => {
    await Promise.all([plain, big4k, readOnly].filter((loop) => loop !== undefined).map((loop) => loop.detach()));
  });

  it('lists my loop devices with their size, sector size and read-only flag', async () => {
    const disks = await listDisks({ allowLoop: true, onlyDevices: mine });
    expect(disks.map((d) => d.device).sort()).toEqual([...mine].sort());
    const byDevice = new Map(disks.map((d) => [d.device, d]));
    expect(byDevice.get(plain.device)).toMatchObject({ sizeBytes: 24 * MiB, logicalSectorBytes: 512, readOnly: false, bus: 'LOOP', virtual: true, system: false, isWholeDisk: true, mountpoints: [], partitions: [] });
    expect(byDevice.get(big4k.device)).toMatchObject({ sizeBytes: 32 * MiB, logicalSectorBytes: 4096, readOnly: false });
    expect(byDevice.get(readOnly.device)).toMatchObject({ sizeBytes: 8 * MiB, readOnly: true });
  });

  it('leaves loop devices out unless allowed', async () => {
    expect(await listDisks({ onlyDevices: mine })).toEqual([]);
    expect((await listDisks()).some((disk) => disk.bus === 'LOOP' || disk.device.startsWith('/dev/loop'))).toBe(false);
  });

  it('marks the disk holding / as a system disk (read-only check)', async () => {
    const rootDisks = await findDisksHolding('/');
    const listed = (await listDisks()).filter((disk) => rootDisks.includes(disk.device));
    for (const disk of listed) expect(disk.system, disk.device).toBe(true);
    if (existsSync('/dev/vda')) {
      const [vda] = await listDisks({ onlyDevices: ['/dev/vda'] });
      expect(vda).toMatchObject({ device: '/dev/vda', system: true, isWholeDisk: true });
    }
  });

  it('auto-selection restricted to my three loops picks the one of exactly the required size', async () => {
    await withLoops([{ sizeBytes: 12 * MiB }, { sizeBytes: 16 * MiB }, { sizeBytes: 20 * MiB }], async ([small, exact, bigger]) => {
      const only = [bigger, small, exact].map((loop) => loop?.device ?? '');
      const disks = await listDisks({ allowLoop: true, onlyDevices: only });
      const context = { requiredBytes: 16 * MiB, lbaSize: 512, sourcePath: null, unmountConsent: false, allowVirtual: true };
      const candidates = evaluateDisks(disks, context);
      expect(candidates.filter((c) => c.selected).map((c) => c.disk.device)).toEqual([exact?.device]);
      expect(candidates.find((c) => c.disk.device === small?.device)?.reasons.map((r) => r.code)).toEqual(['too-small']);
      expect(chooseTarget(disks, context).disk.device).toBe(exact?.device);
      expect(() => chooseTarget(disks, { ...context, allowVirtual: false })).toThrow(/E_NO_ELIGIBLE_DISK/);
    });
  });

  it('shows partitions and their mount points, and the disk as mounted', async () => {
    const loop = await attachLoop({ sizeBytes: 32 * MiB, partscan: true });
    const mountDir = await mkdtemp(join(tmpdir(), 'cosiflash-mnt-'));
    let mounted = false;
    try {
      await exec('sgdisk', ['-n', '1:2048:+12M', '-n', '2:0:0', loop.device]);
      await exec('partx', ['-u', loop.device]);
      await exec('mkfs.ext4', ['-q', '-F', `${loop.device}p1`]);
      await exec('mount', [`${loop.device}p1`, mountDir]);
      mounted = true;
      const [disk] = await listDisks({ allowLoop: true, onlyDevices: [loop.device] });
      expect(disk?.partitions).toEqual([
        { device: `${loop.device}p1`, sizeBytes: 12 * MiB, mountpoints: [mountDir] },
        { device: `${loop.device}p2`, sizeBytes: expect.any(Number), mountpoints: [] },
      ]);
      expect(disk?.mountpoints).toEqual([mountDir]);
      expect(disk?.system).toBe(false);
      const [candidate] = evaluateDisks(disk === undefined ? [] : [disk], { requiredBytes: MiB, lbaSize: 512, sourcePath: null, unmountConsent: false, allowVirtual: true });
      expect(candidate?.reasons).toEqual([{ code: 'mounted', mountpoints: [mountDir], detail: `Mounted at ${mountDir} — Cosiflash will unmount it if you agree.` }]);
    } finally {
      if (mounted) await exec('umount', [mountDir]);
      await rmdir(mountDir);
      await loop.detach();
    }
  });

  it('a file on a filesystem of my loop device is found on that loop device (and the disk under its backing file)', async () => {
    const loop = await attachLoop({ sizeBytes: 16 * MiB });
    const mountDir = await mkdtemp(join(tmpdir(), 'cosiflash-mnt-'));
    let mounted = false;
    try {
      await exec('mkfs.ext4', ['-q', '-F', loop.device]);
      await exec('mount', [loop.device, mountDir]);
      mounted = true;
      await exec('touch', [join(mountDir, 'image.cosi')]);
      const holders = await findDisksHolding(join(mountDir, 'image.cosi'));
      expect(holders[0]).toBe(loop.device);
      expect(holders).toEqual(expect.arrayContaining(await findDisksHolding(loop.backingFile)));
      const disks = await listDisks({ allowLoop: true, onlyDevices: [loop.device] });
      const context = { requiredBytes: MiB, lbaSize: 512, sourcePath: join(mountDir, 'image.cosi'), unmountConsent: true, allowVirtual: true, sourceDisks: holders };
      expect(evaluateDisks(disks, context)[0]?.reasons.map((r) => r.code)).toEqual(['holds-source']);
    } finally {
      if (mounted) await exec('umount', [mountDir]);
      await rmdir(mountDir);
      await loop.detach();
    }
  });
});
