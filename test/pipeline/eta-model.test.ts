/**
 * The ETA model against simulated flashes: a job is simulated in 250 ms steps with a network
 * and a disk of known speeds (the write of each region goes at min(network × ratio, disk)),
 * then read back at the disk's read speed; at every step after 20 % of the job the estimate
 * must be within ±30 % of the time that is really left.
 */
import { describe, expect, it } from 'vitest';
import type { RegionPhase, RegionProgress } from '../../src/model/flash-progress.ts';
import { createEtaModel, type EtaEstimate } from '../../src/pipeline/eta-model.ts';

const MB = 1_000_000;

interface SimRegion {
  readonly number: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

interface Sim {
  readonly regions: readonly SimRegion[];
  /** Compressed bytes per second the network delivers. */
  readonly networkBps: number;
  readonly writeBps: number;
  readonly readBps: number;
  readonly verify: boolean;
  /** The writer reports the disk's busy time (default true). */
  readonly reportBusy?: boolean;
}

/** Runs the simulated job; returns each step's time, estimate, and the job's total time. */
function simulate(sim: Sim): { steps: { atMs: number; estimate: EtaEstimate }[]; totalMs: number } {
  const stepMs = 250;
  const model = createEtaModel({ verify: sim.verify });
  const state = sim.regions.map((r): { -readonly [K in keyof RegionProgress]: RegionProgress[K] } & { exactDownloaded: number; exactWritten: number; exactVerified: number } => ({ number: r.number, name: `p${r.number}`, phase: 'waiting', compressedBytes: r.compressedBytes, uncompressedBytes: r.uncompressedBytes, downloadedBytes: 0, writtenBytes: 0, verifiedBytes: 0, exactDownloaded: 0, exactWritten: 0, exactVerified: 0 }));
  const steps: { atMs: number; estimate: EtaEstimate }[] = [];
  let atMs = 0;
  let writing = 0;
  let reading = 0;
  let busyMs = 0;
  for (;;) {
    // Spend one step of time on the work at hand (possibly several regions in one step).
    let budgetMs = stepMs;
    while (budgetMs > 0 && (writing < state.length || (sim.verify && reading < state.length))) {
      if (writing < state.length) {
        const r = state[writing]!;
        r.phase = 'writing';
        const ratio = r.uncompressedBytes / r.compressedBytes;
        const decodedPerMs = Math.min(sim.networkBps * ratio, sim.writeBps) / 1000;
        const leftMs = (r.uncompressedBytes - r.exactWritten) / decodedPerMs;
        const useMs = Math.min(budgetMs, leftMs);
        r.exactWritten += useMs * decodedPerMs;
        r.exactDownloaded = r.exactWritten / ratio;
        // The disk is busy for the time its writes take at its own speed.
        busyMs += (useMs * decodedPerMs * 1000) / sim.writeBps;
        budgetMs -= useMs;
        if (useMs === leftMs) {
          r.exactWritten = r.uncompressedBytes;
          r.exactDownloaded = r.compressedBytes;
          r.phase = 'written';
          writing += 1;
        }
      } else {
        const r = state[reading]!;
        r.phase = 'verifying';
        const perMs = sim.readBps / 1000;
        const leftMs = (r.uncompressedBytes - r.exactVerified) / perMs;
        const useMs = Math.min(budgetMs, leftMs);
        r.exactVerified += useMs * perMs;
        budgetMs -= useMs;
        if (useMs === leftMs) {
          r.exactVerified = r.uncompressedBytes;
          r.phase = 'verified';
          reading += 1;
        }
      }
    }
    atMs += stepMs - budgetMs;
    const done = writing >= state.length && (!sim.verify || reading >= state.length);
    const regions = state.map((r) => ({ ...r, downloadedBytes: Math.floor(r.exactDownloaded), writtenBytes: Math.floor(r.exactWritten), verifiedBytes: Math.floor(r.exactVerified) }));
    steps.push({ atMs, estimate: model.observe(atMs, regions, sim.reportBusy === false ? undefined : busyMs) });
    if (done) return { steps, totalMs: atMs };
  }
}

/** Estimates after 20 % of the job that miss the real time left by more than 30 % (or 1 s, the rounding). */
function misses(result: ReturnType<typeof simulate>): string[] {
  const out: string[] = [];
  for (const { atMs, estimate } of result.steps) {
    if (atMs < 0.2 * result.totalMs || atMs >= result.totalMs) continue;
    const leftS = (result.totalMs - atMs) / 1000;
    if (estimate.etaSeconds === null || Math.abs(estimate.etaSeconds - leftS) > Math.max(0.3 * leftS, 1)) out.push(`at ${(atMs / 1000).toFixed(2)} s: eta ${estimate.etaSeconds} s, really ${leftS.toFixed(1)} s`);
  }
  return out;
}

/** A COSI-like job: a mostly empty ESP, a root filesystem, a zero-filled stretch, random data. */
const MIXED: SimRegion[] = [
  { number: 1, compressedBytes: 0.2 * MB, uncompressedBytes: 16 * MB },
  { number: 2, compressedBytes: 40 * MB, uncompressedBytes: 100 * MB },
  { number: 3, compressedBytes: 0.1 * MB, uncompressedBytes: 60 * MB },
  { number: 4, compressedBytes: 30 * MB, uncompressedBytes: 30 * MB },
  { number: 0, compressedBytes: 0.01 * MB, uncompressedBytes: 0.02 * MB },
];

describe('createEtaModel', () => {
  it('network-bound (3 MB/s link, fast disk): within ±30 % after 20 % of the job', () => {
    const result = simulate({ regions: MIXED, networkBps: 3 * MB, writeBps: 400 * MB, readBps: 800 * MB, verify: true });
    expect(misses(result)).toEqual([]);
  });

  it('disk-bound (fast link, 8 MB/s disk): within ±30 % after 20 % of the job, the zero-filled stretch included', () => {
    const result = simulate({ regions: MIXED, networkBps: 100 * MB, writeBps: 8 * MB, readBps: 8 * MB, verify: true });
    expect(misses(result)).toEqual([]);
  });

  it('without busy times the same network-bound job is misjudged (the scenario is a real test of the model)', () => {
    const result = simulate({ regions: MIXED, networkBps: 3 * MB, writeBps: 400 * MB, readBps: 800 * MB, verify: true, reportBusy: false });
    expect(misses(result).length).toBeGreaterThan(10);
  });

  it('disk-bound with a fast read-back (8 MB/s write, 40 MB/s read): within ±30 % once the read-back has shown its speed', () => {
    const result = simulate({ regions: MIXED, networkBps: 100 * MB, writeBps: 8 * MB, readBps: 40 * MB, verify: true });
    // Reading is assumed as fast as writing until it is measured: an overestimate of the
    // read-back (≈ 26 of ≈ 32 s) while writing; from the read-back on, the estimate is right.
    const verifying = result.steps.filter((s) => s.estimate.phase === 'verifying');
    const late = verifying.slice(Math.ceil(verifying.length / 2));
    const leftOf = (atMs: number) => (result.totalMs - atMs) / 1000;
    expect(late.filter((s) => Math.abs((s.estimate.etaSeconds ?? -99) - leftOf(s.atMs)) > Math.max(0.3 * leftOf(s.atMs), 1))).toEqual([]);
  });

  it('etaSeconds is null until there are 2 s of measured progress; fraction only grows and ends at 1', () => {
    const result = simulate({ regions: MIXED, networkBps: 3 * MB, writeBps: 400 * MB, readBps: 800 * MB, verify: true });
    expect(result.steps.filter((s) => s.atMs < 2000).every((s) => s.estimate.etaSeconds === null)).toBe(true);
    expect(result.steps.find((s) => s.atMs >= 2500)?.estimate.etaSeconds).not.toBeNull();
    const fractions = result.steps.map((s) => s.estimate.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= (fractions[i - 1] ?? 0))).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    expect(result.steps.at(-1)?.estimate).toMatchObject({ phase: 'finished', etaSeconds: 0 });
  });

  it('the fraction covers the read-back: at the end of writing it is well below 1 when reading is slow', () => {
    const result = simulate({ regions: MIXED, networkBps: 100 * MB, writeBps: 8 * MB, readBps: 8 * MB, verify: true });
    const lastWrite = result.steps.filter((s) => s.estimate.phase === 'writing').at(-1);
    expect(lastWrite?.estimate.fraction).toBeGreaterThan(0.35);
    expect(lastWrite?.estimate.fraction).toBeLessThan(0.65);
  });

  it('reports the phase: which partition of how many, and the phase percentage', () => {
    const model = createEtaModel({ verify: true });
    const regions = (phases: RegionPhase[], written: number[], verified: number[]): RegionProgress[] =>
      phases.map((phase, i) => ({ number: i === 3 ? 0 : i + 1, name: `p${i}`, phase, compressedBytes: 100, uncompressedBytes: 100, downloadedBytes: written[i] ?? 0, writtenBytes: written[i] ?? 0, verifiedBytes: verified[i] ?? 0 }));
    expect(model.observe(0, regions(['waiting', 'waiting', 'waiting', 'waiting'], [], []))).toMatchObject({ phase: 'starting', phaseIndex: 0, phaseCount: 3 });
    expect(model.observe(100, regions(['written', 'writing', 'waiting', 'waiting'], [100, 50], []))).toMatchObject({ phase: 'writing', phaseIndex: 2, phaseCount: 3, phaseFraction: 0.375 });
    expect(model.observe(200, regions(['verified', 'verifying', 'written', 'written'], [100, 100, 100, 100], [100, 0]))).toMatchObject({ phase: 'verifying', phaseIndex: 2, phaseCount: 3, phaseFraction: 0.25 });
  });

  it('no verify: the job ends with the write', () => {
    const result = simulate({ regions: MIXED, networkBps: 3 * MB, writeBps: 400 * MB, readBps: 800 * MB, verify: false });
    expect(misses(result)).toEqual([]);
  });
});
