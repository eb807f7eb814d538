import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { appUrlPolicy } from '../../electron/app-url.ts';
import { registerHandlers } from '../../electron/register-handlers.ts';
import { isTrustedSender } from '../../electron/sender-check.ts';
import { CHANNELS, type HandlerTable, type Result } from '../../src/ipc/contract.ts';
import { CosiflashError } from '../../src/errors.ts';

type Listener = (event: IpcMainInvokeEvent, payload: unknown) => Promise<Result<unknown>>;

/** A stand-in for ipcMain: records what main registers. */
function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle: (channel: string, listener: Listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel: string) => {
      handlers.delete(channel);
    },
  };
}

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

function fakeContents(url: string): { contents: WebContents; mainFrame: FakeFrame } {
  const mainFrame: FakeFrame = { url, parent: null };
  return { contents: { mainFrame } as unknown as WebContents, mainFrame };
}

function eventFrom(contents: WebContents, frame: FakeFrame | null): IpcMainInvokeEvent {
  return { sender: contents, senderFrame: frame } as unknown as IpcMainInvokeEvent;
}

const policy = appUrlPolicy();
const calls: string[] = [];
const handlers = Object.fromEntries(
  CHANNELS.map((channel) => [
    channel,
    async (payload: unknown) => {
      calls.push(channel);
      if (channel === 'report:get') throw new CosiflashError('E_INPUT', 'No flash job with id x.');
      return { echoed: payload };
    },
  ]),
) as unknown as HandlerTable;

function setup() {
  const ipcMain = fakeIpcMain();
  const app = fakeContents(policy.entryUrl);
  const unregister = registerHandlers({ ipcMain, handlers, isTrustedSender: (event) => isTrustedSender(event, { webContents: app.contents, isAppUrl: policy.isAppUrl }) });
  const call = (channel: string, event: IpcMainInvokeEvent, payload: unknown) => {
    const listener = ipcMain.handlers.get(channel);
    if (listener === undefined) throw new Error(`no handler for ${channel}`);
    return listener(event, payload);
  };
  return { ipcMain, app, unregister, call };
}

describe('registerHandlers', () => {
  it('registers exactly the contract channels and removes them again', () => {
    const { ipcMain, unregister } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('answers the app window main frame with the handler result in the envelope', async () => {
    const { app, call } = setup();
    const result = await call('app:info', eventFrom(app.contents, app.mainFrame), {});
    expect(result).toEqual({ ok: true, value: { echoed: {} } });
    // query and fragment of the page do not matter
    app.mainFrame.url = `${policy.entryUrl}?x=1#/flash`;
    expect((await call('app:info', eventFrom(app.contents, app.mainFrame), {})).ok).toBe(true);
  });

  it('turns thrown errors into AppError data, never an Error', async () => {
    const { app, call } = setup();
    const result = await call('report:get', eventFrom(app.contents, app.mainFrame), { jobId: 'x' });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'E_INPUT', detail: 'No flash job with id x.' }) });
    expect((result as { error: unknown }).error).not.toBeInstanceOf(Error);
  });

  it('refuses payloads that fail the guard without calling the handler', async () => {
    const { app, call } = setup();
    calls.length = 0;
    const result = await call('image:inspect', eventFrom(app.contents, app.mainFrame), { location: 42 });
    expect(result).toMatchObject({ ok: false, error: { code: 'E_INPUT' } });
    expect(calls).toEqual([]);
  });

  it('refuses another webContents, a subframe, a wrong URL and a missing frame', async () => {
    const { app, call } = setup();
    const other = fakeContents(policy.entryUrl);
    const subframe: FakeFrame = { url: policy.entryUrl, parent: app.mainFrame };
    const wrongUrl = fakeContents('https://evil.example/');
    const otherFile = fakeContents('file:///tmp/index.html');
    const cases: IpcMainInvokeEvent[] = [
      eventFrom(other.contents, other.mainFrame),
      eventFrom(app.contents, subframe),
      eventFrom(app.contents, null),
      // the app's own webContents after navigating elsewhere
      eventFrom(app.contents, { url: 'https://evil.example/', parent: null }),
      eventFrom(wrongUrl.contents, wrongUrl.mainFrame),
      eventFrom(otherFile.contents, otherFile.mainFrame),
    ];
    calls.length = 0;
    for (const event of cases) {
      const result = await call('flash:start', event, { location: '/a.cosi', reviewedImageHash: 'sha384:00', device: '/dev/sdb', confirmedDisk: { device: '/dev/sdb', sizeBytes: 1024, logicalSectorBytes: 512, diskseq: null, majMin: null, serial: null, model: null }, verify: true, unmount: false, allowVirtual: false });
      expect(result).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    }
    expect(calls).toEqual([]);
  });
});

describe('appUrlPolicy', () => {
  it('accepts a loopback dev server only and matches its origin', () => {
    const dev = appUrlPolicy({ devServerUrl: 'http://localhost:5173/' });
    expect(dev.entryUrl).toBe('http://localhost:5173/');
    expect(dev.isAppUrl('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(dev.isAppUrl('http://localhost:5174/')).toBe(false);
    const remote = appUrlPolicy({ devServerUrl: 'http://example.com:5173/' });
    expect(remote.entryUrl).toBe('app://cosiflash/index.html');
    expect(remote.isAppUrl('http://example.com:5173/')).toBe(false);
    expect(remote.isAppUrl('app://cosiflash/index.html#/done')).toBe(true);
    expect(remote.isAppUrl('app://cosiflash/other.html')).toBe(false);
    expect(remote.isAppUrl('file:///x/index.html')).toBe(false);
    expect(remote.isAppUrl('not a url')).toBe(false);
  });
});
