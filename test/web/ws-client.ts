/**
 * A small contract client over a real WebSocket for the web-mode tests: sends
 * {id, channel, payload}, resolves each request with its Result, and collects pushed events.
 */
import WebSocket from 'ws';
import type { Channel, RequestOf, ResponseOf, Result } from '../../src/ipc/contract.ts';
import type { WsEvent, WsServerMessage } from '../../src/ipc/ws-protocol.ts';

export interface ContractClient {
  readonly socket: WebSocket;
  readonly events: WsEvent[];
  call<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  /** Sends anything (for malformed-input tests). */
  sendRaw(text: string): void;
  close(): Promise<void>;
}

/** Opens a socket; rejects with `unexpected-response <status>` when the upgrade is refused. */
export function connect(url: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<ContractClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { ...(options.origin === undefined ? {} : { origin: options.origin }), headers: options.headers ?? {} });
    const pending = new Map<number, (result: Result<unknown>) => void>();
    const events: WsEvent[] = [];
    let nextId = 1;
    socket.on('unexpected-response', (_request, response) => {
      reject(new Error(`unexpected-response ${response.statusCode}`));
      socket.terminate();
    });
    socket.on('error', reject);
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as WsServerMessage;
      if ('event' in message) {
        events.push(message);
        return;
      }
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    });
    socket.on('open', () =>
      resolve({
        socket,
        events,
        call: (channel, payload) =>
          new Promise((done) => {
            const id = nextId++;
            pending.set(id, done as (result: Result<unknown>) => void);
            socket.send(JSON.stringify({ id, channel, payload }));
          }),
        sendRaw: (text) => socket.send(text),
        close: () =>
          new Promise<void>((closed) => {
            if (socket.readyState === WebSocket.CLOSED) return closed();
            socket.once('close', () => closed());
            socket.close();
          }),
      }),
    );
  });
}
