/**
 * An opt-in trace of where start-up time goes (issue 10, "start in a blink"): with
 * COSIFLASH_TRACE_FILE=/some/file, every process of a flash (the CLI and the writer) appends
 * one line per step, `<epoch ms> <pid> <role> <label>`, so one file shows the whole start
 * across both processes. Without the variable it does nothing. The writer started through
 * pkexec never sees the variable (pkexec clears the environment). The file is opened
 * without following a symlink and written only when it is a plain file of this process's user
 * with one link: a root run never appends through a name another user planted.
 */
import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const file = process.env.COSIFLASH_TRACE_FILE;

function append(line: string): void {
  if (file === undefined || file === '') return;
  try {
    const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    try {
      const info = fstatSync(fd);
      if (info.isFile() && info.uid === process.getuid?.() && info.nlink === 1) writeSync(fd, line);
    } finally {
      closeSync(fd);
    }
  } catch {
    // A trace must never break a flash.
  }
}

/** Records when this process started (Node's time origin), as the step `process start`. */
export function traceProcessStart(role: string): void {
  append(`${performance.timeOrigin.toFixed(1)} ${process.pid} ${role} process start\n`);
}

/** Records `label` with the current time (no-op unless COSIFLASH_TRACE_FILE is set). */
export function traceStartup(role: string, label: string): void {
  append(`${(performance.timeOrigin + performance.now()).toFixed(1)} ${process.pid} ${role} ${label}\n`);
}
