import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import { parseFlashArgs } from '../../src/cli/flash-command.ts';
import type { FlashReport } from '../../src/model/flash-progress.ts';
import { buildCosiFixture, PROJECT_ROOT, type CosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike, expectNoValidTable, hashDevice, writeOldTable } from '../support/flash-checks.ts';
import { attachLoop, describeRootOnly, itRootOnly, withLoops } from '../support/loop-device.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';

const MiB = 1024 * 1024;
const CLI = path.join(PROJECT_ROOT, 'bin', 'cosiflash.js');
let server: RangeServer;
let dir: string;

beforeAll(async () => {
  server = await startRangeServer({ files: {} });
  dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-cli-'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cosiflash flash …` in a child process (stdin is a pipe: not a TTY). */
function runCli(args: readonly string[], options: { onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'flash', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let counter = 0;
function serve(fixture: CosiFixture): string {
  counter += 1;
  server.setFile(`c${counter}.cosi`, fixture.cosiPath);
  return server.url(`c${counter}.cosi`);
}

describe('parseFlashArgs', () => {
  it('parses every option and rejects unknown ones', () => {
    const parsed = parseFlashArgs(['http://x/y.cosi', '--disk', '/dev/loop9', '--yes', '--unmount', '--no-verify', '--allow-loop', '--only', '/dev/loop9', '--only', '/dev/loop8', '--dry-run', '--json', '--report', 'r.json']);
    expect(parsed).toMatchObject({ location: 'http://x/y.cosi', disk: '/dev/loop9', yes: true, unmount: true, verify: false, allowLoop: true, only: ['/dev/loop9', '/dev/loop8'], dryRun: true, json: true, report: 'r.json' });
    expect(() => parseFlashArgs(['a', '--frobnicate'])).toThrow(/E_INPUT/);
    expect(() => parseFlashArgs([])).toThrow(/E_INPUT/);
  });
  it('--yes needs --disk or --auto (unattended auto-selection must be asked for)', () => {
    expect(() => parseFlashArgs(['http://x/y.cosi', '--yes'])).toThrow(/--disk DEV, or --auto/);
    expect(parseFlashArgs(['http://x/y.cosi', '--yes', '--auto'])).toMatchObject({ yes: true, auto: true, disk: undefined });
    expect(() => parseFlashArgs(['http://x/y.cosi', '--yes', '--auto', '--disk', '/dev/loop9'])).toThrow(/not both/);
  });
  it('--count N: a whole number from 1 to 16, not with --disk; with --yes it needs --auto', () => {
    expect(parseFlashArgs(['http://x/y.cosi', '--count', '3'])).toMatchObject({ count: 3, disks: undefined });
    expect(parseFlashArgs(['http://x/y.cosi', '--count', '2', '--auto', '--yes'])).toMatchObject({ count: 2, auto: true, yes: true });
    expect(() => parseFlashArgs(['http://x/y.cosi', '--count', '2', '--disk', '/dev/loop1'])).toThrow(/not both/);
    expect(() => parseFlashArgs(['http://x/y.cosi', '--count', '2', '--yes'])).toThrow(/--auto/);
    for (const bad of ['0', '17', 'x', '-1']) expect(() => parseFlashArgs(['http://x/y.cosi', `--count=${bad}`])).toThrow(/whole number/);
  });
  it('--disk may be repeated or a comma list (several targets); --remote takes one', () => {
    expect(parseFlashArgs(['http://x/y.cosi', '--disk', '/dev/loop9', '--disk', '/dev/loop8,/dev/loop7'])).toMatchObject({ disk: '/dev/loop9', disks: ['/dev/loop9', '/dev/loop8', '/dev/loop7'] });
    expect(() => parseFlashArgs(['http://x/y.cosi', '--remote', 'h:1', '--disk', 'a,b'])).toThrow(/give --disk once/);
  });
});

describeRootOnly('cosiflash flash', () => {
  itRootOnly('--dry-run prints the plan and writes nothing; without a TTY and --yes it refuses', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      const before = await hashDevice(disk!.device, fixture.diskSizeBytes);
      const url = serve(fixture);
      const dry = await runCli([url, '--allow-loop', '--only', disk!.device, '--dry-run']);
      expect(dry.code, dry.stderr).toBe(EXIT_CODES.ok);
      expect(dry.stdout).toContain(disk!.device);
      expect(dry.stdout).toContain(fixture.imageHash);
      expect(dry.stdout).toMatch(/esp/);
      const unconfirmed = await runCli([url, '--allow-loop', '--only', disk!.device]);
      expect(unconfirmed.code).toBe(EXIT_CODES.cancelled);
      expect(unconfirmed.stderr).toMatch(/--yes/);
      expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
    });
  });

  itRootOnly('on a terminal it asks to type the device name: a wrong answer writes nothing, a short name is asked again, the right one flashes', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      const url = serve(fixture);
      const before = await hashDevice(disk!.device, fixture.diskSizeBytes);
      // `script` gives the CLI a pseudo-terminal; our answer goes in through it.
      // One answer per prompt ("Type /dev/loopN …", then "Type the full path, …" after a short name).
      const typed = (...answers: string[]): Promise<CliRun> =>
        new Promise((resolve, reject) => {
          const command = [process.execPath, CLI, 'flash', url, '--disk', disk!.device, '--allow-loop', '--only', disk!.device, '--no-verify'].join(' ');
          const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
          let stdout = '';
          let answered = 0;
          child.stdout.on('data', (chunk: Buffer) => {
            stdout += chunk.toString();
            const prompts = stdout.split(`Type ${disk!.device}`).length - 1 + (stdout.split('Type the full path').length - 1);
            if (answered < prompts && answered < answers.length) {
              child.stdin.write(`${answers[answered]}\n`);
              answered += 1;
            }
          });
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
        });
      const wrong = await typed('/dev/sda');
      expect(wrong.code, wrong.stdout).toBe(EXIT_CODES.cancelled);
      expect(wrong.stdout).toContain('nothing was written');
      expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
      // The short name is asked again, not taken as a no; Enter then stops.
      const short = await typed(disk!.device.replace('/dev/', ''), '');
      expect(short.code, short.stdout).toBe(EXIT_CODES.cancelled);
      expect(short.stdout).toContain(`Type the full path, ${disk!.device}`);
      expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
      const right = await typed(disk!.device);
      expect(right.code, right.stdout).toBe(EXIT_CODES.ok);
      expect(right.stdout).toContain('WRITTEN');
    });
  });

  itRootOnly('--yes --json flashes through the writer process: NDJSON events, final report, --report file', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes, partscan: true }], async ([disk]) => {
      const reportFile = path.join(dir, 'report.json');
      const result = await runCli([serve(fixture), '--disk', disk!.device, '--allow-loop', '--only', disk!.device, '--yes', '--json', '--report', reportFile]);
      expect(result.code, result.stderr).toBe(EXIT_CODES.ok);
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; report?: FlashReport });
      expect(lines[0]?.type).toBe('plan');
      expect(lines.some((l) => l.type === 'progress')).toBe(true);
      const last = lines.at(-1);
      expect(last?.type).toBe('report');
      expect(last?.report?.outcome).toBe('verified');
      const saved = JSON.parse(await readFile(reportFile, 'utf8')) as FlashReport;
      expect(saved.outcome).toBe('verified');
      expect(saved.imageHash).toBe(fixture.imageHash);
      await expectFlashedLike(disk!.device, fixture, { sameSize: true });
    });
  });

  itRootOnly('refuses a too-small disk with exit 4 and a bad hash with exit 3', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes - MiB }], async ([disk]) => {
      const url = serve(fixture);
      const small = await runCli([url, '--disk', disk!.device, '--allow-loop', '--only', disk!.device, '--yes']);
      expect(small.code, small.stderr).toBe(EXIT_CODES.refusedTarget);
      const badHash = await runCli([url, '--hash', 'sha384:1234', '--allow-loop', '--only', disk!.device, '--yes', '--auto']);
      expect(badHash.code).toBe(EXIT_CODES.invalidInput);
    });
  });

  itRootOnly('Ctrl-C (SIGINT) mid-flash cancels: exit 6, no valid partition table', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 24 }] });
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      // Big responses stall after 2 MiB, so the flash is still running when we interrupt it.
      await writeOldTable(disk!.device);
      server.setFaults({ stallAfterBytes: 2 * MiB, stallMs: 20_000 });
      try {
        let sent = false;
        const result = await runCli([serve(fixture), '--disk', disk!.device, '--allow-loop', '--only', disk!.device, '--yes', '--json'], {
          onStdout: (text, child) => {
            if (!sent && /"writtenBytes":[1-9]/.test(text)) {
              sent = true;
              child.kill('SIGINT');
            }
          },
        });
        expect(sent).toBe(true);
        expect(result.code, result.stderr).toBe(EXIT_CODES.cancelled);
        expect(result.stdout).toContain('"outcome":"cancelled"');
      } finally {
        server.setFaults({});
      }
      await expectNoValidTable(disk!.device);
    });
  });

  itRootOnly('when the CLI dies (SIGKILL) mid-flash, the writer notices, cancels and leaves no valid table', async () => {
    const fixture = await buildCosiFixture({ partitions: [{ number: 1, name: 'esp', kind: 'esp', sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw', sizeMiB: 24 }] });
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      await writeOldTable(disk!.device);
      server.setFaults({ stallAfterBytes: 2 * MiB, stallMs: 20_000 });
      try {
        let writerPid: number | null = null;
        await runCli([serve(fixture), '--disk', disk!.device, '--allow-loop', '--only', disk!.device, '--yes', '--json'], {
          onStdout: (text, child) => {
            if (writerPid === null && /"writtenBytes":[1-9]/.test(text)) {
              const children = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim().split('\n');
              writerPid = Number(children[0]);
              child.kill('SIGKILL');
            }
          },
        });
        expect(writerPid).not.toBeNull();
        // The writer sees its stdin close, cancels, zeroes the disk's ends and exits.
        for (let i = 0; i < 200 && existsSync(`/proc/${writerPid}`); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(existsSync(`/proc/${writerPid}`)).toBe(false);
      } finally {
        server.setFaults({});
      }
      await expectNoValidTable(disk!.device);
    });
  });

  itRootOnly('--yes without --disk or --auto writes nothing', async () => {
    const fixture = await buildCosiFixture();
    await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([disk]) => {
      const before = await hashDevice(disk!.device, fixture.diskSizeBytes);
      const result = await runCli([serve(fixture), '--allow-loop', '--only', disk!.device, '--yes']);
      expect(result.code).toBe(EXIT_CODES.usage);
      expect(result.stderr).toMatch(/--auto/);
      expect(await hashDevice(disk!.device, fixture.diskSizeBytes)).toBe(before);
    });
  });

  itRootOnly('a disk replaced under the same name during the typed confirmation is refused with E_DISK_CHANGED', async () => {
    const fixture = await buildCosiFixture();
    const first = await attachLoop({ sizeBytes: fixture.diskSizeBytes });
    const device = first.device;
    const other = path.join(dir, `other-${process.pid}.img`);
    await writeFile(other, Buffer.alloc(fixture.diskSizeBytes, 0x5a));
    let reattached = false;
    try {
      const otherBefore = await hashDevice(other, fixture.diskSizeBytes);
      const result = await new Promise<CliRun>((resolve, reject) => {
        const command = [process.execPath, CLI, 'flash', serve(fixture), '--disk', device, '--allow-loop', '--only', device].join(' ');
        const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let answered = false;
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (!answered && stdout.includes(`Type ${device}`)) {
            answered = true;
            // While the user reads the prompt, the confirmed disk goes away and another file takes its name.
            void (async () => {
              await first.detach();
              execFileSync('losetup', [device, other]);
              reattached = true;
              child.stdin.write(`${device}\n`);
            })().catch(reject);
          }
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
      });
      expect(reattached).toBe(true);
      expect(result.stdout).toContain('E_DISK_CHANGED');
      expect(result.code, result.stdout).toBe(EXIT_CODES.refusedTarget);
      expect(await hashDevice(other, fixture.diskSizeBytes)).toBe(otherBefore);
    } finally {
      // Detach exactly the device we re-attached, and only if it still holds our file.
      if (reattached && execFileSync('losetup', ['-nO', 'BACK-FILE', device], { encoding: 'utf8' }).trim() === other) execFileSync('losetup', ['-d', device]);
      await first.detach();
      await rm(other, { force: true });
    }
  });
});

describe('flash command line details', () => {
  it('isShortNameOf: the short forms of the device, nothing else', async () => {
    const { isShortNameOf } = await import('../../src/cli/flash-command.ts');
    expect(isShortNameOf('loop1', '/dev/loop1')).toBe(true);
    expect(isShortNameOf('dev/loop1', '/dev/loop1')).toBe(true);
    expect(isShortNameOf('/dev/loop1/', '/dev/loop1')).toBe(true);
    expect(isShortNameOf('loop2', '/dev/loop1')).toBe(false);
    expect(isShortNameOf('sda', '/dev/loop1')).toBe(false);
  });

  it('--only takes a comma list as well as repeats', () => {
    expect(parseFlashArgs(['u', '--only', '/dev/loop1,/dev/loop2', '--only', '/dev/loop3']).only).toEqual(['/dev/loop1', '/dev/loop2', '/dev/loop3']);
  });

  it('an unknown option names the nearest one', () => {
    expect(() => parseFlashArgs(['u', '--hsah', 'x'])).toThrow(/unknown option --hsah — did you mean --hash\?/);
    expect(() => parseFlashArgs(['u', '--dryrun'])).toThrow(/did you mean --dry-run\?/);
    expect(() => parseFlashArgs(['u', '--zzzzzzzz'])).toThrow(/unknown option --zzzzzzzz \(see cosiflash flash --help\)/);
  });
});
