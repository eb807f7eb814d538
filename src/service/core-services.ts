/**
 * The core operations the handler table needs, as one injectable object.
 *
 * Front ends get the real src/ modules, each imported on first use (so `image:inspect` works
 * without loading the disk modules, and the web server starts fast); tests may substitute
 * single operations. The types are the modules' own (docs/module-apis.md), so a change of
 * a core signature shows up here at compile time.
 */
import type { inspectInWorker } from '../cosi/inspect-in-worker.ts';
import type { chooseTarget } from '../disk/choose-target.ts';
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
  readonly chooseTarget: typeof chooseTarget;
  readonly findDisksHolding: typeof findDisksHolding;
  readonly spawnWriter: typeof spawnWriter;
}

/** One real core operation, importing only its module on first use. */
export async function loadCoreService<K extends keyof CoreServices>(key: K): Promise<CoreServices[K]> {
  const load: { readonly [P in keyof CoreServices]: () => Promise<CoreServices[P]> } = {
    inspectImage: async () => (await import('../cosi/inspect-in-worker.ts')).inspectInWorker,
    listDisks: async () => (await import('../disk/list-disks.ts')).listDisks,
    evaluateDisks: async () => (await import('../disk/evaluate-disks.ts')).evaluateDisks,
    chooseTarget: async () => (await import('../disk/choose-target.ts')).chooseTarget,
    findDisksHolding: async () => (await import('../disk/find-disks-holding.ts')).findDisksHolding,
    spawnWriter: async () => (await import('../writer/spawn-writer.ts')).spawnWriter,
  };
  return load[key]();
}
