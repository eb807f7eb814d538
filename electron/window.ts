/**
 * All window hardening in one place (Electron security checklist): a sandboxed renderer with
 * context isolation and no Node, a CSP on every response, no navigation away from the app,
 * no new windows, no webviews, every permission request denied, and external links opened
 * in the user's browser only for an allowlist of documentation hosts.
 */
import { BrowserWindow, shell, type Session, type WebContents, type WebPreferences } from 'electron';
import type { AppUrlPolicy } from './app-url.ts';

/** Hosts whose https links may open in the system browser (COSI spec, DPS, project pages). */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['github.com', 'microsoft.github.io', 'learn.microsoft.com', 'uapi-group.org'];

export function isAllowedExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && EXTERNAL_LINK_HOSTS.includes(parsed.hostname);
  } catch {
    return false;
  }
}

/** The renderer's web preferences: nothing here may be loosened without a security review. */
export function hardenedWebPreferences(options: { preloadPath: string; devTools: boolean }): WebPreferences {
  return {
    preload: options.preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: options.devTools,
  };
}

/** CSP header on every response, and every permission (camera, notifications, USB, …) denied. */
export function hardenSession(session: Session, options: { csp: string }): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [options.csp] } });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
}

const guarded = new WeakSet<WebContents>();

/**
 * Navigation, redirects, new windows and webviews: only the app itself, nothing else.
 * Idempotent: main applies it to every webContents created, the window applies it to its own.
 */
export function guardWebContents(contents: WebContents, options: { isAppUrl: (url: string) => boolean }): void {
  if (guarded.has(contents)) return;
  guarded.add(contents);
  const openIfAllowed = (url: string): void => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
  };
  contents.on('will-navigate', (event) => {
    if (options.isAppUrl(event.url)) return;
    event.preventDefault();
    openIfAllowed(event.url);
  });
  contents.on('will-frame-navigate', (event) => {
    if (!options.isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!options.isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url);
    return { action: 'deny' };
  });
}

/** Creates the one app window, hardened, loading the app page. */
export function createMainWindow(options: { preloadPath: string; policy: AppUrlPolicy; devTools: boolean }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 780,
    minWidth: 760,
    minHeight: 560,
    show: false,
    title: 'Cosiflash',
    backgroundColor: '#1b1d22',
    webPreferences: hardenedWebPreferences(options),
  });
  guardWebContents(window.webContents, { isAppUrl: options.policy.isAppUrl });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.policy.entryUrl);
  return window;
}
