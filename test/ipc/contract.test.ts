import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNELS, EVENTS, isChannel, isEventName } from '../../src/ipc/contract.ts';
import { PAYLOAD_GUARDS } from '../../src/ipc/guards.ts';
import { createHandlers } from '../../src/service/create-handlers.ts';

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

  // What the preload forwards (contract channels and events only) is tested in test/electron/preload.test.ts.
  it('has the same set in the channel list, the guards and the handler table', async () => {
    const runtime = createHandlers({ mode: 'web', configDir });
    const expected = sorted(CHANNELS);
    expect(sorted(Object.keys(PAYLOAD_GUARDS))).toEqual(expected);
    expect(sorted(Object.keys(runtime.handlers))).toEqual(expected);
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
