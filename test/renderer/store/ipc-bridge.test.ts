import { describe, expect, it } from 'vitest';
import type { FlashProgress } from '../../../src/model/flash-progress.ts';
import { createAppStore } from '../../../renderer/src/store/create-app-store.ts';
import { connectStore, loadInitialState } from '../../../renderer/src/store/ipc-bridge.ts';
import { createScriptedApi, ok } from '../scripted-api.ts';
import { region, sampleReport } from '../sample-data.ts';

const info = { name: 'Cosiflash', version: '0.1.0', platform: 'linux', arch: 'x64', mode: 'web' as const, capabilities: { browse: false, saveDialog: false, dropPaths: false, virtualDisks: true }, station: null };

describe('ipc bridge', () => {
  it('loads app info and recent images, and adopts a job main is still running', async () => {
    const api = createScriptedApi();
    const plan: Extract<FlashProgress, { type: 'plan' }> = { type: 'plan', jobId: 'j7', device: '/dev/sdc', regions: [region(0)], totalWriteBytes: 4000 };
    api.handle('app:info', () => ok(info));
    api.handle('recent:list', () => ok([]));
    api.handle('flash:list', () =>
      ok([
        { jobId: 'old', location: '/a', device: '/dev/sdb', state: 'verified' as const, plan: null, last: null, report: sampleReport() },
        { jobId: 'j7', location: '/b', device: '/dev/sdc', state: 'running' as const, plan, last: null, report: null },
      ]),
    );
    const store = createAppStore(api);
    connectStore(api, store);
    await loadInitialState(api, store);
    expect(store.getState().appInfo?.capabilities.virtualDisks).toBe(true);
    expect(store.getState()).toMatchObject({ step: 'flash', jobId: 'j7', flashDevice: '/dev/sdc' });
    api.emit('flash:progress', { type: 'done', jobId: 'j7', report: sampleReport() });
    expect(store.getState().step).toBe('done');
  });

  it('ignores hotplug outside the Target step and stops listening when disconnected', async () => {
    const api = createScriptedApi();
    api.handle('disks:list', () => ok([]));
    const store = createAppStore(api);
    const disconnect = connectStore(api, store);
    api.emit('disks:changed', { disks: [] });
    expect(api.callsTo('disks:list')).toEqual([]);
    store.setState({ step: 'target' });
    disconnect();
    api.emit('disks:changed', { disks: [] });
    expect(api.callsTo('disks:list')).toEqual([]);
  });

  it('after a reconnect, catches up with a job that finished while the socket was down', async () => {
    const api = createScriptedApi();
    const plan: Extract<FlashProgress, { type: 'plan' }> = { type: 'plan', jobId: 'j1', device: '/dev/sdc', regions: [region(0)], totalWriteBytes: 4000 };
    api.handle('flash:list', () => ok([{ jobId: 'j1', location: '/b', device: '/dev/sdc', state: 'verified' as const, plan, last: null, report: sampleReport() }]));
    const store = createAppStore(api);
    connectStore(api, store);
    store.setState({ connection: 'open', jobId: 'j1', step: 'flash', plan });
    store.getState().setConnection('closed');
    store.getState().setConnection('open');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState()).toMatchObject({ step: 'done', jobId: 'j1' });
    expect(store.getState().report?.outcome).toBe('verified');
  });
});
