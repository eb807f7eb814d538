import { describe, expect, it } from 'vitest';
import { eligibilityContextFor } from '../../src/disk/eligibility-context-for.ts';
import { findDisksHolding } from '../../src/disk/find-disks-holding.ts';

describe('eligibilityContextFor', () => {
  it('a remote source: the layout\'s size and sector size, no source disks', async () => {
    expect(await eligibilityContextFor({ sizeBytes: 8 * 1024 * 1024, lbaSize: 4096 }, { sourcePath: null, unmountConsent: true, allowVirtual: false })).toEqual({
      requiredBytes: 8 * 1024 * 1024,
      lbaSize: 4096,
      sourcePath: null,
      sourceDisks: [],
      unmountConsent: true,
      allowVirtual: false,
    });
  });

  it('a local source: the disks holding it, by device number', async () => {
    const context = await eligibilityContextFor({ sizeBytes: 1024 * 1024, lbaSize: 512 }, { sourcePath: '/etc/hostname', unmountConsent: false, allowVirtual: true });
    expect(context).toMatchObject({ requiredBytes: 1024 * 1024, lbaSize: 512, sourcePath: '/etc/hostname', unmountConsent: false, allowVirtual: true });
    expect(context.sourceDisks).toEqual(await findDisksHolding('/etc/hostname'));
  });
});
