import type { Layout } from '../model/layout.ts';
import type { EligibilityContext } from './eligibility.ts';
import { findDisksHolding } from './find-disks-holding.ts';

/**
 * The {@link EligibilityContext} for writing one image: the size and sector size its layout
 * needs, and, for a local source, the disks holding it found by device number
 * (findDisksHolding), so the disks list, the CLI's plan and the writer's re-check all apply
 * the rules of docs/behavior.md §4 to the same inputs.
 */
export async function eligibilityContextFor(
  disk: Pick<Layout['disk'], 'sizeBytes' | 'lbaSize'>,
  options: { readonly sourcePath: string | null; readonly unmountConsent: boolean; readonly allowVirtual: boolean },
): Promise<EligibilityContext> {
  return {
    requiredBytes: disk.sizeBytes,
    lbaSize: disk.lbaSize,
    sourcePath: options.sourcePath,
    sourceDisks: options.sourcePath === null ? [] : await findDisksHolding(options.sourcePath),
    unmountConsent: options.unmountConsent,
    allowVirtual: options.allowVirtual,
  };
}
