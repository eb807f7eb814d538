/**
 * Wiring of electron/main.ts against a thin stand-in for Electron's modules: single-instance
 * lock, hardened session, the one window, every contract channel registered with sender
 * checks, and the handler table answering as the desktop app ('electron' mode, native dialogs).
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, type Result } from '../../src/ipc/contract.ts';
import { contentSecurityPolicy } from '../../src/web/content-security-policy.ts';

type Listener = (event: unknown, payload: unknown) => Promise<Result<unknown>>;

const fake = vi.hoisted(() => ({
  handlers: new Map<string, Listener>(),
  windows: [] as { options: { webPreferences: Record<string, unknown> }; webContents: { mainFrame: { url: string; parent: null }; sent: [string, unknown][] }; loadedUrl: string | null }[],
  headersHooked: false,
  permissionHandler: null as null | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void),
  appEvents: [] as string[],
  schemes: [] as { scheme: string; privileges: Record<string, boolean> }[],
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeWebContents extends Emitter {
    readonly mainFrame = { url: '', parent: null };
    readonly sent: [string, unknown][] = [];
    setWindowOpenHandler() {}
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
  }
  class FakeBrowserWindow extends Emitter {
    readonly webContents = new FakeWebContents();
    loadedUrl: string | null = null;
    readonly options: { webPreferences: Record<string, unknown> };
    constructor(options: { webPreferences: Record<string, unknown> }) {
      super();
      this.options = options;
      fake.windows.push(this as never);
    }
    async loadURL(url: string) {
      this.loadedUrl = url;
      this.webContents.mainFrame.url = url;
    }
    isDestroyed() {
      return false;
    }
    setProgressBar() {}
    show() {}
  }
  const app = Object.assign(new Emitter(), {
    isPackaged: true,
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    quit: () => fake.appEvents.push('quit'),
    getPath: () => os.tmpdir(),
  });
  const session = {
    defaultSession: Object.assign(new Emitter(), {
      webRequest: { onHeadersReceived: () => (fake.headersHooked = true) },
      setPermissionRequestHandler: (handler: typeof fake.permissionHandler) => (fake.permissionHandler = handler),
      setPermissionCheckHandler: () => undefined,
      setDevicePermissionHandler: () => undefined,
    }),
  };
  return {
    app,
    session,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: { handle: (channel: string, listener: Listener) => fake.handlers.set(channel, listener), removeHandler: (channel: string) => fake.handlers.delete(channel) },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }), showMessageBoxSync: () => 0 },
    Notification: { isSupported: () => false },
    powerSaveBlocker: { start: () => 1, stop: () => undefined },
    shell: { openExternal: async () => undefined },
    protocol: {
      registerSchemesAsPrivileged: (schemes: typeof fake.schemes) => fake.schemes.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => fake.protocolHandlers.set(scheme, handler),
    },
  };
});

let configDir: string;
const previousConfigDir = process.env['COSIFLASH_CONFIG_DIR'];
beforeAll(async () => {
  configDir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-main-'));
  process.env['COSIFLASH_CONFIG_DIR'] = configDir;
  await import('../../electron/main.ts');
  await vi.waitFor(() => expect(fake.handlers.size).toBe(CHANNELS.length));
});
afterAll(async () => {
  if (previousConfigDir === undefined) delete process.env['COSIFLASH_CONFIG_DIR'];
  else process.env['COSIFLASH_CONFIG_DIR'] = previousConfigDir;
  await rm(configDir, { recursive: true, force: true });
});

describe('electron/main.ts', () => {
  it('creates one hardened window on the built renderer, served from app://, and hardens the session', async () => {
    expect(fake.windows).toHaveLength(1);
    const [window] = fake.windows;
    expect(window?.loadedUrl).toBe('app://cosiflash/index.html');
    expect(fake.schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    // The scheme serves the built renderer (dist/renderer) with web mode's policy.
    const page = await fake.protocolHandlers.get('app')?.(new Request('app://cosiflash/index.html'));
    expect(page?.status).toBe(200);
    expect(page?.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(await page?.text()).toBe(readFileSync(path.resolve(import.meta.dirname, '../../dist/renderer/index.html'), 'utf8'));
    expect(window?.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, devTools: false });
    expect(String(window?.options.webPreferences['preload'])).toMatch(/preload\.cjs$/);
    expect(fake.headersHooked).toBe(true);
    let granted: boolean | null = null;
    fake.permissionHandler?.(null, 'notifications', (value) => (granted = value));
    expect(granted).toBe(false);
  });

  it('registers every contract channel and answers the window as the desktop app', async () => {
    expect([...fake.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    const window = fake.windows[0];
    if (window === undefined) throw new Error('no window');
    const event = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    const info = await fake.handlers.get('app:info')?.(event, {});
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron', capabilities: { browse: true, saveDialog: true, dropPaths: true, virtualDisks: false } } });
    expect(await fake.handlers.get('image:browse')?.(event, {})).toEqual({ ok: true, value: null });
  });

  it('refuses calls that do not come from the window main frame', async () => {
    const window = fake.windows[0];
    if (window === undefined) throw new Error('no window');
    const stranger = Object.assign(new EventEmitter(), { mainFrame: { url: window.webContents.mainFrame.url, parent: null } });
    const fromStranger = await fake.handlers.get('app:info')?.({ sender: stranger, senderFrame: stranger.mainFrame }, {});
    expect(fromStranger).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    const subframe = { url: window.webContents.mainFrame.url, parent: window.webContents.mainFrame };
    const fromSubframe = await fake.handlers.get('recent:list')?.({ sender: window.webContents, senderFrame: subframe }, {});
    expect(fromSubframe).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
  });
});
