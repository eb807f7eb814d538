/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of a real server (the range server or
 * nginx). It forwards real requests and answers byte for byte, and on demand breaks them the
 * ways real networks and servers do: TCP resets at (seeded) random body offsets, stalls,
 * trickles, bursts of 5xx, the server away for seconds (nothing listens: connections are
 * refused), Content-Range lies, 200 for a ranged request, redirect loops. Each request runs
 * on its own connection (the proxy forces `Connection: close`), so every fault applies to a
 * whole, well-defined answer.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface FaultPlan {
  /** Reset the connection (TCP RST) after this many body bytes, one offset per GET answer, in order. */
  resetAtBytes?: number[];
  /** Stop sending after this many body bytes of the next `stallCount` GET answers (default 1), for `stallMs`. */
  stallAfterBytes?: number;
  stallMs?: number;
  stallCount?: number;
  /** Send the body of the next `count` GET answers (default: all) `bytes` at a time, every `intervalMs`. */
  trickle?: { bytes: number; intervalMs: number; count?: number };
  /** Answer the next `count` requests with `status` itself (a 5xx burst). */
  statusBurst?: { status: number; count: number };
  /** Shift the Content-Range of the next `count` 206 answers by one byte. */
  contentRangeLie?: { count: number };
  /** Turn the next `count` 206 answers into 200 (status line rewritten, Content-Range removed). */
  rangeAs200?: { count: number };
  /** Answer every request with 302 back to the same path. */
  redirectLoop?: boolean;
}

export interface FaultProxyStats {
  /** Requests accepted (after the head arrived). */
  requests: number;
  /** Connection attempts refused while the server was "away" (counted by the client's retries, not here). */
  resets: number;
  /** Body bytes forwarded to clients. */
  bodyBytes: number;
}

export interface FaultProxy {
  readonly port: number;
  /** The proxy's URL for a path on the upstream server. */
  url(pathAndQuery: string): string;
  readonly stats: FaultProxyStats;
  /** Replaces the plan; it applies to requests that arrive from now on. */
  setPlan(plan: FaultPlan): void;
  /** Stops listening and cuts every open connection for `downMs`, then listens on the same port again. */
  goAway(downMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Deterministic pseudo-random offsets (mulberry32), so a failing seed can be replayed. */
export function seededOffsets(seed: number, count: number, maxBytes: number): number[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Math.floor(next() * maxBytes));
}

/** Starts the proxy on a free 127.0.0.1 port, forwarding to `upstream` (127.0.0.1 only). */
export async function startFaultProxy(upstream: { port: number }): Promise<FaultProxy> {
  let plan: FaultPlan = {};
  const stats: FaultProxyStats = { requests: 0, resets: 0, bodyBytes: 0 };
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  let closed = false;

  const take = (key: 'stallCount' | 'trickle' | 'statusBurst' | 'contentRangeLie' | 'rangeAs200'): boolean => {
    if (key === 'stallCount') {
      if (plan.stallAfterBytes === undefined) return false;
      const left = plan.stallCount ?? 1;
      if (left <= 0) return false;
      plan.stallCount = left - 1;
      return true;
    }
    const fault = plan[key];
    if (fault === undefined) return false;
    if (fault.count === undefined) return true;
    if (fault.count <= 0) return false;
    fault.count -= 1;
    return true;
  };

  function track(socket: Socket): void {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  function onClient(client: Socket): void {
    track(client);
    let head = Buffer.alloc(0);
    const onData = (data: Buffer): void => {
      head = Buffer.concat([head, data]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      client.pause();
      handleRequest(client, head.subarray(0, end).toString('latin1'));
    };
    client.on('data', onData);
  }

  function handleRequest(client: Socket, requestHead: string): void {
    stats.requests += 1;
    const [requestLine = '', ...headerLines] = requestHead.split('\r\n');
    const [method = 'GET', target = '/'] = requestLine.split(' ');
    if (plan.redirectLoop === true) {
      client.end(`HTTP/1.1 302 Found\r\nLocation: ${target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    if (take('statusBurst') && plan.statusBurst !== undefined) {
      const text = `fault proxy: status ${plan.statusBurst.status}\n`;
      client.end(`HTTP/1.1 ${plan.statusBurst.status} Fault\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`);
      return;
    }
    const isGet = method === 'GET';
    const resetAt = isGet && plan.resetAtBytes !== undefined && plan.resetAtBytes.length > 0 ? (plan.resetAtBytes.shift() as number) : null;
    const stall = isGet && take('stallCount') ? { afterBytes: plan.stallAfterBytes ?? 0, ms: plan.stallMs ?? 0 } : null;
    const trickle = isGet && take('trickle') ? plan.trickle ?? null : null;
    const forwardedHead = [requestLine, ...headerLines.filter((line) => !/^(connection|keep-alive|proxy-connection):/i.test(line)), 'Connection: close'].join('\r\n');
    const upstreamSocket = connect(upstream.port, '127.0.0.1');
    track(upstreamSocket);
    upstreamSocket.once('error', () => client.destroy());
    client.once('close', () => upstreamSocket.destroy());
    upstreamSocket.once('connect', () => upstreamSocket.write(`${forwardedHead}\r\n\r\n`));
    relayAnswer(upstreamSocket, client, { resetAt, stall, trickle });
  }

  function relayAnswer(from: Socket, to: Socket, faults: { resetAt: number | null; stall: { afterBytes: number; ms: number } | null; trickle: FaultPlan['trickle'] | null }): void {
    let head: Buffer | null = Buffer.alloc(0);
    let sent = 0;
    let stalled = false;
    const queue: Buffer[] = [];
    let pumping = false;
    let ended = false;

    const pump = async (): Promise<void> => {
      if (pumping) return;
      pumping = true;
      try {
        while (queue.length > 0) {
          let chunk = queue.shift() as Buffer;
          while (chunk.length > 0) {
            if (to.destroyed) return;
            let limit = chunk.length;
            if (faults.resetAt !== null) limit = Math.min(limit, faults.resetAt - sent);
            if (faults.stall !== null && !stalled) limit = Math.min(limit, faults.stall.afterBytes - sent);
            if (faults.trickle != null) limit = Math.min(limit, faults.trickle.bytes);
            if (limit <= 0) {
              if (faults.resetAt !== null && sent >= faults.resetAt) {
                stats.resets += 1;
                to.resetAndDestroy();
                from.destroy();
                return;
              }
              stalled = true;
              await delay(faults.stall?.ms ?? 0);
              continue;
            }
            const piece = chunk.subarray(0, limit);
            chunk = chunk.subarray(limit);
            sent += piece.length;
            stats.bodyBytes += piece.length;
            if (!to.write(piece)) await new Promise((resolve) => to.once('drain', resolve));
            if (faults.trickle != null) await delay(faults.trickle.intervalMs);
          }
          from.resume();
        }
        if (ended && !to.destroyed) to.end();
      } finally {
        pumping = false;
      }
    };

    from.on('data', (data: Buffer) => {
      if (head !== null) {
        head = Buffer.concat([head, data]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const body = head.subarray(end + 4);
        to.write(`${rewriteHead(head.subarray(0, end).toString('latin1'))}\r\n\r\n`, 'latin1');
        head = null;
        if (body.length > 0) queue.push(body);
      } else {
        queue.push(data);
      }
      from.pause();
      void pump();
    });
    from.once('end', () => {
      ended = true;
      void pump();
    });
    from.once('close', () => {
      ended = true;
      void pump();
    });
  }

  function rewriteHead(responseHead: string): string {
    const [statusLine = '', ...lines] = responseHead.split('\r\n');
    if (!/^HTTP\/1\.[01] 206/.test(statusLine)) return responseHead;
    if (take('rangeAs200')) {
      return ['HTTP/1.1 200 OK', ...lines.filter((line) => !/^content-range:/i.test(line))].join('\r\n');
    }
    if (take('contentRangeLie')) {
      const lied = lines.map((line) => {
        const match = /^content-range:\s*bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(line);
        if (match === null) return line;
        return `Content-Range: bytes ${Number(match[1]) + 1}-${Number(match[2]) + 1}/${match[3]}`;
      });
      return [statusLine, ...lied].join('\r\n');
    }
    return responseHead;
  }

  async function listen(onPort: number): Promise<void> {
    const next = createServer(onClient);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(onPort, '127.0.0.1', () => resolve());
    });
    server = next;
    const address = next.address();
    if (address !== null && typeof address === 'object') port = address.port;
  }

  async function stopListening(): Promise<void> {
    const current = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (current !== null) await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  await listen(0);
  return {
    get port() {
      return port;
    },
    url: (pathAndQuery) => `http://127.0.0.1:${port}/${pathAndQuery.replace(/^\/+/, '')}`,
    stats,
    setPlan: (next) => {
      plan = structuredClone(next);
    },
    goAway: async (downMs) => {
      await stopListening();
      await delay(downMs);
      if (!closed) await listen(port);
    },
    close: async () => {
      closed = true;
      await stopListening();
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
