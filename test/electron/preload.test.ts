import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENTS, type CosiflashApi } from '../../src/ipc/contract.ts';

// A thin stand-in for the parts of Electron the preload touches.
const fake = vi.hoisted(() => {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    exposed: new Map<string, unknown>(),
    invoked: [] as { channel: string; payload: unknown }[],
    listeners,
    emit(event: string, payload: unknown) {
      for (const listener of listeners.get(event) ?? []) listener({ sender: null }, payload);
    },
  };
});
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => fake.exposed.set(key, value) },
  ipcRenderer: {
    invoke: async (channel: string, payload: unknown) => {
      fake.invoked.push({ channel, payload });
      if (channel === 'flash:list') throw new Error('No handler registered for flash:list');
      return { ok: true, value: channel };
    },
    on: (event: string, listener: (...args: unknown[]) => void) => {
      if (!fake.listeners.has(event)) fake.listeners.set(event, new Set());
      fake.listeners.get(event)?.add(listener);
    },
    removeListener: (event: string, listener: (...args: unknown[]) => void) => {
      fake.listeners.get(event)?.delete(listener);
    },
  },
  webUtils: { getPathForFile: (file: { path?: string }) => file.path ?? '' },
}));

let api: CosiflashApi;
beforeAll(async () => {
  await import('../../electron/preload.ts');
  api = fake.exposed.get('api') as CosiflashApi;
});

describe('preload', () => {
  it('exposes one frozen object, window.api, with invoke, on and pathForFile only', () => {
    expect([...fake.exposed.keys()]).toEqual(['api']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'pathForFile']);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('forwards every contract channel and nothing else', async () => {
    fake.invoked.length = 0;
    for (const channel of CHANNELS) await api.invoke(channel, {} as never);
    expect(fake.invoked.map((call) => call.channel)).toEqual([...CHANNELS]);
    fake.invoked.length = 0;
    for (const channel of ['app:quit', 'ELECTRON_BROWSER_REQUIRE', '__proto__', 'image:inspect ']) {
      const result = await api.invoke(channel as never, {} as never);
      expect(result).toMatchObject({ ok: false, error: { code: 'E_INPUT' } });
    }
    expect(fake.invoked).toEqual([]);
  });

  it('turns a transport rejection into an error envelope', async () => {
    const result = await api.invoke('flash:list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'E_INTERNAL' } });
  });

  it('subscribes to contract events only, hides the Electron event and unsubscribes', () => {
    const seen: unknown[] = [];
    const unsubscribe = api.on('flash:progress', (payload) => seen.push(payload));
    fake.emit('flash:progress', { type: 'retry', jobId: 'j', attempt: 1, offsetBytes: 0, reason: 'x' });
    expect(seen).toEqual([{ type: 'retry', jobId: 'j', attempt: 1, offsetBytes: 0, reason: 'x' }]);
    unsubscribe();
    fake.emit('flash:progress', { type: 'retry' });
    expect(seen).toHaveLength(1);
    expect(fake.listeners.get('flash:progress')?.size ?? 0).toBe(0);

    const before = new Set(fake.listeners.keys());
    const noop = api.on('ipc:anything' as never, () => undefined);
    expect(typeof noop).toBe('function');
    expect(new Set(fake.listeners.keys())).toEqual(before);
    expect(EVENTS.length).toBeGreaterThan(0);
  });

  it('gives dropped files their path, or null', () => {
    expect(api.pathForFile?.({ path: '/home/u/a.cosi' })).toBe('/home/u/a.cosi');
    expect(api.pathForFile?.({})).toBeNull();
  });
});
