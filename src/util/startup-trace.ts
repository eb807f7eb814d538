/**
 * An opt-in trace of where start-up time goes (issue 10, "start in a blink"): with
 * COSIFLASH_TRACE_FILE=/some/file, every process of a flash (the CLI and the writer) appends
 * one line per step, `<epoch ms> <pid> <role> <label>`, so one file shows the whole start
 * across both processes. Without the variable it does nothing. The writer started through
 * pkexec never sees the variable (pkexec clears the environment).
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const file = process.env.COSIFLASH_TRACE_FILE;

/** Records when this process started (Node's time origin), as the step `process start`. */
export function traceProcessStart(role: string): void {
  if (file === undefined || file === '') return;
  try {
    appendFileSync(file, `${performance.timeOrigin.toFixed(1)} ${process.pid} ${role} process start\n`);
  } catch {
    // A trace must never break a flash.
  }
}

/** Records `label` with the current time (no-op unless COSIFLASH_TRACE_FILE is set). */
export function traceStartup(role: string, label: string): void {
  if (file === undefined || file === '') return;
  try {
    appendFileSync(file, `${(performance.timeOrigin + performance.now()).toFixed(1)} ${process.pid} ${role} ${label}\n`);
  } catch {
    // A trace must never break a flash.
  }
}
