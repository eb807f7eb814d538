/**
 * The web-mode transport against a real WebSocket server (ws) on 127.0.0.1, using Node's
 * built-in WebSocket client (the same API the browser has).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { WsRequest } from '../../../src/ipc/ws-protocol.ts';
import type { ConnectionState } from '../../../renderer/src/ipc/api.ts';
import { createWebApi, socketUrlFor, tokenFromPageUrl } from '../../../renderer/src/ipc/web-api.ts';

const TOKEN = 'secret-token';
let server: WebSocketServer | null = null;

async function startServer(onConnection: (socket: ServerSocket) => void): Promise<number> {
  server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/ws',
    verifyClient: (info: { req: { url?: string } }) => new URL(info.req.url ?? '', 'http://x').searchParams.get('token') === TOKEN,
  });
  server.on('connection', onConnection);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  for (const client of server?.clients ?? []) client.terminate();
  await new Promise((resolve) => (server === null ? resolve(null) : server.close(() => resolve(null))));
  server = null;
});

describe('web-api helpers', () => {
  it('reads the token from the page URL and builds the socket URL on the same origin', () => {
    expect(tokenFromPageUrl('http://127.0.0.1:8080/?token=abc')).toBe('abc');
    expect(tokenFromPageUrl('http://127.0.0.1:8080/')).toBeNull();
    expect(socketUrlFor('http://127.0.0.1:8080/index.html?token=abc', 'a b')).toBe('ws://127.0.0.1:8080/ws?token=a%20b');
    expect(socketUrlFor('https://bench.local/?token=x', 'x')).toBe('wss://bench.local/ws?token=x');
  });
});

describe('createWebApi', () => {
  it('matches responses to requests by id (out of order) and delivers events', async () => {
    const port = await startServer((socket) => {
      const held: WsRequest[] = [];
      socket.on('message', (data) => {
        const request = JSON.parse(String(data)) as WsRequest;
        held.push(request);
        if (held.length === 2) {
          // Answer the second request first.
          for (const each of held.reverse()) socket.send(JSON.stringify({ id: each.id, result: { ok: true, value: `answer to ${each.channel}` } }));
          socket.send(JSON.stringify({ event: 'disks:changed', payload: { disks: [] } }));
        }
      });
    });
    const states: ConnectionState[] = [];
    const api = createWebApi({ pageUrl: `http://127.0.0.1:${port}/?token=${TOKEN}`, onConnectionChange: (state) => states.push(state) });
    const events: unknown[] = [];
    const gotEvent = new Promise((resolve) => api.on('disks:changed', (payload) => resolve(events.push(payload))));
    const [first, second] = await Promise.all([api.invoke('recent:list', {}), api.invoke('flash:list', {})]);
    expect(first).toEqual({ ok: true, value: 'answer to recent:list' });
    expect(second).toEqual({ ok: true, value: 'answer to flash:list' });
    await gotEvent;
    expect(events).toEqual([{ disks: [] }]);
    expect(states).toEqual(['connecting', 'open']);
  });

  it('a refused token resolves requests to an E_CONNECTION error telling the user what to open', async () => {
    const port = await startServer(() => {});
    const states: ConnectionState[] = [];
    const api = createWebApi({ pageUrl: `http://127.0.0.1:${port}/?token=wrong`, onConnectionChange: (state) => states.push(state) });
    const result = await api.invoke('app:info', {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.hint).toContain('?token=');
    expect(states.at(-1)).toBe('unauthorized');
  });

  it('a page without a token never connects and says why', async () => {
    const api = createWebApi({ pageUrl: 'http://127.0.0.1:1/' });
    const result = await api.invoke('app:info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'E_CONNECTION' } });
  });

  it('a connection that drops mid-request resolves it to an error, never hangs or rejects', async () => {
    const port = await startServer((socket) => socket.on('message', () => socket.terminate()));
    const api = createWebApi({ pageUrl: `http://127.0.0.1:${port}/?token=${TOKEN}` });
    const result = await api.invoke('app:info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'E_CONNECTION' } });
  });
});
