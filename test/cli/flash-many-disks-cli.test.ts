/**
 * `cosiflash flash --count 2` (issue 11 §1) over three real loop devices of different sizes:
 * the two smallest are written in one job and pass the engine's checks, the third is left
 * byte-for-byte as it was; one verdict per disk, one log line per disk, the report has both.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import type { FlashLogEntry } from '../../src/model/flash-log-entry.ts';
import type { FlashProgress, FlashReport } from '../../src/model/flash-progress.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike, expectNoValidTable, hashDevice, writeOldTable } from '../support/flash-checks.ts';
import { attachTmpfsLoop, describeRootOnly, itRootOnly, withLoops, type TmpfsLoopDevice } from '../support/loop-device.ts';
import { runCli } from './run-cli.ts';

const MiB = 1024 * 1024;
let fixture: CosiFixture;
let dir: string;

describeRootOnly('cosiflash flash onto several disks', () => {
  beforeAll(async () => {
    fixture = await buildCosiFixture();
    dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-many-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  itRootOnly('--count 2 --auto writes the two smallest, leaves the third untouched; a verdict, a report section and a log line per disk', async () => {
    const size = fixture.diskSizeBytes;
    // Listed largest first: the choice is by size, not by order.
    await withLoops([{ sizeBytes: size + 24 * MiB }, { sizeBytes: size }, { sizeBytes: size + 8 * MiB }], async ([largest, smallest, middle]) => {
      for (const loop of [largest, smallest, middle]) await writeOldTable(loop!.device);
      const untouched = await hashDevice(largest!.device, size + 24 * MiB);
      const reportFile = path.join(dir, 'report.json');
      const logFile = path.join(dir, 'log.jsonl');
      const only = [largest, smallest, middle].map((l) => l!.device).join(',');
      const result = await runCli(['flash', fixture.cosiPath, '--count', '2', '--auto', '--yes', '--allow-loop', '--only', only, '--json', '--report', reportFile, '--log', logFile]);
      expect(result.code, result.stderr).toBe(EXIT_CODES.ok);
      const chosen = [smallest!.device, middle!.device];

      const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as FlashProgress | { type: 'report'; report: FlashReport });
      const plan = events.find((e) => e.type === 'plan');
      expect(plan?.type === 'plan' ? plan.devices : null).toEqual(chosen);
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as FlashReport;
      expect(report.targets?.map((t) => [t.device.path, t.outcome])).toEqual(chosen.map((d) => [d, 'verified']));
      // The plan listed both, and the summary has a verdict per disk.
      expect(result.stderr).toContain('Targets 2 disks');
      expect(result.stderr).toMatch(new RegExp(`VERIFIED +${smallest!.device}`));
      expect(result.stderr).toMatch(new RegExp(`VERIFIED +${middle!.device}`));
      const log = (await readFile(logFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as FlashLogEntry);
      expect(log.map((e) => [e.device.path, e.result])).toEqual(chosen.map((d) => [d, 'verified']));

      await expectFlashedLike(smallest!.device, fixture, { sameSize: true });
      await expectFlashedLike(middle!.device, fixture, { sameSize: false });
      expect(await hashDevice(largest!.device, size + 24 * MiB)).toBe(untouched);
    });
  });

  itRootOnly('--disk repeated: every named disk; a disk named twice is refused before anything is written', async () => {
    const size = fixture.diskSizeBytes;
    await withLoops([{ sizeBytes: size }, { sizeBytes: size + 8 * MiB }], async ([a, b]) => {
      const before = await hashDevice(a!.device, size);
      const twice = await runCli(['flash', fixture.cosiPath, '--disk', `${a!.device},${a!.device}`, '--yes', '--allow-loop', '--only', a!.device, '--log', path.join(dir, 'twice.jsonl')]);
      expect(twice.code).toBe(EXIT_CODES.usage);
      expect(twice.stderr).toContain('named more than once');
      expect(await hashDevice(a!.device, size)).toBe(before);
      const result = await runCli(['flash', fixture.cosiPath, '--disk', b!.device, '--disk', a!.device, '--yes', '--no-verify', '--allow-loop', '--only', `${a!.device},${b!.device}`, '--log', path.join(dir, 'two.jsonl')]);
      expect(result.code, result.stderr).toBe(EXIT_CODES.ok);
      expect(result.stdout).toContain('all 2 disks');
      expect(result.stdout).toMatch(new RegExp(`WRITTEN +${b!.device}`));
      expect(result.stdout).toMatch(new RegExp(`WRITTEN +${a!.device}`));
      await expectFlashedLike(a!.device, fixture, { sameSize: true });
      await expectFlashedLike(b!.device, fixture, { sameSize: false });
    });
  });

  itRootOnly('one disk fails (its backing store is full): the other is verified and says so, the failed one is reported at once and in its verdict; exit 5; a log line each', async () => {
    const size = fixture.diskSizeBytes;
    let full: TmpfsLoopDevice | null = null;
    try {
      full = await attachTmpfsLoop({ sizeBytes: size, tmpfsBytes: 6 * MiB });
      const fullDevice = full.device;
      await withLoops([{ sizeBytes: size }], async ([good]) => {
        const logFile = path.join(dir, 'one-fails.jsonl');
        const result = await runCli(['flash', fixture.cosiPath, '--disk', `${good!.device},${fullDevice}`, '--yes', '--allow-loop', '--only', `${good!.device},${fullDevice}`, '--log', logFile]);
        expect(result.code, result.stderr).toBe(EXIT_CODES.writeFailed);
        expect(result.stderr).toContain(`${fullDevice} failed: E_WRITE`);
        expect(result.stderr).toContain('1 of 2 disks OK, 1 disk not');
        expect(result.stderr).toMatch(new RegExp(`VERIFIED +${good!.device}`));
        expect(result.stderr).toMatch(new RegExp(`FAILED +${fullDevice}`));
        expect(result.stderr).toContain(`${fullDevice} has no valid partition table now`);
        const log = (await readFile(logFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as FlashLogEntry);
        expect(log.map((e) => [e.device.path, e.result, e.errorCode])).toEqual([[good!.device, 'verified', null], [fullDevice, 'failed', 'E_WRITE']]);
        await expectFlashedLike(good!.device, fixture, { sameSize: true });
        await expectNoValidTable(fullDevice);
      });
    } finally {
      await full?.detach();
    }
  });
});
