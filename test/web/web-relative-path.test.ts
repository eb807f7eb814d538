/**
 * Web mode refuses relative image paths (issue 12): over a real WebSocket against the real
 * handler table, image:inspect / flash:start / recent:add with a relative path get an E_INPUT
 * saying the path would resolve on the server, and nothing is recorded; an absolute path is
 * not refused for being relative.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, type HandlerRuntime } from '../../src/service/create-handlers.ts';
import { startWebServer, type WebServer } from '../../src/web/web-server.ts';
import { isRelativeImagePath } from '../../src/web/web-location-check.ts';
import { connect, type ContractClient } from './ws-client.ts';

let dir: string;
let runtime: HandlerRuntime;
let server: WebServer;
let client: ContractClient;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-web-relative-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Cosiflash</title>');
  runtime = createHandlers({ mode: 'web', configDir: path.join(dir, 'config') });
  server = await startWebServer({ handlers: runtime.handlers, events: runtime.events, staticDir: dir });
  client = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  await runtime?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const serverSide = expect.stringContaining('would resolve on the server');

describe('web mode: relative image paths', () => {
  it('image:inspect with a relative path is refused, naming the path and the server', async () => {
    const result = await client.call('image:inspect', { location: 'images/a.cosi' });
    expect(result).toMatchObject({ ok: false, error: { code: 'E_INPUT', detail: serverSide } });
    expect(JSON.stringify(result)).toContain('images/a.cosi');
  });

  it('~/ is relative too (the server has its own home)', async () => {
    expect(await client.call('image:inspect', { location: ' ~/a.cosi ' })).toMatchObject({ ok: false, error: { code: 'E_INPUT', detail: serverSide } });
  });

  it('recent:add with a relative path is refused and the list stays empty', async () => {
    expect(await client.call('recent:add', { location: './a.cosi' })).toMatchObject({ ok: false, error: { code: 'E_INPUT', detail: serverSide } });
    expect(await client.call('recent:list', {} as never)).toMatchObject({ ok: true, value: [] });
  });

  it('flash:start with a relative path is refused before anything is planned', async () => {
    const confirmedDisk = { device: '/dev/loop99', model: null, serial: null, sizeBytes: 1, wwn: null, path: null };
    const result = await client.call('flash:start', { location: 'a.cosi', reviewedImageHash: 'x', device: '/dev/loop99', confirmedDisk, verify: true, unmount: false, allowVirtual: false } as never);
    expect(result).toMatchObject({ ok: false, error: { code: 'E_INPUT', detail: serverSide } });
  });

  it('an absolute path is not refused for being relative (it fails as a missing file instead)', async () => {
    const result = await client.call('image:inspect', { location: path.join(dir, 'missing.cosi') });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('would resolve on the server');
  });

  it('classifies locations without touching the disk', () => {
    expect(isRelativeImagePath('a.cosi')).toBe(true);
    expect(isRelativeImagePath('../x/a.cosi')).toBe(true);
    expect(isRelativeImagePath('/srv/a.cosi')).toBe(false);
    expect(isRelativeImagePath('file:///srv/a.cosi')).toBe(false);
    expect(isRelativeImagePath('https://h/a.cosi')).toBe(false);
    expect(isRelativeImagePath('oci://r/a:1')).toBe(false);
  });
});
