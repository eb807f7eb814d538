/**
 * Issue 9 §4–5: a seeded fuzz run of `inspect` over a few hundred tar/metadata mutants
 * generated here (test/support/cosi-mutants.ts, fixed seed). Each must end as success or a
 * specific E_* code — never an internal error — in under 5 s, with the inspecting process's
 * peak RSS (VmHWM) under 1 GiB. A mutant that hangs gets its process killed after 5 s and
 * fails the test. The mutants run in two child processes side by side.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';

const SEED = 0x0c05_1f1a;
const MUTANTS = 300;
const PER_MUTANT_MS = 5000;
const PEAK_RSS_LIMIT_KIB = 1024 * 1024;
const CHILD = fileURLToPath(new URL('../support/fuzz-inspect-child.ts', import.meta.url));

interface Outcome {
  readonly index: number;
  readonly description: string;
  readonly code: string;
  readonly internal: boolean;
  readonly message: string;
  readonly ms: number;
  readonly peakRssKiB: number;
  readonly hung?: boolean;
}

/** Runs mutants [from, to) in child processes, restarting after a hang (that mutant is recorded as hung). */
async function runRange(base: string, dir: string, from: number, to: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = from;
  while (next < to) {
    const started = next;
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [CHILD, base, String(SEED), String(started), String(to), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let current: { index: number; description: string } | null = null;
      let watchdog: NodeJS.Timeout | undefined;
      let stderr = '';
      let partial = '';
      const arm = (): void => {
        clearTimeout(watchdog);
        // Process start-up is not the mutant's time: the first mutant's clock starts at its 'start' line.
        watchdog = setTimeout(() => {
          if (current !== null) outcomes.push({ ...current, code: 'hang', internal: false, message: `no answer in ${PER_MUTANT_MS} ms`, ms: PER_MUTANT_MS, peakRssKiB: 0, hung: true });
          next = (current?.index ?? next) + 1;
          child.kill('SIGKILL');
        }, PER_MUTANT_MS + 2000);
      };
      child.stdout.on('data', (chunk: Buffer) => {
        partial += chunk.toString();
        let at = partial.indexOf('\n');
        while (at >= 0) {
          const line = JSON.parse(partial.slice(0, at)) as { type: string } & Outcome;
          partial = partial.slice(at + 1);
          at = partial.indexOf('\n');
          if (line.type === 'start') {
            current = { index: line.index, description: line.description };
            arm();
          } else {
            outcomes.push(line);
            next = line.index + 1;
            current = null;
          }
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(watchdog);
        if (signal === null && code !== 0 && next < to) reject(new Error(`fuzz child exited ${code} at mutant ${next}: ${stderr.slice(-2000)}`));
        else resolve();
      });
    });
  }
  return outcomes;
}

describe('faults: inspect fuzz run (seeded tar/metadata mutants)', () => {
  it(`${MUTANTS} mutants: success or a specific E_* code, each under ${PER_MUTANT_MS / 1000} s and 1 GiB`, async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'root', kind: 'ext4', sizeMiB: 8 }] });
    const dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-fuzz-'));
    try {
      const half = Math.floor(MUTANTS / 2);
      const outcomes = (await Promise.all([runRange(fixture.cosiPath, dir, 0, half), runRange(fixture.cosiPath, dir, half, MUTANTS)])).flat();
      expect(outcomes).toHaveLength(MUTANTS);
      const show = (list: readonly Outcome[]): string => list.map((o) => `#${o.index} ${o.description}: ${o.code} ${o.message} (${o.ms} ms, ${o.peakRssKiB} KiB)`).join('\n');
      expect(show(outcomes.filter((o) => o.hung === true)), 'hangs').toBe('');
      expect(show(outcomes.filter((o) => o.internal)), 'internal errors').toBe('');
      expect(show(outcomes.filter((o) => o.ms >= PER_MUTANT_MS)), 'slower than 5 s').toBe('');
      expect(show(outcomes.filter((o) => o.peakRssKiB >= PEAK_RSS_LIMIT_KIB)), 'peak RSS over 1 GiB').toBe('');
      // The run really exercised the reader: most mutants are refused, with a spread of codes.
      const codes = new Set(outcomes.map((o) => o.code));
      expect(codes.size, [...codes].join(', ')).toBeGreaterThanOrEqual(4);
      expect(outcomes.filter((o) => o.code !== 'ok').length).toBeGreaterThan(MUTANTS / 2);
      console.log(`inspect fuzz: ${[...codes].map((c) => `${c}×${outcomes.filter((o) => o.code === c).length}`).join(', ')}; slowest ${Math.max(...outcomes.map((o) => o.ms))} ms; peak RSS ${Math.max(...outcomes.map((o) => o.peakRssKiB))} KiB`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
