/**
 * End to end through web mode, without a browser: inspect → list disks → flash a loop device
 * this test created → progress events → verified report, all over the real WebSocket, with
 * the real writer process. Enumeration is restricted to the test's own loop device.
 */
import { createHash } from 'node:crypto';
import { copyFile, open, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskIdentityOf } from '../../src/common/disk-identity-of.ts';
import type { FlashProgress } from '../../src/model/flash-progress.ts';
import { createHandlers, type HandlerRuntime } from '../../src/service/create-handlers.ts';
import { startWebServer, type WebServer } from '../../src/web/web-server.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { readAt, run, withLoopDevice } from '../support/cosi-fixture-tools.ts';
import { connect } from './ws-client.ts';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('web mode flash onto a loop device (root)', () => {
  let dir: string;
  let fixture: CosiFixture;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-web-flash-'));
    fixture = await buildCosiFixture();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('inspects, lists, flashes with progress and saves a verified report', async () => {
    const diskFile = path.join(dir, 'disk.img');
    await (await open(diskFile, 'w')).close();
    await truncate(diskFile, fixture.diskSizeBytes + 8 * 1024 * 1024);
    await withLoopDevice(diskFile, fixture.lbaSize, async (device) => {
      let runtime: HandlerRuntime | null = null;
      let server: WebServer | null = null;
      try {
        runtime = createHandlers({ mode: 'web', configDir: path.join(dir, 'config'), allowLoop: true, onlyDevices: [device], station: 'bench-web' });
        server = await startWebServer({ handlers: runtime.handlers, events: runtime.events, staticDir: dir });
        const client = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: server.origin });

        const inspected = await client.call('image:inspect', { location: fixture.cosiPath, expectedHash: fixture.imageHash });
        if (!inspected.ok) throw new Error(JSON.stringify(inspected.error));
        const { layout, source } = inspected.value;

        const hidden = await client.call('disks:list', { requiredBytes: layout.disk.sizeBytes, lbaSize: layout.disk.lbaSize, sourcePath: source.localPath, unmountConsent: false, allowVirtual: false });
        expect(hidden.ok && hidden.value.some((candidate) => candidate.disk.device === device && candidate.eligible)).toBe(false);
        const listed = await client.call('disks:list', { requiredBytes: layout.disk.sizeBytes, lbaSize: layout.disk.lbaSize, sourcePath: source.localPath, unmountConsent: false, allowVirtual: true });
        if (!listed.ok) throw new Error(JSON.stringify(listed.error));
        expect(listed.value.map((candidate) => candidate.disk.device)).toEqual([device]);
        expect(listed.value[0]).toMatchObject({ eligible: true, selected: true });

        const confirmedDisk = diskIdentityOf(listed.value[0]!.disk);
        expect(confirmedDisk.diskseq).toMatch(/^\d+$/);
        expect(confirmedDisk.majMin).toMatch(/^7:\d+$/);
        const refused = await client.call('flash:start', { location: source.location, reviewedImageHash: layout.imageHash, device: '/dev/cosiflash-no-such-disk', confirmedDisk: { ...confirmedDisk, device: '/dev/cosiflash-no-such-disk' }, verify: true, unmount: false, allowVirtual: true });
        expect(refused).toMatchObject({ ok: false, error: { code: 'E_DISK_NOT_FOUND' } });

        // Two starts for the same disk at once: exactly one gets it.
        const [started, busy] = await Promise.all([
          client.call('flash:start', { location: source.location, expectedHash: fixture.imageHash, reviewedImageHash: layout.imageHash, device, confirmedDisk, operator: '  Ana Lima ', verify: true, unmount: false, allowVirtual: true }),
          client.call('flash:start', { location: source.location, reviewedImageHash: layout.imageHash, device, confirmedDisk, verify: true, unmount: false, allowVirtual: true }),
        ]);
        if (!started.ok) throw new Error(JSON.stringify(started.error));
        const { jobId } = started.value;
        expect(busy).toMatchObject({ ok: false, error: { code: 'E_DISK_INELIGIBLE' } });

        const progress = (): FlashProgress[] => client.events.flatMap((message) => (message.event === 'flash:progress' && message.payload.jobId === jobId ? [message.payload] : []));
        await expect.poll(() => progress().some((event) => event.type === 'done' || event.type === 'failed'), { timeout: 120_000, interval: 200 }).toBe(true);
        const events = progress();
        expect(events[0]?.type).toBe('plan');
        const last = events.at(-1);
        if (last?.type !== 'done') throw new Error(`flash did not succeed: ${JSON.stringify(last)}`);
        expect(last.report.outcome).toBe('verified');

        const jobs = await client.call('flash:list', {});
        expect(jobs.ok && jobs.value.find((job) => job.jobId === jobId)).toMatchObject({ state: 'verified', device });
        const report = await client.call('report:get', { jobId });
        expect(report).toMatchObject({ ok: true, value: { outcome: 'verified' } });
        const saved = await client.call('report:save', { jobId });
        if (!saved.ok || saved.value === null) throw new Error(`report not saved: ${JSON.stringify(saved)}`);
        expect(saved.value.startsWith(path.join(dir, 'config', 'reports'))).toBe(true);
        expect(JSON.parse(await readFile(saved.value, 'utf8'))).toMatchObject({ outcome: 'verified', device: { path: device }, station: 'bench-web', toolVersion: expect.any(String) });

        // The flash log has its line by the time the UI sees `done`; the History view lists it.
        const log = (await readFile(path.join(dir, 'config', 'flash-log.jsonl'), 'utf8')).trim().split('\n');
        expect(log).toHaveLength(1);
        expect(JSON.parse(log[0]!)).toMatchObject({ result: 'verified', station: 'bench-web', operator: 'Ana Lima', image: { imageHash: fixture.imageHash, os: expect.any(String) }, device: { path: device, bus: expect.any(String) } });
        const history = await client.call('log:list', { text: path.basename(device), result: null, since: null });
        expect(history).toMatchObject({ ok: true, value: { totalCount: 1, entries: [{ result: 'verified' }] } });
        const none = await client.call('log:list', { text: '', result: 'failed', since: null });
        expect(none).toMatchObject({ ok: true, value: { totalCount: 1, entries: [] } });
        const csv = await client.call('log:csv', { text: '', result: null, since: null });
        expect(csv.ok && csv.value.split('\r\n')[1]).toContain(device);
        await client.close();

        // The disk is now what the image describes: a valid GPT and byte-identical partitions.
        await run('sgdisk', ['-v', device]);
        for (const region of fixture.regions.filter((item) => item.type === 'partition')) {
          const written = await readAt(device, region.startLba * fixture.lbaSize, region.uncompressedSize);
          expect(written.equals(await readFile(region.rawPath))).toBe(true);
        }
      } finally {
        await server?.close();
        await runtime?.dispose();
      }
    });
  });

  it('refuses an image replaced between Review and Flash, and writes nothing', async () => {
    const other = await buildCosiFixture({ zstdLevel: 19 });
    expect(other.imageHash).not.toBe(fixture.imageHash);
    const served = path.join(dir, 'swapped.cosi');
    await copyFile(fixture.cosiPath, served);
    const diskFile = path.join(dir, 'swap-disk.img');
    await (await open(diskFile, 'w')).close();
    await truncate(diskFile, fixture.diskSizeBytes + 8 * 1024 * 1024);
    await withLoopDevice(diskFile, fixture.lbaSize, async (device) => {
      const diskHash = async (): Promise<string> => createHash('sha256').update(await readFile(device)).digest('hex');
      const before = await diskHash();
      let runtime: HandlerRuntime | null = null;
      let server: WebServer | null = null;
      try {
        runtime = createHandlers({ mode: 'web', configDir: path.join(dir, 'config-swap'), allowLoop: true, onlyDevices: [device] });
        server = await startWebServer({ handlers: runtime.handlers, events: runtime.events, staticDir: dir });
        const client = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: server.origin });
        const inspected = await client.call('image:inspect', { location: served });
        if (!inspected.ok) throw new Error(JSON.stringify(inspected.error));
        expect(inspected.value.layout.imageHash).toBe(fixture.imageHash);
        const listed = await client.call('disks:list', { requiredBytes: null, lbaSize: null, sourcePath: null, unmountConsent: false, allowVirtual: true });
        if (!listed.ok) throw new Error(JSON.stringify(listed.error));
        const confirmedDisk = diskIdentityOf(listed.value[0]!.disk);
        // Someone replaces the file behind the reviewed location before the user confirms.
        await copyFile(other.cosiPath, served);
        const started = await client.call('flash:start', { location: inspected.value.source.location, reviewedImageHash: inspected.value.layout.imageHash, device, confirmedDisk, verify: true, unmount: false, allowVirtual: true });
        expect(started).toMatchObject({ ok: false, error: { code: 'E_HASH_MISMATCH' } });
        if (!started.ok) expect(started.error.detail).toMatch(/changed since you reviewed it/);
        await client.close();
      } finally {
        await server?.close();
        await runtime?.dispose();
      }
      expect(await diskHash()).toBe(before);
    });
  }, 180_000);

  it('refuses a disk re-attached under the same name between the disk list and Flash (E_DISK_CHANGED), both files untouched', async () => {
    const firstFile = path.join(dir, 'shown-disk.img');
    const secondFile = path.join(dir, 'other-disk.img');
    for (const file of [firstFile, secondFile]) {
      await (await open(file, 'w')).close();
      await truncate(file, fixture.diskSizeBytes + 8 * 1024 * 1024);
    }
    // Recognisable contents: the second file must still hold exactly this afterwards.
    await writeFile(secondFile, Buffer.alloc(1024 * 1024, 0x5a), { flag: 'r+' });
    const fileHash = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');
    const firstBefore = await fileHash(firstFile);
    const secondBefore = await fileHash(secondFile);
    const device = (await run('losetup', ['-b', String(fixture.lbaSize), '-f', '--show', firstFile])).trim();
    let attachedFile: string | null = firstFile;
    let runtime: HandlerRuntime | null = null;
    let server: WebServer | null = null;
    try {
      runtime = createHandlers({ mode: 'web', configDir: path.join(dir, 'config-disk-swap'), allowLoop: true, onlyDevices: [device] });
      server = await startWebServer({ handlers: runtime.handlers, events: runtime.events, staticDir: dir });
      const client = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: server.origin });
      const inspected = await client.call('image:inspect', { location: fixture.cosiPath });
      if (!inspected.ok) throw new Error(JSON.stringify(inspected.error));
      const { layout, source } = inspected.value;
      const listed = await client.call('disks:list', { requiredBytes: layout.disk.sizeBytes, lbaSize: layout.disk.lbaSize, sourcePath: source.localPath, unmountConsent: false, allowVirtual: true });
      if (!listed.ok) throw new Error(JSON.stringify(listed.error));
      expect(listed.value).toMatchObject([{ disk: { device }, eligible: true }]);
      const shown = diskIdentityOf(listed.value[0]!.disk);

      // The disk the user was shown goes away and another one takes its name (same size, same kind).
      await run('losetup', ['-d', device]);
      attachedFile = null;
      await run('losetup', ['-b', String(fixture.lbaSize), device, secondFile]);
      attachedFile = secondFile;

      const started = await client.call('flash:start', { location: source.location, reviewedImageHash: layout.imageHash, device, confirmedDisk: shown, verify: true, unmount: false, allowVirtual: true });
      expect(started).toMatchObject({ ok: false, error: { code: 'E_DISK_CHANGED' } });
      if (!started.ok) expect(started.error.detail).toMatch(new RegExp(`no longer at ${device}.*diskseq`));
      await client.close();
    } finally {
      await server?.close();
      await runtime?.dispose();
      // Detach only what this test attached, and only while it is still our file behind the device.
      if (attachedFile !== null) {
        const backing = (await run('losetup', ['--list', '--noheadings', '--output', 'BACK-FILE', device]).catch(() => '')).trim();
        if (backing === attachedFile) {
          await run('partx', ['-d', device]).catch(() => undefined);
          await run('losetup', ['-d', device]);
        }
      }
    }
    expect(await fileHash(secondFile)).toBe(secondBefore);
    expect(await fileHash(firstFile)).toBe(firstBefore);
  }, 180_000);
});
