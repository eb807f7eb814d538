/**
 * History slice: the flash log as the History view shows it (log:list with a filter), and
 * its CSV export (log:csv, downloaded by the browser).
 */
import type { LogQueryRequest } from '../../../src/ipc/contract.ts';
import type { AppError } from '../../../src/model/app-error.ts';
import type { FlashLogEntry } from '../../../src/model/flash-log-entry.ts';
import { downloadText } from '../view/download-text.ts';
import type { SliceFactory } from './app-state.ts';

export interface HistorySlice {
  readonly historyOpen: boolean;
  readonly historyQuery: LogQueryRequest;
  readonly historyEntries: readonly FlashLogEntry[];
  readonly historyTotal: number;
  readonly historyFile: string | null;
  readonly historyLoading: boolean;
  readonly historyError: AppError | null;
  openHistory(): Promise<void>;
  closeHistory(): void;
  setHistoryQuery(change: Partial<LogQueryRequest>): Promise<void>;
  refreshHistory(): Promise<void>;
  /** Downloads the filtered entries as CSV; returns the file name offered. */
  exportHistoryCsv(): Promise<string | null>;
}

export const createHistorySlice: SliceFactory<HistorySlice> = (api) => {
  let generation = 0;
  return (set, get) => ({
    historyOpen: false,
    historyQuery: { text: '', result: null, since: null },
    historyEntries: [],
    historyTotal: 0,
    historyFile: null,
    historyLoading: false,
    historyError: null,
    async openHistory() {
      set({ historyOpen: true });
      await get().refreshHistory();
    },
    closeHistory() {
      set({ historyOpen: false });
    },
    async setHistoryQuery(change) {
      set({ historyQuery: { ...get().historyQuery, ...change } });
      await get().refreshHistory();
    },
    async refreshHistory() {
      generation += 1;
      const mine = generation;
      set({ historyLoading: true });
      const result = await api.invoke('log:list', get().historyQuery);
      if (mine !== generation) return;
      if (result.ok) set({ historyLoading: false, historyError: null, historyEntries: result.value.entries, historyTotal: result.value.totalCount, historyFile: result.value.file });
      else set({ historyLoading: false, historyError: result.error });
    },
    async exportHistoryCsv() {
      const result = await api.invoke('log:csv', get().historyQuery);
      if (!result.ok) {
        set({ historyError: result.error });
        return null;
      }
      const name = `cosiflash-flash-log-${new Date().toISOString().slice(0, 10)}.csv`;
      downloadText(name, result.value, 'text/csv');
      return name;
    },
  });
};
