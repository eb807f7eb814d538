import cliProgress from 'cli-progress';
import { terminalText } from '../common/terminal-text.ts';
import type { FlashProgress, FlashReport, RegionProgress } from '../model/flash-progress.ts';
import { formatBytes, formatDuration, formatPercent, formatRate, jobPhaseText } from '../common/format-units.ts';

/** Shows a flash job's progress: bars on a TTY, plain lines otherwise, NDJSON with --json. */
export interface FlashProgressView {
  onEvent(event: FlashProgress): void;
  finish(report: FlashReport | null): void;
}

export function createFlashProgressView(options: { mode: 'tty' | 'plain' | 'json'; out: NodeJS.WritableStream; verify: boolean }): FlashProgressView {
  if (options.mode === 'json') return jsonView(options.out);
  return options.mode === 'tty' ? ttyView(options.out, options.verify) : plainView(options.out);
}

function jsonView(out: NodeJS.WritableStream): FlashProgressView {
  return {
    onEvent: (event) => out.write(`${JSON.stringify(event)}\n`),
    finish: () => undefined,
  };
}

const work = (r: RegionProgress, verify: boolean): number => r.writtenBytes + (verify ? r.verifiedBytes : 0);

/** Plain lines: one per phase change, and an overall line at most every 5 s. */
function plainView(out: NodeJS.WritableStream): FlashProgressView {
  const phases = new Map<number, string>();
  let lastLineAt = 0;
  return {
    onEvent(event) {
      if (event.type === 'plan') out.write(`Writing ${formatBytes(event.totalWriteBytes)} to ${event.device}\n`);
      else if (event.type === 'retry') out.write(`  ${retryLine(event)}\n`);
      else if (event.type === 'warning') out.write(`  warning: ${terminalText(event.message)}\n`);
      else if (event.type === 'progress') {
        for (const r of event.regions) {
          if (phases.get(r.number) === r.phase) continue;
          phases.set(r.number, r.phase);
          if (r.phase !== 'waiting') out.write(`  ${r.number === 0 ? 'gpt' : `#${r.number}`} ${terminalText(r.name)}: ${r.phase}\n`);
        }
        if (Date.now() - lastLineAt >= 5000) {
          lastLineAt = Date.now();
          out.write(`  ${overallLine(event)}\n`);
        }
      }
    },
    finish: () => undefined,
  };
}

/** One bar per region plus a total bar with speed and ETA (cli-progress). */
function ttyView(out: NodeJS.WritableStream, verify: boolean): FlashProgressView {
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
  let total: cliProgress.SingleBar | null = null;
  let labelWidth = 16;
  return {
    onEvent(event) {
      if (event.type === 'plan') {
        // Wide enough for every region's label (names are not cut), within reason.
        labelWidth = Math.min(40, Math.max(16, ...event.regions.map((r) => regionLabel(r).length)));
        for (const r of [...event.regions.filter((x) => x.number !== 0), ...event.regions.filter((x) => x.number === 0)]) {
          bars.set(r.number, multi.create(Math.max(1, r.uncompressedBytes), 0, payload(r, 0, labelWidth)));
        }
        total = multi.create(Math.max(1, event.totalWriteBytes), 0, { label: 'total'.padEnd(labelWidth), done: '', size: '', phase: '' }, { format: ' {label} |{bar}| {percentage}% {done}, {size} {phase}' });
      } else if (event.type === 'progress') {
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
