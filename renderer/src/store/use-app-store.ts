/**
 * React access to the store: a context holding the store and a selector hook.
 * Components read state and call actions through this hook only.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AppState } from './app-state.ts';
import type { AppStore } from './create-app-store.ts';

export const StoreContext = createContext<AppStore | null>(null);

export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('useAppStore needs <StoreContext.Provider>.');
  return useStore(store, selector);
}
