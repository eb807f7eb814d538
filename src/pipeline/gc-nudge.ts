import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'major' | 'minor' }) => void;

let cached: GcFunction | null | undefined;

/** V8's gc() without a command-line flag: expose it, then fetch it from a fresh context. */
function gcFunction(): GcFunction | null {
  if (cached !== undefined) return cached;
  try {
    const existing = (globalThis as { gc?: unknown }).gc;
    if (typeof existing === 'function') return (cached = existing as GcFunction);
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    cached = typeof fn === 'function' ? (fn as GcFunction) : null;
  } catch {
    cached = null;
  }
  return cached;
}

/**
 * Keeps memory flat while gigabytes stream through short-lived Buffers.
 *
 * Why: zlib hands out a fresh 1 MiB Buffer per decoded chunk and the network a fresh one per
 * body chunk. V8 frees their memory only when it collects the small JS wrappers, and it
 * waits until ~64 MiB of such external memory piles up per thread. Measured on the bench
 * image (1.4 GB written, 3 threads): peak RSS 290 MiB without nudges, 205 MiB with a
 * young-generation collection every 16 MiB, and no loss of speed (a scavenge of a tiny heap
 * costs well under a millisecond). Returns a counter to feed with the bytes processed.
 */
export function createGcNudge(everyBytes: number = 16 * 1024 * 1024): (bytes: number) => void {
  const gc = gcFunction();
  let pending = 0;
  return (bytes) => {
    if (gc === null) return;
    pending += bytes;
    if (pending < everyBytes) return;
    pending = 0;
    gc({ type: 'minor' });
  };
}
