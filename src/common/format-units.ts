/**
 * Human formatting of raw numbers (bytes, rates, durations). Pure, no Node or DOM APIs, so the
 * CLI and the renderer share it (the one runtime import the renderer may make from src/).
 */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = unit === 0 ? String(value) : value >= 100 ? value.toFixed(0) : value.toFixed(1);
  return `${bytes < 0 ? '-' : ''}${text} ${UNITS[unit]}`;
}

/** Decimal megabytes per second, as disk vendors and other flashers report speed. */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${(bytesPerSecond / 1e6).toFixed(bytesPerSecond >= 1e8 ? 0 : 1)} MB/s`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

export function formatPercent(done: number, total: number): string {
  if (total <= 0) return '0%';
  return `${Math.min(100, Math.floor((done / total) * 100))}%`;
}

/**
 * The phase line of a running flash, the same in the UI and the CLI: "Writing 2 of 3 · 45%",
 * "Verifying 1 of 3 · 20%": which partition of how many, and how far the phase is (bytes
 * written, or bytes read back, of all).
 */
export interface JobPhase {
  readonly name: 'starting' | 'writing' | 'verifying' | 'finished';
  readonly index: number;
  readonly count: number;
  /** 0–1 of the phase. */
  readonly fraction: number;
}

export function jobPhaseText(phase: JobPhase | undefined | null): string {
  if (phase === undefined || phase === null || phase.name === 'starting') return 'Starting';
  if (phase.name === 'finished') return 'Finished';
  const percent = Math.floor(Math.max(0, Math.min(1, phase.fraction)) * 100);
  return `${phase.name === 'writing' ? 'Writing' : 'Verifying'} ${phase.index} of ${phase.count} · ${percent}%`;
}
