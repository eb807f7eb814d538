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

/** The real core, imported on first use. */
export async function loadCoreServices(): Promise<CoreServices> {
  const [source, cosi, disks, selection, eligibility, writer] = await Promise.all([
    import('../source/open-source.ts'),
    import('../cosi/inspect-cosi.ts'),
    import('../disk/list-disks.ts'),
    import('../disk/choose-target.ts'),
    import('../disk/evaluate-disks.ts'),
    import('../pipeline/spawn-writer.ts'),
  ]);
  return {
    openSource: source.openSource,
    inspectCosi: cosi.inspectCosi,
    listDisks: disks.listDisks,
    evaluateDisks: eligibility.evaluateDisks,
    chooseTarget: selection.chooseTarget,
    spawnWriter: writer.spawnWriter,
  };
}
