import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLineSplitter, encodeMessage, parseFromWriter, type FromWriterMessage } from '../../src/writer/writer-protocol.ts';
import { prepareWriter, spawnWriter } from '../../src/writer/spawn-writer.ts';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { needsElevation, planLaunch, userWritableReason, userWritableTreeReason } from '../../src/writer/plan-writer-launch.ts';

const WRITER = fileURLToPath(new URL('../../src/writer/writer-main.ts', import.meta.url));
const request = { source: '/nonexistent/cosiflash-test/image.cosi', verify: true, unmount: false, allowLoop: false };

function startWriter(token: string) {
  const child = spawn(process.execPath, [WRITER, '--token', token], { stdio: ['pipe', 'pipe', 'pipe'] });
  const messages: FromWriterMessage[] = [];
  const raw: string[] = [];
  child.stdout.on('data', createLineSplitter((line) => {
    raw.push(line);
    const message = parseFromWriter(line, token);
    if (message !== null) messages.push(message);
  }));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (type: string): Promise<FromWriterMessage> => {
    for (let i = 0; i < 200; i += 1) {
      const found = messages.find((m) => m.type === type);
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no ${type} message; got ${raw.join('\n')}`);
  };
  return { child, messages, raw, exited, waitFor };
}

describe('writer process', () => {
  it('says hello with its token, ignores messages with another token, and exits when its parent closes stdin', async () => {
    const token = randomBytes(32).toString('hex');
    const writer = startWriter(token);
    const hello = await writer.waitFor('hello');
    expect(hello).toMatchObject({ type: 'hello', version: 1, pid: writer.child.pid });
    // A start with the wrong token must not start anything.
    writer.child.stdin.write(encodeMessage({ type: 'start', token: randomBytes(32).toString('hex'), jobId: 'x', request }));
    await writer.waitFor('heartbeat');
    expect(writer.messages.some((m) => m.type === 'progress' || m.type === 'result')).toBe(false);
    writer.child.stdin.end();
    expect(await writer.exited).toBe(0);
  });

  it('refuses to run without a well-formed token', async () => {
    const child = spawn(process.execPath, [WRITER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
  });

  it('exits on SIGTERM while idle', async () => {
    const writer = startWriter(randomBytes(32).toString('hex'));
    await writer.waitFor('hello');
    writer.child.kill('SIGTERM');
    expect(await writer.exited).toBe(0);
  });
});

describe('spawnWriter', () => {
  it('runs a job in the writer process and resolves with its report (here: a failed one)', async () => {
    const job = spawnWriter(request, { elevate: false });
    const events = [];
    for await (const event of job.events) events.push(event);
    const report = await job.done;
    expect(report.outcome).toBe('failed');
    expect(report.error?.code).toBe('E_FILE_NOT_FOUND');
    expect(events.at(-1)).toMatchObject({ type: 'failed', jobId: job.jobId });
  });

  it('a prepared writer answers prepareSource with its inspection (issue 10: the front end plans from it), or null when the image cannot be read', async () => {
    const fixture = await buildCosiFixture();
    const writer = prepareWriter({ elevate: false });
    try {
      writer.prepareSource(fixture.cosiPath);
      const inspected = await writer.inspected;
      expect(inspected?.layout.imageHash).toBe(fixture.imageHash);
      expect(inspected?.layout.partitions.map((p) => p.number)).toEqual(fixture.regions.filter((r) => r.type === 'partition').map((r) => r.number).sort((a, b) => a - b));
      expect(inspected?.source).toEqual({ location: fixture.cosiPath, kind: 'file', sizeBytes: expect.any(Number), localPath: fixture.cosiPath });
    } finally {
      writer.dispose();
    }
    const missing = prepareWriter({ elevate: false });
    try {
      missing.prepareSource(request.source);
      expect(await missing.inspected).toBeNull();
    } finally {
      missing.dispose();
    }
  }, 60_000);

  it('a job cancelled before it starts ends as E_CANCELLED, not as a writer failure', async () => {
    const job = spawnWriter(request, { elevate: false });
    job.cancel();
    await expect(job.done).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });

  it('turns a writer that cannot start into E_WRITER', async () => {
    const job = spawnWriter(request, { elevate: false, execPath: '/nonexistent/node' });
    await expect(job.done).rejects.toMatchObject({ code: 'E_WRITER' });
  });

  it('turns a writer that dies without a result into E_WRITER', async () => {
    const job = spawnWriter(request, { elevate: false, execArgs: ['-e', 'process.exit(3)', '--'] });
    await expect(job.done).rejects.toMatchObject({ code: 'E_WRITER' });
  });

  it('without pkexec, elevation fails with E_PERMISSION naming the exact sudo command', () => {
    expect(() => planLaunch({ execPath: process.execPath, execArgs: [], script: WRITER, token: 'a'.repeat(64), elevate: true, request: { ...request, device: '/dev/sdz' }, env: { PATH: '/nonexistent' }, systemDirs: ['/nonexistent'] })).toThrow(
      expect.objectContaining({ code: 'E_PERMISSION', hint: expect.stringContaining('sudo npx cosiflash flash /nonexistent/cosiflash-test/image.cosi --disk /dev/sdz') }),
    );
  });

  it('the sudo command names every disk of a multi-disk job, and one unwritable disk of the job needs elevation', () => {
    const many = { ...request, device: '/dev/sdz', moreTargets: [{ device: '/dev/sdy', confirmedDisk: { device: '/dev/sdy', sizeBytes: 1, logicalSectorBytes: 512, diskseq: null, majMin: null, serial: null, model: null } }] };
    expect(() => planLaunch({ execPath: process.execPath, execArgs: [], script: WRITER, token: 'a'.repeat(64), elevate: true, request: many, env: { PATH: '/nonexistent' }, systemDirs: ['/nonexistent'] })).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('--disk /dev/sdz --disk /dev/sdy') }),
    );
    if (process.getuid?.() !== 0) {
      // Not root: /dev/null is writable, a missing device is not — the job needs elevation.
      expect(needsElevation({ ...request, device: '/dev/null' })).toBe(false);
      expect(needsElevation({ ...request, device: '/dev/null', moreTargets: [{ device: '/nonexistent/sdq', confirmedDisk: many.moreTargets[0]!.confirmedDisk }] })).toBe(true);
    } else {
      expect(needsElevation(many)).toBe(false);
    }
  });

  it('never runs a pkexec found first on PATH, only the system one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-pkexec-'));
    try {
      const marker = path.join(dir, 'ran');
      await writeFile(path.join(dir, 'pkexec'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
      const token = 'b'.repeat(64);
      // No pkexec in the system folders: the fake one on PATH is ignored, the sudo hint is given.
      expect(() => planLaunch({ execPath: '/usr/bin/true', execArgs: [], script: '/usr/bin/true', token, elevate: true, request, env: { PATH: dir }, systemDirs: ['/nonexistent'] })).toThrow(expect.objectContaining({ code: 'E_PERMISSION', hint: expect.stringContaining('sudo npx cosiflash flash') }));
      // A pkexec in a system folder is used even with the fake one first on PATH.
      const system = path.join(dir, 'system');
      await mkdir(system, { mode: 0o755 });
      await writeFile(path.join(system, 'pkexec'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
      const plan = planLaunch({ execPath: '/usr/bin/true', execArgs: [], script: '/usr/bin/true', token, elevate: true, request, env: { PATH: dir, ELECTRON_RUN_AS_NODE: '1' }, systemDirs: [system] });
      expect(plan).toEqual({ command: path.join(system, 'pkexec'), args: ['/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', '/usr/bin/true', '/usr/bin/true', '--token', token], elevated: true });
      expect(existsSync(marker)).toBe(false);
      expect(planLaunch({ execPath: '/opt/app/app', execArgs: [], script: WRITER, token, elevate: false, request, env: {} })).toEqual({ command: '/opt/app/app', args: [WRITER, '--token', token], elevated: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(process.getuid?.() !== 0)('does not elevate a package whose src/ or node_modules/ holds a file others can write, though bin/ and the script are root-only', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-pkg-'));
    try {
      await chmod(dir, 0o755);
      for (const sub of ['bin', 'src/writer', 'node_modules/x']) await mkdir(path.join(dir, sub), { recursive: true, mode: 0o755 });
      await writeFile(path.join(dir, 'package.json'), '{}');
      const script = path.join(dir, 'bin', 'cosiflash-writer.js');
      await writeFile(script, '');
      const planted = path.join(dir, 'src', 'writer', 'writer-process.ts');
      await writeFile(planted, '');
      await chmod(planted, 0o666);
      const system = path.join(dir, 'system');
      await mkdir(system, { mode: 0o755 });
      await writeFile(path.join(system, 'pkexec'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
      const plan = (): unknown => planLaunch({ execPath: '/usr/bin/true', execArgs: [], script, token: 'c'.repeat(64), elevate: true, request, env: {}, systemDirs: [system] });
      expect(plan).toThrow(expect.objectContaining({ code: 'E_PERMISSION', message: expect.stringContaining(`${planted} is writable by group or others`) }));
      await chmod(planted, 0o644);
      expect(userWritableTreeReason(path.join(dir, 'src'))).toBeNull();
      await chmod(path.join(dir, 'node_modules', 'x'), 0o777);
      expect(plan).toThrow(expect.objectContaining({ code: 'E_PERMISSION', message: expect.stringContaining('node_modules/x is writable by group or others') }));
      await chmod(path.join(dir, 'node_modules', 'x'), 0o755);
      expect(plan()).toMatchObject({ command: path.join(system, 'pkexec'), elevated: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not elevate code the invoking user can modify (a checkout, an npx cache)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-tree-'));
    try {
      const script = path.join(dir, 'writer-main.mjs');
      await writeFile(script, '');
      await chmod(dir, 0o777);
      expect(userWritableReason(script)).toMatch(/writable by group or others|belongs to uid/);
      await chmod(dir, 0o755);
      if (process.getuid?.() === 0) expect(userWritableReason(script)).toBeNull();
      else expect(userWritableReason(script)).toMatch(/belongs to uid/);
      expect(userWritableReason('/usr/bin/true')).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
