import { describe, expect, it } from 'vitest';
import { STEPS, canNavigateTo } from '../../../renderer/src/store/steps.ts';

const none = { hasImage: false, hasTarget: false, flashing: false, hasReport: false };

describe('canNavigateTo', () => {
  it.each([
    [none, ['source']],
    [{ ...none, hasImage: true }, ['source', 'review', 'target']],
    [{ ...none, hasImage: true, hasTarget: true }, ['source', 'review', 'target', 'confirm']],
    [{ hasImage: true, hasTarget: true, flashing: true, hasReport: false }, ['flash']],
    [{ hasImage: true, hasTarget: true, flashing: false, hasReport: true }, ['source', 'review', 'target', 'confirm', 'done']],
  ])('%o → %o', (availability, allowed) => {
    expect(STEPS.filter((step) => canNavigateTo(step, availability))).toEqual(allowed);
  });
});
