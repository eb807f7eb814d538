import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/source/open-source.ts';
import { createSourceFixtures, errorOf, type SourceFixtures } from './source-fixtures.ts';

const run = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('HTTP source: connection-level failures', () => {
  let fixtures: SourceFixtures;
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  beforeAll(async () => {
    fixtures = await createSourceFixtures();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await fixtures?.cleanup();
  });

  it('a server that accepts and never answers is E_TIMEOUT after the retries', async () => {
    const silent = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    servers.push(silent);
    const port = await listen(silent);
    const retries: string[] = [];
    const error = await errorOf(() => openSource(`http://127.0.0.1:${port}/image.cosi`, {
      idleTimeoutMs: 300, maxRetries: 1, retryBaseDelayMs: 5, onRetry: (event) => retries.push(event.reason),
    }));
    expect(error.code).toBe('E_TIMEOUT');
    expect(error.detail).toMatch(/sent nothing for 0.3 s \(2 attempts/);
    expect(retries).toHaveLength(1);
  });

  it.skipIf(!existsSync(OPENSSL))('an untrusted (self-signed) certificate is E_CONNECT naming TLS, not retried', async () => {
    const key = path.join(fixtures.dir, 'key.pem');
    const cert = path.join(fixtures.dir, 'cert.pem');
    await run(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1']);
    const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) => res.end('x'));
    servers.push(server);
    const port = await listen(server);
    const retries: string[] = [];
    const error = await errorOf(() => openSource(`https://127.0.0.1:${port}/image.cosi`, { onRetry: (event) => retries.push(event.reason) }));
    expect(error.code).toBe('E_CONNECT');
    expect(error.detail).toMatch(/TLS/);
    expect(retries).toEqual([]);
  });
});
