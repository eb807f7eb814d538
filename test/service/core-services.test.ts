import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDisks } from '../../src/disk/list-disks.ts';
import type { DiskInfo } from '../../src/model/disk-info.ts';
import { loadCoreServices, type CoreServices } from '../../src/service/core-services.ts';
import { createHandlers } from '../../src/service/create-handlers.ts';
import { spawnWriter } from '../../src/writer/spawn-writer.ts';

const configDir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-core-services-'));
afterAll(() => rm(configDir, { recursive: true, force: true }));

/** A disk no machine has: only a handler table that uses the core it was given can list it. */
const planted: DiskInfo = {
  device: '/dev/cosiflash-test-disk',
  sizeBytes: 8 * 1024 ** 3,
  logicalSectorBytes: 512,
  physicalSectorBytes: 512,
  model: 'Planted',
  vendor: null,
  serial: 'PLANTED-1',
  bus: 'USB',
  removable: true,
  readOnly: false,
  system: false,
  virtual: false,
  isWholeDisk: true,
  mountpoints: [],
  partitions: [],
  diskseq: null,
  majMin: null,
};

describe('core services', () => {
  it('are built once: every call gives the same object, holding the real modules', async () => {
    const first = await loadCoreServices();
    expect(await loadCoreServices()).toBe(first);
    expect(first.listDisks).toBe(listDisks);
    expect(first.spawnWriter).toBe(spawnWriter);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.keys(first).sort()).toEqual(['evaluateDisks', 'findDisksHolding', 'inspectImage', 'listDisks', 'spawnWriter']);
  });

  it('are what the handler table uses when passed in', async () => {
    const real = await loadCoreServices();
    const listed: unknown[] = [];
    const core: CoreServices = {
      ...real,
      listDisks: async (options) => {
        listed.push(options);
        return [planted];
      },
    };
    const runtime = createHandlers({ mode: 'web', configDir, core });
    try {
      const candidates = await runtime.handlers['disks:list']({ sourcePath: null, unmountConsent: false, allowVirtual: false, requiredBytes: 1024 ** 3, lbaSize: 512 });
      expect(candidates.map((candidate) => candidate.disk.device)).toEqual([planted.device]);
      expect(listed).toEqual([{ allowLoop: false }]);
    } finally {
      await runtime.dispose();
    }
  });
});
