/**
 * Ctrl-C under npx (issue 12 §6): `npx cosiflash flash …` runs in its own process group, as a
 * terminal runs a command, and SIGINT goes to the whole group mid-flash (npm, the shell it
 * starts, the CLI and its writer all get it, as they do when a person presses Ctrl-C). The
 * exit code that reaches the terminal is still 6 (cancelled) and the disk holds no valid table.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import { buildCosiFixture, PROJECT_ROOT } from '../support/cosi-fixtures.ts';
import { expectNoValidTable, writeOldTable } from '../support/flash-checks.ts';
import { itRootOnly, withLoops } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';

const MiB = 1024 * 1024;
let server: RangeServer;

beforeAll(async () => {
  server = await startRangeServer({ files: {} });
});
afterAll(async () => {
  await server?.close();
});

interface GroupRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly interrupted: boolean;
}

/** Runs `npx cosiflash flash …` as the leader of a new process group; SIGINT to the group once bytes are written. */
function runUnderNpx(args: readonly string[]): Promise<GroupRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['cosiflash', 'flash', ...args], { cwd: PROJECT_ROOT, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!interrupted && child.pid !== undefined && /"writtenBytes":[1-9]/.test(stdout)) {
        interrupted = true;
        process.kill(-child.pid, 'SIGINT');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, interrupted }));
  });
}

itRootOnly('Ctrl-C under npx: SIGINT to the process group mid-flash exits 6 and leaves no valid table', async () => {
  const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 24 }] });
  server.setFile('npx.cosi', fixture.cosiPath);
  await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
    await writeOldTable(disk!.device);
    // Big responses stall after 2 MiB, so the flash is still running when the group is interrupted.
    server.setFaults({ stallAfterBytes: 2 * MiB, stallMs: 20_000 });
    try {
      const result = await runUnderNpx([server.url('npx.cosi'), '--disk', disk!.device, '--allow-loop', '--only', disk!.device, '--yes', '--json']);
      expect(result.interrupted, result.stderr).toBe(true);
      expect({ code: result.code, signal: result.signal }, result.stderr).toEqual({ code: EXIT_CODES.cancelled, signal: null });
      expect(result.stdout).toContain('"outcome":"cancelled"');
    } finally {
      server.setFaults({});
    }
    await expectNoValidTable(disk!.device);
  });
}, 120_000);
