/**
 * One model of the time left for a whole flash job (issue #12 §3), fed with the job's
 * per-region counters as they change.
 *
 * A flash streams each partition (download compressed bytes → decode → write decoded bytes),
 * then reads everything back. The write phase is limited by whichever is slower for the bytes
 * at hand: the network (compressed bytes) or the disk (decoded bytes). So the model keeps one
 * rate per resource and charges every remaining region max(its remaining compressed bytes at
 * the network rate, its remaining decoded bytes at the disk's write rate), then adds the
 * read-back of every region not yet verified at the read rate.
 *
 * - Which one limits is measured, not guessed: the writer reports how long the disk was busy
 *   (some write in flight). The disk's write rate is decoded bytes per busy second, whatever
 *   the network does. A window where the disk was busy most of the time (≥ 80 %) is
 *   disk-bound: the network kept up, so its rate there says nothing; the network's rate is
 *   taken from the other windows (and counts as unlimited while every window was disk-bound).
 * - The network's rate counts only the moments bytes arrived (not a pause before the next
 *   partition's download, or while the disk catches up).
 * - The disk's write rate needs two written blocks in a window (the writer reports blocks of
 *   megabytes; one block is an event, not a rate), or one in a disk-bound window.
 * - The fixed costs before the first byte moved (opening the disk, clearing its ends and the
 *   kernel's partitions) are counted again for the end (writing the table, fsync, re-read).
 * - The disk's write rate is its sustained one: bytes written per busy ms over the memory.
 * - Rates are measured over a trailing window (default 2 s); each resource's rate is the best
 *   window of the last `memoryMs` (default 30 s), so a short burst is not a rate, and a
 *   lasting slowdown is followed.
 * - Zero-filled stretches, which compress to almost nothing, are charged at the disk's rate
 *   (their decoded bytes), never at the network's; and the disk's rate is per busy second,
 *   so a fast run through zeros neither makes the network look fast nor lets the time left
 *   collapse while it lasts.
 * - Until the read-back starts, the read rate is assumed to be the disk's write rate; until a
 *   first block is written, the disk counts as not limiting (the writer writes in blocks of
 *   megabytes, so the first one can take a while on a slow link).
 * - Without busy times (a caller that has none) every window counts for the network and the
 *   disk's rate is decoded bytes per second of wall time.
 * - `etaSeconds` is null until the write phase has at least `minObservedMs` (default 2 s)
 *   of progress and some rate is measured.
 *
 * Pure: no clock, no I/O; the caller passes the time of every observation.
 */
import type { RegionProgress } from '../model/flash-progress.ts';

export interface EtaModelOptions {
  /** Read back after writing (the read-back is then part of the job). */
  readonly verify: boolean;
  readonly windowMs?: number;
  readonly memoryMs?: number;
  readonly minObservedMs?: number;
}

export type JobPhase = 'starting' | 'writing' | 'verifying' | 'finished';

export interface EtaEstimate {
  /** 0–1 of the whole job (the read-back included when verifying), never going back. */
  readonly fraction: number;
  /** Seconds left for the whole job, or null while unknown. */
  readonly etaSeconds: number | null;
  readonly phase: JobPhase;
  /** 1-based partition being written or verified, and how many partitions there are. */
  readonly phaseIndex: number;
  readonly phaseCount: number;
  /** 0–1 of the current phase (bytes written of all, or bytes verified of all). */
  readonly phaseFraction: number;
}

export interface EtaModel {
  /**
   * One observation: the time (ms, any fixed origin), every region's counters, and the total
   * time so far the disk had a write in flight (ms), when the writer measures it.
   */
  observe(atMs: number, regions: readonly RegionProgress[], writeBusyMs?: number): EtaEstimate;
}

interface Totals {
  readonly downloaded: number;
  readonly written: number;
  readonly verified: number;
}

interface Sample extends Totals {
  readonly atMs: number;
  readonly busyMs: number | null;
  readonly phase: JobPhase;
}

type Resource = 'network' | 'write' | 'read';

function totals(regions: readonly RegionProgress[]): Totals {
  let downloaded = 0;
  let written = 0;
  let verified = 0;
  for (const r of regions) {
    downloaded += r.downloadedBytes;
    written += r.writtenBytes;
    verified += r.verifiedBytes;
  }
  return { downloaded, written, verified };
}

function jobPhase(regions: readonly RegionProgress[], verify: boolean): JobPhase {
  if (regions.some((r) => r.phase === 'verifying' || r.phase === 'verified')) return regions.every((r) => r.phase === 'verified') ? 'finished' : 'verifying';
  if (regions.length > 0 && regions.every((r) => r.phase === 'written' || r.phase === 'verified')) return verify ? 'verifying' : 'finished';
  if (regions.some((r) => r.phase !== 'waiting')) return 'writing';
  return 'starting';
}

/** Bytes written per busy ms since the oldest sample (within the memory) that has a busy time; null without busy times. */
function sustainedWrite(history: readonly Sample[], sinceMs: number): number | null {
  const first = history.find((s) => s.atMs >= sinceMs && s.busyMs !== null && s.phase === 'writing');
  const last = history.at(-1);
  if (first === undefined || last === undefined || first.busyMs === null || last.busyMs === null) return null;
  const busyMs = last.busyMs - first.busyMs;
  const written = last.written - first.written;
  return busyMs > 0 && written > 0 ? written / busyMs : null;
}

/** How many times the written bytes moved within the samples. */
function writeSteps(samples: readonly Sample[]): number {
  let steps = 0;
  for (let i = 1; i < samples.length; i++) if ((samples[i]?.written ?? 0) > (samples[i - 1]?.written ?? 0)) steps += 1;
  return steps;
}

/** Bytes downloaded and the time spent downloading (intervals between samples in which bytes arrived). */
function activeDownload(samples: readonly Sample[]): { bytes: number; ms: number } {
  let bytes = 0;
  let ms = 0;
  for (let i = 1; i < samples.length; i++) {
    const before = samples[i - 1];
    const after = samples[i];
    if (before === undefined || after === undefined || after.downloaded <= before.downloaded) continue;
    bytes += after.downloaded - before.downloaded;
    ms += after.atMs - before.atMs;
  }
  return { bytes, ms };
}

export function createEtaModel(options: EtaModelOptions): EtaModel {
  const windowMs = options.windowMs ?? 2000;
  const memoryMs = options.memoryMs ?? 30_000;
  const minObservedMs = options.minObservedMs ?? 2000;
  const samples: Sample[] = [];
  /** The samples of the last `memoryMs`, for the disk's sustained rate. */
  const history: Sample[] = [];
  /** Best windowed rates per resource (bytes per ms), newest last, kept decreasing, within the memory. */
  const best: Record<Resource, { atMs: number; perMs: number }[]> = { network: [], write: [], read: [] };
  let startedAtMs: number | null = null;
  /** When bytes first moved in the write phase. */
  let writeMovingSinceMs: number | null = null;
  let networkMeasured = false;
  let readMeasured = false;
  let lastFraction = 0;

  const remember = (resource: Resource, atMs: number, perMs: number): void => {
    const list = best[resource];
    while (list.length > 0 && (list.at(-1)?.perMs ?? 0) <= perMs) list.pop();
    list.push({ atMs, perMs });
    while (list.length > 1 && (list[0]?.atMs ?? atMs) < atMs - memoryMs) list.shift();
  };
  const rate = (resource: Resource): number => best[resource][0]?.perMs ?? 0;

  return {
    observe(atMs, regions, writeBusyMs) {
      startedAtMs ??= atMs;
      const now = totals(regions);
      const phase = jobPhase(regions, options.verify);
      samples.push({ atMs, ...now, busyMs: writeBusyMs ?? null, phase });
      history.push({ atMs, ...now, busyMs: writeBusyMs ?? null, phase });
      while (history.length > 2 && (history[1]?.atMs ?? atMs) <= atMs - memoryMs) history.shift();
      while (samples.length > 2 && (samples[1]?.atMs ?? atMs) <= atMs - windowMs) samples.shift();
      const first = samples[0];
      const spanMs = first === undefined ? 0 : atMs - first.atMs;
      // A window only counts once it is at least half full, so one burst is not a rate.
      if (first !== undefined && spanMs >= windowMs / 2) {
        const downloaded = now.downloaded - first.downloaded;
        const written = now.written - first.written;
        const verified = now.verified - first.verified;
        const busyMs = writeBusyMs === undefined || first.busyMs === null ? null : writeBusyMs - first.busyMs;
        if (phase === 'writing') {
          const diskBound = busyMs !== null && busyMs >= 0.8 * spanMs;
          // The network's rate counts only the intervals in which bytes arrived: a pause while
          // the disk catches up, or before the next partition's download starts, is not the
          // network being slow.
          const active = activeDownload(samples);
          if (downloaded > 0 && !diskBound && active.ms >= windowMs / 4) {
            remember('network', atMs, active.bytes / active.ms);
            networkMeasured = true;
          }
          // The writer reports whole blocks (megabytes): one block is an event, not a rate.
          // A single block counts only when the disk was busy most of the window (disk-bound).
          if (written > 0 && (writeSteps(samples) >= 2 || diskBound)) remember('write', atMs, busyMs !== null && busyMs > 0 ? written / busyMs : written / spanMs);
        }
        // Only a window wholly inside the read-back measures reading.
        if (phase === 'verifying' && first.phase === 'verifying' && verified > 0) {
          remember('read', atMs, verified / spanMs);
          readMeasured = true;
        }
      }
      if (phase === 'writing' && writeMovingSinceMs === null && (now.downloaded > 0 || now.written > 0)) writeMovingSinceMs = atMs;

      // Never measured unconstrained: the network kept up with the disk so far.
      const network = networkMeasured ? rate('network') : Number.POSITIVE_INFINITY;
      // No write finished yet (the writer writes in blocks of megabytes): the disk has not been
      // seen limiting anything; once a block is written its busy time says how fast it is.
      // The disk's rate is its sustained one: all bytes written per busy second over the memory
      // (a throttled or cached disk takes bursts; the best window would be too hopeful).
      const sustained = sustainedWrite(history, atMs - memoryMs);
      const write = rate('write') > 0 ? (sustained ?? rate('write')) : Number.POSITIVE_INFINITY;
      const read = readMeasured ? rate('read') : write;
      const anyRate = networkMeasured || rate('write') > 0 || readMeasured;
      const measuredLongEnough = writeMovingSinceMs !== null && atMs - writeMovingSinceMs >= minObservedMs;
      let remainingMs: number | null = null;
      if (phase === 'finished') remainingMs = 0;
      else if ((measuredLongEnough || phase === 'verifying') && anyRate) {
        let ms = 0;
        for (const r of regions) {
          const compressedLeft = Math.max(0, r.compressedBytes - r.downloadedBytes);
          const decodedLeft = Math.max(0, r.uncompressedBytes - r.writtenBytes);
          ms += Math.max(compressedLeft > 0 ? compressedLeft / network : 0, decodedLeft > 0 ? decodedLeft / write : 0);
          const verifyLeft = Math.max(0, r.uncompressedBytes - r.verifiedBytes);
          if (options.verify && verifyLeft > 0) ms += verifyLeft / read;
        }
        // The fixed costs seen before the first byte moved (opening the disk, clearing its ends
        // and the kernel's partitions) come again at the end (the table, fsync, re-read).
        remainingMs = ms + (writeMovingSinceMs === null ? 0 : writeMovingSinceMs - startedAtMs);
      }

      const partitions = regions.filter((r) => r.number !== 0);
      const totalDecoded = regions.reduce((sum, r) => sum + r.uncompressedBytes, 0);
      const inReadBack = phase === 'verifying' || phase === 'finished';
      const phaseFraction = totalDecoded === 0 ? 0 : Math.min(1, (inReadBack && options.verify ? now.verified : now.written) / totalDecoded);
      const active = partitions.findIndex((r) => (phase === 'verifying' ? r.phase === 'verifying' : r.phase === 'downloading' || r.phase === 'writing'));
      const doneCount = partitions.filter((r) => (phase === 'verifying' ? r.phase === 'verified' : r.phase === 'written' || r.phase === 'verified')).length;
      const phaseIndex = phase === 'starting' ? 0 : Math.max(1, Math.min(partitions.length, active >= 0 ? active + 1 : doneCount + (phase === 'finished' ? 0 : 1)));

      // The share of the job's time spent so far against the time left; bytes of work done
      // while the time left is not known yet.
      const workTotal = totalDecoded * (options.verify ? 2 : 1);
      let fraction = workTotal === 0 ? 0 : (now.written + (options.verify ? now.verified : 0)) / workTotal;
      if (remainingMs !== null) {
        const spentMs = atMs - startedAtMs;
        if (spentMs + remainingMs > 0) fraction = spentMs / (spentMs + remainingMs);
      }
      if (phase === 'finished') fraction = 1;
      lastFraction = Math.max(lastFraction, Math.min(1, fraction));
      return { fraction: lastFraction, etaSeconds: remainingMs === null ? null : Math.round(remainingMs / 1000), phase, phaseIndex, phaseCount: partitions.length, phaseFraction };
    },
  };
}
