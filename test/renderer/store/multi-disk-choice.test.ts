import { describe, expect, it } from 'vitest';
import type { DiskCandidate } from '../../../src/model/disk-info.ts';
import type { FlashProgress } from '../../../src/model/flash-progress.ts';
import { createAppStore } from '../../../renderer/src/store/create-app-store.ts';
import { connectStore } from '../../../renderer/src/store/ipc-bridge.ts';
import { chosenCandidates } from '../../../renderer/src/store/target-slice.ts';
import { flashLanes } from '../../../renderer/src/view/flash-rows.ts';
import { createScriptedApi, ok } from '../scripted-api.ts';
import { candidate, region, sampleDisk, sampleInspectResult } from '../sample-data.ts';

const fits = sampleDisk('/dev/sdc');
const big = sampleDisk('/dev/sdd', { sizeBytes: 1024 ** 3 });
const bigger = sampleDisk('/dev/sde', { sizeBytes: 2 * 1024 ** 3 });
const system = sampleDisk('/dev/vda', { system: true, sizeBytes: 20 * 1024 ** 3 });

function setup(list: () => DiskCandidate[]) {
  const api = createScriptedApi();
  api.handle('disks:list', () => ok(list()));
  const store = createAppStore(api);
  connectStore(api, store);
  store.setState({ inspectResult: sampleInspectResult(), step: 'target', inspectedHash: '' });
  return { api, store };
}

const listing = (): DiskCandidate[] => [candidate(system, { reasons: [{ code: 'system', detail: 'holds /' }] }), candidate(big), candidate(fits, { selected: true }), candidate(bigger)];

describe('several disks on the Target screen', () => {
  it('the best fit stays the single default; more eligible disks can be ticked, refused ones cannot', async () => {
    const { store } = setup(listing);
    await store.getState().refreshDisks();
    expect(chosenCandidates(store.getState()).map((c) => c.disk.device)).toEqual(['/dev/sdc']);
    store.getState().toggleExtraDisk('/dev/vda');
    store.getState().toggleExtraDisk('/dev/sdc');
    expect(store.getState().extraDevices).toEqual([]);
    store.getState().toggleExtraDisk('/dev/sde');
    store.getState().toggleExtraDisk('/dev/sdd');
    // The highlighted disk first, then the ticked ones in list order.
    expect(chosenCandidates(store.getState()).map((c) => c.disk.device)).toEqual(['/dev/sdc', '/dev/sdd', '/dev/sde']);
    store.getState().toggleExtraDisk('/dev/sde');
    expect(chosenCandidates(store.getState()).map((c) => c.disk.device)).toEqual(['/dev/sdc', '/dev/sdd']);
    // Choosing a ticked disk as the main one unticks it.
    store.getState().selectDisk('/dev/sdd');
    expect(chosenCandidates(store.getState()).map((c) => c.disk.device)).toEqual(['/dev/sdd']);
  });

  it('a ticked disk that is unplugged is no longer ticked', async () => {
    let disks = listing();
    const { store } = setup(() => disks);
    await store.getState().refreshDisks();
    store.getState().toggleExtraDisk('/dev/sdd');
    disks = disks.filter((c) => c.disk.device !== '/dev/sdd');
    await store.getState().refreshDisks();
    expect(store.getState().extraDevices).toEqual([]);
  });

  it('one flash:start names every ticked device, the first as device; lanes come from the job events', async () => {
    const { api, store } = setup(listing);
    await store.getState().refreshDisks();
    store.getState().toggleExtraDisk('/dev/sde');
    store.getState().proceedToConfirm();
    expect(store.getState().confirmedDisks.map((d) => d.device)).toEqual(['/dev/sdc', '/dev/sde']);
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    await store.getState().startFlash();
    expect(api.callsTo('flash:start')).toEqual([expect.objectContaining({ device: '/dev/sdc', confirmedDisk: expect.objectContaining({ device: '/dev/sdc' }), moreTargets: [{ device: '/dev/sde', confirmedDisk: expect.objectContaining({ device: '/dev/sde', sizeBytes: bigger.sizeBytes }) }] })]);
    expect(store.getState().flashDevices).toEqual(['/dev/sdc', '/dev/sde']);
    const error = { code: 'E_WRITE', title: 'Writing to the disk failed', detail: 'EIO' };
    const event: FlashProgress = {
      type: 'progress', jobId: 'j1', elapsedMs: 1000, bytesPerSecond: 1, etaMs: 1, retries: 0,
      regions: [region(0), region(1, { phase: 'writing', writtenBytes: 1000 })],
      targets: [
        { device: '/dev/sdc', state: 'running', error: null, regions: [region(0), region(1, { phase: 'writing', writtenBytes: 1000 })] },
        { device: '/dev/sde', state: 'failed', error, regions: [region(0), region(1, { phase: 'failed', writtenBytes: 500 })] },
      ],
    };
    api.emit('flash:progress', event);
    const lanes = flashLanes(store.getState().plan, store.getState().progress);
    expect(lanes.map((l) => [l.device, l.state])).toEqual([['/dev/sdc', 'running'], ['/dev/sde', 'failed']]);
    expect(lanes[1]?.error).toEqual(error);
    expect(lanes[0]?.rows.map((r) => r.region.phase)).toEqual(['waiting', 'writing']);
  });

  it('a single disk keeps the one-lane view and the single-device request', async () => {
    const { api, store } = setup(listing);
    await store.getState().refreshDisks();
    store.setState({ step: 'confirm' });
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    await store.getState().startFlash();
    expect(api.callsTo('flash:start')[0]).not.toHaveProperty('moreTargets');
    expect(flashLanes(null, { type: 'progress', jobId: 'j1', elapsedMs: 1, bytesPerSecond: 1, etaMs: 1, retries: 0, regions: [region(1)], targets: [{ device: '/dev/sdc', state: 'running', error: null, regions: [region(1)] }] })).toEqual([]);
  });
});
