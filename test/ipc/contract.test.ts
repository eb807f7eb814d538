import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENTS, isChannel, isEventName } from '../../src/ipc/contract.ts';
import { PAYLOAD_GUARDS } from '../../src/ipc/guards.ts';
import { createHandlers } from '../../src/server/create-handlers.ts';

// The preload module talks to Electron at import time; give it a minimal stand-in.
const exposed = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (_key: string, value: unknown) => (exposed.api = value) },
  ipcRenderer: { invoke: async () => ({ ok: true, value: null }), on: () => undefined, removeListener: () => undefined },
  webUtils: { getPathForFile: () => '' },
}));

const configDir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-contract-'));
afterAll(() => rm(configDir, { recursive: true, force: true }));

const sorted = (values: Iterable<string>): string[] => [...values].sort();

describe('IPC contract', () => {
  it('names every channel and event once, as domain:verb', () => {
    for (const name of [...CHANNELS, ...EVENTS]) expect(name).toMatch(/^[a-z]+:[a-z]+(-[a-z]+)*$/);
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length);
    expect(new Set(EVENTS).size).toBe(EVENTS.length);
    expect(CHANNELS.filter((channel) => (EVENTS as readonly string[]).includes(channel))).toEqual([]);
  });

  it('has the same set in the channel list, the guards, the handler table and the preload allowlist', async () => {
    const runtime = createHandlers({ mode: 'web', configDir });
    const { PRELOAD_CHANNELS, PRELOAD_EVENTS } = await import('../../electron/preload.ts');
    const expected = sorted(CHANNELS);
    expect(sorted(Object.keys(PAYLOAD_GUARDS))).toEqual(expected);
    expect(sorted(Object.keys(runtime.handlers))).toEqual(expected);
    expect(sorted(PRELOAD_CHANNELS)).toEqual(expected);
    expect(sorted(PRELOAD_EVENTS)).toEqual(sorted(EVENTS));
    expect(exposed.api).not.toBeNull();
    await runtime.dispose();
  });

  it('recognises only contract names at run time', () => {
    expect(isChannel('app:info')).toBe(true);
    expect(isChannel('app:quit')).toBe(false);
    expect(isChannel('toString')).toBe(false);
    expect(isChannel(42)).toBe(false);
    expect(isEventName('flash:progress')).toBe(true);
    expect(isEventName('flash:start')).toBe(false);
  });
});
