import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../renderer/src/store/create-app-store.ts';
import { connectStore } from '../../../renderer/src/store/ipc-bridge.ts';
import { createScriptedApi, ok } from '../scripted-api.ts';
import { candidate, sampleDisk, sampleInspectResult, sampleReport } from '../sample-data.ts';

/** A store on Done after a failed flash of /dev/sdc, with /dev/sdc (best fit) and /dev/sdd listed. */
function failedOnDone() {
  const api = createScriptedApi();
  const disks = [candidate(sampleDisk('/dev/sdc'), { selected: true }), candidate(sampleDisk('/dev/sdd', { sizeBytes: 512 * 1024 * 1024 }))];
  api.handle('disks:list', () => ok(disks));
  api.handle('image:inspect', () => ok(sampleInspectResult()));
  api.handle('recent:add', () => ok([]));
  const store = createAppStore(api);
  connectStore(api, store);
  const report = { ...sampleReport('failed'), device: { ...sampleReport('failed').device, path: '/dev/sdc' } };
  store.setState({ inspectResult: sampleInspectResult(), inspectedHash: 'sha384:' + 'ab'.repeat(48), candidates: disks, selectedDevice: '/dev/sdc', step: 'done', report, jobId: 'j1', flashDevice: '/dev/sdc', flashError: { code: 'E_WRITE', title: 'Writing failed', detail: '' } });
  return { api, store };
}

describe('failure slice: the next actions after a failed flash', () => {
  it('"Try another disk" re-lists disks and highlights a different one', async () => {
    const { api, store } = failedOnDone();
    await store.getState().runFailureAction('try-another-disk');
    expect(api.callsTo('disks:list')).toHaveLength(1);
    expect(store.getState()).toMatchObject({ step: 'target', report: null, jobId: null, selectedDevice: '/dev/sdd' });
  });

  it('"Choose disk again" shows a fresh disk list', async () => {
    const { api, store } = failedOnDone();
    await store.getState().runFailureAction('choose-disk-again');
    expect(api.callsTo('disks:list')).toHaveLength(1);
    expect(store.getState()).toMatchObject({ step: 'target', report: null, flashError: null });
  });

  it('"Try again" goes to Confirm for the same disk', async () => {
    const { store } = failedOnDone();
    await store.getState().runFailureAction('try-again');
    expect(store.getState()).toMatchObject({ step: 'confirm', selectedDevice: '/dev/sdc', report: null });
  });

  it('"Review again" inspects the same location with the same expected hash and shows Review', async () => {
    const { api, store } = failedOnDone();
    await store.getState().runFailureAction('review-again');
    expect(api.callsTo('image:inspect')).toEqual([{ location: sampleInspectResult().source.location, expectedHash: 'sha384:' + 'ab'.repeat(48) }]);
    expect(store.getState()).toMatchObject({ step: 'review', report: null });
  });

  it('"Choose another image" goes back to Source; "Verify image" shows the command and stays', async () => {
    const { store } = failedOnDone();
    await store.getState().runFailureAction('verify-image');
    expect(store.getState()).toMatchObject({ step: 'done', verifyCommandShown: true });
    await store.getState().runFailureAction('choose-another-image');
    expect(store.getState()).toMatchObject({ step: 'source', inspectResult: null, verifyCommandShown: false });
  });
});
