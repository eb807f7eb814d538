/**
 * The Done screen's words for a multi-target job: the overall banner ("2 of 3 disks
 * verified") and one verdict per disk, so a failed disk never hides the others' success.
 */
import type { FlashReport, TargetReport } from '../../../src/model/flash-progress.ts';

export interface TargetVerdict {
  readonly target: TargetReport;
  readonly title: string;
  readonly tone: 'ok' | 'warn' | 'failed';
  /** What the disk holds now / what to do next. */
  readonly text: string;
}

export interface MultiVerdict {
  readonly headline: string;
  readonly tone: 'ok' | 'warn' | 'failed';
  readonly disks: readonly TargetVerdict[];
}

function verdictOf(target: TargetReport): TargetVerdict {
  switch (target.outcome) {
    case 'verified':
      return { target, title: 'Verified', tone: 'ok', text: 'Every partition was written and read back with matching SHA-384 hashes.' };
    case 'written':
      return { target, title: 'Written, not verified', tone: 'warn', text: 'The image was written, but it was not read back.' };
    case 'cancelled':
      return { target, title: 'Cancelled', tone: 'warn', text: 'Stopped before it finished: it has no valid partition table; flash it again before use.' };
    case 'failed':
      return {
        target,
        title: 'Failed',
        tone: 'failed',
        text: target.diskTouched ? 'It was left without a valid partition table. Do not use it; try another disk.' : 'Nothing was written to it; try another disk.',
      };
  }
}

/** The banner and per-disk verdicts, or null for a one-disk report. */
export function multiVerdict(report: FlashReport): MultiVerdict | null {
  const targets = report.targets ?? [];
  if (targets.length < 2) return null;
  const disks = targets.map(verdictOf);
  const verified = targets.filter((t) => t.outcome === 'verified').length;
  const written = targets.filter((t) => t.outcome === 'written').length;
  const total = targets.length;
  const okCount = verified + written;
  const headline =
    verified === total
      ? `All ${total} disks verified`
      : written > 0 && verified === 0
        ? `${written} of ${total} disks written, not verified`
        : okCount === 0
          ? `None of the ${total} disks was flashed`
          : `${verified} of ${total} disks verified`;
  const tone = verified === total ? 'ok' : okCount === 0 ? 'failed' : 'warn';
  return { headline, tone, disks };
}
