/**
 * disks:hidden with a real loop device: while "show virtual disks" is off, disks:list leaves
 * the loop out and disks:hidden counts it, so the Target screen can say "1 virtual disk hidden".
 * Enumeration is restricted to this test's own loop (onlyDevices).
 */
import { mkdtemp, open, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListDisksOptions } from '../../src/disk/list-disks.ts';
import { createHandlers } from '../../src/service/create-handlers.ts';
import { loadCoreServices } from '../../src/service/core-services.ts';
import { withLoopDevice } from '../support/cosi-fixture-tools.ts';
import { diskListStatus } from '../../renderer/src/view/disk-list-status.ts';

const isRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;
const noImage = { requiredBytes: null, lbaSize: null, sourcePath: null, unmountConsent: false } as const;

describe.skipIf(!isRoot)('hidden virtual disks (root, loop device)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-hidden-virtual-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('counts the loop disks:list hides, 0 when they are shown or loops are not allowed at all', async () => {
    const file = path.join(dir, 'disk.img');
    await (await open(file, 'w')).close();
    await truncate(file, 8 * MiB);
    await withLoopDevice(file, 512, async (device) => {
      const station = createHandlers({ mode: 'web', configDir: path.join(dir, 'config-a'), allowLoop: true, onlyDevices: [device] });
      const plain = createHandlers({ mode: 'web', configDir: path.join(dir, 'config-b'), onlyDevices: [device] });
      try {
        expect(await station.handlers['disks:list']({ ...noImage, allowVirtual: false })).toEqual([]);
        expect(await station.handlers['disks:hidden']({})).toEqual({ virtualCount: 1 });
        expect((await station.handlers['disks:list']({ ...noImage, allowVirtual: true })).map((c) => c.disk.device)).toEqual([device]);
        // Without --allow-loop virtual disks cannot be shown, so none count as hidden.
        expect(await plain.handlers['disks:hidden']({})).toEqual({ virtualCount: 0 });
      } finally {
        await station.dispose();
        await plain.dispose();
      }
    });
  });

  it('one refresh (disks:list and disks:hidden asked together) enumerates the disks once', async () => {
    const file = path.join(dir, 'disk-once.img');
    await (await open(file, 'w')).close();
    await truncate(file, 8 * MiB);
    await withLoopDevice(file, 512, async (device) => {
      const real = await loadCoreServices();
      const enumerations: ListDisksOptions[] = [];
      const core = { ...real, listDisks: (listOptions?: ListDisksOptions) => (enumerations.push(listOptions ?? {}), real.listDisks(listOptions)) };
      const runtime = createHandlers({ mode: 'web', configDir: path.join(dir, 'config-c'), allowLoop: true, onlyDevices: [device], core });
      try {
        const [shown, hidden] = await Promise.all([runtime.handlers['disks:list']({ ...noImage, allowVirtual: false }), runtime.handlers['disks:hidden']({})]);
        expect(shown).toEqual([]);
        expect(hidden).toEqual({ virtualCount: 1 });
        expect(enumerations).toHaveLength(1);
        // The next refresh enumerates afresh (nothing is kept between requests), with the toggle on.
        expect((await runtime.handlers['disks:list']({ ...noImage, allowVirtual: true })).map((c) => c.disk.device)).toEqual([device]);
        expect(enumerations).toHaveLength(2);
      } finally {
        await runtime.dispose();
      }
    });
  });
});

describe('diskListStatus names hidden virtual disks', () => {
  it('in the empty state and next to the count, singular and plural; nothing when none are hidden', () => {
    expect(diskListStatus({ loading: false, total: 0, eligible: 0, hiddenVirtual: 1 })).toBe('Insert a drive — this list updates by itself when one is plugged in. (1 virtual disk hidden)');
    expect(diskListStatus({ loading: false, total: 2, eligible: 1, hiddenVirtual: 3 })).toBe('1 of 2 disks can take this image (3 virtual disks hidden)');
    expect(diskListStatus({ loading: false, total: 2, eligible: 1, hiddenVirtual: 0 })).toBe('1 of 2 disks can take this image');
  });
});
