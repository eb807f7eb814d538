/**
 * Source slice: where the image comes from (URL or path), the optional expected image hash,
 * and the recently used images persisted by main (recent:* channels).
 */
import type { CachedImage, RecentImage } from '../../../src/ipc/contract.ts';
import type { AppError } from '../../../src/model/app-error.ts';
import type { SliceFactory } from './app-state.ts';

export interface SourceSlice {
  readonly location: string;
  readonly expectedHash: string;
  readonly recent: readonly RecentImage[];
  /** Images in the verified image cache (cache:list), shown next to the recent ones. */
  readonly cached: readonly CachedImage[];
  /** A failure of browse/drop (inspect errors live in the review slice). */
  readonly sourceError: AppError | null;
  setLocation(location: string): void;
  setExpectedHash(expectedHash: string): void;
  /** Fills the form from a recent entry (does not inspect by itself). */
  pickRecent(entry: RecentImage): void;
  loadRecent(): Promise<void>;
  removeRecent(location: string): Promise<void>;
  /** Removes an image from the image cache (the recent entry stays). */
  removeCached(location: string): Promise<void>;
  /** Native file dialog (Electron only); fills the location when the user picked a file. */
  browse(): Promise<void>;
  /** A dropped DOM File: its local path when the front end exposes one (Electron), else an explanation. */
  dropFile(file: object, fileName: string): void;
}

export const createSourceSlice: SliceFactory<SourceSlice> = (api) => (set) => ({
  location: '',
  expectedHash: '',
  recent: [],
  cached: [],
  sourceError: null,
  setLocation(location) {
    set({ location, sourceError: null });
  },
  setExpectedHash(expectedHash) {
    set({ expectedHash });
  },
  pickRecent(entry) {
    set({ location: entry.location, expectedHash: entry.expectedHash ?? '', sourceError: null });
  },
  async loadRecent() {
    const result = await api.invoke('recent:list', {});
    if (result.ok) set({ recent: result.value });
    // Which of them are in the image cache (a front end without the channel simply shows none).
    const cache = await api.invoke('cache:list', {}).catch(() => null);
    if (cache?.ok === true) set({ cached: cache.value.entries });
  },
  async removeCached(location) {
    const result = await api.invoke('cache:remove', { location });
    if (result.ok) set({ cached: result.value.entries, sourceError: null });
    else set({ sourceError: result.error });
  },
  async removeRecent(location) {
    const result = await api.invoke('recent:remove', { location });
    if (result.ok) set({ recent: result.value });
  },
  async browse() {
    const result = await api.invoke('image:browse', {});
    if (!result.ok) {
      set({ sourceError: result.error });
      return;
    }
    if (result.value !== null) set({ location: result.value, sourceError: null });
  },
  dropFile(file, fileName) {
    const localPath = api.pathForFile?.(file) ?? null;
    if (localPath === null) {
      set({
        sourceError: {
          code: 'E_INPUT',
          title: 'Cannot open a dropped file here',
          detail: `The browser does not reveal where “${fileName}” is stored, so the server cannot read it.`,
          hint: 'Paste its path or a URL into “Image URL” instead.',
        },
      });
      return;
    }
    if (!/\.cosi$/i.test(localPath)) {
      set({
        sourceError: {
          code: 'E_INPUT',
          title: 'Not a COSI file',
          detail: `“${fileName}” does not end in .cosi.`,
          hint: 'Drop a .cosi image, or paste its path into “Image URL”.',
        },
      });
      return;
    }
    set({ location: localPath, sourceError: null });
  },
});
