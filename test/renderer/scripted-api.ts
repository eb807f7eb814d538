/**
 * A scripted stand-in for main behind the renderer's Api, for store-slice unit tests:
 * each channel answers from a handler the test sets, every call is recorded, and events
 * can be pushed like main would. (The real transports are exercised by the web-api test
 * and the end-to-end tests.)
 */
import type { Channel, CosiflashApi, EventName, EventPayload, RequestOf, Result, ResponseOf } from '../../src/ipc/contract.ts';
import type { AppError } from '../../src/model/app-error.ts';

type Handlers = { [C in Channel]?: (payload: RequestOf<C>) => Result<ResponseOf<C>> | Promise<Result<ResponseOf<C>>> };

export interface ScriptedApi extends CosiflashApi {
  readonly calls: { channel: Channel; payload: unknown }[];
  handle<C extends Channel>(channel: C, handler: (payload: RequestOf<C>) => Result<ResponseOf<C>> | Promise<Result<ResponseOf<C>>>): void;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  callsTo(channel: Channel): unknown[];
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(error: Partial<AppError> & { code: string }): Result<never> {
  return { ok: false, error: { title: error.code, detail: '', ...error } };
}

export function createScriptedApi(): ScriptedApi {
  const handlers: Handlers = {};
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const calls: { channel: Channel; payload: unknown }[] = [];
  return {
    calls,
    handle(channel, handler) {
      (handlers as Record<string, unknown>)[channel] = handler;
    },
    async invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      calls.push({ channel, payload });
      const handler = handlers[channel] as ((p: RequestOf<C>) => Result<ResponseOf<C>> | Promise<Result<ResponseOf<C>>>) | undefined;
      if (handler === undefined) return fail({ code: 'E_TEST_UNHANDLED', detail: channel });
      return handler(payload);
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    callsTo(channel) {
      return calls.filter((call) => call.channel === channel).map((call) => call.payload);
    },
  };
}
