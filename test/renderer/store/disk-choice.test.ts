import { describe, expect, it } from 'vitest';
import { chooseHighlighted, sortCandidates } from '../../../renderer/src/store/disk-choice.ts';
import { candidate, sampleDisk } from '../sample-data.ts';

const mountedReason = { code: 'mounted' as const, detail: '/mnt', mountpoints: ['/mnt'] };

describe('disk choice', () => {
  it('keeps a user pick that is still choosable, otherwise main’s selection', () => {
    const list = [candidate(sampleDisk('/dev/a'), { selected: true }), candidate(sampleDisk('/dev/b'))];
    expect(chooseHighlighted(list, { device: '/dev/b', userPicked: true })).toEqual({ device: '/dev/b', userPicked: true });
    expect(chooseHighlighted(list, { device: '/dev/b', userPicked: false })).toEqual({ device: '/dev/a', userPicked: false });
    expect(chooseHighlighted(list, { device: '/dev/gone', userPicked: true })).toEqual({ device: '/dev/a', userPicked: false });
    expect(chooseHighlighted([], { device: null, userPicked: false })).toEqual({ device: null, userPicked: false });
  });

  it('sorts eligible (smallest first), then mounted-only, then refused', () => {
    const list = [
      candidate(sampleDisk('/dev/ro'), { reasons: [{ code: 'read-only', detail: '' }] }),
      candidate(sampleDisk('/dev/big', { sizeBytes: 1e12 })),
      candidate(sampleDisk('/dev/m'), { reasons: [mountedReason] }),
      candidate(sampleDisk('/dev/small', { sizeBytes: 1e9 })),
    ];
    expect(sortCandidates(list).map((c) => c.disk.device)).toEqual(['/dev/small', '/dev/big', '/dev/m', '/dev/ro']);
  });
});
