/** Plain DiskInfo values for the pure rule tables: an eligible 16 GiB USB stick unless overridden. */
import type { DiskInfo } from '../../src/model/disk-info.ts';
import type { EligibilityContext } from '../../src/disk/eligibility.ts';

export const GiB = 1024 ** 3;

export function makeDisk(overrides: Partial<DiskInfo> = {}): DiskInfo {
  return {
    device: '/dev/sdb',
    sizeBytes: 16 * GiB,
    logicalSectorBytes: 512,
    physicalSectorBytes: 512,
    model: 'Ultra',
    vendor: 'SanDisk',
    serial: '4C530001',
    bus: 'USB',
    removable: true,
    readOnly: false,
    system: false,
    virtual: false,
    isWholeDisk: true,
    mountpoints: [],
    partitions: [],
    diskseq: null,
    majMin: null,
    ...overrides,
  };
}

export function makeContext(overrides: Partial<EligibilityContext> = {}): EligibilityContext {
  return { requiredBytes: 8 * GiB, lbaSize: 512, sourcePath: null, unmountConsent: false, allowVirtual: false, ...overrides };
}
