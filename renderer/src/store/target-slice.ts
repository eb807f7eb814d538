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
  /** Virtual disks main leaves out while showVirtual is off (disks:hidden); 0 when shown or unknown. */
  readonly hiddenVirtualCount: number;
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
  /** "Flash several disks": the list takes several ticks instead of one choice. */
  readonly multiSelect: boolean;
  /** The other ticked disks, in the order ticked (the first disk is `selectedDevice`). */
  readonly moreDevices: readonly string[];
  /** Their identities, taken with `confirmedDisk` when the user went on to Confirm. */
  readonly confirmedMore: readonly DiskIdentity[];
  refreshDisks(): Promise<void>;
  setShowVirtual(show: boolean): Promise<void>;
  selectDisk(device: string): void;
  setMountConsent(consent: boolean): void;
  /** Turns several-disk ticking on or off (off keeps only the first disk). */
  setMultiSelect(on: boolean): void;
  /** Ticks or unticks a choosable disk while `multiSelect` is on. */
  toggleDisk(device: string): void;
  /** Target → Confirm, when a choosable disk is highlighted. */
  proceedToConfirm(): void;
}

/** The candidate currently highlighted, if any. */
export function selectedCandidate(state: { readonly candidates: readonly DiskCandidate[]; readonly selectedDevice: string | null }): DiskCandidate | null {
  return state.candidates.find((candidate) => candidate.disk.device === state.selectedDevice) ?? null;
}

/** Every chosen disk, the first one first; a device no longer listed is left out. */
export function chosenCandidates(state: {
  readonly candidates: readonly DiskCandidate[];
  readonly selectedDevice: string | null;
  readonly moreDevices: readonly string[];
}): DiskCandidate[] {
  const devices = state.selectedDevice === null ? [] : [state.selectedDevice, ...state.moreDevices];
  return devices.flatMap((device) => state.candidates.filter((candidate) => candidate.disk.device === device));
}

export const createTargetSlice: SliceFactory<TargetSlice> = (api) => {
  let generation = 0;
  return (set, get) => ({
    candidates: [],
    disksLoading: false,
    disksError: null,
    showVirtual: false,
    hiddenVirtualCount: 0,
    selectedDevice: null,
    userPicked: false,
    mountConsent: false,
    confirmedDisk: null,
    multiSelect: false,
    moreDevices: [],
    confirmedMore: [],
    async refreshDisks() {
      const state = get();
      const image = state.inspectResult;
      const mine = ++generation;
      set({ disksLoading: true });
      const [result, hidden] = await Promise.all([
        api.invoke('disks:list', {
          requiredBytes: image?.layout.disk.sizeBytes ?? null,
          lbaSize: image?.layout.disk.lbaSize ?? null,
          sourcePath: image?.source.localPath ?? null,
          unmountConsent: false,
          allowVirtual: state.showVirtual,
        }),
        state.showVirtual ? null : api.invoke('disks:hidden', {}),
      ]);
      if (mine !== generation) return;
      set({ hiddenVirtualCount: hidden?.ok === true ? hidden.value.virtualCount : 0 });
      if (!result.ok) {
        set({ disksLoading: false, disksError: result.error });
        return;
      }
      const now = get();
      const stillChoosable = (device: string): boolean => result.value.some((c) => c.disk.device === device && isChoosable(c));
      // Several disks ticked by the user: keep exactly those still choosable, never tick one for them.
      const kept = now.multiSelect && now.userPicked ? (now.selectedDevice === null ? [] : [now.selectedDevice, ...now.moreDevices]).filter(stillChoosable) : null;
      const highlighted = kept === null ? chooseHighlighted(result.value, { device: now.selectedDevice, userPicked: now.userPicked }) : { device: kept[0] ?? null, userPicked: true };
      set({
        moreDevices: kept === null ? now.moreDevices.filter((device) => device !== highlighted.device && stillChoosable(device)) : kept.slice(1),
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
    setMultiSelect(multiSelect) {
      set({ multiSelect, moreDevices: [], mountConsent: multiSelect ? get().mountConsent : false });
    },
    toggleDisk(device) {
      const state = get();
      const candidate = state.candidates.find((c) => c.disk.device === device);
      if (!state.multiSelect || candidate === undefined || !isChoosable(candidate)) return;
      const ticked = state.selectedDevice === null ? [] : [state.selectedDevice, ...state.moreDevices];
      const next = ticked.includes(device) ? ticked.filter((d) => d !== device) : [...ticked, device];
      // Another disk may need the unmount consent now: ask again.
      set({ selectedDevice: next[0] ?? null, moreDevices: next.slice(1), userPicked: true, mountConsent: false });
    },
    proceedToConfirm() {
      const chosen = chosenCandidates(get());
      const [first, ...more] = chosen;
      if (first === undefined || !chosen.every(isChoosable)) return;
      set({ step: 'confirm', confirmedDisk: diskIdentityOf(first.disk), confirmedMore: more.map((c) => diskIdentityOf(c.disk)), moreDevices: more.map((c) => c.disk.device) });
    },
  });
};
