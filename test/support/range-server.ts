/**
 * A real HTTP server on 127.0.0.1 that serves files with correct single-range support
 * (RFC 9110 §14: 206 + Content-Range, 416 for unsatisfiable ranges, If-Range, strong ETag,
 * Last-Modified, Accept-Ranges: bytes), counts what it sends, and injects faults on demand so
 * tests can prove the client's resume, pinning and error reporting against real sockets.
 * Files are streamed from disk, never loaded whole, so fixtures may be large.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

/** Faults applied to requests that arrive after `setFaults`; counts default to "every request". */
export interface RangeServerFaults {
  /** Destroy the socket after this many body bytes of a GET. */
  dropAfterBytes?: number;
  /** How many GET responses `dropAfterBytes` applies to (default: all). */
  dropCount?: number;
  /** Stop sending after this many body bytes of a GET ... */
  stallAfterBytes?: number;
  /** ... for this long, then carry on (default: until the client gives up or the server closes). */
  stallMs?: number;
  /** How many GET responses stall (default: all). */
  stallCount?: number;
  /** Answer every request (HEAD and GET) with this status and a short text body. */
  status?: number;
  /** How many requests get `status` (default: all). */
  statusCount?: number;
  /** Answer ranged GETs with 200 and the whole body. */
  ignoreRange?: boolean;
  /** Answer ranged GETs with 206 and the requested bytes but a Content-Range that does not match. */
  wrongContentRange?: boolean;
  /** After this many further requests, serve a different ETag (If-Range with the old one then gets 200). */
  changeEtagAfterRequests?: number;
  /** Omit Accept-Ranges and ignore Range (200 with the whole body). */
  noAcceptRanges?: boolean;
  /** Send `Accept-Ranges: none` and ignore Range. */
  acceptRangesNone?: boolean;
  /** Refuse HEAD: `true` answers 405 Method Not Allowed, a number answers that status (e.g. 403 like S3 signed GET links). */
  rejectHead?: boolean | number;
  /** Answer HEAD without Content-Length (as some dynamic servers do). */
  headWithoutLength?: boolean;
  /** Send a weak ETag (W/"…") instead of a strong one. */
  weakEtag?: boolean;
  /** Send no ETag at all (clients must pin on Last-Modified). */
  noEtag?: boolean;
  /** Limit the body bytes of all GETs together to this rate (a slow link shared by every request). */
  bytesPerSecond?: number;
}

/** One request as the server saw it. */
export interface RangeServerRequest {
  method: string;
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  /** Body bytes written for this request so far. */
  bytesSent: number;
}

export interface RangeServerStats {
  /** Body bytes written to sockets, all requests together. */
  bytesSent: number;
  requests: RangeServerRequest[];
}

export interface RangeServer {
  /** `http://127.0.0.1:<port>/<path>` (path segments are percent-encoded). */
  url(filePath: string): string;
  readonly port: number;
  readonly stats: RangeServerStats;
  /** Replaces the current faults; they apply to requests that arrive from now on. */
  setFaults(faults: RangeServerFaults): void;
  resetStats(): void;
  /** Adds or replaces a served file (a Buffer, or a path on disk streamed on demand). */
  setFile(filePath: string, content: Buffer | string): void;
  close(): Promise<void>;
}

export type RangeServerOptions = { root: string } | { files: Record<string, Buffer | string> };

interface Resolved {
  sizeBytes: number;
  mtime: Date;
  etagSeed: string;
  open(start: number, endInclusive: number): AsyncIterable<Buffer> | Iterable<Buffer>;
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startRangeServer(options: RangeServerOptions = { files: {} }): Promise<RangeServer> {
  const files = new Map<string, Buffer | string>();
  const root = 'root' in options ? path.resolve(options.root) : null;
  if ('files' in options) for (const [name, content] of Object.entries(options.files)) files.set(normalise(name), content);

  const stats: RangeServerStats = { bytesSent: 0, requests: [] };
  let faults: RangeServerFaults = {};
  let pacedUntilMs = 0;
  const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  let etagGeneration = 0;
  const sockets = new Set<Socket>();
  const closing = new AbortController();

  async function resolveFile(urlPath: string): Promise<Resolved | null> {
    const name = normalise(urlPath);
    const entry = files.get(name);
    if (Buffer.isBuffer(entry)) {
      const digest = createHash('sha1').update(entry).digest('hex').slice(0, 16);
      return { sizeBytes: entry.length, mtime: startedAt, etagSeed: digest, open: (s, e) => [entry.subarray(s, e + 1)] };
    }
    let filePath: string | null = entry ?? null;
    if (filePath === null && root !== null) {
      const candidate = path.resolve(root, `.${name}`);
      if (candidate.startsWith(root + path.sep)) filePath = candidate;
    }
    if (filePath === null) return null;
    const fileStat = await stat(filePath).catch(() => null);
    if (fileStat === null || !fileStat.isFile()) return null;
    const fixedPath = filePath;
    return {
      sizeBytes: fileStat.size,
      mtime: fileStat.mtime,
      etagSeed: `${fileStat.ino.toString(16)}-${fileStat.size.toString(16)}-${Math.floor(fileStat.mtimeMs).toString(16)}`,
      open: (s, e) => createReadStream(fixedPath, { start: s, end: e, highWaterMark: 256 * 1024 }),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const active = faults;
    const method = req.method ?? 'GET';
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const record: RangeServerRequest = {
      method, path: urlPath, range: header(req, 'range'), ifRange: header(req, 'if-range'), status: 0, bytesSent: 0,
    };
    stats.requests.push(record);
    const reply = (status: number, headers: Record<string, string | number>, text: string): void => {
      record.status = status;
      res.writeHead(status, { ...headers, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
      res.end(method === 'HEAD' ? undefined : text);
    };

    if (active.changeEtagAfterRequests !== undefined) {
      if (active.changeEtagAfterRequests === 0) {
        etagGeneration += 1;
        delete active.changeEtagAfterRequests;
      } else {
        active.changeEtagAfterRequests -= 1;
      }
    }
    if (active.status !== undefined && takeCount(active, 'statusCount')) {
      reply(active.status, {}, `fault: status ${active.status}\n`);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') return reply(405, { allow: 'GET, HEAD' }, 'method not allowed\n');
    if (method === 'HEAD' && active.rejectHead !== undefined && active.rejectHead !== false) {
      return reply(active.rejectHead === true ? 405 : active.rejectHead, { allow: 'GET' }, '');
    }

    const file = await resolveFile(urlPath);
    if (file === null) return reply(404, {}, 'not found\n');

    const size = file.sizeBytes;
    const lastModified = file.mtime.toUTCString();
    const tag = `"${file.etagSeed}${etagGeneration > 0 ? `-g${etagGeneration}` : ''}"`;
    const etag = active.noEtag ? null : active.weakEtag ? `W/${tag}` : tag;
    const headers: Record<string, string | number> = { 'last-modified': lastModified, 'content-type': 'application/octet-stream' };
    if (etag !== null) headers.etag = etag;
    const rangesAllowed = !active.noAcceptRanges && !active.acceptRangesNone;
    if (active.acceptRangesNone) headers['accept-ranges'] = 'none';
    else if (!active.noAcceptRanges) headers['accept-ranges'] = 'bytes';

    let range = rangesAllowed && record.range !== null ? parseRangeHeader(record.range, size) : null;
    if (range !== null && record.ifRange !== null && !ifRangeMatches(record.ifRange, etag, lastModified)) range = null;
    if (range === 'unsatisfiable') {
      return reply(416, { ...headers, 'content-range': `bytes */${size}` }, 'range not satisfiable\n');
    }
    if (range !== null && active.ignoreRange) range = null;

    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    const length = end - start + 1;
    let status = 200;
    if (range !== null) {
      status = 206;
      const shift = start > 0 ? -1 : 1;
      headers['content-range'] = active.wrongContentRange
        ? `bytes ${start + shift}-${end + shift}/${size}`
        : `bytes ${start}-${end}/${size}`;
    }
    if (!(method === 'HEAD' && active.headWithoutLength)) headers['content-length'] = Math.max(0, length);
    record.status = status;
    res.writeHead(status, headers);
    if (method === 'HEAD' || length <= 0) {
      res.end();
      return;
    }
    const dropAt = active.dropAfterBytes !== undefined && takeCount(active, 'dropCount') ? active.dropAfterBytes : null;
    const stallAt = active.stallAfterBytes !== undefined && takeCount(active, 'stallCount') ? active.stallAfterBytes : null;
    await sendBody(res, file.open(start, end), { dropAt, stallAt, stallMs: active.stallMs ?? null, record, bytesPerSecond: active.bytesPerSecond ?? null });
  }

  async function sendBody(
    res: ServerResponse,
    body: AsyncIterable<Buffer> | Iterable<Buffer>,
    plan: { dropAt: number | null; stallAt: number | null; stallMs: number | null; record: RangeServerRequest; bytesPerSecond: number | null },
  ): Promise<void> {
    const gone = new AbortController();
    const onGone = (): void => gone.abort();
    res.once('close', onGone);
    closing.signal.addEventListener('abort', onGone, { once: true });
    let sent = 0;
    let stalled = false;
    try {
      for await (let chunk of body) {
        while (chunk.length > 0) {
          if (gone.signal.aborted) return;
          let limit = chunk.length;
          if (plan.dropAt !== null) limit = Math.min(limit, plan.dropAt - sent);
          if (plan.stallAt !== null && !stalled) limit = Math.min(limit, plan.stallAt - sent);
          if (plan.bytesPerSecond !== null) limit = Math.min(limit, 16 * 1024);
          if (limit <= 0) {
            if (plan.dropAt !== null && sent >= plan.dropAt) return dropConnection(res);
            stalled = true;
            await wait(plan.stallMs, gone.signal);
            continue;
          }
          const piece = chunk.subarray(0, limit);
          chunk = chunk.subarray(limit);
          sent += piece.length;
          plan.record.bytesSent += piece.length;
          stats.bytesSent += piece.length;
          if (!res.write(piece)) await waitDrain(res, gone.signal);
          if (plan.bytesPerSecond !== null) {
            // One pacing clock for every response: the link's rate, not a rate per request.
            pacedUntilMs = Math.max(performance.now(), pacedUntilMs) + (piece.length / plan.bytesPerSecond) * 1000;
            await wait(pacedUntilMs - performance.now(), gone.signal);
          }
        }
      }
      if (plan.dropAt !== null && sent >= plan.dropAt) return dropConnection(res);
      res.end();
    } catch {
      res.destroy();
    } finally {
      res.off('close', onGone);
      closing.signal.removeEventListener('abort', onGone);
      if (!res.writableEnded) res.destroy();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    stats,
    url: (filePath) => `http://127.0.0.1:${port}${normalise(filePath).split('/').map(encodeURIComponent).join('/')}`,
    setFaults: (next) => {
      faults = { ...next };
    },
    resetStats: () => {
      stats.bytesSent = 0;
      stats.requests.length = 0;
    },
    setFile: (filePath, content) => {
      files.set(normalise(filePath), content);
    },
    close: async () => {
      closing.abort();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function normalise(filePath: string): string {
  return `/${filePath.replace(/^\/+/, '')}`;
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

/** Consumes one use of a counted fault; true when the fault applies to this request. */
function takeCount(faults: RangeServerFaults, key: 'dropCount' | 'stallCount' | 'statusCount'): boolean {
  const left = faults[key];
  if (left === undefined) return true;
  if (left <= 0) return false;
  faults[key] = left - 1;
  return true;
}

/** RFC 9110 §13.1.5: strong comparison with the ETag, or an exact match of Last-Modified. */
function ifRangeMatches(ifRange: string, etag: string | null, lastModified: string): boolean {
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) {
    return etag !== null && !etag.startsWith('W/') && ifRange === etag;
  }
  return ifRange === lastModified;
}

function wait(delayMs: number | null, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = delayMs === null ? null : setTimeout(done, delayMs);
    function done(): void {
      if (timer !== null) clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function waitDrain(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Closes the connection mid-body: the bytes written so far are still delivered (FIN after
 * them, so the count is exact), then the socket is destroyed if the client keeps it open.
 */
function dropConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (socket === null) return;
  socket.end();
  setTimeout(() => socket.destroy(), 2000).unref();
}

/**
 * Parses a single byte range (RFC 9110 §14.1.2) against a representation of `sizeBytes`.
 * Returns null when the header is not a single valid range (the server then ignores it).
 */
function parseRangeHeader(value: string, sizeBytes: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (match === null) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || sizeBytes === 0) return 'unsatisfiable';
    return { start: Math.max(0, sizeBytes - suffix), end: sizeBytes - 1 };
  }
  const start = Number(first);
  const end = last === '' ? sizeBytes - 1 : Number(last);
  if (last !== '' && end < start) return null;
  if (start >= sizeBytes) return 'unsatisfiable';
  return { start, end: Math.min(end, sizeBytes - 1) };
}
