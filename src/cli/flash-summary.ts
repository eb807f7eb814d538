/**
 * How a finished flash is told, the same for a local and a remote (`--remote`) flash: the
 * verdict lines and the exit code. A multi-target report (report.targets) gets one verdict
 * per disk, so a failed disk does not hide the others' success.
 */
import { terminalText } from '../common/terminal-text.ts';
import { formatBytes, formatDuration, formatRate } from '../common/format-units.ts';
import { fromAppError } from '../errors.ts';
import type { FlashReport, TargetReport } from '../model/flash-progress.ts';
import { EXIT_CODES, exitCodeFor } from './exit-codes.ts';

type Verdict = Pick<FlashReport, 'outcome' | 'diskTouched' | 'error'>;

/** Which exit code wins when disks of one flash end differently: bytes on a disk that failed first. */
const WORST_FIRST: readonly number[] = [EXIT_CODES.writeFailed, EXIT_CODES.internal, EXIT_CODES.cancelled, EXIT_CODES.invalidInput, EXIT_CODES.refusedTarget, EXIT_CODES.usage];

/**
 * The exit code of a finished flash (README: "Exit codes"), local or remote. Several disks:
 * 0 only when every one is verified (or written), otherwise the worst disk's code.
 */
export function reportExitCode(report: FlashReport): number {
  if (report.targets === undefined || report.targets.length === 0) return verdictExitCode(report);
  const codes = report.targets.map(verdictExitCode);
  return WORST_FIRST.find((code) => codes.includes(code)) ?? Math.max(...codes);
}

function verdictExitCode(verdict: Verdict): number {
  if (verdict.outcome === 'verified' || verdict.outcome === 'written') return EXIT_CODES.ok;
  if (verdict.outcome === 'cancelled') return EXIT_CODES.cancelled;
  // Once anything reached the disk its old table is gone, whoever was at fault: exit 5.
  if (verdict.diskTouched) return EXIT_CODES.writeFailed;
  return verdict.error === null ? EXIT_CODES.writeFailed : exitCodeFor(fromAppError(verdict.error));
}

/** Every disk of the flash was verified (or written): the summary goes to stdout, else stderr. */
export function allTargetsOk(report: FlashReport): boolean {
  return reportExitCode(report) === EXIT_CODES.ok;
}

/** The verdict lines printed after a flash. */
export function flashSummary(report: FlashReport): string {
  if (report.targets !== undefined && report.targets.length > 1) return manySummary(report, report.targets);
  const head = `${report.outcome.toUpperCase()}: ${formatBytes(report.writtenBytes)} to ${report.device.path} in ${formatDuration(report.elapsedMs)} (${formatRate(report.bytesPerSecond)})${report.retries > 0 ? `, ${report.retries} network retries` : ''}`;
  const regions = report.regions.map((r) => `  ${r.number === 0 ? 'gpt' : `#${r.number}`} ${r.name}: ${r.phase}${r.readBackOk === true ? ' (read back OK)' : ''}${r.error ? ` — ${r.error.code}: ${r.error.detail}` : ''}`);
  const error = report.error === null ? [] : [`${report.error.code}: ${report.error.title}`, `  ${report.error.detail}`, ...(report.error.hint ? [`  ${report.error.hint}`] : [])];
  return ['', head, ...regions, ...error].map(terminalText).join('\n');
}

function manySummary(report: FlashReport, targets: readonly TargetReport[]): string {
  const ok = targets.filter((t) => t.outcome === 'verified' || t.outcome === 'written').length;
  const head =
    ok === targets.length
      ? `${report.outcome.toUpperCase()}: all ${targets.length} disks in ${formatDuration(report.elapsedMs)}`
      : `${ok} of ${targets.length} disks OK, ${targets.length - ok} ${targets.length - ok === 1 ? 'disk' : 'disks'} not, in ${formatDuration(report.elapsedMs)}`;
  const retries = report.retries > 0 ? [`  ${report.retries} network retries`] : [];
  return ['', head, ...retries, ...targets.flatMap(targetVerdictLines)].map(terminalText).join('\n');
}

/** "  VERIFIED  /dev/sdb  Ultra  serial 123: 1.2 GiB written (40 MB/s)" and, for a failed disk, why and what it holds now. */
export function targetVerdictLines(target: TargetReport): string[] {
  const who = [target.device.path, target.device.model, target.device.serial === null ? null : `serial ${target.device.serial}`].filter((part) => part !== null && part !== '').join('  ');
  const what = `${formatBytes(target.writtenBytes)} written (${formatRate(target.bytesPerSecond)})`;
  const line = `  ${target.outcome.toUpperCase().padEnd(9)} ${who}: ${what}${target.outcome === 'written' ? ', not read back' : ''}`;
  if (target.outcome === 'verified' || target.outcome === 'written') return [line];
  const failedRegions = target.regions.filter((r) => r.error !== null).map((r) => `      ${r.number === 0 ? 'gpt' : `#${r.number}`} ${r.name}: ${r.error?.code}: ${r.error?.detail}`);
  const reason = target.error === null ? [] : [`      ${target.error.code}: ${target.error.title} — ${target.error.detail}`];
  const state = target.diskTouched
    ? `      ${target.device.path} has no valid partition table now (both GPT copies were cleared); flash it again before use.`
    : `      Nothing was written to ${target.device.path}; it is as it was.`;
  return [line, ...reason, ...failedRegions, state];
}
