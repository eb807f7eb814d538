import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/source/open-source.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { collect, createSourceFixtures, errorOf, type SourceFixtures } from './source-fixtures.ts';

const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A minimal forward proxy (absolute-form requests and CONNECT) that records what it forwarded. */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host = '', port = '80'] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const url = await listen(server);
  return {
    url,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('HTTP source: proxies from the environment, redirects', () => {
  let fixtures: SourceFixtures;
  let server: RangeServer;
  let content: Buffer;
  let redirector: Server;
  let redirectorUrl: string;
  const savedEnv = new Map<string, string | undefined>();

  beforeAll(async () => {
    fixtures = await createSourceFixtures();
    ({ content } = await fixtures.randomFile('image.cosi', 300_000));
    server = await startRangeServer({ root: fixtures.dir });
    // /hop/N redirects N more times before landing on the range server.
    redirector = createServer((req, res) => {
      const hops = Number(/^\/hop\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
      res.writeHead(302, { location: hops > 1 ? `/hop/${hops - 1}` : server.url('/image.cosi') }).end();
    });
    redirectorUrl = await listen(redirector);
    for (const name of PROXY_VARIABLES) savedEnv.set(name, process.env[name]);
  });
  afterEach(() => {
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterAll(async () => {
    redirector?.closeAllConnections();
    await new Promise((resolve) => redirector?.close(resolve));
    await server?.close();
    await fixtures?.cleanup();
  });

  function setProxyEnvironment(values: Record<string, string>): void {
    for (const name of PROXY_VARIABLES) delete process.env[name];
    Object.assign(process.env, values);
  }

  it('goes through HTTP_PROXY', async () => {
    const proxy = await startProxy();
    try {
      setProxyEnvironment({ HTTP_PROXY: proxy.url });
      const source = await openSource(server.url('/image.cosi'));
      try {
        expect(await source.read(1000, 100)).toEqual(content.subarray(1000, 1100));
      } finally {
        await source.close();
      }
      expect(proxy.seen.length).toBeGreaterThan(0);
      expect(proxy.seen.join('\n')).toContain(new URL(server.url('/')).host);
    } finally {
      await proxy.close();
    }
  });

  it('skips the proxy for hosts in NO_PROXY', async () => {
    const proxy = await startProxy();
    try {
      setProxyEnvironment({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
      const source = await openSource(server.url('/image.cosi'));
      try {
        expect(await source.read(0, 10)).toEqual(content.subarray(0, 10));
      } finally {
        await source.close();
      }
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('follows up to 5 redirects for the probe and every range', async () => {
    setProxyEnvironment({});
    const source = await openSource(`${redirectorUrl}/hop/5`);
    try {
      expect(source.sizeBytes).toBe(content.length);
      expect((await collect(source.stream(0, content.length))).equals(content)).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('more than 5 redirects is E_HTTP_REDIRECT', async () => {
    setProxyEnvironment({});
    const error = await errorOf(() => openSource(`${redirectorUrl}/hop/6`));
    expect(error.code).toBe('E_HTTP_REDIRECT');
  });
});
