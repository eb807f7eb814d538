import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

// Minimal stand-ins for BrowserWindow, webContents, session and shell.
const fake = vi.hoisted(() => ({ windows: [] as unknown[], opened: [] as string[] }));
vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeWebContents extends Emitter {
    openHandler: ((details: { url: string }) => { action: string }) | null = null;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.openHandler = handler;
    }
  }
  class FakeBrowserWindow extends Emitter {
    readonly options: unknown;
    readonly webContents = new FakeWebContents();
    loadedUrl: string | null = null;
    constructor(options: unknown) {
      super();
      this.options = options;
      fake.windows.push(this);
    }
    async loadURL(url: string) {
      this.loadedUrl = url;
    }
    show() {}
  }
  return { BrowserWindow: FakeBrowserWindow, shell: { openExternal: async (url: string) => void fake.opened.push(url) } };
});

const { createMainWindow, guardWebContents, hardenSession, isAllowedExternalUrl } = await import('../../electron/window.ts');
const { appUrlPolicy } = await import('../../electron/app-url.ts');

const policy = appUrlPolicy();

function navigationEvent(url: string) {
  return { url, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
}

describe('window hardening', () => {
  it('creates the window sandboxed, isolated, without Node, loading the app page', () => {
    const window = createMainWindow({ preloadPath: '/opt/app/dist-electron/preload.cjs', policy, devTools: false }) as unknown as { options: { webPreferences: Record<string, unknown> }; loadedUrl: string };
    expect(window.options.webPreferences).toMatchObject({
      preload: '/opt/app/dist-electron/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
    expect(window.loadedUrl).toBe('app://cosiflash/index.html');
  });

  it('blocks navigation, redirects, webviews and new windows; opens only allowlisted links outside', () => {
    type OpenHandler = (details: { url: string }) => { action: string };
    const opener: { handler?: OpenHandler } = {};
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: (handler: OpenHandler) => (opener.handler = handler) });
    fake.opened.length = 0;
    guardWebContents(contents as never, { isAppUrl: policy.isAppUrl });
    guardWebContents(contents as never, { isAppUrl: policy.isAppUrl });
    expect(contents.listenerCount('will-navigate')).toBe(1);

    const away = navigationEvent('https://evil.example/');
    contents.emit('will-navigate', away);
    expect(away.defaultPrevented).toBe(true);
    const docs = navigationEvent('https://github.com/microsoft/trident');
    contents.emit('will-navigate', docs);
    expect(docs.defaultPrevented).toBe(true);
    const reload = navigationEvent(policy.entryUrl);
    contents.emit('will-navigate', reload);
    expect(reload.defaultPrevented).toBe(false);
    const redirect = navigationEvent('file:///etc/passwd');
    contents.emit('will-redirect', redirect);
    expect(redirect.defaultPrevented).toBe(true);
    const frame = navigationEvent('https://evil.example/frame');
    contents.emit('will-frame-navigate', frame);
    expect(frame.defaultPrevented).toBe(true);
    const webview = navigationEvent('about:blank');
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);

    expect(opener.handler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(opener.handler?.({ url: 'https://github.com/microsoft/trident/blob/main/docs/Reference/Composable-OS-Image.md' })).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual(['https://github.com/microsoft/trident', 'https://github.com/microsoft/trident/blob/main/docs/Reference/Composable-OS-Image.md']);
  });

  it('allows only https links to the documentation hosts', () => {
    expect(isAllowedExternalUrl('https://uapi-group.org/specifications/specs/discoverable_partitions_specification/')).toBe(true);
    expect(isAllowedExternalUrl('http://github.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://github.com.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
  });

  it('sets the CSP on every response and denies every permission', () => {
    type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, callback: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
    const captured: {
      headers?: HeadersListener;
      request?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
      check?: () => boolean;
      device?: () => boolean;
    } = {};
    const session = Object.assign(new EventEmitter(), {
      webRequest: { onHeadersReceived: (listener: HeadersListener) => (captured.headers = listener) },
      setPermissionRequestHandler: (handler: typeof captured.request) => (captured.request = handler),
      setPermissionCheckHandler: (handler: typeof captured.check) => (captured.check = handler),
      setDevicePermissionHandler: (handler: typeof captured.device) => (captured.device = handler),
    });
    hardenSession(session as never, { csp: "default-src 'none'" });

    let answered: Record<string, string[]> | null = null;
    captured.headers?.({ responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] } }, (response) => (answered = response.responseHeaders));
    expect(answered).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': ["default-src 'none'"] });
    for (const permission of ['notifications', 'media', 'geolocation', 'usb', 'openExternal']) {
      let granted: boolean | null = null;
      captured.request?.(null, permission, (value) => (granted = value));
      expect(granted).toBe(false);
    }
    expect(captured.check?.()).toBe(false);
    expect(captured.device?.()).toBe(false);
    const download = navigationEvent('https://x/');
    session.emit('will-download', download);
    expect(download.defaultPrevented).toBe(true);
  });
});
