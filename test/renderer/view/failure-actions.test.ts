import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/errors.ts';
import { failureActions, type FailureActionId } from '../../../renderer/src/view/failure-actions.ts';

const ids = (code: string, afterReview = true): FailureActionId[] => failureActions(code, { afterReview }).actions.map((action) => action.id);

describe('failureActions', () => {
  it.each([
    ['E_IMAGE_HASH', 'image', ['verify-image', 'choose-another-image']],
    ['E_DECODE', 'image', ['verify-image', 'choose-another-image']],
    ['E_IMAGE_SIZE', 'image', ['verify-image', 'choose-another-image']],
    ['E_WRITE', 'disk', ['try-another-disk', 'try-again']],
    ['E_VERIFY', 'disk', ['try-another-disk', 'try-again']],
    ['E_DISK_CHANGED', 'disk', ['choose-disk-again']],
    ['E_HTTP_SERVER', 'network', ['try-again', 'choose-another-image']],
    ['E_TIMEOUT', 'network', ['try-again', 'choose-another-image']],
    ['E_CONNECT', 'network', ['try-again', 'choose-another-image']],
    ['E_PERMISSION', 'computer', ['try-again']],
    ['E_INTERNAL', 'app', ['try-again', 'choose-another-image']],
  ])('%s → the %s is at fault, %o', (code, fault, actions) => {
    const result = failureActions(code, { afterReview: true });
    expect(result.fault).toBe(fault);
    expect(result.actions.map((action) => action.id)).toEqual(actions);
  });

  it('a hash mismatch after Review asks to review again; before, to verify the image', () => {
    expect(ids('E_HASH_MISMATCH', true)).toEqual(['review-again', 'choose-another-image']);
    expect(failureActions('E_HASH_MISMATCH', { afterReview: true }).faultText).toMatch(/changed since you reviewed/);
    expect(ids('E_HASH_MISMATCH', false)).toEqual(['verify-image', 'choose-another-image']);
  });

  it('labels say what the button does', () => {
    expect(failureActions('E_IMAGE_HASH', { afterReview: true }).actions.map((action) => action.label)).toEqual(['Verify image', 'Choose another image']);
    expect(failureActions('E_DISK_CHANGED', { afterReview: true }).actions.map((action) => action.label)).toEqual(['Choose disk again']);
    expect(failureActions('E_WRITE', { afterReview: true }).actions[0]?.label).toBe('Try another disk');
    expect(failureActions('E_HTTP_SERVER', { afterReview: true }).actions[0]?.label).toBe('Try again');
  });

  it('every error code has a fault, a sentence and at least one action; an image fault never offers another disk', () => {
    for (const code of Object.keys(ERROR_CODES)) {
      const result = failureActions(code, { afterReview: true });
      expect(result.faultText, code).not.toBe('');
      expect(result.actions.length, code).toBeGreaterThan(0);
      if (result.fault === 'image') expect(result.actions.map((action) => action.id), code).not.toContain('try-another-disk');
    }
    // An unknown code still gets guidance.
    expect(failureActions('E_SOMETHING_NEW', { afterReview: true }).fault).toBe('app');
  });
});
