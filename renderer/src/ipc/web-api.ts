/**
 * The web-mode transport: the IPC contract over one WebSocket to `cosiflash serve`
 * (wire format: src/ipc/ws-protocol.ts).
 *
 * The page URL carries the session token (`?token=…`, printed by the server); the socket
 * goes to the same origin. Requests wait for the socket to open, are matched to responses by
 * id, and resolve to the contract's Result envelope — a dropped connection becomes an
 * `E_CONNECTION` error result, never a rejection. The socket reconnects with backoff so a
 * restarted server or a brief hiccup does not strand the UI.
 */
import type { Channel, EventName, EventPayload, RequestOf, Result, ResponseOf } from '../../../src/ipc/contract.ts';
import type { WsRequest, WsServerMessage } from '../../../src/ipc/ws-protocol.ts';
import { transportError, type Api, type ConnectionState } from './api.ts';

/** Must equal WS_PATH / WS_CLOSE_UNAUTHORIZED in src/ipc/ws-protocol.ts (runtime imports from src/ are not allowed here). */
const WS_PATH = '/ws';
const WS_CLOSE_UNAUTHORIZED = 4401;
const MAX_BACKOFF_MS = 5_000;

export interface WebApiOptions {
  /** The page's URL (location.href); its origin and `token` query parameter are used. */
  readonly pageUrl: string;
  readonly onConnectionChange?: (state: ConnectionState) => void;
}

type Listener = (payload: unknown) => void;

/** Reads the session token from the page URL, or null when the page was opened without one. */
export function tokenFromPageUrl(pageUrl: string): string | null {
  const token = new URL(pageUrl).searchParams.get('token');
  return token === null || token === '' ? null : token;
}

/** The ws:// (or wss://) URL of the server's socket for this page. */
export function socketUrlFor(pageUrl: string, token: string): string {
  const page = new URL(pageUrl);
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
}

/** True when the server is up and answers 401 to our token (it restarted with another one). */
async function tokenRefused(pageUrl: string, token: string): Promise<boolean> {
  try {
    const response = await fetch(new URL(`/api/health?token=${encodeURIComponent(token)}`, pageUrl), { cache: 'no-store' });
    return response.status === 401;
  } catch {
    return false;
  }
}

/** Creates the WebSocket-backed Api. */
export function createWebApi(options: WebApiOptions): Api {
  const token = tokenFromPageUrl(options.pageUrl);
  const listeners = new Map<EventName, Set<Listener>>();
  const pending = new Map<number, (result: Result<unknown>) => void>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opened: Promise<boolean> = Promise.resolve(false);
  let everOpened = false;
  let backoffMs = 250;

  const setState = (state: ConnectionState): void => options.onConnectionChange?.(state);

  const failPending = (detail: string): void => {
    for (const resolve of pending.values()) resolve(transportError(detail));
    pending.clear();
  };

  const connect = (): void => {
    if (token === null) {
      setState('unauthorized');
      opened = Promise.resolve(false);
      return;
    }
    setState('connecting');
    const ws = new WebSocket(socketUrlFor(options.pageUrl, token));
    socket = ws;
    opened = new Promise<boolean>((resolve) => {
      ws.addEventListener('open', () => {
        everOpened = true;
        backoffMs = 250;
        setState('open');
        resolve(true);
      });
      ws.addEventListener('close', (event) => {
        resolve(false);
        socket = null;
        failPending('The connection to the Cosiflash server closed.');
        // Refused before ever opening (bad token) or revoked: do not hammer the server.
        if (event.code === WS_CLOSE_UNAUTHORIZED || !everOpened) {
          setState('unauthorized');
          return;
        }
        setState('closed');
        // A server that answers but refuses our token restarted with a new one: say so
        // instead of reconnecting forever. Unreachable: keep retrying.
        void tokenRefused(options.pageUrl, token).then((refused) => {
          if (refused) {
            setState('unauthorized');
            return;
          }
          setTimeout(connect, backoffMs);
          backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        });
      });
    });
    ws.addEventListener('message', (event) => handleMessage(event.data));
  };

  const handleMessage = (data: unknown): void => {
    if (typeof data !== 'string') return;
    let message: WsServerMessage;
    try {
      message = JSON.parse(data) as WsServerMessage;
    } catch {
      return;
    }
    if ('event' in message) {
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
      return;
    }
    const resolve = pending.get(message.id);
    if (resolve !== undefined) {
      pending.delete(message.id);
      resolve(message.result);
    }
  };

  connect();

  return {
    async invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      if (token === null) {
        return transportError('This page was opened without its access token.', 'Open the exact link printed by `cosiflash serve` (it ends in ?token=…).');
      }
      if (!(await opened) || socket === null || socket.readyState !== WebSocket.OPEN) {
        return transportError(
          everOpened ? 'The connection to the Cosiflash server is down.' : 'The Cosiflash server refused the connection (wrong or expired token?).',
          everOpened ? undefined : 'Open the exact link printed by `cosiflash serve` (it ends in ?token=…).',
        );
      }
      const id = nextId++;
      const request: WsRequest<C> = { id, channel, payload };
      const answer = new Promise<Result<ResponseOf<C>>>((resolve) => {
        pending.set(id, resolve as (result: Result<unknown>) => void);
      });
      socket.send(JSON.stringify(request));
      return answer;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      const wrapped = listener as Listener;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
  };
}
