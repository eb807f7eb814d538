import { describe, expect, it } from 'vitest';
import { diskIdentityOf } from '../../../src/common/disk-identity-of.ts';
import type { FlashProgress } from '../../../src/model/flash-progress.ts';
import { createAppStore } from '../../../renderer/src/store/create-app-store.ts';
import { regionRates } from '../../../renderer/src/store/flash-slice.ts';
import { connectStore } from '../../../renderer/src/store/ipc-bridge.ts';
import { createScriptedApi, fail, ok } from '../scripted-api.ts';
import { candidate, region, sampleDisk, sampleInspectResult, sampleReport } from '../sample-data.ts';

const plan = (jobId: string): FlashProgress => ({ type: 'plan', jobId, device: '/dev/sdc', regions: [region(0), region(1)], totalWriteBytes: 8000 });
const progress = (jobId: string, elapsedMs: number, written: number): FlashProgress => ({
  type: 'progress',
  jobId,
  elapsedMs,
  bytesPerSecond: 1000,
  etaMs: 3000,
  retries: 0,
  regions: [region(0, { phase: 'verified', writtenBytes: 4000 }), region(1, { phase: 'writing', writtenBytes: written })],
});

function setup() {
  const api = createScriptedApi();
  api.handle('disks:list', () => ok([candidate(sampleDisk('/dev/sdc'), { selected: true })]));
  const store = createAppStore(api);
  connectStore(api, store);
  store.setState({ inspectResult: sampleInspectResult(), candidates: [candidate(sampleDisk('/dev/sdc'), { selected: true })], selectedDevice: '/dev/sdc', step: 'confirm', inspectedHash: '' });
  return { api, store };
}

describe('flash slice', () => {
  it('starts a verified flash of the confirmed disk with the inspected location', async () => {
    const { api, store } = setup();
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    store.setState({ mountConsent: true, showVirtual: true });
    await store.getState().startFlash();
    expect(api.callsTo('flash:start')).toEqual([{ location: 'http://127.0.0.1:1/os.cosi', reviewedImageHash: sampleInspectResult().layout.imageHash, device: '/dev/sdc', confirmedDisk: diskIdentityOf(sampleDisk('/dev/sdc')), verify: true, unmount: true, allowVirtual: true }]);
    expect(store.getState()).toMatchObject({ step: 'flash', jobId: 'j1', flashStarting: false });
  });

  it('sends the disk as the user chose it on Target, not as a later refresh lists another disk under that path', async () => {
    const { api, store } = setup();
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    store.setState({ step: 'target', candidates: [candidate(sampleDisk('/dev/sdc', { diskseq: '5', serial: 'FIRST' }), { selected: true })] });
    store.getState().proceedToConfirm();
    expect(store.getState().confirmedDisk).toMatchObject({ device: '/dev/sdc', diskseq: '5', serial: 'FIRST' });
    // Hotplug: another disk took /dev/sdc while the Confirm dialog was open.
    store.setState({ candidates: [candidate(sampleDisk('/dev/sdc', { diskseq: '6', serial: 'SECOND' }), { selected: true })] });
    await store.getState().startFlash();
    expect(api.callsTo('flash:start')).toMatchObject([{ device: '/dev/sdc', confirmedDisk: { diskseq: '5', serial: 'FIRST' } }]);
  });

  it('several ticked disks go in one flash:start: the first as device, the others as moreTargets with the identities shown on Confirm', async () => {
    const { api, store } = setup();
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    const second = sampleDisk('/dev/sdd', { diskseq: '7', serial: 'TWO' });
    store.setState({ step: 'target', multiSelect: true, candidates: [candidate(sampleDisk('/dev/sdc'), { selected: true }), candidate(second)] });
    store.getState().toggleDisk('/dev/sdd');
    store.getState().proceedToConfirm();
    store.setState({ candidates: [candidate(sampleDisk('/dev/sdc'), { selected: true }), candidate(sampleDisk('/dev/sdd', { diskseq: '8', serial: 'OTHER' }))] });
    await store.getState().startFlash();
    expect(api.callsTo('flash:start')).toMatchObject([{ device: '/dev/sdc', moreTargets: [{ device: '/dev/sdd', confirmedDisk: diskIdentityOf(second) }] }]);
    expect(store.getState()).toMatchObject({ step: 'flash', jobId: 'j1' });
  });

  it('a target-failed event records that disk’s reason; the job goes on', async () => {
    const { api, store } = setup();
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    await store.getState().startFlash();
    api.emit('flash:progress', { type: 'target-failed', jobId: 'j1', device: '/dev/sdd', error: { code: 'E_WRITE', title: 'Writing failed', detail: 'gone' } });
    api.emit('flash:progress', { type: 'target-failed', jobId: 'other', device: '/dev/sde', error: { code: 'E_WRITE', title: 'Writing failed', detail: 'x' } });
    expect(store.getState()).toMatchObject({ step: 'flash', failedTargets: { '/dev/sdd': { detail: 'gone' } } });
    expect(Object.keys(store.getState().failedTargets)).toEqual(['/dev/sdd']);
  });

  it('replays events that overtook the flash:start answer, and ignores other jobs', async () => {
    const { api, store } = setup();
    api.handle('flash:start', async () => {
      api.emit('flash:progress', plan('j1'));
      api.emit('flash:progress', plan('other'));
      return ok({ jobId: 'j1' });
    });
    await store.getState().startFlash();
    expect(store.getState().plan?.jobId).toBe('j1');
    api.emit('flash:progress', progress('other', 500, 4000));
    expect(store.getState().progress).toBeNull();
    api.emit('flash:progress', progress('j1', 500, 1000));
    expect(store.getState().progress?.elapsedMs).toBe(500);
  });

  it('done shows the report on Done; failed keeps the error next to it', async () => {
    const { api, store } = setup();
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    await store.getState().startFlash();
    api.emit('flash:progress', { type: 'done', jobId: 'j1', report: sampleReport() });
    expect(store.getState()).toMatchObject({ step: 'done', flashError: null });
    expect(store.getState().report?.outcome).toBe('verified');

    const second = setup();
    second.api.handle('flash:start', () => ok({ jobId: 'j2' }));
    await second.store.getState().startFlash();
    const error = { code: 'E_IMAGE_HASH', title: 'A region does not match its hash', detail: 'root', hint: 'Download the image again.' };
    second.api.emit('flash:progress', { type: 'failed', jobId: 'j2', error, report: sampleReport('failed') });
    expect(second.store.getState()).toMatchObject({ step: 'done', flashError: error });
  });

  it('a refused start stays on Flash with the error and no job', async () => {
    const { api, store } = setup();
    api.handle('flash:start', () => fail({ code: 'E_DISK_INELIGIBLE', title: 'This disk cannot be used' }));
    await store.getState().startFlash();
    expect(store.getState()).toMatchObject({ step: 'flash', jobId: null, flashStarting: false });
    expect(store.getState().flashError?.code).toBe('E_DISK_INELIGIBLE');
  });

  it('cancel needs a confirmation before it reaches main', async () => {
    const { api, store } = setup();
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    api.handle('flash:cancel', () => ok(null));
    await store.getState().startFlash();
    store.getState().requestCancel();
    expect(store.getState().cancelConfirmOpen).toBe(true);
    store.getState().dismissCancel();
    expect(api.callsTo('flash:cancel')).toEqual([]);
    store.getState().requestCancel();
    await store.getState().confirmCancel();
    expect(api.callsTo('flash:cancel')).toEqual([{ jobId: 'j1' }]);
    expect(store.getState().cancelRequested).toBe(true);
  });

  it('"Flash another disk" keeps the image, clears the job and re-lists disks', async () => {
    const { api, store } = setup();
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    await store.getState().startFlash();
    api.emit('flash:progress', { type: 'done', jobId: 'j1', report: sampleReport() });
    await store.getState().flashAnother();
    expect(store.getState()).toMatchObject({ step: 'target', jobId: null, report: null, selectedDevice: '/dev/sdc' });
    expect(store.getState().inspectResult).not.toBeNull();
    expect(api.callsTo('disks:list').length).toBe(1);
  });

  it('saves the report through main and shows where', async () => {
    const { api, store } = setup();
    api.handle('flash:start', () => ok({ jobId: 'j1' }));
    api.handle('report:save', () => ok('/root/.config/cosiflash/reports/j1.json'));
    await store.getState().startFlash();
    await store.getState().saveReport();
    expect(store.getState().savedReportPath).toBe('/root/.config/cosiflash/reports/j1.json');
  });

  it('adopts a job main is still running (reloaded page)', () => {
    const { store } = setup();
    store.getState().adoptJob({ jobId: 'j9', location: '/srv/os.cosi', device: '/dev/sdc', state: 'running', plan: plan('j9') as Extract<FlashProgress, { type: 'plan' }>, last: progress('j9', 100, 10), report: null });
    expect(store.getState()).toMatchObject({ step: 'flash', jobId: 'j9', flashDevice: '/dev/sdc' });
    expect(store.getState().progress?.elapsedMs).toBe(100);
  });
});

describe('regionRates', () => {
  it('is the written+verified delta over the writer’s clock, per region', () => {
    const before = progress('j', 1000, 1000) as Extract<FlashProgress, { type: 'progress' }>;
    const after = progress('j', 1500, 3000) as Extract<FlashProgress, { type: 'progress' }>;
    expect(regionRates(before, after)).toEqual({ 0: 0, 1: 4000 });
    expect(regionRates(null, after)).toEqual({});
    expect(regionRates(after, after)).toEqual({});
  });
});
