import { request } from 'node:http';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/web/content-security-policy.ts';
import { createHandlers, type HandlerRuntime } from '../../src/service/create-handlers.ts';
import { startWebServer, type WebServer } from '../../src/web/web-server.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { connect } from './ws-client.ts';

let dir: string;
let runtime: HandlerRuntime;
let server: WebServer;
let fixture: CosiFixture;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-web-'));
  await mkdir(path.join(dir, 'static', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'static', 'index.html'), '<!doctype html><title>Cosiflash</title><div id="root"></div>');
  await writeFile(path.join(dir, 'static', 'assets', 'app.js'), 'console.log(1);');
  await writeFile(path.join(dir, 'secret.txt'), 'not for the web');
  await writeFile(path.join(dir, 'not-a-cosi.bin'), Buffer.alloc(3000, 7));
  runtime = createHandlers({ mode: 'web', configDir: path.join(dir, 'config') });
  server = await startWebServer({ handlers: runtime.handlers, events: runtime.events, staticDir: path.join(dir, 'static') });
  fixture = await buildCosiFixture();
});

afterAll(async () => {
  await server?.close();
  await runtime?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** A raw HTTP GET (fetch would normalise the path and forbid a custom Host). */
function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

const wsUrl = (token: string | null): string => `ws://127.0.0.1:${server.port}/ws${token === null ? '' : `?token=${token}`}`;

describe('cosiflash serve (web mode)', () => {
  it('listens on 127.0.0.1 and prints a URL with a long random token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{43}$`));
  });

  it('refuses a non-loopback host unless asked to', async () => {
    await expect(startWebServer({ handlers: runtime.handlers, events: runtime.events, staticDir: dir, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'E_INPUT' });
  });

  it('serves index.html with a strict CSP and no-referrer', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    // One policy for web mode, the desktop app and index.html's meta tag: 'self' covers the WebSocket.
    expect(csp).toBe(contentSecurityPolicy());
    expect(csp).not.toContain('unsafe');
    expect(csp).not.toContain('*');
    expect((await get('/favicon.ico')).status).toBe(204);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const asset = await get('/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
  });

  it('does not serve files outside the renderer folder, nor answer to foreign Host names', async () => {
    for (const probe of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt']) {
      const response = await get(probe);
      expect(response.body).not.toContain('not for the web');
    }
    expect((await get('/', { Host: `evil.example:${server.port}` })).status).toBe(421);
  });

  it('refuses /api requests without the token', async () => {
    expect((await get('/api/health')).status).toBe(401);
    expect((await get('/api/health?token=wrong')).status).toBe(401);
    expect((await get('/api/health', { Authorization: `Bearer ${server.token}` })).status).toBe(200);
    expect((await get(`/api/health?token=${server.token}`)).status).toBe(200);
  });

  it('refuses WebSockets without the token, with a wrong one, or from another origin', async () => {
    await expect(connect(wsUrl(null), { origin: server.origin })).rejects.toThrow('unexpected-response 401');
    await expect(connect(wsUrl(`${server.token.slice(0, -1)}x`), { origin: server.origin })).rejects.toThrow('unexpected-response 401');
    await expect(connect(wsUrl(server.token), { origin: 'http://evil.example' })).rejects.toThrow('unexpected-response 403');
    await expect(connect(wsUrl(server.token), { origin: `http://127.0.0.1:${server.port + 1}` })).rejects.toThrow('unexpected-response 403');
    await expect(connect(wsUrl(server.token))).rejects.toThrow('unexpected-response 403');
  });

  it('answers app:info and recent images over a real WebSocket', async () => {
    const client = await connect(wsUrl(server.token), { origin: server.origin });
    try {
      const info = await client.call('app:info', {});
      expect(info).toMatchObject({ ok: true, value: { mode: 'web', name: 'cosiflash', capabilities: { browse: false } } });
      expect(await client.call('recent:add', { location: '/images/a.cosi', label: 'A' })).toMatchObject({ ok: true, value: [{ location: '/images/a.cosi', label: 'A', expectedHash: null }] });
      await client.call('recent:add', { location: '/images/b.cosi' });
      const list = await client.call('recent:list', {});
      expect(list.ok && list.value.map((item) => item.location)).toEqual(['/images/b.cosi', '/images/a.cosi']);
      const saved = JSON.parse(await readFile(path.join(dir, 'config', 'recent-images.json'), 'utf8')) as unknown[];
      expect(saved).toHaveLength(2);
    } finally {
      await client.close();
    }
  });

  it('answers bad requests with E_INPUT and ignores garbage', async () => {
    const client = await connect(wsUrl(server.token), { origin: server.origin });
    try {
      client.sendRaw('not json');
      client.sendRaw(JSON.stringify({ channel: 'app:info', payload: {} }));
      expect(await client.call('app:quit' as never, {} as never)).toMatchObject({ ok: false, error: { code: 'E_INPUT' } });
      expect(await client.call('image:inspect', { location: 7 } as never)).toMatchObject({ ok: false, error: { code: 'E_INPUT', detail: expect.stringContaining('location') } });
      expect(await client.call('flash:cancel', { jobId: 'nope' })).toMatchObject({ ok: false, error: { code: 'E_INPUT' } });
      expect((await client.call('app:info', {})).ok).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('inspects a COSI and reports an invalid file as an error envelope', async () => {
    const client = await connect(wsUrl(server.token), { origin: server.origin });
    try {
      const result = await client.call('image:inspect', { location: fixture.cosiPath });
      if (!result.ok) throw new Error(`inspect failed: ${JSON.stringify(result.error)}`);
      expect(result.value.layout.imageHash).toBe(fixture.imageHash);
      expect(result.value.layout.partitions.map((partition) => partition.name)).toEqual(['esp', 'root']);
      expect(result.value.source).toEqual({ location: fixture.cosiPath, kind: 'file', sizeBytes: fixture.cosiSizeBytes, localPath: fixture.cosiPath });

      const wrongHash = await client.call('image:inspect', { location: fixture.cosiPath, expectedHash: `sha384:${'0'.repeat(96)}` });
      expect(wrongHash).toMatchObject({ ok: false, error: { code: 'E_HASH_MISMATCH' } });
      const bad = await client.call('image:inspect', { location: path.join(dir, 'not-a-cosi.bin') });
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(bad.error.code).toMatch(/^E_(TAR|NOT_COSI)$/);
        expect(Object.keys(bad.error).sort()).toEqual(['code', 'detail', 'hint', 'title']);
      }
      const missing = await client.call('image:inspect', { location: path.join(dir, 'missing.cosi') });
      expect(missing).toMatchObject({ ok: false, error: { code: 'E_FILE_NOT_FOUND' } });
    } finally {
      await client.close();
    }
  });

  it('pushes contract events to every connected client', async () => {
    const first = await connect(wsUrl(server.token), { origin: server.origin });
    const second = await connect(wsUrl(server.token), { origin: server.origin });
    try {
      runtime.events.emit('disks:changed', { disks: [] });
      await expect.poll(() => first.events.length + second.events.length).toBe(2);
      expect(first.events[0]).toEqual({ event: 'disks:changed', payload: { disks: [] } });
    } finally {
      await first.close();
      await second.close();
    }
  });
});
