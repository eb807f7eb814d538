import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../renderer/src/store/create-app-store.ts';
import { createScriptedApi, fail, ok } from '../scripted-api.ts';

const entry = { location: '/srv/a.cosi', expectedHash: `sha384:${'ab'.repeat(48)}`, label: 'A OS', lastUsedAt: '2026-01-01T00:00:00Z' };

describe('source slice', () => {
  it('loads, picks and removes recent images through main', async () => {
    const api = createScriptedApi();
    api.handle('recent:list', () => ok([entry]));
    api.handle('recent:remove', () => ok([]));
    const store = createAppStore(api);
    await store.getState().loadRecent();
    expect(store.getState().recent).toEqual([entry]);
    store.getState().pickRecent(entry);
    expect(store.getState().location).toBe('/srv/a.cosi');
    expect(store.getState().expectedHash).toBe(entry.expectedHash);
    await store.getState().removeRecent('/srv/a.cosi');
    expect(api.callsTo('recent:remove')).toEqual([{ location: '/srv/a.cosi' }]);
    expect(store.getState().recent).toEqual([]);
  });

  it('browse fills the location, and keeps it when the dialog is cancelled', async () => {
    const api = createScriptedApi();
    const answers = ['/home/u/os.cosi', null];
    api.handle('image:browse', () => ok(answers.shift() ?? null));
    const store = createAppStore(api);
    await store.getState().browse();
    expect(store.getState().location).toBe('/home/u/os.cosi');
    await store.getState().browse();
    expect(store.getState().location).toBe('/home/u/os.cosi');
  });

  it('browse errors are shown as AppErrors', async () => {
    const api = createScriptedApi();
    api.handle('image:browse', () => fail({ code: 'E_UNSUPPORTED', title: 'Not available in web mode' }));
    const store = createAppStore(api);
    await store.getState().browse();
    expect(store.getState().sourceError?.code).toBe('E_UNSUPPORTED');
  });

  it('a dropped file without a local path (browser) explains what to do instead', () => {
    const store = createAppStore(createScriptedApi());
    store.getState().dropFile({}, 'os.cosi');
    expect(store.getState().sourceError).toMatchObject({ code: 'E_INPUT', hint: expect.stringContaining('Image URL') });
    expect(store.getState().location).toBe('');
  });

  it('a dropped .cosi with a local path (Electron) becomes the location; other files are refused', () => {
    const api = createScriptedApi();
    const paths = new Map<object, string>();
    const cosi = {};
    const iso = {};
    paths.set(cosi, '/home/u/Downloads/os.COSI');
    paths.set(iso, '/home/u/Downloads/os.iso');
    const store = createAppStore({ ...api, pathForFile: (file) => paths.get(file) ?? null });
    store.getState().dropFile(iso, 'os.iso');
    expect(store.getState().sourceError?.title).toBe('Not a COSI file');
    store.getState().dropFile(cosi, 'os.COSI');
    expect(store.getState().location).toBe('/home/u/Downloads/os.COSI');
    expect(store.getState().sourceError).toBeNull();
  });
});
