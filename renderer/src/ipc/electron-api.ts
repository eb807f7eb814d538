/**
 * The Electron transport: the preload script exposes the contract as `window.api`
 * (contextBridge), so this only finds it. The renderer never sees ipcRenderer itself.
 */
import type { Api } from './api.ts';

declare global {
  interface Window {
    /** Set by electron/preload through contextBridge; absent in a browser (web mode). */
    readonly api?: Api;
  }
}

/** The preload's API, or null when the page is not running inside Cosiflash's Electron window. */
export function findElectronApi(): Api | null {
  const api = window.api;
  return api !== undefined && typeof api.invoke === 'function' && typeof api.on === 'function' ? api : null;
}
