/**
 * One station lane in words and numbers: the phase ("Writing 2 of 3", "Verifying",
 * "Verified"), the overall fraction, and the tone — the same figures the Flash screen and
 * the tab title show.
 */
import type { FlashProgress } from '../../../src/model/flash-progress.ts';
import { flashTotals } from './flash-rows.ts';

type PlanEvent = Extract<FlashProgress, { type: 'plan' }>;
type ProgressEvent = Extract<FlashProgress, { type: 'progress' }>;

export interface LaneStatus {
  readonly label: string;
  /** 0..1 of the whole job (verify included). */
  readonly fraction: number;
  readonly tone: 'active' | 'verify' | 'ok' | 'failed' | 'warn';
  readonly finished: boolean;
}

/** The phase of a running job from its newest progress event. */
export function phaseLabel(plan: PlanEvent | null, progress: ProgressEvent | null): string {
  const regions = (progress?.regions ?? plan?.regions ?? []).filter((r) => r.number !== 0);
  if (regions.length === 0) return 'Starting';
  if (regions.some((r) => r.phase === 'verifying') || (progress?.regions.find((r) => r.number === 0)?.phase === 'verifying')) return 'Verifying';
  const writing = regions.findIndex((r) => r.phase === 'writing' || r.phase === 'downloading');
  if (writing !== -1) return `Writing ${writing + 1} of ${regions.length}`;
  if (regions.every((r) => r.phase === 'written' || r.phase === 'verified')) return 'Finishing';
  return 'Starting';
}

/** Overall fraction: the writer's own figure when it sends one, else from the byte counts. */
export function overallFraction(plan: PlanEvent | null, progress: ProgressEvent | null): number {
  const sent = progress !== null && 'fraction' in progress ? (progress as { fraction?: number }).fraction : undefined;
  return typeof sent === 'number' ? sent : flashTotals(plan, progress).fraction;
}

export function laneStatus(lane: { plan: PlanEvent | null; last: FlashProgress | null; report: { outcome: string } | null }): LaneStatus {
  const outcome = lane.report?.outcome;
  if (outcome === 'verified') return { label: 'Verified', fraction: 1, tone: 'ok', finished: true };
  if (outcome === 'written') return { label: 'Written, not verified', fraction: 1, tone: 'warn', finished: true };
  if (outcome === 'cancelled') return { label: 'Cancelled', fraction: 0, tone: 'warn', finished: true };
  if (outcome === 'failed') return { label: 'Failed', fraction: 0, tone: 'failed', finished: true };
  const progress = lane.last?.type === 'progress' ? lane.last : null;
  const label = phaseLabel(lane.plan, progress);
  return { label, fraction: overallFraction(lane.plan, progress), tone: label === 'Verifying' ? 'verify' : 'active', finished: false };
}
