/**
 * The core operations the handler table needs, built once as one plain object and passed in
 * (`createHandlers({ core })`).
 *
 * {@link loadCoreServices} imports the five modules once per process (about 45 ms on the dev
 * machine, README "Architecture") and resolves to the same object on every call. It is a
 * dynamic import so that creating the handler table does not wait for it, and so that a disk
 * module that cannot load (drivelist is native) fails the disk requests, not the start of the
 * app. Tests may pass their own object. The types are the modules' own, so a change of a
 * core signature shows up here at compile time.
 */
import type { inspectInWorker } from '../cosi/inspect-in-worker.ts';
import type { evaluateDisks } from '../disk/evaluate-disks.ts';
import type { findDisksHolding } from '../disk/find-disks-holding.ts';
import type { listDisks } from '../disk/list-disks.ts';
import type { SpawnWriterOptions, WriterJob, spawnWriter } from '../writer/spawn-writer.ts';

/** How to start the writer process (plain node, Electron's binary as node, pkexec). */
export type WriterLaunch = Pick<SpawnWriterOptions, 'execPath' | 'execArgs' | 'env' | 'elevate' | 'script' | 'elevatedLauncher'>;

/** A flash job running in a writer process. */
export type RunningWriter = WriterJob;

export interface CoreServices {
  /** Opens and inspects an image in a worker thread with time and memory limits (never on this loop). */
  readonly inspectImage: typeof inspectInWorker;
  readonly listDisks: typeof listDisks;
  readonly evaluateDisks: typeof evaluateDisks;
  readonly findDisksHolding: typeof findDisksHolding;
  readonly spawnWriter: typeof spawnWriter;
}

let loaded: Promise<CoreServices> | null = null;

/** The real core services: imported on the first call, then the same object for every caller. */
export function loadCoreServices(): Promise<CoreServices> {
  loaded ??= importCoreServices();
  return loaded;
}

async function importCoreServices(): Promise<CoreServices> {
  const [inspect, list, evaluate, holding, writer] = await Promise.all([
    import('../cosi/inspect-in-worker.ts'),
    import('../disk/list-disks.ts'),
    import('../disk/evaluate-disks.ts'),
    import('../disk/find-disks-holding.ts'),
    import('../writer/spawn-writer.ts'),
  ]);
  return Object.freeze({
    inspectImage: inspect.inspectInWorker,
    listDisks: list.listDisks,
    evaluateDisks: evaluate.evaluateDisks,
    findDisksHolding: holding.findDisksHolding,
    spawnWriter: writer.spawnWriter,
  });
}
