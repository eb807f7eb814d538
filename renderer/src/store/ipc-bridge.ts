/**
 * The one place where main's events enter the store: hotplug refreshes the disk list,
 * flash progress feeds the flash slice. Also loads what the UI needs at startup and
 * re-attaches to a job main is still running (a reloaded web page keeps its progress).
 */
import type { Api } from '../ipc/api.ts';
import type { AppStore } from './create-app-store.ts';

/** Subscribes the store to main's events; returns the unsubscribe. */
export function connectStore(api: Api, store: AppStore): () => void {
  const unsubscribers = [
    api.on('disks:changed', () => {
      const state = store.getState();
      if (state.step === 'target' || state.step === 'confirm') void state.refreshDisks();
    }),
    api.on('flash:progress', (event) => {
      store.getState().applyFlashEvent(event);
      if (store.getState().appInfo?.station?.autoFlash === true) store.getState().applyLaneEvent(event);
    }),
    api.on('station:changed', (state) => store.getState().applyStationState(state)),
    // Events sent while the web socket was down are lost: catch up once it is back.
    store.subscribe((state, previous) => {
      if (previous.connection === 'closed' && state.connection === 'open') void resync(api, store);
    }),
  ];
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}

/** Startup requests: app info, recent images, and a running job to show. */
export async function loadInitialState(api: Api, store: AppStore): Promise<void> {
  const state = store.getState();
  await Promise.all([state.loadAppInfo(), state.loadRecent()]);
  const station = store.getState().appInfo?.station ?? null;
  if (station !== null) {
    // Station mode: the UI opens on the pinned image, already inspected.
    store.getState().setLocation(station.image.location);
    store.getState().setExpectedHash(station.image.expectedHash ?? '');
    await store.getState().inspect();
    if (station.autoFlash) await store.getState().loadStation();
  }
  const jobs = await api.invoke('flash:list', {});
  if (!jobs.ok) return;
  const running = jobs.value.find((job) => job.state === 'running');
  if (running !== undefined && store.getState().jobId === null) store.getState().adoptJob(running);
}

/** After a reconnect: the shown job's current state (it may have finished meanwhile) and the disks. */
export async function resync(api: Api, store: AppStore): Promise<void> {
  const jobId = store.getState().jobId;
  if (jobId !== null && store.getState().report === null) {
    const jobs = await api.invoke('flash:list', {});
    const job = jobs.ok ? jobs.value.find((candidate) => candidate.jobId === jobId) : undefined;
    if (job !== undefined && store.getState().jobId === jobId) store.getState().adoptJob(job);
  }
  if (store.getState().appInfo?.station?.autoFlash === true) await store.getState().loadStation();
  const step = store.getState().step;
  if (step === 'target' || step === 'confirm') await store.getState().refreshDisks();
}
