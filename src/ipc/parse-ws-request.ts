/**
 * The shape check of a WebSocket request frame (web mode), before anything is dispatched.
 *
 * The frame comes from any page that holds the token, so it is untrusted: an object or a
 * deeply nested array as the channel name once reached `String(channel)` and overflowed the
 * stack (E_INTERNAL). Here the envelope `{ id, channel, payload }` is checked field by field
 * without converting or walking untrusted values; the payload is then checked by its
 * channel's guard (guards.ts).
 */
import { CosiflashError } from '../errors.ts';
import { isChannel, type Channel } from './contract.ts';

/** A request whose envelope is well formed (its payload is not checked yet). */
export interface ParsedWsRequest {
  readonly id: number;
  readonly channel: Channel;
  readonly payload: unknown;
}

/** The outcome: the request, or the E_INPUT error and the id to answer it with (null: unanswerable, drop it). */
export type WsRequestParse = { readonly ok: true; readonly request: ParsedWsRequest } | { readonly ok: false; readonly id: number | null; readonly error: CosiflashError };

const ENVELOPE_KEYS = new Set(['id', 'channel', 'payload']);
const MAX_SHOWN_CHANNEL_CHARS = 64;

/** Checks a parsed JSON frame: a plain object with an integer `id`, a known `channel` string and a `payload`. */
export function parseWsRequest(message: unknown): WsRequestParse {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { ok: false, id: null, error: invalid(`a request must be a JSON object { id, channel, payload }, got ${kindOf(message)}`) };
  }
  const record = message as Record<string, unknown>;
  const { id, channel } = record;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { ok: false, id: null, error: invalid(`request.id must be an integer, got ${kindOf(id)}`) };
  const fail = (detail: string): WsRequestParse => ({ ok: false, id, error: invalid(detail) });
  const unknownKey = Object.keys(record).find((key) => !ENVELOPE_KEYS.has(key));
  if (unknownKey !== undefined) return fail(`request.${unknownKey.slice(0, MAX_SHOWN_CHANNEL_CHARS)}: unknown field (a request has id, channel and payload)`);
  if (typeof channel !== 'string') return fail(`request.channel must be a channel name (a string), got ${kindOf(channel)}`);
  if (!isChannel(channel)) return fail(`Unknown channel ${JSON.stringify(channel.slice(0, MAX_SHOWN_CHANNEL_CHARS))}.`);
  return { ok: true, request: { id, channel, payload: record['payload'] } };
}

function invalid(detail: string): CosiflashError {
  return new CosiflashError('E_INPUT', detail, { title: 'Invalid request', hint: 'The page sent a request the server does not understand. Reload the page; if it repeats, report a bug.' });
}

/** Names the JSON type of an untrusted value without converting it to a string. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
