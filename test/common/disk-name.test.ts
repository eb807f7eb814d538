import { describe, expect, it } from 'vitest';
import { diskName } from '../../src/common/disk-name.ts';

describe('diskName', () => {
  it.each([
    [{ vendor: 'SanDisk', model: 'Ultra Fit', bus: 'USB', virtual: false }, 'SanDisk Ultra Fit'],
    [{ vendor: 'Samsung', model: 'Samsung SSD 980', bus: 'NVME', virtual: false }, 'Samsung SSD 980'],
    [{ vendor: null, model: ' Flash Disk ', bus: 'USB', virtual: false }, 'Flash Disk'],
    [{ vendor: null, model: null, bus: 'LOOP', virtual: true }, 'Loop device'],
    [{ vendor: '', model: null, bus: 'SATA', virtual: false }, 'SATA disk'],
    [{ vendor: null, model: null, bus: null, virtual: true }, 'Virtual disk'],
    [{ vendor: '0x1af4', model: null, bus: 'VIRTIO', virtual: true }, 'VIRTIO disk'],
    [{ vendor: null, model: null, bus: null, virtual: false }, 'Disk'],
  ])('%o → %s', (disk, name) => {
    expect(diskName(disk)).toBe(name);
  });
});
