/**
 * The Electron flash path without Electron: the esbuild bundles of the writer and its worker
 * threads, launched the way Electron main launches them (electronWriterLaunch: the runtime
 * binary with ELECTRON_RUN_AS_NODE=1 on dist-electron/writer-main.mjs; here Node stands in
 * for Electron's binary), flash a loop device this test created, through the shared handler
 * table. Proves the bundle rewrites (worker URLs, tar-stream) work at run time.
 */
import { diskIdentityOf } from '../../src/common/disk-identity-of.ts';
import { mkdir, mkdtemp, open, readFile, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronWriterLaunch } from '../../electron/writer-launch.ts';
import { buildElectron } from '../../scripts/build-electron.ts';
import type { FlashProgress } from '../../src/model/flash-progress.ts';
import { createHandlers } from '../../src/service/create-handlers.ts';
import { buildCosiFixture, PROJECT_ROOT, type CosiFixture } from '../support/cosi-fixtures.ts';
import { readAt, run, withLoopDevice } from '../support/cosi-fixture-tools.ts';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('bundled writer launched like Electron main does (root)', () => {
  let dir: string;
  let bundleDir: string;
  let fixture: CosiFixture;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-bundled-writer-'));
    // Inside the project so the one external native module (drivelist) resolves as in the app.
    await mkdir(path.join(PROJECT_ROOT, '.cache'), { recursive: true });
    bundleDir = await mkdtemp(path.join(PROJECT_ROOT, '.cache', 'electron-bundle-'));
    await buildElectron({ outDir: bundleDir, quiet: true });
    fixture = await buildCosiFixture();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(bundleDir, { recursive: true, force: true });
  });

  it('flashes and verifies a loop device', async () => {
    const launch = electronWriterLaunch({ bundleDir, execPath: process.execPath });
    expect(launch.env?.['ELECTRON_RUN_AS_NODE']).toBe('1');
    expect(launch.script).toBe(path.join(bundleDir, 'writer-main.mjs'));
    const diskFile = path.join(dir, 'disk.img');
    await (await open(diskFile, 'w')).close();
    await truncate(diskFile, fixture.diskSizeBytes);
    await withLoopDevice(diskFile, fixture.lbaSize, async (device) => {
      const runtime = createHandlers({ mode: 'electron', configDir: path.join(dir, 'config'), allowLoop: true, onlyDevices: [device], writerLaunch: () => launch });
      const events: FlashProgress[] = [];
      runtime.events.subscribe((message) => {
        if (message.event === 'flash:progress') events.push(message.payload);
      });
      try {
        const listed = await runtime.handlers['disks:list']({ requiredBytes: null, lbaSize: null, sourcePath: null, unmountConsent: false, allowVirtual: true });
        const confirmedDisk = diskIdentityOf(listed.find((c) => c.disk.device === device)!.disk);
        const { jobId } = await runtime.handlers['flash:start']({ location: fixture.cosiPath, reviewedImageHash: fixture.imageHash, device, confirmedDisk, verify: true, unmount: false, allowVirtual: true });
        await runtime.jobs.whenEnded(jobId);
        const last = events.at(-1);
        if (last?.type !== 'done') throw new Error(`flash did not succeed: ${JSON.stringify(last)}`);
        expect(last.report.outcome).toBe('verified');
      } finally {
        await runtime.dispose();
      }
      await run('sgdisk', ['-v', device]);
      const root = fixture.regions.find((region) => region.name === 'root');
      if (root === undefined) throw new Error('fixture has no root partition');
      expect((await readAt(device, root.startLba * fixture.lbaSize, root.uncompressedSize)).equals(await readFile(root.rawPath))).toBe(true);
    });
  });
});

describe('electronWriterLaunch', () => {
  it('runs the unpacked writer when packaged in an asar', () => {
    const launch = electronWriterLaunch({ bundleDir: '/opt/Cosiflash/resources/app.asar/dist-electron', execPath: '/opt/Cosiflash/cosiflash', env: { PATH: '/usr/bin' } });
    expect(launch).toEqual({
      execPath: '/opt/Cosiflash/cosiflash',
      script: '/opt/Cosiflash/resources/app.asar.unpacked/dist-electron/writer-main.mjs',
      env: { PATH: '/usr/bin', ELECTRON_RUN_AS_NODE: '1' },
    });
  });
});
