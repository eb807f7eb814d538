/**
 * The core operations the handler table needs, as one injectable object.
 *
 * Front ends use {@link loadCoreServices} (the real src/ modules, imported lazily so the web
 * server starts fast); tests may substitute single operations. The shapes follow
 * docs/module-apis.md.
 */
import type { DiskCandidate, DiskInfo } from '../model/disk-info.ts';
import type { FlashProgress, FlashReport } from '../model/flash-progress.ts';
import type { Layout } from '../model/layout.ts';
import type { ImageSource } from '../source/image-source.ts';

/** What the disk rules need to know about the image and the user's choices. */
export interface EligibilityContext {
  readonly requiredBytes: number;
  readonly lbaSize: number;
  readonly sourcePath: string | null;
  readonly unmountConsent: boolean;
  readonly allowVirtual: boolean;
}

/** One flash for the writer process (module-apis: src/pipeline FlashRequest). */
export interface WriterRequest {
  readonly source: string;
  readonly device?: string;
  readonly expectedHash?: string;
  readonly verify: boolean;
  readonly unmount: boolean;
  readonly allowLoop: boolean;
  readonly onlyDevices?: readonly string[];
}

/** How to start the writer process (plain node, or Electron's binary as node, or pkexec). */
export interface WriterLaunch {
  readonly execPath?: string;
  readonly execArgs?: string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly elevate?: boolean;
  /** The writer entry script (default: src/pipeline/writer-main.ts). */
  readonly script?: string;
}

export interface RunningWriter {
  readonly jobId: string;
  readonly events: AsyncIterable<FlashProgress>;
  cancel(): void;
  readonly done: Promise<FlashReport>;
}

export interface CoreServices {
  openSource(location: string, options?: { signal?: AbortSignal }): Promise<ImageSource>;
  inspectCosi(source: ImageSource, options?: { expectedHash?: string; signal?: AbortSignal }): Promise<{ readonly layout: Layout }>;
  listDisks(options?: { allowLoop?: boolean; onlyDevices?: readonly string[] }): Promise<DiskInfo[]>;
  evaluateDisks(disks: readonly DiskInfo[], context: EligibilityContext): DiskCandidate[];
  chooseTarget(disks: readonly DiskInfo[], context: EligibilityContext, explicitDevice?: string): DiskCandidate;
  spawnWriter(request: WriterRequest, options?: WriterLaunch): RunningWriter;
}

/**
 * One real core operation, importing only its module on first use (so `image:inspect`
 * works without loading the disk modules, and the web server starts fast).
 */
export async function loadCoreService<K extends keyof CoreServices>(key: K): Promise<CoreServices[K]> {
  const load: { readonly [P in keyof CoreServices]: () => Promise<CoreServices[P]> } = {
    openSource: async () => (await import('../source/open-source.ts')).openSource,
    inspectCosi: async () => (await import('../cosi/inspect-cosi.ts')).inspectCosi,
    listDisks: async () => (await import('../disk/list-disks.ts')).listDisks,
    evaluateDisks: async () => (await import('../disk/evaluate-disks.ts')).evaluateDisks,
    chooseTarget: async () => (await import('../disk/choose-target.ts')).chooseTarget,
    spawnWriter: async () => (await import('../pipeline/spawn-writer.ts')).spawnWriter,
  };
  return load[key]();
}
