import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCosi } from '../../src/cosi/inspect-cosi.ts';
import { inspectInWorker } from '../../src/cosi/inspect-in-worker.ts';
import { openSource } from '../../src/source/open-source.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { base256SizeField, TAR_END, tarEntry, ustarHeader } from '../support/tar-craft.ts';

describe('inspectInWorker', () => {
  let fixture: CosiFixture;
  let dir: string;
  let stalled: Server;
  const sockets = new Set<Socket>();
  let stalledUrl = '';
  beforeAll(async () => {
    fixture = await buildCosiFixture();
    dir = await mkdtemp(path.join(tmpdir(), 'inspect-worker-'));
    await writeFile(path.join(dir, 'negative.cosi'), Buffer.concat([tarEntry('cosi-marker', Buffer.alloc(0)), ustarHeader('loop', 0, 'x', { sizeField: base256SizeField(-512n) }), TAR_END]));
    // Accepts connections and never answers: an inspection that can only end by its time limit.
    stalled = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    stalledUrl = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/image.cosi`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => stalled.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the same layout as inspecting in this thread, and where the image came from', async () => {
    const source = await openSource(fixture.cosiPath);
    const direct = await inspectCosi(source).finally(() => source.close());
    const result = await inspectInWorker(fixture.cosiPath);
    expect(result.layout).toEqual(direct.layout);
    expect(result.source).toEqual({ location: fixture.cosiPath, kind: 'file', sizeBytes: source.sizeBytes, localPath: fixture.cosiPath });
  });

  it("rethrows the inspection's own error with its code", async () => {
    await expect(inspectInWorker(path.join(dir, 'negative.cosi'))).rejects.toMatchObject({ code: 'E_TAR_INVALID', detail: expect.stringContaining('negative size') });
    await expect(inspectInWorker(fixture.cosiPath, { expectedHash: `sha384:${'0'.repeat(96)}` })).rejects.toMatchObject({ code: 'E_HASH_MISMATCH' });
  });

  it('stops an inspection at its time limit with E_INSPECT_LIMIT while this thread keeps running', async () => {
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 20);
    try {
      await expect(inspectInWorker(stalledUrl, { timeLimitMs: 1000 })).rejects.toMatchObject({ code: 'E_INSPECT_LIMIT', detail: expect.stringContaining('did not finish within 1 s') });
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(5);
  });

  it('E_CANCELLED when its signal aborts', async () => {
    const controller = new AbortController();
    const pending = inspectInWorker(stalledUrl, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});
