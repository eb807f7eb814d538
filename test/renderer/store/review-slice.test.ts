import { describe, expect, it } from 'vitest';
import type { RecentImage } from '../../../src/ipc/contract.ts';
import { createAppStore } from '../../../renderer/src/store/create-app-store.ts';
import { createScriptedApi, fail, ok } from '../scripted-api.ts';
import { sampleInspectResult } from '../sample-data.ts';

describe('review slice: inspect', () => {
  it('refuses an empty location locally, without asking main', async () => {
    const api = createScriptedApi();
    const store = createAppStore(api);
    store.getState().setLocation('   ');
    await store.getState().inspect();
    expect(store.getState().inspectError?.code).toBe('E_INPUT');
    expect(api.calls).toEqual([]);
    expect(store.getState().step).toBe('source');
  });

  it('on success shows Review, records the image as recent with its OS label and hash', async () => {
    const api = createScriptedApi();
    const recent: RecentImage[] = [];
    api.handle('image:inspect', () => ok(sampleInspectResult()));
    api.handle('recent:add', (request) => {
      recent.unshift({ location: request.location, expectedHash: request.expectedHash ?? null, label: request.label ?? null, lastUsedAt: '2026-01-01T00:00:00Z' });
      return ok([...recent]);
    });
    const store = createAppStore(api);
    store.getState().setLocation(' http://127.0.0.1:1/os.cosi ');
    store.getState().setExpectedHash(`sha384:${'cd'.repeat(48)}`);
    await store.getState().inspect();
    const state = store.getState();
    expect(state.step).toBe('review');
    expect(state.inspectResult?.layout.os.prettyName).toBe('Test Linux 3.0');
    expect(api.callsTo('image:inspect')).toEqual([{ location: 'http://127.0.0.1:1/os.cosi', expectedHash: `sha384:${'cd'.repeat(48)}` }]);
    expect(api.callsTo('recent:add')).toEqual([{ location: 'http://127.0.0.1:1/os.cosi', expectedHash: `sha384:${'cd'.repeat(48)}`, label: 'Test Linux 3.0' }]);
    expect(state.recent.map((entry) => entry.label)).toEqual(['Test Linux 3.0']);
    expect(state.inspectedHash).toBe(`sha384:${'cd'.repeat(48)}`);
  });

  it('keeps the user on Source with main’s error (title, detail, hint) on failure', async () => {
    const api = createScriptedApi();
    api.handle('image:inspect', () => fail({ code: 'E_HASH_MISMATCH', title: 'Image hash does not match', detail: 'expected sha384:aa…', hint: 'Check the hash you pasted.' }));
    const store = createAppStore(api);
    store.getState().setLocation('/srv/os.cosi');
    await store.getState().inspect();
    expect(store.getState().step).toBe('source');
    expect(store.getState().inspecting).toBe(false);
    expect(store.getState().inspectError).toMatchObject({ code: 'E_HASH_MISMATCH', hint: 'Check the hash you pasted.' });
    expect(api.callsTo('recent:add')).toEqual([]);
  });

  it('drops an older inspect answer that arrives after a newer one', async () => {
    const api = createScriptedApi();
    let releaseFirst: () => void = () => {};
    const first = sampleInspectResult();
    const second = { ...sampleInspectResult(), source: { ...sampleInspectResult().source, location: '/srv/second.cosi' } };
    api.handle('image:inspect', (request) =>
      request.location === '/srv/first.cosi' ? new Promise((resolve) => (releaseFirst = () => resolve(ok(first)))) : ok(second),
    );
    api.handle('recent:add', () => ok([]));
    const store = createAppStore(api);
    store.getState().setLocation('/srv/first.cosi');
    const slow = store.getState().inspect();
    store.getState().setLocation('/srv/second.cosi');
    await store.getState().inspect();
    releaseFirst();
    await slow;
    expect(store.getState().inspectResult?.source.location).toBe('/srv/second.cosi');
  });

  it('a new image clears the previous disk choice and finished job', async () => {
    const api = createScriptedApi();
    api.handle('image:inspect', () => ok(sampleInspectResult()));
    api.handle('recent:add', () => ok([]));
    const store = createAppStore(api);
    store.setState({ selectedDevice: '/dev/sdz', userPicked: true, mountConsent: true, jobId: 'old' });
    store.getState().setLocation('/srv/os.cosi');
    await store.getState().inspect();
    expect(store.getState()).toMatchObject({ selectedDevice: null, userPicked: false, mountConsent: false, jobId: null, report: null });
  });
});
