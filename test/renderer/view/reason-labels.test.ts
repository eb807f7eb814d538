import { describe, expect, it } from 'vitest';
import { describeReason } from '../../../renderer/src/view/reason-labels.ts';

describe('describeReason', () => {
  it('prefixes the short label, without repeating one main already wrote', () => {
    expect(describeReason({ code: 'system', detail: 'holds /' })).toBe('System disk: holds /');
    expect(describeReason({ code: 'read-only', detail: '' })).toBe('Read-only');
    expect(describeReason({ code: 'too-small', detail: 'Too small: the image needs 40.0 MiB', neededBytes: 1 })).toBe('Too small: the image needs 40.0 MiB');
  });
});
