/**
 * The Operator field (issue 12): remembered across restarts in localStorage, sent trimmed as
 * FlashStartRequest.operator, left out when empty.
 */
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../renderer/src/store/create-app-store.ts';
import { connectStore } from '../../../renderer/src/store/ipc-bridge.ts';
import { loadRememberedOperator, rememberOperator } from '../../../renderer/src/view/remembered-operator.ts';
import { createScriptedApi, ok } from '../scripted-api.ts';
import { candidate, sampleDisk, sampleInspectResult } from '../sample-data.ts';

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), removeItem: (key: string) => void items.delete(key), items };
}

function setup() {
  const api = createScriptedApi();
  api.handle('disks:list', () => ok([candidate(sampleDisk('/dev/sdc'), { selected: true })]));
  api.handle('flash:start', () => ok({ jobId: 'j1' }));
  const store = createAppStore(api);
  connectStore(api, store);
  store.setState({ inspectResult: sampleInspectResult(), candidates: [candidate(sampleDisk('/dev/sdc'), { selected: true })], selectedDevice: '/dev/sdc', step: 'confirm', inspectedHash: '' });
  return { api, store };
}

describe('operator field', () => {
  it('remembers a name and forgets a blank one', () => {
    const storage = memoryStorage();
    expect(loadRememberedOperator(storage)).toBe('');
    rememberOperator('Ana Lima', storage);
    expect(loadRememberedOperator(storage)).toBe('Ana Lima');
    rememberOperator('  ', storage);
    expect(storage.items.size).toBe(0);
  });

  it('a storage that throws is treated as empty', () => {
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => undefined };
    expect(loadRememberedOperator(broken)).toBe('');
    expect(() => rememberOperator('x', broken)).not.toThrow();
  });

  it('flash:start carries the name trimmed', async () => {
    const { api, store } = setup();
    store.getState().setOperator('  Ana Lima ');
    await store.getState().startFlash();
    expect(api.callsTo('flash:start')).toMatchObject([{ device: '/dev/sdc', operator: 'Ana Lima' }]);
  });

  it('an empty field sends no operator (the server default applies)', async () => {
    const { api, store } = setup();
    store.getState().setOperator('   ');
    await store.getState().startFlash();
    expect(api.callsTo('flash:start')[0]).not.toHaveProperty('operator');
  });
});
