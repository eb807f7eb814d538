import { describe, expect, it } from 'vitest';
import type { DiskInfo } from '../../src/model/disk-info.ts';
import { DiskWatcher, diskSetSignature } from '../../src/service/disk-watcher.ts';

const disk = (device: string, change: Partial<DiskInfo> = {}): DiskInfo => ({
  device, sizeBytes: 1024 ** 3, logicalSectorBytes: 512, physicalSectorBytes: 512, model: 'Stick', vendor: null, serial: null, bus: 'USB',
  removable: true, readOnly: false, system: false, virtual: false, isWholeDisk: true, mountpoints: [], partitions: [], diskseq: null, majMin: null, ...change,
});

describe('DiskWatcher', () => {
  it('reports changes of the set and of what the UI shows, not the first listing or reordering', async () => {
    const listings: DiskInfo[][] = [
      [disk('/dev/sdb')],
      [disk('/dev/sdb')],
      [disk('/dev/sdc'), disk('/dev/sdb')],
      [disk('/dev/sdb'), disk('/dev/sdc')],
      [disk('/dev/sdb', { mountpoints: ['/media/u/STICK'] }), disk('/dev/sdc')],
    ];
    const changes: string[][] = [];
    const watcher = new DiskWatcher({ list: async () => listings.shift() ?? [], onChange: (disks) => changes.push(disks.map((d) => d.device)) });
    for (let poll = 0; poll < 5; poll++) await watcher.poll();
    expect(changes).toEqual([['/dev/sdc', '/dev/sdb'], ['/dev/sdb', '/dev/sdc']]);
  });

  it('skips failed enumerations', async () => {
    let calls = 0;
    const changes: number[] = [];
    const watcher = new DiskWatcher({
      list: async () => {
        calls++;
        if (calls === 2) throw new Error('lsblk failed');
        return calls === 1 ? [disk('/dev/sdb')] : [];
      },
      onChange: (disks) => changes.push(disks.length),
    });
    await watcher.poll();
    await watcher.poll();
    await watcher.poll();
    expect(changes).toEqual([0]);
    expect(diskSetSignature([disk('/a'), disk('/b')])).toBe(diskSetSignature([disk('/b'), disk('/a')]));
  });
});
