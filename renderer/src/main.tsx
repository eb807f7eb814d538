/**
 * Renderer entry: picks the transport (Electron preload or web-mode WebSocket), builds the
 * store, connects main's events to it through the IPC bridge, and renders the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/app.tsx';
import { pickApi } from './ipc/pick-api.ts';
import type { ConnectionState } from './ipc/api.ts';
import { createAppStore, type AppStore } from './store/create-app-store.ts';
import { connectStore, loadInitialState } from './store/ipc-bridge.ts';
import { StoreContext } from './store/use-app-store.ts';

let store: AppStore | null = null;
let early: ConnectionState = 'connecting';
const api = pickApi({
  onConnectionChange: (state) => {
    if (store === null) early = state;
    else store.getState().setConnection(state);
  },
});
store = createAppStore(api);
store.getState().setConnection(early);
connectStore(api, store);
void loadInitialState(api, store);

const container = document.getElementById('root');
if (container === null) throw new Error('index.html lacks #root');
createRoot(container).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  </StrictMode>,
);
