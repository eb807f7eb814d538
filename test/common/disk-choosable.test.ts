import { describe, expect, it } from 'vitest';
import { isChoosable, needsUnmountConsent } from '../../src/common/disk-choosable.ts';
import { candidate, sampleDisk } from '../renderer/sample-data.ts';

const mountedReason = { code: 'mounted' as const, detail: '/mnt', mountpoints: ['/mnt'] };

describe('disk choosable / consent rules (shared by the renderer and the CLI)', () => {
  it('eligible or only-mounted disks are choosable; anything else is not', () => {
    expect(isChoosable(candidate(sampleDisk('/dev/a')))).toBe(true);
    expect(isChoosable(candidate(sampleDisk('/dev/b'), { reasons: [mountedReason] }))).toBe(true);
    expect(isChoosable(candidate(sampleDisk('/dev/c'), { reasons: [mountedReason, { code: 'read-only', detail: '' }] }))).toBe(false);
    expect(isChoosable(candidate(sampleDisk('/dev/d'), { reasons: [mountedReason, { code: 'system', detail: '' }] }))).toBe(false);
  });

  it('needs unmount consent when the disk or a partition is mounted', () => {
    expect(needsUnmountConsent(candidate(sampleDisk('/dev/a')))).toBe(false);
    expect(needsUnmountConsent(candidate(sampleDisk('/dev/a', { partitions: [{ device: '/dev/a1', sizeBytes: 1, mountpoints: ['/x'] }] })))).toBe(true);
    expect(needsUnmountConsent(candidate(sampleDisk('/dev/a', { mountpoints: ['/x'] })))).toBe(true);
  });
});
