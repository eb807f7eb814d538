import { describe, expect, it } from 'vitest';
import { diskListStatus } from '../../../renderer/src/view/disk-list-status.ts';

describe('diskListStatus', () => {
  it('invites the user to insert a drive when the list is empty, and says it refreshes by itself', () => {
    const text = diskListStatus({ loading: false, total: 0, eligible: 0 });
    expect(text).toContain('Insert a drive');
    expect(text).toContain('updates by itself');
    expect(text).not.toContain('No disks found');
  });

  it('says it is looking while the first listing runs, and counts eligible disks otherwise', () => {
    expect(diskListStatus({ loading: true, total: 0, eligible: 0 })).toBe('Looking for disks…');
    expect(diskListStatus({ loading: false, total: 3, eligible: 1 })).toBe('1 of 3 disks can take this image');
  });
});
