/**
 * Runs one untrusted request against the handler table and always answers with the Result
 * envelope: unknown channel or a payload failing its guard → E_INPUT; anything a handler
 * throws → its AppError (never an Error object across the boundary).
 */
import { CosiflashError, toAppError } from '../errors.ts';
import type { Channel, HandlerTable, RequestOf, Result } from '../ipc/contract.ts';
import { isChannel } from '../ipc/contract.ts';
import { assertPayload } from '../ipc/guards.ts';

export async function dispatchRequest(handlers: HandlerTable, channel: unknown, payload: unknown): Promise<Result<unknown>> {
  try {
    if (!isChannel(channel)) {
      // Never String() an untrusted value: a nested array overflowed the stack there.
      const shown = typeof channel === 'string' ? JSON.stringify(channel.slice(0, 64)) : `of type ${Array.isArray(channel) ? 'array' : channel === null ? 'null' : typeof channel}`;
      throw new CosiflashError('E_INPUT', `Unknown channel ${shown}.`);
    }
    const value = await callHandler(handlers, channel, assertPayload(channel, payload));
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: toAppError(error) };
  }
}

function callHandler<C extends Channel>(handlers: HandlerTable, channel: C, payload: RequestOf<C>): Promise<unknown> {
  const handler = handlers[channel] as (payload: RequestOf<C>) => Promise<unknown>;
  return handler(payload);
}
