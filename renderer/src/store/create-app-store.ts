/**
 * Builds the one zustand store from its typed slices around a transport.
 * Vanilla store, so slices are testable without React or a DOM; React reads it with
 * `useStore` (see use-app-store.ts).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Api } from '../ipc/api.ts';
import type { AppState } from './app-state.ts';
import { createFailureSlice } from './failure-slice.ts';
import { createFlashSlice } from './flash-slice.ts';
import { createHistorySlice } from './history-slice.ts';
import { createReviewSlice } from './review-slice.ts';
import { createSourceSlice } from './source-slice.ts';
import { createStationSlice } from './station-slice.ts';
import { createTargetSlice } from './target-slice.ts';
import { createUiSlice } from './ui-slice.ts';

export type AppStore = StoreApi<AppState>;

export function createAppStore(api: Api): AppStore {
  return createStore<AppState>()((...args) => ({
    ...createSourceSlice(api)(...args),
    ...createReviewSlice(api)(...args),
    ...createTargetSlice(api)(...args),
    ...createFlashSlice(api)(...args),
    ...createUiSlice(api)(...args),
    ...createHistorySlice(api)(...args),
    ...createStationSlice(api)(...args),
    ...createFailureSlice(api)(...args),
  }));
}
