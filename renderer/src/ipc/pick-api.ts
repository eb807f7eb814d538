/**
 * Chooses the transport at startup: the Electron preload's `window.api` when present,
 * otherwise the web-mode WebSocket to the server that served this page.
 */
import type { Api, ConnectionState } from './api.ts';
import { findElectronApi } from './electron-api.ts';
import { createWebApi } from './web-api.ts';

export function pickApi(options: { onConnectionChange: (state: ConnectionState) => void }): Api {
  const electron = findElectronApi();
  if (electron !== null) {
    options.onConnectionChange('open');
    return electron;
  }
  return createWebApi({ pageUrl: window.location.href, onConnectionChange: options.onConnectionChange });
}
