import { describe, expect, it } from 'vitest';
import { parseWsRequest } from '../../src/ipc/parse-ws-request.ts';

/** An array nested deeper than String() can join (it overflowed the stack in dispatch before). */
function deepArray(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

describe('parseWsRequest', () => {
  it('accepts a well-formed request and leaves the payload to its guard', () => {
    expect(parseWsRequest({ id: 3, channel: 'app:info', payload: { anything: 1 } })).toEqual({ ok: true, request: { id: 3, channel: 'app:info', payload: { anything: 1 } } });
  });

  const answered: [string, unknown, RegExp][] = [
    ['an object as channel', { id: 1, channel: { toString: 'x' }, payload: {} }, /request\.channel must be a channel name \(a string\), got an object/],
    ['a deeply nested array as channel', { id: 1, channel: deepArray(200_000), payload: {} }, /got an array/],
    ['a number as channel', { id: 1, channel: 5, payload: {} }, /got a number/],
    ['a missing channel', { id: 1, payload: {} }, /got nothing/],
    ['an unknown channel', { id: 1, channel: 'app:quit', payload: {} }, /^Unknown channel "app:quit"\.$/],
    ['an unknown envelope field', { id: 1, channel: 'app:info', payload: {}, extra: true }, /request\.extra: unknown field/],
  ];
  for (const [name, message, detail] of answered) {
    it(`answers ${name} with E_INPUT under the request's id`, () => {
      const parsed = parseWsRequest(message);
      expect(parsed).toMatchObject({ ok: false, id: 1, error: { code: 'E_INPUT', detail: expect.stringMatching(detail) } });
    });
  }

  for (const [name, message] of [
    ['null', null],
    ['an array', [1, 'app:info', {}]],
    ['a string', 'app:info'],
    ['a fractional id', { id: 1.5, channel: 'app:info', payload: {} }],
    ['an object id', { id: { n: 1 }, channel: 'app:info', payload: {} }],
  ] as const) {
    it(`cannot answer ${name} (no usable id)`, () => {
      expect(parseWsRequest(message)).toMatchObject({ ok: false, id: null, error: { code: 'E_INPUT' } });
    });
  }
});
