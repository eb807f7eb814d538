/**
 * Whether a silent peer of the writer protocol is still doing something (Linux /proc/PID/stat):
 * a process that used CPU since the last look and is not stopped is slow (a loaded machine, a
 * long module load), not hung; a stopped one (SIGSTOP, Ctrl-Z) or one that used no CPU at all
 * is silent. Null where /proc is not available.
 */
import { readFileSync } from 'node:fs';

export type ProcessState = 'stopped' | 'running' | 'other';

interface Sample {
  readonly state: ProcessState;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
}

function sample(pid: number | undefined): Sample | null {
  if (pid === undefined || process.platform !== 'linux') return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "PID (comm) S …": the comm may contain spaces and parentheses; fields follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const letter = fields[0] ?? '';
  const state: ProcessState = letter === 'T' || letter === 't' ? 'stopped' : letter === 'R' ? 'running' : 'other';
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the state.
  return { state, cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

export function processState(pid: number | undefined): ProcessState | null {
  return sample(pid)?.state ?? null;
}

/** Returns a check "did `pid` run since the last check (and is it not stopped)?". */
export function createActivityProbe(pid: () => number | undefined): () => boolean {
  let last: number | null = null;
  return () => {
    const now = sample(pid());
    if (now === null) return false;
    const ran = last !== null && now.cpuTicks > last;
    last = now.cpuTicks;
    return now.state !== 'stopped' && (ran || now.state === 'running');
  };
}
