/**
 * Wire format of web mode (`cosiflash serve`): the IPC contract (src/ipc/contract.ts) over
 * one WebSocket. Types only, so the renderer's browser transport can `import type` it.
 *
 * Connecting
 * - The server prints `http://127.0.0.1:PORT/?token=TOKEN`. The page opens
 *   `ws://<same host:port>/ws?token=TOKEN` (TOKEN copied from `location.search`).
 * - The browser's `Origin` header must equal the server's own origin
 *   (`http://127.0.0.1:PORT`, or the host name it was started with); otherwise the upgrade is
 *   refused with HTTP 403 (no WebSocket is opened).
 * - A missing or wrong token: the upgrade is refused with HTTP 401. Browsers do not expose
 *   the status; the socket just closes (code 1006) before `open`. The UI should then say
 *   "open the link printed by `cosiflash serve`". If the server ever accepts and later
 *   revokes a session it closes with {@link WS_CLOSE_UNAUTHORIZED} (4401).
 * - Plain HTTP `/api/*` requests carry the token as `Authorization: Bearer TOKEN` or
 *   `?token=`; without it → 401. (There is no /api surface besides `/api/health` today.)
 *
 * Messages (UTF-8 JSON text frames, at most 1 MiB each)
 * - client → server: {@link WsRequest} `{ id, channel, payload }`; `id` is any integer the
 *   client picks, unique among its in-flight requests.
 * - server → client: {@link WsResponse} `{ id, result }` exactly once per request, where
 *   `result` is the contract's Result envelope. A malformed frame (bad JSON, unknown channel,
 *   payload failing its guard) is answered with `{ ok: false, error: { code: 'E_INPUT', … } }`
 *   when an `id` can be read, and otherwise ignored.
 * - server → client: {@link WsEvent} `{ event, payload }` for every contract event, pushed to
 *   all authenticated connections (flash progress of every job, disk hotplug).
 * - Requests are handled concurrently; responses may arrive out of order — match by `id`.
 */
import type { Channel, ContractEvent, RequestOf, ResponseOf, Result } from './contract.ts';

/** Path of the WebSocket endpoint on the serve port. */
export const WS_PATH = '/ws';

/** Close code used when a session is not (or no longer) authorised. */
export const WS_CLOSE_UNAUTHORIZED = 4401;

/** Largest accepted frame, bytes. */
export const WS_MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface WsRequest<C extends Channel = Channel> {
  readonly id: number;
  readonly channel: C;
  readonly payload: RequestOf<C>;
}

export interface WsResponse<C extends Channel = Channel> {
  readonly id: number;
  readonly result: Result<ResponseOf<C>>;
}

/** An event frame is the hub's event as is. */
export type WsEvent = ContractEvent;

/** Anything the server sends. Distinguish by `'event' in message`. */
export type WsServerMessage = WsResponse | WsEvent;
