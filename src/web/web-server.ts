/**
 * Web mode: one node:http server that serves the built renderer as static files and speaks
 * the IPC contract over a WebSocket on the same port (wire format: ws-protocol.ts).
 *
 * Bound to 127.0.0.1 by default. A non-loopback host is refused unless `allowRemote` is set
 * (the CLI's `--allow-remote`): the server writes disks, and plain HTTP has no encryption,
 * so exposing it must be a deliberate act. Every request must carry a loopback/bound Host
 * header (DNS rebinding); the WebSocket and /api additionally need the random token and,
 * for the WebSocket, this server's exact Origin.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CosiflashError } from '../errors.ts';
import type { HandlerTable } from '../ipc/contract.ts';
import { contentSecurityPolicy } from './content-security-policy.ts';
import type { EventHub } from '../service/event-hub.ts';
import { securityHeaders, serveStatic } from './static-files.ts';
import { allowedHosts, createToken, isLoopbackHost, requestToken, tokenMatches } from './web-auth.ts';
import { WsEndpoint } from './ws-endpoint.ts';
import { WS_PATH } from '../ipc/ws-protocol.ts';

export interface WebServerOptions {
  readonly handlers: HandlerTable;
  readonly events: EventHub;
  /** Folder with the built renderer (index.html + assets). */
  readonly staticDir: string;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly allowRemote?: boolean;
  /** Fixed token (tests); default: 32 random bytes. */
  readonly token?: string;
}

export interface WebServer {
  /** The URL to open, token included: http://127.0.0.1:PORT/?token=… */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.allowRemote) {
    throw new CosiflashError('E_INPUT', `Refusing to listen on ${host}: web mode can write disks and is only served on loopback (127.0.0.1, ::1).`, {
      hint: 'Use --allow-remote to serve on another interface deliberately (the token is then the only protection and travels unencrypted).',
    });
  }
  const token = options.token ?? createToken();
  const endpoint = new WsEndpoint({ handlers: options.handlers, events: options.events });
  let hosts = new Set<string>();
  // Served on a non-loopback interface on purpose: clients may use any name for it; the
  // token (and the Origin check) then carry the protection.
  const anyHost = !isLoopbackHost(host);
  const hostAllowed = (value: string | undefined): boolean => anyHost || hosts.has((value ?? '').toLowerCase());
  // The same policy as the desktop app: connect-src 'self' also covers ws:// to this origin.
  const csp = contentSecurityPolicy();

  const server = createServer((request, response) => {
    void handleHttp(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, securityHeaders(csp));
      response.end();
    });
  });

  const handleHttp = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!hostAllowed(request.headers.host)) {
      response.writeHead(421, { ...securityHeaders(csp), 'Content-Type': 'text/plain; charset=utf-8' }).end('Misdirected request\n');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const authorised = tokenMatches(token, requestToken(url, request.headers.authorization));
      const found = url.pathname === '/api/health';
      const status = !authorised ? 401 : found ? 200 : 404;
      response.writeHead(status, { ...securityHeaders(csp), 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify(status === 200 ? { ok: true } : { ok: false, status }));
      return;
    }
    await serveStatic(request, response, { root: options.staticDir, csp });
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const hostHeader = (request.headers.host ?? '').toLowerCase();
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!hostAllowed(hostHeader)) return refuse(421, 'Misdirected Request');
    if (url.pathname !== WS_PATH) return refuse(404, 'Not Found');
    if (request.headers.origin !== `http://${hostHeader}`) return refuse(403, 'Forbidden');
    if (!tokenMatches(token, requestToken(url, request.headers.authorization))) return refuse(401, 'Unauthorized');
    endpoint.accept(request, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(host, port);
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const origin = `http://${authority}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: async () => {
      endpoint.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
