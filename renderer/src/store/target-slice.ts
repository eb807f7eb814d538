/**
 * Target slice: the disks main reports (disks:list, evaluated for the inspected image),
 * the "show virtual disks" toggle, the highlighted disk and the unmount consent.
 * Hotplug (disks:changed, via the IPC bridge) triggers a fresh listing.
 */
import { diskIdentityOf } from '../../../src/common/disk-identity-of.ts';
import type { DiskIdentity } from '../../../src/model/disk-identity.ts';
import type { DiskCandidate } from '../../../src/model/disk-info.ts';
import type { AppError } from '../../../src/model/app-error.ts';
import type { SliceFactory } from './app-state.ts';
import { isChoosable } from '../../../src/common/disk-choosable.ts';
import { chooseHighlighted } from './disk-choice.ts';

export interface TargetSlice {
  readonly candidates: readonly DiskCandidate[];
  readonly disksLoading: boolean;
  readonly disksError: AppError | null;
  readonly showVirtual: boolean;
  readonly selectedDevice: string | null;
  /** The user clicked a disk (kept across hotplug while it stays choosable). */
  readonly userPicked: boolean;
  /** The user agreed that the target's mounted partitions may be unmounted. */
  readonly mountConsent: boolean;
  /**
   * The identity of the disk the user chose, taken when they went on to Confirm: flash:start
   * sends it, so main and the writer refuse (E_DISK_CHANGED) if another disk takes its path
   * meanwhile, even when a hotplug refresh has put that other disk into `candidates`.
   */
  readonly confirmedDisk: DiskIdentity | null;
  refreshDisks(): Promise<void>;
  setShowVirtual(show: boolean): Promise<void>;
  selectDisk(device: string): void;
  setMountConsent(consent: boolean): void;
  /** Target → Confirm, when a choosable disk is highlighted. */
  proceedToConfirm(): void;
}

/** The candidate currently highlighted, if any. */
export function selectedCandidate(state: { readonly candidates: readonly DiskCandidate[]; readonly selectedDevice: string | null }): DiskCandidate | null {
  return state.candidates.find((candidate) => candidate.disk.device === state.selectedDevice) ?? null;
}

export const createTargetSlice: SliceFactory<TargetSlice> = (api) => {
  let generation = 0;
  return (set, get) => ({
    candidates: [],
    disksLoading: false,
    disksError: null,
    showVirtual: false,
    selectedDevice: null,
    userPicked: false,
    mountConsent: false,
    confirmedDisk: null,
    async refreshDisks() {
      const state = get();
      const image = state.inspectResult;
      const mine = ++generation;
      set({ disksLoading: true });
      const result = await api.invoke('disks:list', {
        requiredBytes: image?.layout.disk.sizeBytes ?? null,
        lbaSize: image?.layout.disk.lbaSize ?? null,
        sourcePath: image?.source.localPath ?? null,
        unmountConsent: false,
        allowVirtual: state.showVirtual,
      });
      if (mine !== generation) return;
      if (!result.ok) {
        set({ disksLoading: false, disksError: result.error });
        return;
      }
      const now = get();
      const highlighted = chooseHighlighted(result.value, { device: now.selectedDevice, userPicked: now.userPicked });
      set({
        disksLoading: false,
        disksError: null,
        candidates: result.value,
        selectedDevice: highlighted.device,
        userPicked: highlighted.userPicked,
        mountConsent: highlighted.device === now.selectedDevice ? now.mountConsent : false,
      });
    },
    async setShowVirtual(show) {
      set({ showVirtual: show });
      await get().refreshDisks();
    },
    selectDisk(device) {
      const candidate = get().candidates.find((c) => c.disk.device === device);
      if (candidate === undefined || !isChoosable(candidate)) return;
      set({ selectedDevice: device, userPicked: true, mountConsent: device === get().selectedDevice ? get().mountConsent : false });
    },
    setMountConsent(mountConsent) {
      set({ mountConsent });
    },
    proceedToConfirm() {
      const candidate = selectedCandidate(get());
      if (candidate !== null && isChoosable(candidate)) set({ step: 'confirm', confirmedDisk: diskIdentityOf(candidate.disk) });
    },
  });
};
