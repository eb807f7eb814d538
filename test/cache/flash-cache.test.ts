import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, utimesSync, writeSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { CacheStore } from '../../src/cache/cache-store.ts';
import type { FlashProgress, FlashReport } from '../../src/model/flash-progress.ts';
import { flashDisk } from '../../src/pipeline/flash-disk.ts';
import type { FlashRequest } from '../../src/model/flash-request.ts';
import { buildCosiFixture, type CosiFixture, type CosiFixtureOptions } from '../support/cosi-fixtures.ts';
import { expectFlashedLike } from '../support/flash-checks.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { nginxBodyBytes, nginxSkipReason, startNginx, type NginxServer } from '../support/nginx-server.ts';

const MiB = 1024 * 1024;
/** ~24 MiB of incompressible data: transfers are measured against the image size. */
const BIG: CosiFixtureOptions = { partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 24 }] };
const OTHER: CosiFixtureOptions = { partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 20 }] };

let www: string;
let nginx: NginxServer;
let fixture: CosiFixture;
let other: CosiFixture;
let counter = 0;

beforeAll(async () => {
  if (process.getuid?.() !== 0 || nginxSkipReason() !== null) return;
  www = mkdtempSync(path.join(os.tmpdir(), 'cosiflash-cache-www-'));
  nginx = await startNginx({ root: www });
  fixture = await buildCosiFixture(BIG);
  other = await buildCosiFixture(OTHER);
});
afterAll(async () => {
  await nginx?.close();
  if (www !== undefined) rmSync(www, { recursive: true, force: true });
});

/** Publishes `image` under a fresh name (or `name`), with an mtime of its own so nginx's ETag differs. */
function publish(image: CosiFixture, name = `img${++counter}.cosi`): string {
  copyFileSync(image.cosiPath, path.join(www, name));
  const when = new Date(Date.now() - 1000 * 60 * ++counter);
  utimesSync(path.join(www, name), when, when);
  return nginx.url(name);
}

function cacheDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'cosiflash-cache-'));
}

async function flash(request: Partial<FlashRequest> & { source: string; onlyDevices: readonly string[] }): Promise<{ report: FlashReport; events: FlashProgress[]; transferred: number }> {
  const before = await nginxBodyBytes(nginx);
  const events: FlashProgress[] = [];
  const report = await flashDisk({ verify: true, unmount: false, allowLoop: true, ...request }, { signal: new AbortController().signal, onEvent: (event) => events.push(event) });
  // nginx logs a request when it ends: give the log a moment after the client closed.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { report, events, transferred: (await nginxBodyBytes(nginx)) - before };
}

const warnings = (events: readonly FlashProgress[]): string[] => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));

describeRootOnly('flash --cache (real nginx, loop devices)', () => {
  itRootOnly('a second flash with a warm cache transfers under 1 MiB and is identical; cache list shows it complete and verified', async () => {
    const dir = cacheDir();
    try {
      const url = publish(fixture);
      await withLoops([{ sizeBytes: fixture.diskSizeBytes, partscan: true }], async ([disk]) => {
        const cold = await flash({ source: url, onlyDevices: [disk!.device], cache: { dir, maxBytes: null } });
        expect(cold.report.error).toBeNull();
        expect(cold.report.outcome).toBe('verified');
        expect(cold.transferred).toBeGreaterThan(fixture.cosiSizeBytes * 0.9);
        expect(warnings(cold.events)).toEqual([]);
        const [entry] = new CacheStore({ dir: path.join(dir), maxBytes: null, owner: null }).list();
        expect(entry?.location).toBe(url);
        expect(entry?.imageHash).toBe(fixture.imageHash);
        expect(entry?.verifiedBytes).toBeGreaterThan(20 * MiB);
        execFileSync('wipefs', ['-a', '-q', disk!.device]);
        execFileSync('dd', ['if=/dev/zero', `of=${disk!.device}`, 'bs=1M', 'count=16', 'status=none']);

        const warm = await flash({ source: url, onlyDevices: [disk!.device], cache: { dir, maxBytes: null } });
        expect(warm.report.error).toBeNull();
        expect(warm.report.outcome).toBe('verified');
        expect(warm.transferred).toBeLessThan(MiB);
        expect(warm.report.downloadedBytes).toBeLessThan(MiB);
        expect(warm.report.cachedBytes).toBeGreaterThan(fixture.cosiSizeBytes * 0.9);
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  itRootOnly('a changed file on the server is noticed (new ETag), re-fetched and written; the old entry is discarded', async () => {
    const dir = cacheDir();
    try {
      const name = `changing${++counter}.cosi`;
      const url = publish(fixture, name);
      await withLoops([{ sizeBytes: fixture.diskSizeBytes, partscan: true }], async ([disk]) => {
        const first = await flash({ source: url, onlyDevices: [disk!.device], cache: { dir, maxBytes: null } });
        expect(first.report.outcome).toBe('verified');
        publish(other, name);
        const second = await flash({ source: url, onlyDevices: [disk!.device], cache: { dir, maxBytes: null } });
        expect(second.report.error).toBeNull();
        expect(second.report.imageHash).toBe(other.imageHash);
        expect(second.transferred).toBeGreaterThan(other.cosiSizeBytes * 0.9);
        await expectFlashedLike(disk!.device, other, { sameSize: false });
        const entries = new CacheStore({ dir, maxBytes: null, owner: null }).list();
        expect(entries).toHaveLength(1);
        expect(entries[0]?.imageHash).toBe(other.imageHash);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  itRootOnly('a corrupted cache entry (bytes flipped in the data file) is detected, only that piece re-fetched, and the disk is identical', async () => {
    const dir = cacheDir();
    try {
      const url = publish(fixture);
      await withLoops([{ sizeBytes: fixture.diskSizeBytes, partscan: true }], async ([disk]) => {
        expect((await flash({ source: url, onlyDevices: [disk!.device], cache: { dir, maxBytes: null } })).report.outcome).toBe('verified');
        const [entry] = new CacheStore({ dir, maxBytes: null, owner: null }).list();
        const data = path.join(dir, entry!.id, 'data');
        const region = fixture.regions.find((r) => r.name === 'data')!;
        const tarOffset = fixture.metadata.images.length > 0 ? findTarOffset(fixture, region.path) : 0;
        const fd = openSync(data, 'r+');
        writeSync(fd, Buffer.from('flipped!'), 0, 8, tarOffset + 5 * MiB + 123);
        closeSync(fd);
        const repaired = await flash({ source: url, onlyDevices: [disk!.device], cache: { dir, maxBytes: null } });
        expect(repaired.report.error).toBeNull();
        expect(repaired.report.outcome).toBe('verified');
        // One 1 MiB record (plus the requests' overhead) came again from the server.
        expect(repaired.transferred).toBeGreaterThan(0);
        expect(repaired.transferred).toBeLessThanOrEqual(2 * MiB);
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
        const again = await flash({ source: url, onlyDevices: [disk!.device], cache: { dir, maxBytes: null } });
        expect(again.report.outcome).toBe('verified');
        expect(again.transferred).toBeLessThan(MiB);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  itRootOnly('a full cache disk (a tiny tmpfs) stops caching with a warning while the flash succeeds; over the cap nothing is cached', async () => {
    const dir = cacheDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'cosiflash-cache-test', dir]);
    try {
      const url = publish(fixture);
      await withLoops([{ sizeBytes: fixture.diskSizeBytes, partscan: true }], async ([disk]) => {
        // An explicit cap above the disk's size: the writes hit ENOSPC.
        const full = await flash({ source: url, onlyDevices: [disk!.device], cache: { dir: path.join(dir, 'cosiflash'), maxBytes: 1024 * MiB } });
        expect(full.report.error).toBeNull();
        expect(full.report.outcome).toBe('verified');
        expect(warnings(full.events).some((w) => /cache disk is full/.test(w))).toBe(true);
        await expectFlashedLike(disk!.device, fixture, { sameSize: true });
        // The default cap (a quarter of 4 MiB) is smaller than the image: not cached at all.
        rmSync(path.join(dir, 'cosiflash'), { recursive: true, force: true });
        const capped = await flash({ source: url, onlyDevices: [disk!.device], cache: { dir: path.join(dir, 'cosiflash'), maxBytes: null } });
        expect(capped.report.outcome).toBe('verified');
        expect(warnings(capped.events).some((w) => /larger than the cache cap/.test(w))).toBe(true);
        expect(new CacheStore({ dir: path.join(dir, 'cosiflash'), maxBytes: null, owner: null }).list().every((e) => e.cachedBytes < MiB)).toBe(true);
      });
    } finally {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  itRootOnly('LRU eviction keeps the cache under its cap (the least recently used entry goes)', async () => {
    const dir = cacheDir();
    try {
      const first = publish(fixture);
      const second = publish(other);
      await withLoops([{ sizeBytes: fixture.diskSizeBytes, partscan: true }], async ([disk]) => {
        const cap = fixture.cosiSizeBytes + 4 * MiB;
        expect((await flash({ source: first, onlyDevices: [disk!.device], cache: { dir, maxBytes: cap } })).report.outcome).toBe('verified');
        expect((await flash({ source: second, onlyDevices: [disk!.device], cache: { dir, maxBytes: cap } })).report.outcome).toBe('verified');
        const entries = new CacheStore({ dir, maxBytes: cap, owner: null }).list();
        expect(entries.map((e) => e.location)).toEqual([second]);
        expect(readdirSync(dir)).toHaveLength(1);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

/** Offset of a tar member's data, read from the tar headers (the fixture records paths, not offsets). */
function findTarOffset(image: CosiFixture, member: string): number {
  const tar = readFileSync(image.cosiPath);
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    if (name === member || name.endsWith(`/${member}`) || member.endsWith(name)) return offset + 512;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${member} not found in ${image.cosiPath}`);
}
