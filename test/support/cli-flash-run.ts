/**
 * Runs `cosiflash flash … --yes --json` as a real child process and hands every NDJSON event to
 * the test as it arrives, with the CLI's child process and its writer's pid, so fault tests can
 * signal either process at a chosen phase.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './cosi-fixtures.ts';

const CLI = path.join(PROJECT_ROOT, 'bin', 'cosiflash.js');

export interface CliFlashRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every JSON line printed on stdout, in order. */
  readonly lines: readonly Record<string, unknown>[];
  readonly writerPid: number | null;
}

export interface CliFlashOptions {
  /** Called for every JSON line; `writerPid()` finds the writer (the CLI's child) when needed. */
  readonly onLine?: (line: Record<string, unknown>, context: { cli: ChildProcess; writerPid: () => number | null }) => void;
}

/** The pids of `pid`'s child processes. */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function runCliFlash(args: readonly string[], options: CliFlashOptions = {}): Promise<CliFlashRun> {
  return new Promise((resolve, reject) => {
    const cli = spawn(process.execPath, [CLI, 'flash', ...args, '--yes', '--json'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: Record<string, unknown>[] = [];
    let writer: number | null = null;
    const writerPid = (): number | null => {
      writer ??= childPids(cli.pid ?? -1)[0] ?? null;
      return writer;
    };
    cli.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      partial += text;
      let index = partial.indexOf('\n');
      while (index >= 0) {
        const raw = partial.slice(0, index).trim();
        partial = partial.slice(index + 1);
        index = partial.indexOf('\n');
        if (raw === '') continue;
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          continue;
        }
        lines.push(line);
        options.onLine?.(line, { cli, writerPid });
      }
    });
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    cli.on('error', reject);
    cli.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, lines, writerPid: writer }));
  });
}

/** The phase of region `number` in a progress event line, or null. */
export function phaseIn(line: Record<string, unknown>, number: number): string | null {
  if (line.type !== 'progress' || !Array.isArray(line.regions)) return null;
  const region = (line.regions as { number: number; phase: string }[]).find((r) => r.number === number);
  return region?.phase ?? null;
}

/** True when any partition region (number > 0) of a progress line is in `phase`. */
export function anyPartitionIn(line: Record<string, unknown>, phase: string): boolean {
  if (line.type !== 'progress' || !Array.isArray(line.regions)) return false;
  return (line.regions as { number: number; phase: string }[]).some((r) => r.number > 0 && r.phase === phase);
}
