/**
 * The contract over WebSocket (wire format: ws-protocol.ts). Each authenticated connection
 * may call every channel and receives every event; requests run concurrently and are
 * answered by id. Nothing a client sends can crash the server: bad frames are answered
 * with E_INPUT or dropped.
 */
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HandlerTable } from '../ipc/contract.ts';
import { parseWsRequest } from '../ipc/parse-ws-request.ts';
import { dispatchRequest } from '../service/dispatch-request.ts';
import { webLocationProblem } from './web-location-check.ts';
import type { EventHub } from '../service/event-hub.ts';
import { WS_MAX_PAYLOAD_BYTES, type WsServerMessage } from '../ipc/ws-protocol.ts';

/** Above this much unsent data, events for a slow client are dropped (responses are not). */
const MAX_BUFFERED_EVENT_BYTES = 4 * 1024 * 1024;

export class WsEndpoint {
  readonly #server = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false });
  readonly #handlers: HandlerTable;
  readonly #events: EventHub;

  constructor(options: { handlers: HandlerTable; events: EventHub }) {
    this.#handlers = options.handlers;
    this.#events = options.events;
  }

  /** Completes an upgrade the caller has already authorised. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#attach(ws));
  }

  close(): void {
    for (const client of this.#server.clients) client.terminate();
    this.#server.close();
  }

  #attach(ws: WebSocket): void {
    const unsubscribe = this.#events.subscribe((message) => {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < MAX_BUFFERED_EVENT_BYTES) send(ws, message);
    });
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      void this.#answer(ws, data.toString());
    });
  }

  async #answer(ws: WebSocket, text: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = parseWsRequest(message);
    if (!parsed.ok) {
      if (parsed.id !== null && ws.readyState === ws.OPEN) send(ws, { id: parsed.id, result: { ok: false, error: parsed.error.toAppError() } });
      return;
    }
    const { id, channel, payload } = parsed.request;
    const refused = webLocationProblem(channel, payload);
    const result = refused === null ? await dispatchRequest(this.#handlers, channel, payload) : { ok: false as const, error: refused.toAppError() };
    if (ws.readyState === ws.OPEN) send(ws, { id, result } as WsServerMessage);
  }
}

function send(ws: WebSocket, message: WsServerMessage): void {
  ws.send(JSON.stringify(message));
}
