/**
 * A registry front door that implements the bearer-token flow itself, in front of a plain
 * docker-registry on 127.0.0.1: `/v2/…` wants `Authorization: Bearer <token>` and answers 401
 * with a `WWW-Authenticate: Bearer realm=…/token,service=…,scope=…` challenge otherwise;
 * `/token` hands out tokens for Basic credentials. Each token is good for a few requests
 * only, so a download that takes many ranged GETs sees its token expire and must renew it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TokenAuthProxyStats {
  tokensIssued: number;
  /** 401 answers to /v2/ requests (missing, unknown or expired token). */
  challenges: number;
  /** 401 answers of the token endpoint (wrong or missing credentials). */
  tokenRefusals: number;
  /** Tokens issued for an identity (refresh) token posted as grant_type=refresh_token. */
  refreshGrants: number;
  /** /v2/ requests forwarded to the registry. */
  forwarded: number;
}

export interface TokenAuthProxy {
  /** `127.0.0.1:<port>` for oci:// references. */
  readonly host: string;
  readonly stats: TokenAuthProxyStats;
  close(): Promise<void>;
}

export async function startTokenAuthProxy(upstream: { port: number }, options: { username: string; password: string; requestsPerToken: number; refreshToken?: string }): Promise<TokenAuthProxy> {
  const tokens = new Map<string, number>();
  const stats: TokenAuthProxyStats = { tokensIssued: 0, challenges: 0, tokenRefusals: 0, refreshGrants: 0, forwarded: 0 };
  const sockets = new Set<Socket>();
  let port = 0;
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (options.refreshToken === undefined || form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== options.refreshToken) {
          stats.tokenRefusals += 1;
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        const token = randomBytes(16).toString('hex');
        tokens.set(token, options.requestsPerToken);
        stats.tokensIssued += 1;
        stats.refreshGrants += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, expires_in: 60 }));
      });
      return;
    }
    if (url.pathname === '/token') {
      if (req.headers.authorization !== expected) {
        stats.tokenRefusals += 1;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      const token = randomBytes(16).toString('hex');
      tokens.set(token, options.requestsPerToken);
      stats.tokensIssued += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 60 }));
      return;
    }
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const left = bearer === undefined ? undefined : tokens.get(bearer);
    if (url.pathname !== '/v2/' && url.pathname !== '/v2') {
      if (left === undefined || left <= 0) {
        stats.challenges += 1;
        const repository = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
        res.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="cosiflash-test",scope="repository:${repository}:pull"`,
        }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      tokens.set(bearer as string, left - 1);
    }
    stats.forwarded += 1;
    const { authorization: _dropped, ...headers } = req.headers;
    const forward = request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: { ...headers, host: `127.0.0.1:${upstream.port}` } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
