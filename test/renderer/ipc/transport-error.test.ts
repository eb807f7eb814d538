import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/errors.ts';
import { transportError } from '../../../renderer/src/ipc/api.ts';

describe('transportError', () => {
  it('is the E_CONNECTION of src/errors.ts, with its title and default hint', () => {
    const result = transportError('The socket closed.');
    expect(result).toEqual({ ok: false, error: { code: 'E_CONNECTION', title: ERROR_CODES.E_CONNECTION.title, detail: 'The socket closed.', hint: ERROR_CODES.E_CONNECTION.hint } });
    expect(transportError('x', 'Open the new link.')).toMatchObject({ error: { hint: 'Open the new link.' } });
  });
});
