/**
 * Flash slice: the running job (flash:start), its plan and newest progress event, the
 * final report, cancellation with confirmation, and saving the report.
 *
 * Progress events arrive through the IPC bridge (applyFlashEvent). The `plan` event can
 * overtake the flash:start answer that carries the job id, so events seen while starting are
 * held back and replayed once the id is known.
 */
import { diskIdentityOf } from '../../../src/common/disk-identity-of.ts';
import type { FlashJobInfo } from '../../../src/ipc/contract.ts';
import type { AppError } from '../../../src/model/app-error.ts';
import type { FlashProgress, FlashReport } from '../../../src/model/flash-progress.ts';
import type { SliceFactory } from './app-state.ts';
import { downloadText, reportDownloadName } from '../view/download-text.ts';
import { chosenCandidates } from './target-slice.ts';
import { loadRememberedOperator, rememberOperator } from '../view/remembered-operator.ts';

export type PlanEvent = Extract<FlashProgress, { type: 'plan' }>;
export type ProgressEvent = Extract<FlashProgress, { type: 'progress' }>;

export interface FlashSlice {
  readonly flashStarting: boolean;
  readonly jobId: string | null;
  /** The device the job writes (from the confirmed choice, then from the plan). */
  readonly flashDevice: string | null;
  readonly plan: PlanEvent | null;
  readonly progress: ProgressEvent | null;
  readonly lastRetry: Extract<FlashProgress, { type: 'retry' }> | null;
  /** Bytes per second per region number, from the last two progress events (written + verified). */
  readonly regionRates: Readonly<Record<number, number>>;
  /** Local clock (ms) when the last plan/progress event arrived, to show a stalled job honestly. */
  readonly progressReceivedAt: number | null;
  readonly report: FlashReport | null;
  /** Disks a multi-target job dropped (`target-failed`), by device, with the reason. */
  readonly failedTargets: Readonly<Record<string, AppError>>;
  readonly flashError: AppError | null;
  readonly cancelConfirmOpen: boolean;
  readonly cancelRequested: boolean;
  readonly savedReportPath: string | null;
  readonly saveError: AppError | null;
  /** The Confirm dialog's Operator field (remembered in localStorage); sent trimmed, left out when empty (main refuses an invalid one). */
  readonly operator: string;
  setOperator(name: string): void;
  startFlash(): Promise<void>;
  applyFlashEvent(event: FlashProgress): void;
  /** Shows a job main already runs (e.g. after reloading the web page). */
  adoptJob(job: FlashJobInfo): void;
  requestCancel(): void;
  dismissCancel(): void;
  confirmCancel(): Promise<void>;
  saveReport(): Promise<void>;
  /** Done → Target with the same image (the bench technician's next device). */
  flashAnother(): Promise<void>;
  /** Done → Source for a different image. */
  startOver(): void;
  resetFlash(): void;
}

const IDLE = {
  flashStarting: false,
  jobId: null,
  flashDevice: null,
  plan: null,
  progress: null,
  lastRetry: null,
  regionRates: {},
  progressReceivedAt: null,
  report: null,
  failedTargets: {},
  flashError: null,
  cancelConfirmOpen: false,
  cancelRequested: false,
  savedReportPath: null,
  saveError: null,
} as const;

/**
 * Per-region speed between two progress events: bytes written plus bytes read back, over
 * the writer's own elapsed clock. A region with no progress in the interval gets 0.
 */
export function regionRates(previous: ProgressEvent | null, current: ProgressEvent): Record<number, number> {
  const rates: Record<number, number> = {};
  if (previous === null) return rates;
  const seconds = (current.elapsedMs - previous.elapsedMs) / 1000;
  if (seconds <= 0) return rates;
  for (const region of current.regions) {
    const before = previous.regions.find((candidate) => candidate.number === region.number);
    if (before === undefined) continue;
    const delta = region.writtenBytes + region.verifiedBytes - (before.writtenBytes + before.verifiedBytes);
    rates[region.number] = Math.max(0, delta / seconds);
  }
  return rates;
}

export const createFlashSlice: SliceFactory<FlashSlice> = (api) => {
  let heldBack: FlashProgress[] = [];
  return (set, get) => ({
    ...IDLE,
    operator: loadRememberedOperator(),
    setOperator(operator) {
      set({ operator });
      rememberOperator(operator);
    },
    resetFlash() {
      heldBack = [];
      set({ ...IDLE });
    },
    async startFlash() {
      const state = get();
      const [candidate, ...others] = chosenCandidates(state);
      if (state.inspectResult === null || candidate === undefined || state.flashStarting) return;
      // The disks as the user chose them (not as a later refresh lists them under the same paths).
      const confirmedDisk = state.confirmedDisk?.device === candidate.disk.device ? state.confirmedDisk : diskIdentityOf(candidate.disk);
      const moreTargets = others.map((other) => ({
        device: other.disk.device,
        confirmedDisk: state.confirmedMore.find((identity) => identity.device === other.disk.device) ?? diskIdentityOf(other.disk),
      }));
      heldBack = [];
      set({ ...IDLE, flashStarting: true, flashDevice: candidate.disk.device, step: 'flash' });
      const expectedHash = state.inspectedHash;
      const operator = state.operator.trim();
      const result = await api.invoke('flash:start', {
        location: state.inspectResult.source.location,
        ...(expectedHash === '' ? {} : { expectedHash }),
        reviewedImageHash: state.inspectResult.layout.imageHash,
        device: candidate.disk.device,
        confirmedDisk,
        ...(moreTargets.length === 0 ? {} : { moreTargets }),
        ...(operator === '' ? {} : { operator }),
        verify: true,
        unmount: state.mountConsent,
        allowVirtual: state.showVirtual,
      });
      if (!result.ok) {
        heldBack = [];
        set({ flashStarting: false, flashError: result.error });
        return;
      }
      set({ flashStarting: false, jobId: result.value.jobId });
      const replay = heldBack;
      heldBack = [];
      for (const event of replay) get().applyFlashEvent(event);
    },
    applyFlashEvent(event) {
      const state = get();
      if (state.jobId === null) {
        if (state.flashStarting) heldBack.push(event);
        return;
      }
      if (event.jobId !== state.jobId) return;
      switch (event.type) {
        case 'plan':
          set({ plan: event, flashDevice: event.device, progressReceivedAt: Date.now() });
          return;
        case 'progress': {
          // Bytes flow again: the server is back, stop saying it is unreachable.
          const back = state.lastRetry?.unreachable === true && downloadedTotal(event) > downloadedTotal(state.progress);
          set({ progress: event, regionRates: regionRates(state.progress, event), progressReceivedAt: Date.now(), ...(back && state.lastRetry !== null ? { lastRetry: { ...state.lastRetry, unreachable: false } } : {}) });
          return;
        }
        case 'retry':
          set({ lastRetry: event });
          return;
        case 'target-failed':
          set({ failedTargets: { ...state.failedTargets, [event.device]: event.error } });
          return;
        case 'done':
          set({ report: event.report, flashError: null, cancelConfirmOpen: false, step: 'done' });
          return;
        case 'failed':
          set({ report: event.report, flashError: event.error, cancelConfirmOpen: false, step: 'done' });
          return;
      }
    },
    adoptJob(job) {
      heldBack = [];
      const last = job.last;
      set({
        ...IDLE,
        jobId: job.jobId,
        flashDevice: job.device,
        plan: job.plan,
        progress: last !== null && last.type === 'progress' ? last : null,
        progressReceivedAt: job.plan === null ? null : Date.now(),
        report: job.report,
        flashError: last !== null && last.type === 'failed' ? last.error : (job.report?.error ?? null),
        step: job.report === null ? 'flash' : 'done',
      });
    },
    requestCancel() {
      if (get().jobId !== null && get().report === null) set({ cancelConfirmOpen: true });
    },
    dismissCancel() {
      set({ cancelConfirmOpen: false });
    },
    async confirmCancel() {
      const jobId = get().jobId;
      set({ cancelConfirmOpen: false });
      if (jobId === null) return;
      set({ cancelRequested: true });
      const result = await api.invoke('flash:cancel', { jobId });
      if (!result.ok) set({ cancelRequested: false, flashError: result.error });
    },
    async saveReport() {
      const jobId = get().jobId;
      if (jobId === null) return;
      set({ saveError: null });
      if (get().appInfo?.mode === 'web') {
        // Web mode: the report is downloaded by the browser, onto the viewer's machine.
        const report = get().report;
        if (report === null) return;
        const name = reportDownloadName(report.device.path, report.finishedAt);
        downloadText(name, `${JSON.stringify(report, null, 2)}\n`, 'application/json');
        set({ savedReportPath: name });
        return;
      }
      const result = await api.invoke('report:save', { jobId });
      if (result.ok) set({ savedReportPath: result.value });
      else set({ saveError: result.error });
    },
    async flashAnother() {
      get().resetFlash();
      set({ step: 'target', userPicked: false, mountConsent: false, moreDevices: [], confirmedMore: [] });
      await get().refreshDisks();
    },
    startOver() {
      get().resetFlash();
      set({ step: 'source', inspectResult: null, selectedDevice: null, moreDevices: [], confirmedMore: [], userPicked: false, mountConsent: false, candidates: [] });
    },
  });
};

function downloadedTotal(event: Extract<FlashProgress, { type: 'progress' }> | null): number {
  return event === null ? 0 : event.regions.reduce((sum, region) => sum + region.downloadedBytes, 0);
}
