import { describe, expect, it } from 'vitest';
import type { DiskCandidate } from '../../../src/model/disk-info.ts';
import { createAppStore } from '../../../renderer/src/store/create-app-store.ts';
import { connectStore } from '../../../renderer/src/store/ipc-bridge.ts';
import { createScriptedApi, ok } from '../scripted-api.ts';
import { candidate, sampleDisk, sampleInspectResult } from '../sample-data.ts';

const small = sampleDisk('/dev/sdb', { sizeBytes: 16 * 1024 * 1024 });
const fits = sampleDisk('/dev/sdc');
const big = sampleDisk('/dev/sdd', { sizeBytes: 1024 ** 3 });
const system = sampleDisk('/dev/vda', { system: true, sizeBytes: 20 * 1024 ** 3 });

function listing(): DiskCandidate[] {
  return [
    candidate(system, { reasons: [{ code: 'system', detail: 'holds /' }] }),
    candidate(small, { reasons: [{ code: 'too-small', detail: 'needs 64 MiB', neededBytes: 64 * 1024 * 1024 }] }),
    candidate(big),
    candidate(fits, { selected: true }),
  ];
}

function setup(list: () => DiskCandidate[] = listing) {
  const api = createScriptedApi();
  api.handle('disks:list', () => ok(list()));
  const store = createAppStore(api);
  store.setState({ inspectResult: sampleInspectResult(), step: 'target' });
  return { api, store };
}

describe('target slice', () => {
  it('asks main with the image’s needs and pre-selects its best fit', async () => {
    const { api, store } = setup();
    await store.getState().refreshDisks();
    expect(api.callsTo('disks:list')).toEqual([{ requiredBytes: 64 * 1024 * 1024, lbaSize: 512, sourcePath: null, unmountConsent: false, allowVirtual: false }]);
    expect(store.getState().selectedDevice).toBe('/dev/sdc');
    expect(store.getState().userPicked).toBe(false);
  });

  it('refused disks cannot be selected; eligible ones can, and the pick survives a refresh', async () => {
    const { store } = setup();
    await store.getState().refreshDisks();
    store.getState().selectDisk('/dev/vda');
    expect(store.getState().selectedDevice).toBe('/dev/sdc');
    store.getState().selectDisk('/dev/sdd');
    expect(store.getState().selectedDevice).toBe('/dev/sdd');
    await store.getState().refreshDisks();
    expect(store.getState().selectedDevice).toBe('/dev/sdd');
  });

  it('falls back to the best fit when the picked disk is unplugged', async () => {
    let disks = listing();
    const { store } = setup(() => disks);
    await store.getState().refreshDisks();
    store.getState().selectDisk('/dev/sdd');
    disks = disks.filter((c) => c.disk.device !== '/dev/sdd');
    await store.getState().refreshDisks();
    expect(store.getState().selectedDevice).toBe('/dev/sdc');
  });

  it('hotplug (disks:changed) refreshes the list while the Target step is shown', async () => {
    let disks: DiskCandidate[] = [];
    const { api, store } = setup(() => disks);
    connectStore(api, store);
    await store.getState().refreshDisks();
    expect(store.getState().selectedDevice).toBeNull();
    disks = listing();
    api.emit('disks:changed', { disks: disks.map((c) => c.disk) });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState().selectedDevice).toBe('/dev/sdc');
  });

  it('a disk refused only because it is mounted can be picked; consent resets when the pick changes', async () => {
    const mounted = sampleDisk('/dev/sde', { partitions: [{ device: '/dev/sde1', sizeBytes: 1, mountpoints: ['/media/usb'] }] });
    const { store } = setup(() => [...listing(), candidate(mounted, { reasons: [{ code: 'mounted', detail: '/media/usb', mountpoints: ['/media/usb'] }] })]);
    await store.getState().refreshDisks();
    store.getState().selectDisk('/dev/sde');
    expect(store.getState().selectedDevice).toBe('/dev/sde');
    store.getState().setMountConsent(true);
    store.getState().selectDisk('/dev/sdc');
    expect(store.getState().mountConsent).toBe(false);
  });

  it('the virtual-disk toggle re-lists with allowVirtual', async () => {
    const { api, store } = setup();
    await store.getState().setShowVirtual(true);
    expect(api.callsTo('disks:list').at(-1)).toMatchObject({ allowVirtual: true });
  });

  it('proceeds to Confirm only with a choosable disk', async () => {
    const { store } = setup(() => listing().filter((c) => !c.eligible));
    await store.getState().refreshDisks();
    store.getState().proceedToConfirm();
    expect(store.getState().step).toBe('target');
    const { store: second } = setup();
    await second.getState().refreshDisks();
    second.getState().proceedToConfirm();
    expect(second.getState().step).toBe('confirm');
  });

  it('"Flash several disks" ticks several choosable disks (refused ones stay unticked); the best fit stays the single default', async () => {
    const { store } = setup();
    await store.getState().refreshDisks();
    expect(store.getState()).toMatchObject({ multiSelect: false, selectedDevice: '/dev/sdc', moreDevices: [] });
    store.getState().toggleDisk('/dev/sdd');
    expect(store.getState().moreDevices).toEqual([]);
    store.getState().setMultiSelect(true);
    store.getState().toggleDisk('/dev/sdd');
    store.getState().toggleDisk('/dev/vda');
    store.getState().toggleDisk('/dev/sdb');
    expect(store.getState()).toMatchObject({ selectedDevice: '/dev/sdc', moreDevices: ['/dev/sdd'] });
    await store.getState().refreshDisks();
    expect(store.getState().moreDevices).toEqual(['/dev/sdd']);
    store.getState().proceedToConfirm();
    expect(store.getState()).toMatchObject({ step: 'confirm', confirmedDisk: { device: '/dev/sdc' }, confirmedMore: [{ device: '/dev/sdd' }] });
  });

  it('unticking the first disk makes the next one first; an unplugged ticked disk drops out; turning the mode off keeps one disk', async () => {
    let disks = listing();
    const { store } = setup(() => disks);
    await store.getState().refreshDisks();
    store.getState().setMultiSelect(true);
    store.getState().toggleDisk('/dev/sdd');
    store.getState().toggleDisk('/dev/sdc');
    expect(store.getState()).toMatchObject({ selectedDevice: '/dev/sdd', moreDevices: [] });
    store.getState().toggleDisk('/dev/sdc');
    expect(store.getState()).toMatchObject({ selectedDevice: '/dev/sdd', moreDevices: ['/dev/sdc'] });
    disks = disks.filter((c) => c.disk.device !== '/dev/sdc');
    await store.getState().refreshDisks();
    expect(store.getState().moreDevices).toEqual([]);
    disks = listing();
    await store.getState().refreshDisks();
    store.getState().toggleDisk('/dev/sdc');
    store.getState().setMultiSelect(false);
    expect(store.getState()).toMatchObject({ selectedDevice: '/dev/sdd', moreDevices: [] });
  });

  it('with several disks ticked, an unplugged first disk hands over to the next ticked one; no disk is ever ticked for the user', async () => {
    let disks = listing();
    const { store } = setup(() => disks);
    await store.getState().refreshDisks();
    store.getState().setMultiSelect(true);
    store.getState().toggleDisk('/dev/sdc');
    store.getState().toggleDisk('/dev/sdd');
    const extra = sampleDisk('/dev/sdf', { sizeBytes: 2 * 1024 ** 3 });
    disks = [...listing(), candidate(extra)];
    await store.getState().refreshDisks();
    expect(store.getState()).toMatchObject({ selectedDevice: '/dev/sdd', moreDevices: [] });
    store.getState().toggleDisk('/dev/sdf');
    disks = disks.filter((c) => c.disk.device !== '/dev/sdd');
    await store.getState().refreshDisks();
    expect(store.getState()).toMatchObject({ selectedDevice: '/dev/sdf', moreDevices: [] });
    store.getState().toggleDisk('/dev/sdf');
    await store.getState().refreshDisks();
    expect(store.getState()).toMatchObject({ selectedDevice: null, moreDevices: [] });
  });
});
