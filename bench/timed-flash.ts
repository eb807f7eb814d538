/**
 * Runs one `cosiflash flash … --json` under GNU time and reads its NDJSON progress on the fly:
 * besides wall time, peak RSS and CPU (like run.ts's measure), when the first byte was written
 * (first progress event with writtenBytes > 0, from spawn) and the streaming time (from that
 * event to the first one where every planned byte is written). Fixed cost = wall − streaming.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface TimedFlash {
  readonly wallSeconds: number;
  readonly peakRssKiB: number;
  readonly cpuSeconds: number;
  /** From spawn to the first progress event with bytes written; NaN when none came. */
  readonly firstByteSeconds: number;
  /** From the first byte written to the event that reports all planned bytes written. */
  readonly streamingSeconds: number;
}

interface Event {
  readonly type?: string;
  readonly totalWriteBytes?: number;
  readonly regions?: readonly { readonly writtenBytes?: number }[];
}

export async function timedFlash(label: string, command: readonly string[], timeFile: string): Promise<TimedFlash> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, ...command, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let total = Infinity;
  let firstAt = NaN;
  let doneAt = NaN;
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout.on('data', (chunk: Buffer) => {
    const now = performance.now();
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      let event: Event;
      try {
        event = JSON.parse(line) as Event;
      } catch {
        continue;
      }
      if (event.type === 'plan' && event.totalWriteBytes !== undefined) total = event.totalWriteBytes;
      if (event.type !== 'progress' || event.regions === undefined) continue;
      const written = event.regions.reduce((n, r) => n + (r.writtenBytes ?? 0), 0);
      if (written > 0 && Number.isNaN(firstAt)) firstAt = now;
      if (written >= total && Number.isNaN(doneAt)) doneAt = now;
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${label} failed (exit ${code}): ${stderr}`);
  const [wall, rss, user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
  return {
    wallSeconds: wall ?? NaN,
    peakRssKiB: rss ?? NaN,
    cpuSeconds: (user ?? 0) + (sys ?? 0),
    firstByteSeconds: (firstAt - started) / 1000,
    streamingSeconds: (doneAt - firstAt) / 1000,
  };
}
