/**
 * The flash log from the CLI: a verified, a failed (corrupt region after writing began), a
 * cancelled (Ctrl-C) and a refused (hash mismatch) flash each append one line; `cosiflash
 * log` lists them as a table, JSON and CSV.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import type { FlashLogEntry } from '../../src/model/flash-log-entry.ts';
import { buildCosiFixture, PROJECT_ROOT, type CosiFixture } from '../support/cosi-fixtures.ts';
import { expectNoValidTable, writeOldTable } from '../support/flash-checks.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';

const MiB = 1024 * 1024;
const CLI = path.join(PROJECT_ROOT, 'bin', 'cosiflash.js');
let server: RangeServer;
let dir: string;
let logFile: string;

beforeAll(async () => {
  server = await startRangeServer({ files: {} });
  dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-log-cli-'));
  logFile = path.join(dir, 'logs', 'flash-log.jsonl');
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: readonly string[], onStdout?: (text: string, kill: () => void) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, () => child.kill('SIGINT'));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let counter = 0;
function serve(fixture: CosiFixture): string {
  counter += 1;
  server.setFile(`l${counter}.cosi`, fixture.cosiPath);
  return server.url(`l${counter}.cosi`);
}

async function logLines(): Promise<FlashLogEntry[]> {
  return (await readFile(logFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as FlashLogEntry);
}

describeRootOnly('flash log (CLI)', () => {
  itRootOnly('logs a verified, a failed, a cancelled and a refused flash, and `cosiflash log` lists them', async () => {
    const good = await buildCosiFixture();
    const corrupt = await buildCosiFixture({}, { corruptCompressed: { region: 2 } });
    const big = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 24 }] });
    await withLoops([{ sizeBytes: big.diskSizeBytes }], async ([disk]) => {
      const device = disk!.device;
      const common = ['--disk', device, '--allow-loop', '--only', device, '--yes', '--log', logFile, '--station', 'bench-7', '--operator', 'ana'];

      const passed = await cli(['flash', serve(good), ...common]);
      expect(passed.code, passed.stderr).toBe(EXIT_CODES.ok);
      let lines = await logLines();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        result: 'verified', errorCode: null, station: 'bench-7', operator: 'ana', toolVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
        image: { imageHash: good.imageHash, os: expect.any(String), osVersion: expect.any(String) },
        device: { path: device, sizeBytes: big.diskSizeBytes, bus: expect.any(String) },
        bytesWritten: expect.any(Number),
      });
      expect(lines[0]!.bytesDownloaded).toBeGreaterThan(0);
      expect(lines[0]!.throughputBytesPerSecond).toBeGreaterThan(0);
      expect(lines[0]!.partitions.map((p) => [p.number, p.verdict])).toEqual([[0, 'verified'], ...good.regions.slice(1).map((r) => [r.number, 'verified'])]);
      expect((await stat(logFile)).mode & 0o777).toBe(0o600);
      expect((await stat(path.dirname(logFile))).mode & 0o777).toBe(0o700);

      const failed = await cli(['flash', serve(corrupt), ...common]);
      expect(failed.code, failed.stderr).toBe(EXIT_CODES.writeFailed);
      // The failure summary goes to stderr and says what the disk was left with.
      expect(failed.stderr).toContain('FAILED:');
      expect(failed.stderr).toContain(`${device} has no valid partition table now`);
      expect(failed.stdout).not.toContain('FAILED:');
      lines = await logLines();
      expect(lines[1]).toMatchObject({ result: 'failed', errorCode: 'E_IMAGE_HASH', image: { imageHash: corrupt.imageHash } });
      expect(lines[1]!.partitions.find((p) => p.number === 2)?.verdict).toBe('failed');

      await writeOldTable(device);
      server.setFaults({ stallAfterBytes: 2 * MiB, stallMs: 20_000 });
      let sent = false;
      const cancelled = await cli(['flash', serve(big), ...common, '--json'], (text, kill) => {
        if (!sent && /"writtenBytes":[1-9]/.test(text)) {
          sent = true;
          kill();
        }
      });
      server.setFaults({});
      expect(cancelled.code, cancelled.stderr).toBe(EXIT_CODES.cancelled);
      expect(cancelled.stderr).toContain(`${device} has no valid partition table now`);
      await expectNoValidTable(device);
      lines = await logLines();
      expect(lines[2]).toMatchObject({ result: 'cancelled', errorCode: 'E_CANCELLED' });

      const refused = await cli(['flash', serve(good), ...common, '--hash', `sha384:${'0'.repeat(96)}`]);
      expect(refused.code).toBe(EXIT_CODES.invalidInput);
      lines = await logLines();
      expect(lines[3]).toMatchObject({ result: 'refused', errorCode: 'E_HASH_MISMATCH', bytesWritten: 0 });
      expect(lines).toHaveLength(4);

      const table = await cli(['log', '--log', logFile]);
      expect(table.code, table.stderr).toBe(EXIT_CODES.ok);
      expect(table.stdout).toMatch(/VERIFIED[\s\S]*FAILED E_IMAGE_HASH[\s\S]*CANCELLED[\s\S]*REFUSED E_HASH_MISMATCH/);
      expect(table.stdout).toContain('4 flashes: 1 verified, 1 failed, 1 cancelled, 1 refused');
      const json = await cli(['log', '--log', logFile, '--json', '--since', lines[1]!.startedAt]);
      expect((JSON.parse(json.stdout) as FlashLogEntry[]).map((e) => e.result)).toEqual(['failed', 'cancelled', 'refused']);
      const csv = await cli(['log', '--log', logFile, '--csv']);
      expect(csv.stdout.trim().split('\r\n')).toHaveLength(5);
      const bad = await cli(['log', '--log', logFile, '--since', 'yesterday-ish']);
      expect(bad.code).toBe(EXIT_CODES.usage);
      expect(bad.stderr).toContain('--since');
    });
  }, 240_000);
});
