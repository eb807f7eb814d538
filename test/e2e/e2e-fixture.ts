/**
 * The COSI the end-to-end tests flash: small (32 MiB disk), but with what the Review
 * screen must show: an ESP, a shrunk ext4 root, a gap of unallocated space, a raw partition.
 */
import type { CosiFixtureOptions } from '../support/cosi-fixtures.ts';

export const MiB = 1024 * 1024;

export const E2E_FIXTURE: CosiFixtureOptions = {
  diskSizeMiB: 40,
  partitions: [
    { number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 },
    { number: 2, name: 'root', kind: 'ext4', sizeMiB: 20, shrink: true },
    { number: 3, name: 'data', kind: 'raw', sizeMiB: 4, gapBeforeMiB: 3 },
  ],
};
