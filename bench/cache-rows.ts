/**
 * Bench rows (f) and (g) of issue #11 — the verified image cache, measured like (a):
 *   (f) cosiflash flash --cache --no-verify from a warm cache (filled by `cosiflash cache fetch`,
 *       as a station does before devices arrive); goal: faster than (a), at most 1 MiB transferred.
 *   (g) a resumed cosiflash flash --cache --no-verify after the first one was SIGKILLed (CLI and
 *       writer, as a crash) once the flash itself reported half of its job done (`--json`
 *       progress fraction ≥ 0.5); goal: total transferred (the killed run plus the resumed one)
 *       at most 1.1× the image.
 * Bytes are counted from nginx's access log ($body_bytes_sent).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CacheStore } from '../src/cache/cache-store.ts';

export interface CacheSample {
  readonly wallSeconds: number;
  readonly peakRssKiB: number;
  readonly cpuSeconds: number;
}

export interface CacheRowsContext {
  /** The (a) command without --no-verify: `node bin/cosiflash.js flash URL --disk … --yes --hash …`. */
  readonly flash: readonly string[];
  /** `node bin/cosiflash.js cache fetch URL --hash …`: fills the cache for (f). */
  readonly fetch: readonly string[];
  /** Folder used as XDG_CACHE_HOME for the runs (emptied as needed). */
  readonly cacheHome: string;
  /** nginx's access log. */
  readonly accessLog: string;
  /** Size of the served .cosi file. */
  readonly imageBytes: number;
  readonly rounds: number;
  /** Runs a command under GNU time (run.ts's measure), with XDG_CACHE_HOME set by the caller. */
  readonly measure: (label: string, command: readonly string[]) => CacheSample;
  readonly log: (line: string) => void;
}

export interface CacheRowSamples {
  readonly f: { readonly sample: CacheSample; readonly transferredBytes: number }[];
  readonly g: { readonly sample: CacheSample; readonly transferredBytes: number; readonly killedAtFraction: number }[];
}

/** Body bytes nginx logged so far. */
export function loggedBytes(accessLog: string): number {
  let text: string;
  try {
    text = readFileSync(accessLog, 'utf8');
  } catch {
    return 0;
  }
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /" (\d{3}) (\d+) "/.exec(line);
    if (match !== null) total += Number(match[2]);
  }
  return total;
}

/** nginx writes a log line when a request ends: wait until the count stops moving. */
async function settledBytes(accessLog: string): Promise<number> {
  let last = -1;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = loggedBytes(accessLog);
    if (now === last) return now;
    last = now;
  }
}

/**
 * Starts `command` (with `--json`) in its own process group and SIGKILLs the group once the
 * flash reports `fraction` of its job done; returns the fraction of the image cached at that
 * moment, or null when the flash ended first.
 */
async function killAtFraction(command: readonly string[], cacheDir: string, imageBytes: number, fraction: number): Promise<number | null> {
  const child = spawn(command[0] as string, [...command.slice(1), '--json'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: process.env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const store = new CacheStore({ dir: cacheDir, maxBytes: null, owner: null });
  const cached = (): number => store.list().reduce((n, e) => n + e.cachedBytes, 0);
  const reached = new Promise<boolean>((resolve) => {
    let text = '';
    child.stdout.on('data', (data: Buffer) => {
      text += data.toString('utf8');
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const event = JSON.parse(line) as { type?: string; fraction?: number };
          if (event.type === 'progress' && (event.fraction ?? 0) >= fraction) resolve(true);
        } catch {
          // not an event line
        }
      }
    });
    void exited.then(() => resolve(false));
  });
  if (!(await reached)) return null;
  process.kill(-(child.pid as number), 'SIGKILL');
  await exited;
  return cached() / imageBytes;
}

export async function measureCacheRows(context: CacheRowsContext): Promise<CacheRowSamples> {
  const cacheDir = path.join(context.cacheHome, 'cosiflash');
  const command = [...context.flash, '--no-verify', '--cache'];
  // Root's own cache under bench/.cache (under sudo, the cache would be the invoking user's, who cannot write there).
  const saved = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, SUDO_UID: process.env.SUDO_UID, PKEXEC_UID: process.env.PKEXEC_UID };
  process.env.XDG_CACHE_HOME = context.cacheHome;
  delete process.env.SUDO_UID;
  delete process.env.PKEXEC_UID;
  const f: CacheRowSamples['f'][number][] = [];
  const g: CacheRowSamples['g'][number][] = [];
  try {
    rmSync(cacheDir, { recursive: true, force: true });
    context.measure('fill the cache for f (cache fetch)', context.fetch);
    for (let round = 1; round <= context.rounds; round++) {
      const before = await settledBytes(context.accessLog);
      const sample = context.measure('f', command);
      f.push({ sample, transferredBytes: (await settledBytes(context.accessLog)) - before });
      context.log(`bench: round ${round} f: ${sample.wallSeconds.toFixed(2)} s, ${(f.at(-1)!.transferredBytes / 1024).toFixed(0)} KiB transferred`);
    }
    for (let round = 1; round <= context.rounds; round++) {
      rmSync(cacheDir, { recursive: true, force: true });
      const before = await settledBytes(context.accessLog);
      const killedAtFraction = await killAtFraction(command, cacheDir, context.imageBytes, 0.5);
      if (killedAtFraction === null) {
        context.log(`bench: round ${round} g: the flash ended before it reported half its job done (${((cachedFraction(cacheDir) ?? 0) * 100).toFixed(0)} % cached); no kill to resume from`);
        continue;
      }
      const sample = context.measure('g', command);
      g.push({ sample, transferredBytes: (await settledBytes(context.accessLog)) - before, killedAtFraction });
      context.log(`bench: round ${round} g: killed at half the flash with ${(killedAtFraction * 100).toFixed(0)} % of the image cached, resumed in ${sample.wallSeconds.toFixed(2)} s, ${(g.at(-1)!.transferredBytes / context.imageBytes).toFixed(3)}× the image transferred`);
    }
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(cacheDir, { recursive: true, force: true });
  }
  return { f, g };
}

function cachedFraction(cacheDir: string): number | null {
  const entries = new CacheStore({ dir: cacheDir, maxBytes: null, owner: null }).list();
  return entries.length === 0 ? null : entries.reduce((n, e) => n + e.cachedBytes / e.sizeBytes, 0) / entries.length;
}
