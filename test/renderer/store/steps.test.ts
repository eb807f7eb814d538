import { describe, expect, it } from 'vitest';
import { STEPS, canNavigateTo, stepAvailability } from '../../../renderer/src/store/steps.ts';
import type { InspectResult } from '../../../src/ipc/contract.ts';
import type { FlashReport } from '../../../src/model/flash-progress.ts';

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

describe('stepAvailability', () => {
  const idle = { inspectResult: null, selectedDevice: null, flashStarting: false, jobId: null, report: null };
  const report = {} as FlashReport;

  it('counts a starting job and a job without its report as flashing, a finished one as not', () => {
    expect(stepAvailability(idle)).toEqual(none);
    expect(stepAvailability({ ...idle, flashStarting: true }).flashing).toBe(true);
    expect(stepAvailability({ ...idle, jobId: 'j1' }).flashing).toBe(true);
    expect(stepAvailability({ ...idle, jobId: 'j1', report })).toEqual({ ...none, hasReport: true });
    expect(stepAvailability({ ...idle, inspectResult: {} as InspectResult, selectedDevice: '/dev/sdb' })).toEqual({ ...none, hasImage: true, hasTarget: true });
  });
});
