/**
 * UI slice: which step is on screen, what the front end can do (app:info) and the
 * transport's connection state.
 */
import type { AppInfo } from '../../../src/ipc/contract.ts';
import type { ConnectionState } from '../ipc/api.ts';
import type { SliceFactory } from './app-state.ts';
import { canNavigateTo, stepAvailability, type Step } from './steps.ts';

export interface UiSlice {
  readonly step: Step;
  readonly appInfo: AppInfo | null;
  readonly connection: ConnectionState;
  /** Station mode with auto-flash: the lanes are shown instead of the step flow. */
  readonly stationViewOpen: boolean;
  leaveStationView(): void;
  openStationView(): void;
  /** Jump to a step from the step header; ignored when that step is not reachable yet. */
  goTo(step: Step): void;
  setConnection(state: ConnectionState): void;
  loadAppInfo(): Promise<void>;
}

export const createUiSlice: SliceFactory<UiSlice> = (api) => (set, get) => ({
  step: 'source',
  appInfo: null,
  connection: 'connecting',
  stationViewOpen: true,
  leaveStationView() {
    set({ stationViewOpen: false, step: get().inspectResult === null ? 'source' : 'target' });
    if (get().inspectResult !== null) void get().refreshDisks();
  },
  openStationView() {
    set({ stationViewOpen: true });
  },
  goTo(step) {
    if (canNavigateTo(step, stepAvailability(get()))) set({ step });
  },
  setConnection(connection) {
    set({ connection });
  },
  async loadAppInfo() {
    const result = await api.invoke('app:info', {});
    if (result.ok) set({ appInfo: result.value });
  },
});
