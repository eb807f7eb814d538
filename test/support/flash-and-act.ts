/**
 * A real CLI flash onto a fresh loop device with a signal sent at a chosen phase (issue 9 §5),
 * and the check that whatever happened, the disk is either verified and reported as such, or
 * has no valid partition table (sfdisk, sgdisk) and no kernel partitions (lsblk).
 */
import { expect } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import type { FlashReport } from '../../src/model/flash-progress.ts';
import { anyPartitionIn, phaseIn, runCliFlash, type CliFlashRun } from './cli-flash-run.ts';
import { buildCosiFixture, type CosiFixture } from './cosi-fixtures.ts';
import { expectFlashedLike, expectNoValidTable, writeOldTable } from './flash-checks.ts';
import { withLoops } from './loop-device.ts';

export const STOP_MS = 30_000;
/** Generous: these flashes share two cores with everything else the suite runs. */
export const TEST_TIMEOUT_MS = 300_000;
const FIXTURE = { partitions: [{ number: 1, name: 'esp', kind: 'esp' as const, sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw' as const, sizeMiB: 16 }] };

export type Trigger = (line: Record<string, unknown>) => boolean;
export const partitionVerifying: Trigger = (line) => anyPartitionIn(line, 'verifying');
export const partitionWriting: Trigger = (line) => anyPartitionIn(line, 'writing');
/** The table is on the disk: being read back or re-read. */
export const tableWritten: Trigger = (line) => phaseIn(line, 0) === 'written' || phaseIn(line, 0) === 'verifying';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const signal = (pid: number, name: NodeJS.Signals): void => {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
};
/** Stops `pid` for STOP_MS (Ctrl-Z, a closed laptop lid), then lets it continue. */
export async function stopAndContinue(pid: number): Promise<void> {
  signal(pid, 'SIGSTOP');
  await sleep(STOP_MS);
  signal(pid, 'SIGCONT');
}

/** Flashes a fresh loop device with the CLI and runs `act` once, at the first line `when` matches. */
export async function flashAndAct(when: Trigger, act: (pids: { cli: number; writer: number }) => Promise<void>): Promise<{ run: CliFlashRun; fixture: CosiFixture; device: string; acted: boolean }> {
  const fixture = await buildCosiFixture(FIXTURE);
  return withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([loop]) => {
    const device = loop!.device;
    await writeOldTable(device);
    let acting: Promise<void> | null = null;
    const run = await runCliFlash([fixture.cosiPath, '--disk', device, '--allow-loop', '--only', device], {
      onLine: (line, { cli, writerPid }) => {
        if (acting !== null || !when(line)) return;
        const writer = writerPid();
        if (writer === null || cli.pid === undefined) throw new Error('no writer process found');
        acting = act({ cli: cli.pid, writer });
      },
    });
    await acting;
    expect(acting, `the trigger never fired; CLI exit ${run.code}: ${run.stderr.slice(-600)}`).not.toBeNull();
    // The outcome on the disk, checked with tools nobody here wrote.
    if (run.code === EXIT_CODES.ok) {
      expect(reportOf(run)?.outcome).toBe('verified');
      await expectFlashedLike(device, fixture, { sameSize: true });
    } else {
      expect(run.code, run.stderr).toBe(EXIT_CODES.writeFailed);
      await expectNoValidTable(device);
    }
    return { run, fixture, device, acted: acting !== null };
  });
}

export function reportOf(run: CliFlashRun): FlashReport | null {
  const line = run.lines.find((l) => l.type === 'report');
  return line === undefined ? null : (line.report as FlashReport);
}

