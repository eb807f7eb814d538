/**
 * Failure slice: the next actions the Done screen offers after a failed flash (see
 * view/failure-actions.ts for which ones), as store actions. Each leaves the finished job
 * behind and goes where the action says, with a fresh disk list where a disk is chosen.
 */
import type { SliceFactory } from './app-state.ts';
import type { FailureActionId } from '../view/failure-actions.ts';
import { isChoosable } from '../../../src/common/disk-choosable.ts';

export interface FailureSlice {
  /** "Verify image": the Done screen shows the `cosiflash verify` command for the image. */
  readonly verifyCommandShown: boolean;
  runFailureAction(id: FailureActionId): Promise<void>;
}

export const createFailureSlice: SliceFactory<FailureSlice> = () => (set, get) => ({
  verifyCommandShown: false,
  async runFailureAction(id) {
    const failedDevice = get().report?.device.path ?? get().flashDevice;
    switch (id) {
      case 'verify-image':
        set({ verifyCommandShown: true });
        return;
      case 'choose-another-image':
        set({ verifyCommandShown: false });
        get().startOver();
        return;
      case 'review-again': {
        // Inspect the same location again (pinned to the same expected hash, if one was given):
        // Review then shows the image as it is now.
        const result = get().inspectResult;
        get().resetFlash();
        set({ verifyCommandShown: false, step: 'source', ...(result === null ? {} : { location: result.source.location }), expectedHash: get().inspectedHash });
        await get().inspect();
        return;
      }
      case 'choose-disk-again':
        get().resetFlash();
        set({ verifyCommandShown: false, step: 'target', selectedDevice: null, moreDevices: [], userPicked: false, mountConsent: false, candidates: [] });
        await get().refreshDisks();
        return;
      case 'try-another-disk': {
        get().resetFlash();
        set({ verifyCommandShown: false, step: 'target', selectedDevice: null, moreDevices: [], userPicked: false, mountConsent: false });
        await get().refreshDisks();
        const other = get().candidates.find((candidate) => candidate.disk.device !== failedDevice && isChoosable(candidate) && candidate.eligible);
        if (get().selectedDevice === failedDevice || get().selectedDevice === null) set({ selectedDevice: other?.disk.device ?? null, userPicked: other !== undefined });
        return;
      }
      case 'try-again': {
        get().resetFlash();
        set({ verifyCommandShown: false, step: 'target', selectedDevice: failedDevice, userPicked: failedDevice !== null, mountConsent: false });
        await get().refreshDisks();
        // Straight to Confirm when the same disk is still there and choosable.
        if (get().selectedDevice === failedDevice) get().proceedToConfirm();
        return;
      }
    }
  },
});
