/**
 * How a finished flash is told, the same for a local and a remote (`--remote`) flash: the
 * verdict lines and the exit code.
 */
import { terminalText } from '../common/terminal-text.ts';
import { formatBytes, formatDuration, formatRate } from '../common/format-units.ts';
import { fromAppError } from '../errors.ts';
import type { FlashReport } from '../model/flash-progress.ts';
import { EXIT_CODES, exitCodeFor } from './exit-codes.ts';

/** The exit code of a finished flash (README: "Exit codes"), local or remote. */
export function reportExitCode(report: FlashReport): number {
  if (report.outcome === 'verified' || report.outcome === 'written') return EXIT_CODES.ok;
  if (report.outcome === 'cancelled') return EXIT_CODES.cancelled;
  // Once anything reached the disk its old table is gone, whoever was at fault: exit 5.
  if (report.diskTouched) return EXIT_CODES.writeFailed;
  return report.error === null ? EXIT_CODES.writeFailed : exitCodeFor(fromAppError(report.error));
}

/** The verdict lines printed after a flash. */
export function flashSummary(report: FlashReport): string {
  const head = `${report.outcome.toUpperCase()}: ${formatBytes(report.writtenBytes)} to ${report.device.path} in ${formatDuration(report.elapsedMs)} (${formatRate(report.bytesPerSecond)})${report.retries > 0 ? `, ${report.retries} network retries` : ''}`;
  const regions = report.regions.map((r) => `  ${r.number === 0 ? 'gpt' : `#${r.number}`} ${r.name}: ${r.phase}${r.readBackOk === true ? ' (read back OK)' : ''}${r.error ? ` — ${r.error.code}: ${r.error.detail}` : ''}`);
  const error = report.error === null ? [] : [`${report.error.code}: ${report.error.title}`, `  ${report.error.detail}`, ...(report.error.hint ? [`  ${report.error.hint}`] : [])];
  return ['', head, ...regions, ...error].map(terminalText).join('\n');
}
