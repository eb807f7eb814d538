import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDisksArgs } from '../../src/cli/disks-command.ts';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import { confirmationMatches, parseFlashArgs } from '../../src/cli/flash-command.ts';
import type { FlashProgress, FlashReport } from '../../src/model/flash-progress.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike, hashDevice } from '../support/flash-checks.ts';
import { describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { runCli } from './run-cli.ts';

const MiB = 1024 * 1024;
let server: RangeServer;
beforeAll(async () => {
  server = await startRangeServer({ files: {} });
});
afterAll(async () => {
  await server?.close();
});
let counter = 0;
function serve(fixture: CosiFixture): string {
  counter += 1;
  server.setFile(`multi${counter}.cosi`, fixture.cosiPath);
  return server.url(`multi${counter}.cosi`);
}

describe('flash options for several disks', () => {
  it('--disk repeats, --count takes a whole number, and they exclude each other', () => {
    expect(parseFlashArgs(['u', '--disk', '/dev/sdb', '--disk', '/dev/sdc'])).toMatchObject({ disks: ['/dev/sdb', '/dev/sdc'], count: undefined });
    expect(parseFlashArgs(['u', '--count', '3', '--yes', '--auto'])).toMatchObject({ disks: [], count: 3, yes: true, auto: true });
    expect(() => parseFlashArgs(['u', '--count', '3', '--yes'])).toThrow(/--auto/);
    expect(() => parseFlashArgs(['u', '--count', '2', '--disk', '/dev/sdb'])).toThrow(/not both/);
    for (const bad of ['0', '-1', '2.5', 'two', '99']) expect(() => parseFlashArgs(['u', '--count', bad]), bad).toThrow(/E_INPUT|whole number/);
    expect(parseDisksArgs(['--for', 'u', '--count', '2'])).toMatchObject({ count: 2, disks: [] });
    expect(() => parseDisksArgs(['--count', '2'])).toThrow(/--for/);
  });

  it('the typed confirmation names every device (any order) or their count', () => {
    expect(confirmationMatches('/dev/sdb', ['/dev/sdb'])).toBe(true);
    expect(confirmationMatches('1', ['/dev/sdb'])).toBe(false);
    const three = ['/dev/sdb', '/dev/sdc', '/dev/sdd'];
    expect(confirmationMatches('/dev/sdb /dev/sdc /dev/sdd', three)).toBe(true);
    expect(confirmationMatches(' /dev/sdd,/dev/sdb  /dev/sdc ', three)).toBe(true);
    expect(confirmationMatches('3', three)).toBe(true);
    expect(confirmationMatches('2', three)).toBe(false);
    expect(confirmationMatches('/dev/sdb /dev/sdc', three)).toBe(false);
    expect(confirmationMatches('/dev/sdb /dev/sdb /dev/sdc', three)).toBe(false);
    expect(confirmationMatches('/dev/sdb /dev/sdc /dev/sde', three)).toBe(false);
  });
});

describeRootOnly('cosiflash with several disks', () => {
  itRootOnly('flash --count 2 --yes --auto --json writes the two smallest, events name each device, the third stays untouched; disks --for --count 2 marks the same two', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'data', kind: 'raw', sizeMiB: 6 }] });
    const sizes = [fixture.diskSizeBytes + 16 * MiB, fixture.diskSizeBytes, fixture.diskSizeBytes + 8 * MiB];
    await withLoops(sizes.map((sizeBytes) => ({ sizeBytes })), async ([largest, exact, middle]) => {
      const only = [largest!.device, exact!.device, middle!.device].flatMap((d) => ['--only', d]);
      const url = serve(fixture);
      const listed = await runCli(['disks', '--for', url, '--count', '2', '--allow-loop', ...only]);
      expect(listed.code, listed.stderr).toBe(EXIT_CODES.ok);
      expect(listed.stdout).toMatch(new RegExp(`=>\\s+${exact!.device}\\s`));
      expect(listed.stdout).toMatch(new RegExp(`=>\\s+${middle!.device}\\s`));
      expect(listed.stdout).toMatch(new RegExp(`ok\\s+${largest!.device}\\s`));
      expect(listed.stdout).toContain(`Chosen for one flash: ${exact!.device}, ${middle!.device} (2 disks).`);

      const before = await hashDevice(largest!.device, sizes[0]!);
      const run = await runCli(['flash', url, '--count', '2', '--yes', '--auto', '--json', '--allow-loop', ...only, '--log', '/dev/null']);
      expect(run.code, run.stderr).toBe(EXIT_CODES.ok);
      const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as FlashProgress | { type: 'report'; report: FlashReport });
      const plan = lines.find((l) => l.type === 'plan');
      expect(plan?.type === 'plan' ? plan.targets?.map((t) => t.device) : null).toEqual([exact!.device, middle!.device]);
      expect(lines.filter((l) => l.type === 'progress').every((l) => l.type === 'progress' && l.targets?.map((t) => t.device).join() === `${exact!.device},${middle!.device}`)).toBe(true);
      const final = lines.find((l) => l.type === 'report');
      const report = final?.type === 'report' ? final.report : null;
      expect(report?.targets?.map((t) => [t.device.path, t.outcome])).toEqual([[exact!.device, 'verified'], [middle!.device, 'verified']]);
      // The plan (stderr with --json) named both disks.
      expect(run.stderr).toContain(`EVERYTHING ON ${exact!.device} WILL BE ERASED.`);
      expect(run.stderr).toContain(`EVERYTHING ON ${middle!.device} WILL BE ERASED.`);
      await expectFlashedLike(exact!.device, fixture, { sameSize: true });
      await expectFlashedLike(middle!.device, fixture, { sameSize: false });
      expect(await hashDevice(largest!.device, sizes[0]!)).toBe(before);
    });
  });

  itRootOnly('repeated --disk: the plan lists every disk; without a terminal and --yes nothing is written', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'data', kind: 'raw', sizeMiB: 4 }] });
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }, { sizeBytes: fixture.diskSizeBytes }], async ([a, b]) => {
      const before = await hashDevice(a!.device, fixture.diskSizeBytes);
      const run = await runCli(['flash', serve(fixture), '--disk', a!.device, '--disk', b!.device, '--allow-loop', '--only', a!.device, '--only', b!.device, '--log', '/dev/null']);
      expect(run.code).toBe(EXIT_CODES.cancelled);
      expect(run.stdout).toMatch(new RegExp(`Disk 1\\s+${a!.device}`));
      expect(run.stdout).toMatch(new RegExp(`Disk 2\\s+${b!.device}`));
      expect(run.stdout).toContain('2 disks, written at the same time; the image is downloaded once.');
      expect(await hashDevice(a!.device, fixture.diskSizeBytes)).toBe(before);
    });
  });
});
