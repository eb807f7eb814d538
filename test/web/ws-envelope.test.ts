/**
 * Malformed envelopes over a real WebSocket against the real handler table: a clear E_INPUT
 * protocol error (never E_INTERNAL), and the server keeps answering afterwards.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, type HandlerRuntime } from '../../src/service/create-handlers.ts';
import { startWebServer, type WebServer } from '../../src/web/web-server.ts';
import type { WsServerMessage } from '../../src/ipc/ws-protocol.ts';
import { connect, type ContractClient } from './ws-client.ts';

let dir: string;
let runtime: HandlerRuntime;
let server: WebServer;
let client: ContractClient;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-ws-envelope-'));
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

/** Sends a raw frame and waits for the response with `id`. */
function answerTo(id: number, frame: string): Promise<WsServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const message = JSON.parse(data.toString()) as WsServerMessage;
      if (!('event' in message) && message.id === id) {
        client.socket.off('message', onMessage);
        resolve(message);
      }
    };
    client.socket.on('message', onMessage);
    client.sendRaw(frame);
  });
}

describe('WebSocket envelope validation', () => {
  it('an object as channel name: E_INPUT naming the field', async () => {
    expect(await answerTo(11, '{"id":11,"channel":{"a":1},"payload":{}}')).toMatchObject({ id: 11, result: { ok: false, error: { code: 'E_INPUT', detail: expect.stringContaining('request.channel must be a channel name (a string), got an object') } } });
  });

  it('a deeply nested array as channel name: E_INPUT, not a stack overflow', async () => {
    const depth = 100_000;
    const frame = `{"id":12,"channel":${'['.repeat(depth)}${']'.repeat(depth)},"payload":{}}`;
    expect(await answerTo(12, frame)).toMatchObject({ id: 12, result: { ok: false, error: { code: 'E_INPUT', detail: expect.stringContaining('got an array') } } });
  });

  it('still answers a good request afterwards', async () => {
    expect(await client.call('app:info', {} as never)).toMatchObject({ ok: true });
  });
});
