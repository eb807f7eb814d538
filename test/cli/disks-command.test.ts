import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDisksArgs } from '../../src/cli/disks-command.ts';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import type { DiskCandidate, DiskInfo } from '../../src/model/disk-info.ts';
import { buildCosiFixture, type CosiFixture } from '../support/cosi-fixtures.ts';
import { attachLoop, describeRootOnly, withLoops } from '../support/loop-device.ts';
import { runCli } from './run-cli.ts';

const exec = promisify(execFile);
const MiB = 1024 * 1024;

describe('parseDisksArgs', () => {
  it('parses every option', () => {
    expect(parseDisksArgs(['--for', 'a.cosi', '--unmount', '--allow-loop', '--only', '/dev/loop1', '--only', '/dev/loop2', '--json', '--plain-http'])).toEqual({
      forImage: 'a.cosi',
      count: undefined,
      unmount: true,
      allowLoop: true,
      only: ['/dev/loop1', '/dev/loop2'],
      json: true,
      plainHttp: true,
      help: false,
    });
    expect(parseDisksArgs([])).toEqual({ forImage: undefined, count: undefined, unmount: false, allowLoop: false, only: undefined, json: false, plainHttp: false, help: false });
  });

  it('--count N needs --for and a whole number from 1 to 16', () => {
    expect(parseDisksArgs(['--for', 'a.cosi', '--count', '2'])).toMatchObject({ count: 2 });
    expect(() => parseDisksArgs(['--count', '2'])).toThrow(/only applies with --for/);
    for (const bad of ['0', '17', 'two', '1.5']) expect(() => parseDisksArgs(['--for', 'a.cosi', '--count', bad])).toThrow(/whole number/);
  });

  it('rejects unknown options and stray arguments with E_INPUT', () => {
    expect(() => parseDisksArgs(['--disk', '/dev/sda'])).toThrow(/E_INPUT/);
    expect(() => parseDisksArgs(['/dev/sda'])).toThrow(/E_INPUT/);
  });
});

describe('cosiflash disks (no devices created)', () => {
  it('--help prints the usage', async () => {
    const result = await runCli(['disks', '--help']);
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(result.stdout).toContain('Usage: cosiflash disks');
  });

  it('bad usage exits 2', async () => {
    const result = await runCli(['disks', '--nope']);
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toContain('E_INPUT');
  });

  it('--only a device that does not exist lists nothing', async () => {
    const result = await runCli(['disks', '--json', '--only', '/dev/does-not-exist']);
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});

describeRootOnly('cosiflash disks over my loop devices', () => {
  let fixture: CosiFixture;

  beforeAll(async () => {
    fixture = await buildCosiFixture();
  });

  it('--json --allow-loop --only lists exactly my loop devices as DiskInfo; without --allow-loop none', async () => {
    await withLoops([{ sizeBytes: 8 * MiB }, { sizeBytes: 8 * MiB, sectorBytes: 4096, readOnly: true }], async ([a, b]) => {
      const only = [a?.device ?? '', b?.device ?? ''];
      const result = await runCli(['disks', '--json', '--allow-loop', ...only.flatMap((d) => ['--only', d])]);
      expect(result.code, result.stderr).toBe(EXIT_CODES.ok);
      const disks = JSON.parse(result.stdout) as DiskInfo[];
      expect(disks.map((d) => d.device).sort()).toEqual([...only].sort());
      expect(disks.find((d) => d.device === b?.device)).toMatchObject({ logicalSectorBytes: 4096, readOnly: true, bus: 'LOOP', sizeBytes: 8 * MiB });
      const without = await runCli(['disks', '--json', ...only.flatMap((d) => ['--only', d])]);
      expect(JSON.parse(without.stdout)).toEqual([]);
      const text = await runCli(['disks', '--allow-loop', '--only', a?.device ?? '']);
      expect(text.stdout).toContain(a?.device);
      expect(text.stdout).toContain('LOOP');
    });
  });

  it('--for shows every reason and marks the disk auto-selection picks', async () => {
    const size = fixture.diskSizeBytes;
    await withLoops([{ sizeBytes: size - MiB }, { sizeBytes: size + 8 * MiB }, { sizeBytes: size }, { sizeBytes: size, sectorBytes: 4096 }], async ([small, bigger, exact, sector4k]) => {
      const devices = [small, bigger, exact, sector4k].map((loop) => loop?.device ?? '');
      const args = ['disks', '--for', fixture.cosiPath, '--allow-loop', ...devices.flatMap((d) => ['--only', d])];
      const result = await runCli([...args, '--json']);
      expect(result.code, result.stderr).toBe(EXIT_CODES.ok);
      const candidates = JSON.parse(result.stdout) as DiskCandidate[];
      const byDevice = new Map(candidates.map((c) => [c.disk.device, c]));
      expect(candidates.filter((c) => c.selected).map((c) => c.disk.device)).toEqual([exact?.device]);
      expect(byDevice.get(small?.device ?? '')?.reasons.map((r) => r.code)).toEqual(['too-small']);
      expect(byDevice.get(sector4k?.device ?? '')?.reasons.map((r) => r.code)).toEqual(['sector-size']);
      expect(byDevice.get(bigger?.device ?? '')).toMatchObject({ eligible: true, selected: false, reasons: [] });

      const text = await runCli(args);
      expect(text.stdout).toContain(`=> ${exact?.device}`);
      expect(text.stdout).toContain(`Auto-selection: ${exact?.device}`);
      expect(text.stdout).toMatch(/Too small: the image needs/);
      expect(text.stdout).toMatch(/laid out for 512-byte sectors; this disk uses 4096-byte sectors/);
    });
  });

  it('--for --count 2 marks exactly the two smallest eligible disks (text and --json)', async () => {
    const size = fixture.diskSizeBytes;
    await withLoops([{ sizeBytes: size + 16 * MiB }, { sizeBytes: size + 8 * MiB }, { sizeBytes: size - MiB }, { sizeBytes: size }], async ([largest, middle, small, exact]) => {
      const devices = [largest, middle, small, exact].map((loop) => loop?.device ?? '');
      const args = ['disks', '--for', fixture.cosiPath, '--count', '2', '--allow-loop', '--only', devices.join(',')];
      const result = await runCli([...args, '--json']);
      expect(result.code, result.stderr).toBe(EXIT_CODES.ok);
      const candidates = JSON.parse(result.stdout) as DiskCandidate[];
      expect(candidates.filter((c) => c.selected).map((c) => c.disk.device).sort()).toEqual([exact?.device, middle?.device].sort());
      const text = await runCli(args);
      expect(text.stdout).toContain(`=> ${exact?.device}`);
      expect(text.stdout).toContain(`=> ${middle?.device}`);
      expect(text.stdout).toContain(`ok ${largest?.device}`);
      expect(text.stdout).toContain(`\`cosiflash flash --count 2\` would write: ${middle?.device}, ${exact?.device}.`);
      const four = await runCli(['disks', '--for', fixture.cosiPath, '--count', '4', '--allow-loop', '--only', devices.join(',')]);
      expect(four.stdout).toContain('Only 3 of the 4 disks asked for can take this image');
    });
  });

  it('--for refuses the disk the image file is stored on, and a mounted one until --unmount', async () => {
    const loop = await attachLoop({ sizeBytes: 64 * MiB });
    const mountDir = await mkdtemp(join(tmpdir(), 'cosiflash-src-'));
    let mounted = false;
    try {
      await exec('mkfs.ext4', ['-q', '-F', loop.device]);
      await exec('mount', [loop.device, mountDir]);
      mounted = true;
      const image = join(mountDir, 'image.cosi');
      await copyFile(fixture.cosiPath, image);
      const base = ['disks', '--for', image, '--allow-loop', '--only', loop.device, '--json'];
      const [candidate] = JSON.parse((await runCli(base)).stdout) as DiskCandidate[];
      expect(candidate?.reasons.map((r) => r.code)).toEqual(['holds-source', 'mounted']);
      const [consented] = JSON.parse((await runCli([...base, '--unmount'])).stdout) as DiskCandidate[];
      expect(consented?.reasons.map((r) => r.code)).toEqual(['holds-source']);
      expect(consented?.selected).toBe(false);
    } finally {
      if (mounted) await exec('umount', [mountDir]);
      await rmdir(mountDir);
      await loop.detach();
    }
  });
});
