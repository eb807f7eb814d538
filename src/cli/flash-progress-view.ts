import cliProgress from 'cli-progress';
import { terminalText } from '../common/terminal-text.ts';
import type { FlashProgress, FlashReport, RegionProgress, TargetProgress } from '../model/flash-progress.ts';
import { formatBytes, formatDuration, formatPercent, formatRate, jobPhaseText } from '../common/format-units.ts';

/** Shows a flash job's progress: bars on a TTY, plain lines otherwise, NDJSON with --json. */
export interface FlashProgressView {
  onEvent(event: FlashProgress): void;
  finish(report: FlashReport | null): void;
}

/**
 * `err` gets a dropped disk of a multi-target job at once (`target-failed`: device and reason);
 * default stderr. With --json every event, target-failed included, goes to `out` as it is.
 */
export function createFlashProgressView(options: { mode: 'tty' | 'plain' | 'json'; out: NodeJS.WritableStream; err?: NodeJS.WritableStream; verify: boolean }): FlashProgressView {
  if (options.mode === 'json') return jsonView(options.out);
  const err = options.err ?? process.stderr;
  return options.mode === 'tty' ? ttyView(options.out, err, options.verify) : plainView(options.out, err, options.verify);
}

/** "/dev/sdb failed: E_WRITE: No space left on device — the other disks go on." */
export function targetFailedLine(event: Extract<FlashProgress, { type: 'target-failed' }>): string {
  return terminalText(`${event.device} failed: ${event.error.code}: ${event.error.detail} — the other disks go on.`);
}

/** 0–1 of one target's work: its written bytes, then its read-back when verifying. */
export function targetFraction(lane: TargetProgress, totalWriteBytes: number, verify: boolean): number {
  if (lane.state === 'verified' || lane.state === 'written') return 1;
  const total = Math.max(1, totalWriteBytes) * (verify ? 2 : 1);
  return Math.min(1, (lane.writtenBytes + (verify ? lane.verifiedBytes : 0)) / total);
}

/** "/dev/sdb  writing  45 %" */
export function targetLine(lane: TargetProgress, totalWriteBytes: number, verify: boolean): string {
  return terminalText(`${lane.device}  ${lane.state}  ${formatPercent(targetFraction(lane, totalWriteBytes, verify), 1)}${lane.error === null ? '' : `  ${lane.error.code}: ${lane.error.detail}`}`);
}

function jsonView(out: NodeJS.WritableStream): FlashProgressView {
  return {
    onEvent: (event) => out.write(`${JSON.stringify(event)}\n`),
    finish: () => undefined,
  };
}

const work = (r: RegionProgress, verify: boolean): number => r.writtenBytes + (verify ? r.verifiedBytes : 0);

/** Plain lines: one per phase change (and per disk state change), and an overall line at most every 5 s. */
function plainView(out: NodeJS.WritableStream, err: NodeJS.WritableStream, verify: boolean): FlashProgressView {
  const phases = new Map<number, string>();
  const states = new Map<string, string>();
  let totalWriteBytes = 0;
  let lastLineAt = 0;
  return {
    onEvent(event) {
      if (event.type === 'plan') {
        totalWriteBytes = event.totalWriteBytes;
        out.write(`Writing ${formatBytes(event.totalWriteBytes)} to ${terminalText((event.devices ?? [event.device]).join(', '))}\n`);
      } else if (event.type === 'target-failed') err.write(`${targetFailedLine(event)}\n`);
      else if (event.type === 'retry') out.write(`  ${retryLine(event)}\n`);
      else if (event.type === 'warning') out.write(`  warning: ${terminalText(event.message)}\n`);
      else if (event.type === 'progress') {
        for (const r of event.regions) {
          if (phases.get(r.number) === r.phase) continue;
          phases.set(r.number, r.phase);
          if (r.phase !== 'waiting') out.write(`  ${r.number === 0 ? 'gpt' : `#${r.number}`} ${terminalText(r.name)}: ${r.phase}\n`);
        }
        for (const lane of event.targets ?? []) {
          if (states.get(lane.device) === lane.state) continue;
          states.set(lane.device, lane.state);
          out.write(`  ${targetLine(lane, totalWriteBytes, verify)}\n`);
        }
        if (Date.now() - lastLineAt >= 5000) {
          lastLineAt = Date.now();
          out.write(`  ${overallLine(event)}\n`);
          for (const lane of event.targets ?? []) if (lane.state === 'writing' || lane.state === 'verifying') out.write(`    ${targetLine(lane, totalWriteBytes, verify)}\n`);
        }
      }
    },
    finish: () => undefined,
  };
}

/** One bar per region plus a total bar with speed and ETA (cli-progress). */
function ttyView(out: NodeJS.WritableStream, err: NodeJS.WritableStream, verify: boolean): FlashProgressView {
  const multi = new cliProgress.MultiBar(
    {
      stream: out as NodeJS.WriteStream,
      format: ' {label} |{bar}| {percentage}% {done}/{size} {phase}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
      fps: 4,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<number, cliProgress.SingleBar>();
  // Several disks: one bar per disk (device, state, percent) instead of one per region.
  const lanes = new Map<string, cliProgress.SingleBar>();
  let total: cliProgress.SingleBar | null = null;
  let labelWidth = 16;
  let totalWriteBytes = 0;
  return {
    onEvent(event) {
      if (event.type === 'plan' && event.devices !== undefined && event.devices.length > 1) {
        totalWriteBytes = event.totalWriteBytes;
        labelWidth = Math.min(40, Math.max(16, ...event.devices.map((d) => terminalText(d).length)));
        for (const device of event.devices) lanes.set(device, multi.create(1000, 0, { label: terminalText(device).padEnd(labelWidth), done: '', size: '', phase: 'waiting' }, { format: ' {label} |{bar}| {percentage}% {phase}' }));
        total = multi.create(Math.max(1, event.totalWriteBytes), 0, { label: 'total'.padEnd(labelWidth), done: '', size: '', phase: '' }, { format: ' {label} |{bar}| {percentage}% {done}, {size} {phase}' });
      } else if (event.type === 'target-failed') {
        // Above the bars; and on stderr too when that is not this terminal (a log file).
        multi.log(`${targetFailedLine(event)}\n`);
        if (err !== out && (err as NodeJS.WriteStream).isTTY !== true) err.write(`${targetFailedLine(event)}\n`);
      } else if (event.type === 'plan') {
        // Wide enough for every region's label (names are not cut), within reason.
        labelWidth = Math.min(40, Math.max(16, ...event.regions.map((r) => regionLabel(r).length)));
        for (const r of [...event.regions.filter((x) => x.number !== 0), ...event.regions.filter((x) => x.number === 0)]) {
          bars.set(r.number, multi.create(Math.max(1, r.uncompressedBytes), 0, payload(r, 0, labelWidth)));
        }
        total = multi.create(Math.max(1, event.totalWriteBytes), 0, { label: 'total'.padEnd(labelWidth), done: '', size: '', phase: '' }, { format: ' {label} |{bar}| {percentage}% {done}, {size} {phase}' });
      } else if (event.type === 'progress') {
        for (const lane of event.targets ?? []) {
          lanes.get(lane.device)?.update(Math.round(targetFraction(lane, totalWriteBytes, verify) * 1000), { label: terminalText(lane.device).padEnd(labelWidth), done: '', size: '', phase: lane.state });
        }
        for (const r of event.regions) {
          const value = r.phase === 'verifying' || r.phase === 'verified' ? r.verifiedBytes : r.writtenBytes;
          bars.get(r.number)?.update(Math.min(value, Math.max(1, r.uncompressedBytes)), payload(r, value, labelWidth));
        }
        const totalBytes = event.regions.reduce((n, r) => n + r.uncompressedBytes, 0);
        // The job's fraction and time left from the writer's ETA model: the figures the UI shows.
        const done = event.fraction === undefined ? event.regions.reduce((n, r) => n + work(r, verify), 0) / (verify ? 2 : 1) : event.fraction * totalBytes;
        total?.update(Math.min(done, Math.max(1, totalBytes)), { label: 'total'.padEnd(labelWidth), done: `${jobPhaseText(event.phase)}, ${formatRate(event.bytesPerSecond)}`, size: `${timeLeft(event)} left`, phase: event.retries > 0 ? `${event.retries} retries` : '' });
      } else if (event.type === 'retry') {
        multi.log(`${retryLine(event)}\n`);
      } else if (event.type === 'warning') {
        multi.log(`warning: ${terminalText(event.message)}\n`);
      }
    },
    finish() {
      multi.stop();
    },
  };
}

function regionLabel(r: RegionProgress): string {
  return `${r.number === 0 ? 'gpt' : `#${r.number}`} ${terminalText(r.name)}`;
}

function payload(r: RegionProgress, value: number, labelWidth: number): Record<string, string> {
  const full = regionLabel(r);
  const label = (full.length > labelWidth ? `${full.slice(0, labelWidth - 1)}…` : full).padEnd(labelWidth);
  return { label, done: formatBytes(value), size: formatBytes(r.uncompressedBytes), phase: r.phase };
}

function timeLeft(event: Extract<FlashProgress, { type: 'progress' }>): string {
  const seconds = event.etaSeconds === undefined ? (event.etaMs === null ? null : event.etaMs / 1000) : event.etaSeconds;
  return seconds === null ? '—' : formatDuration(seconds * 1000);
}

/** "Writing 2 of 3 · 45 %, 38 % of the job, 12.3 MB/s, 1m 20s left": the figures the UI shows. */
export function overallLine(event: Extract<FlashProgress, { type: 'progress' }>): string {
  const fraction = event.fraction ?? 0;
  return `${jobPhaseText(event.phase)}, ${formatPercent(fraction, 1)} of the job, ${formatRate(event.bytesPerSecond)}, ${timeLeft(event)} left`;
}

/**
 * One retry as a line: "server unreachable, retrying (12 s)" while a restarted server is
 * waited for (its time budget), otherwise the attempt number, position and reason.
 */
export function retryLine(event: Extract<FlashProgress, { type: 'retry' }>): string {
  if (event.unreachable === true) {
    const budget = event.retryForSeconds === undefined ? '' : ` of ${event.retryForSeconds} s`;
    return `network: server unreachable, retrying (${event.unreachableSeconds ?? 0} s${budget}; at byte ${event.offsetBytes}: ${terminalText(event.reason)})`;
  }
  return `network: retry ${event.attempt} at byte ${event.offsetBytes} (${terminalText(event.reason)})`;
}
