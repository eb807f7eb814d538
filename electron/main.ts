/**
 * Electron main: app lifecycle, the one window, and the shared handler table
 * (src/service/create-handlers.ts) registered over ipcMain. Main runs as the user; disk
 * writes happen in a separate writer process (elevated through pkexec when needed), because
 * Chromium refuses to run as root with its sandbox.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Notification, app, dialog, ipcMain, powerSaveBlocker, protocol, session } from 'electron';
import { contentSecurityPolicy } from '../src/web/content-security-policy.ts';
import { createHandlers, type HandlerRuntime } from '../src/service/create-handlers.ts';
import { loadCoreServices } from '../src/service/core-services.ts';
import { cacheSetting } from '../src/service/cache-setting.ts';
import { configDir } from '../src/service/config-dir.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './app-protocol.ts';
import { appUrlPolicy } from './app-url.ts';
import { FlashFeedback } from './flash-feedback.ts';
import { registerHandlers } from './register-handlers.ts';
import { isTrustedSender } from './sender-check.ts';
import { createMainWindow, guardWebContents, hardenSession } from './window.ts';
import { electronWriterLaunch } from './writer-launch.ts';

const bundleDir = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(bundleDir, '..', 'dist', 'renderer');
const policy = appUrlPolicy({ devServerUrl: app.isPackaged ? null : (process.env['COSIFLASH_DEV_SERVER_URL'] ?? null) });
// The renderer's scheme must be registered before the app is ready.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
const allowLoop = process.argv.includes('--allow-loop') || process.env['COSIFLASH_ALLOW_LOOP'] === '1';

let mainWindow: BrowserWindow | null = null;
let runtime: HandlerRuntime | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow === null) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  // Any webContents that ever appears gets the same navigation/window guards.
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, { isAppUrl: policy.isAppUrl }));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => void runtime?.dispose());
  void app.whenReady().then(start);
}

function start(): void {
  // Exactly web mode's policy; only the dev server adds its HMR socket.
  const csp = contentSecurityPolicy({ connectSources: policy.connectSources });
  protocol.handle(APP_SCHEME, appProtocolHandler({ root: rendererDir, csp }));
  hardenSession(session.defaultSession, { csp });
  const handlerRuntime = createHandlers({
    mode: 'electron',
    // The core operations, imported once (src/service/core-services.ts) and passed in.
    core: loadCoreServices(),
    // The verified image cache is on unless settings.json says "imageCache": false.
    cache: cacheSetting(configDir()),
    allowLoop,
    dropPaths: true,
    writerLaunch: () => electronWriterLaunch({ bundleDir, ...(app.isPackaged ? { resourcesPath: process.resourcesPath } : {}) }),
    browse: async () => {
      const options: Electron.OpenDialogOptions = {
        title: 'Open a COSI image',
        properties: ['openFile'],
        filters: [
          { name: 'COSI images', extensions: ['cosi'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    chooseReportPath: async (suggestedName) => {
      const options: Electron.SaveDialogOptions = {
        title: 'Save flash report',
        defaultPath: path.join(app.getPath('documents'), suggestedName),
        filters: [{ name: 'JSON report', extensions: ['json'] }],
      };
      const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  });
  runtime = handlerRuntime;

  const window = createMainWindow({ preloadPath: path.join(bundleDir, 'preload.cjs'), policy, devTools: !app.isPackaged });
  mainWindow = window;
  registerHandlers({
    ipcMain,
    handlers: handlerRuntime.handlers,
    isTrustedSender: (event) => isTrustedSender(event, { webContents: mainWindow?.webContents ?? null, isAppUrl: policy.isAppUrl }),
    onRefused: (channel, event) => console.warn(`cosiflash: refused ${channel} from ${event.senderFrame?.url ?? 'an unknown frame'}`),
  });

  const feedback = new FlashFeedback({
    setProgress: (fraction, mode) => {
      if (!window.isDestroyed()) window.setProgressBar(fraction, { mode });
    },
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    blockSleep: () => powerSaveBlocker.start('prevent-app-suspension'),
    unblockSleep: (id) => powerSaveBlocker.stop(id),
  });
  handlerRuntime.events.subscribe((message) => {
    if (message.event === 'flash:progress') feedback.onProgress(message.payload);
    if (!window.isDestroyed()) window.webContents.send(message.event, message.payload);
  });
  void handlerRuntime.start();

  window.on('close', (event) => {
    if (handlerRuntime.jobs.runningCount === 0) return;
    event.preventDefault();
    const choice = dialog.showMessageBoxSync(window, {
      type: 'warning',
      buttons: ['Keep flashing', 'Cancel the flash and quit'],
      defaultId: 0,
      cancelId: 0,
      title: 'A flash is running',
      message: 'Quitting now cancels the flash.',
      detail: 'The disk will be left without a valid partition table and must be flashed again before use.',
    });
    if (choice === 1) void handlerRuntime.dispose().finally(() => window.destroy());
  });
  window.on('closed', () => {
    mainWindow = null;
  });
}
