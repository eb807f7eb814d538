import { describe, expect, it } from 'vitest';
import { invalidSourceField } from '../../../renderer/src/view/invalid-source-field.ts';

describe('invalidSourceField', () => {
  it.each([
    ['E_HASH_FORMAT', 'expectedHash'],
    ['E_HASH_MISMATCH', 'expectedHash'],
    ['E_URL', 'location'],
    ['E_FILE_NOT_FOUND', 'location'],
    ['E_HTTP_NOT_FOUND', 'location'],
    ['E_HTML_PAGE', 'location'],
    ['E_TAR_INVALID', null],
    ['E_HTTP_SERVER', null],
    [null, null],
  ])('%s → %s', (code, field) => {
    expect(invalidSourceField(code)).toBe(field);
  });
});
