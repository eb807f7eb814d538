/**
 * disks:changed with real devices: the watcher re-enumerates (restricted to this test's own
 * loop device) and reports when the device changes — here it grows (truncate + losetup -c),
 * as a card reader does when a card is inserted.
 */
import { mkdtemp, open, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisksChangedEvent } from '../../src/ipc/contract.ts';
import { createHandlers } from '../../src/service/create-handlers.ts';
import { run, withLoopDevice } from '../support/cosi-fixture-tools.ts';

const isRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;

describe.skipIf(!isRoot)('disk watcher on a loop device (root)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-hotplug-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists the device without an image and emits disks:changed when it grows', async () => {
    const file = path.join(dir, 'disk.img');
    await (await open(file, 'w')).close();
    await truncate(file, 8 * MiB);
    await withLoopDevice(file, 512, async (device) => {
      const runtime = createHandlers({ mode: 'web', configDir: path.join(dir, 'config'), allowLoop: true, onlyDevices: [device], diskPollIntervalMs: 200 });
      const changes: DisksChangedEvent[] = [];
      runtime.events.subscribe((message) => {
        if (message.event === 'disks:changed') changes.push(message.payload);
      });
      try {
        const listed = await runtime.handlers['disks:list']({ requiredBytes: null, lbaSize: null, sourcePath: null, unmountConsent: false, allowVirtual: true });
        expect(listed.map((candidate) => candidate.disk.device)).toEqual([device]);
        expect(listed[0]).toMatchObject({ eligible: true, selected: false, disk: { sizeBytes: 8 * MiB } });
        const tooSmall = await runtime.handlers['disks:list']({ requiredBytes: 64 * MiB, lbaSize: 512, sourcePath: null, unmountConsent: false, allowVirtual: true });
        expect(tooSmall[0]?.reasons.map((reason) => reason.code)).toContain('too-small');
        const noVirtual = await runtime.handlers['disks:list']({ requiredBytes: null, lbaSize: null, sourcePath: null, unmountConsent: false, allowVirtual: false });
        expect(noVirtual.filter((candidate) => candidate.eligible)).toEqual([]);

        // The watcher's baseline is the 8 MiB device; then the device changes under it.
        await runtime.start();
        await truncate(file, 16 * MiB);
        await run('losetup', ['-c', device]);
        await expect.poll(() => changes.at(-1)?.disks.find((disk) => disk.device === device)?.sizeBytes, { timeout: 20_000, interval: 100 }).toBe(16 * MiB);
      } finally {
        await runtime.dispose();
      }
    });
  });
});
