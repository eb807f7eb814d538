/**
 * Review slice: inspecting the image (image:inspect reads only the metadata and the GPT with
 * range reads) and its result or error. A successful inspect records the image in the
 * recent list and moves on to the Review step.
 */
import type { InspectResult } from '../../../src/ipc/contract.ts';
import type { AppError } from '../../../src/model/app-error.ts';
import type { SliceFactory } from './app-state.ts';

export interface ReviewSlice {
  readonly inspecting: boolean;
  readonly inspectResult: InspectResult | null;
  readonly inspectError: AppError | null;
  /** The expected hash the current result was checked against ('' when none). */
  readonly inspectedHash: string;
  inspect(): Promise<void>;
  clearInspectError(): void;
}

/** Local check before asking main: an empty field gets a helpful message, not a round trip. */
export function checkLocationInput(location: string): AppError | null {
  if (location.trim() === '') {
    return {
      code: 'E_INPUT',
      title: 'No image given',
      detail: 'Enter the address of a .cosi image.',
      hint: 'Use an http(s):// or file:// URL, or a local path such as /srv/images/os.cosi.',
    };
  }
  return null;
}

export const createReviewSlice: SliceFactory<ReviewSlice> = (api) => {
  // Only the newest inspect may land: an older, slower answer is dropped.
  let generation = 0;
  return (set, get) => ({
    inspecting: false,
    inspectResult: null,
    inspectError: null,
    inspectedHash: '',
    clearInspectError() {
      set({ inspectError: null });
    },
    async inspect() {
      const location = get().location.trim();
      const expectedHash = get().expectedHash.trim();
      const inputError = checkLocationInput(location);
      if (inputError !== null) {
        set({ inspectError: inputError });
        return;
      }
      const mine = ++generation;
      set({ inspecting: true, inspectError: null });
      const result = await api.invoke('image:inspect', expectedHash === '' ? { location } : { location, expectedHash });
      if (mine !== generation) return;
      if (!result.ok) {
        set({ inspecting: false, inspectError: result.error });
        return;
      }
      set({
        inspecting: false,
        inspectResult: result.value,
        inspectedHash: expectedHash,
        // A new image invalidates the previous disk choice and any finished job.
        selectedDevice: null,
        moreDevices: [],
        confirmedMore: [],
        userPicked: false,
        mountConsent: false,
        candidates: [],
        step: 'review',
      });
      get().resetFlash();
      const label = result.value.layout.os.prettyName;
      const added = await api.invoke('recent:add', {
        location: result.value.source.location,
        ...(expectedHash === '' ? {} : { expectedHash }),
        ...(label === null ? {} : { label }),
      });
      if (added.ok) set({ recent: added.value });
    },
  });
};
