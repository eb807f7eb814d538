/**
 * Station slice (`cosiflash serve --image URL --auto-flash`): the lanes of a bench station —
 * every flash job the server runs (started by hotplug or by hand), each with its newest
 * progress and its result, plus the countdowns of disks about to be flashed.
 *
 * Fed by flash:list at start and after a reconnect, then by flash:progress and
 * station:changed events (through the IPC bridge). Works whoever started the job, so any
 * page opened on the station shows every lane.
 */
import type { FlashJobInfo, StationState } from '../../../src/ipc/contract.ts';
import type { FlashProgress } from '../../../src/model/flash-progress.ts';
import type { SliceFactory } from './app-state.ts';

export interface StationLane {
  readonly jobId: string;
  readonly device: string;
  readonly plan: Extract<FlashProgress, { type: 'plan' }> | null;
  readonly last: FlashProgress | null;
  readonly report: FlashJobInfo['report'];
  readonly state: FlashJobInfo['state'];
}

export interface StationSlice {
  readonly stationState: StationState;
  /** Newest first. */
  readonly lanes: readonly StationLane[];
  /** Lanes that finished since the page opened (for the finish cues), by job id. */
  readonly finishedLaneIds: readonly string[];
  loadStation(): Promise<void>;
  applyStationState(state: StationState): void;
  applyLaneEvent(event: FlashProgress): void;
  skipCountdown(device: string): Promise<void>;
}

function laneOf(job: FlashJobInfo): StationLane {
  return { jobId: job.jobId, device: job.device, plan: job.plan, last: job.last, report: job.report, state: job.state };
}

export const createStationSlice: SliceFactory<StationSlice> = (api) => (set, get) => ({
  stationState: { armed: false, countdowns: [], ignored: [] },
  lanes: [],
  finishedLaneIds: [],
  async loadStation() {
    const [jobs, state] = await Promise.all([api.invoke('flash:list', {}), api.invoke('station:state', {})]);
    if (jobs.ok) set({ lanes: [...jobs.value].reverse().map(laneOf) });
    if (state.ok) set({ stationState: state.value });
  },
  applyStationState(stationState) {
    set({ stationState });
  },
  applyLaneEvent(event) {
    const lanes = get().lanes;
    const index = lanes.findIndex((lane) => lane.jobId === event.jobId);
    if (index === -1) {
      // A job this page has not seen yet (auto-flash, another page): fetch the lanes.
      if (event.type === 'plan' || event.type === 'progress') void get().loadStation();
      if (event.type === 'done' || event.type === 'failed') {
        set({ finishedLaneIds: [...get().finishedLaneIds, event.jobId] });
        void get().loadStation();
      }
      return;
    }
    const lane = lanes[index]!;
    let next: StationLane = lane;
    switch (event.type) {
      case 'plan':
        next = { ...lane, plan: event, device: event.device };
        break;
      case 'progress':
        next = { ...lane, last: event };
        break;
      case 'retry':
        return;
      case 'done':
      case 'failed':
        next = { ...lane, last: event, report: event.report, state: event.type === 'done' ? event.report.outcome : event.report.outcome === 'cancelled' ? 'cancelled' : 'failed' };
        set({ finishedLaneIds: [...get().finishedLaneIds, event.jobId] });
        break;
    }
    set({ lanes: lanes.map((item, i) => (i === index ? next : item)) });
  },
  async skipCountdown(device) {
    const result = await api.invoke('station:skip', { device });
    if (result.ok) set({ stationState: result.value });
  },
});
