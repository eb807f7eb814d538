import { describe, expect, it } from 'vitest';
import type { StationState } from '../../src/ipc/contract.ts';
import type { DiskCandidate, DiskInfo } from '../../src/model/disk-info.ts';
import { AutoFlashStation } from '../../src/service/auto-flash-station.ts';

function disk(device: string, overrides: Partial<DiskInfo> = {}): DiskInfo {
  return { device, sizeBytes: 64, logicalSectorBytes: 512, physicalSectorBytes: 512, model: null, vendor: null, serial: null, bus: 'usb', removable: true, readOnly: false, system: false, virtual: false, isWholeDisk: true, mountpoints: [], partitions: [], diskseq: null, majMin: null, ...overrides };
}

function station(options: { onlyDevices?: string[]; ineligible?: string[] } = {}) {
  const started: string[] = [];
  const states: StationState[] = [];
  const s = new AutoFlashStation({
    countdownMs: 30,
    onlyDevices: options.onlyDevices ?? [],
    evaluate: async (disks) => disks.map((d): DiskCandidate => {
      const bad = options.ineligible?.includes(d.device) ?? false;
      return { disk: d, eligible: !bad, selected: false, reasons: bad ? [{ code: 'too-small', detail: 'too small', neededBytes: 1 }] : [] };
    }),
    startFlash: async (disk) => void started.push(disk.device),
    isBusy: () => false,
    onChange: (state) => void states.push(state),
  });
  return { s, started, states };
}
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AutoFlashStation', () => {
  it('flashes a qualifying disk that appears after arming, after the countdown; never one present at start', async () => {
    const { s, started } = station();
    s.arm([disk('/dev/sda', { removable: false }), disk('/dev/sdb')]);
    await s.onDisks([disk('/dev/sda', { removable: false }), disk('/dev/sdb'), disk('/dev/sdc')]);
    expect(s.state().countdowns.map((c) => c.device)).toEqual(['/dev/sdc']);
    expect(started).toEqual([]);
    await wait(80);
    expect(started).toEqual(['/dev/sdc']);
    // Still plugged in: not flashed again.
    await s.onDisks([disk('/dev/sdb'), disk('/dev/sdc')]);
    await wait(80);
    expect(started).toEqual(['/dev/sdc']);
    // Unplugged and plugged in again: a new device to flash.
    await s.onDisks([]);
    await s.onDisks([disk('/dev/sdc')]);
    await wait(80);
    expect(started).toEqual(['/dev/sdc', '/dev/sdc']);
    s.dispose();
  });

  it('ignores ineligible and non-removable disks (unless --only names them), with the reason', async () => {
    const { s, started } = station({ onlyDevices: ['/dev/loop7'], ineligible: ['/dev/sdd'] });
    s.arm([]);
    await s.onDisks([disk('/dev/sdd'), disk('/dev/nvme1n1', { removable: false }), disk('/dev/loop7', { removable: false })]);
    expect(s.state().ignored).toEqual([
      { device: '/dev/sdd', reason: 'too small' },
      { device: '/dev/nvme1n1', reason: expect.stringContaining('not removable') },
    ]);
    await wait(80);
    expect(started).toEqual(['/dev/loop7']);
    s.dispose();
  });

  it('a skipped countdown never flashes; not armed means nothing happens', async () => {
    const { s, started } = station();
    await s.onDisks([disk('/dev/sde')]);
    expect(s.state()).toMatchObject({ armed: false, countdowns: [] });
    s.arm([]);
    await s.onDisks([disk('/dev/sdf')]);
    expect(s.skip('/dev/sdf').countdowns).toEqual([]);
    await wait(80);
    expect(started).toEqual([]);
    s.dispose();
  });
});
