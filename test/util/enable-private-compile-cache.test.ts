/**
 * Issue 7 §1: a root run of inspect, flash or serve never reads or writes a compile cache in a
 * folder another user can write — here a nobody-owned, world-writable $TMPDIR/node-compile-cache,
 * which is where Node's default compile cache would go. Issue 10: as root the cache is root's
 * own private folder (root's home from the password database), used by the CLI and the writer.
 */
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateCompileCacheDir } from '../../src/util/enable-private-compile-cache.js';
import { runCli } from '../cli/run-cli.ts';
import { buildCosiFixture, PROJECT_ROOT, type CosiFixture } from '../support/cosi-fixtures.ts';
import { withLoopDevice } from '../support/cosi-fixture-tools.ts';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe('privateCompileCacheDir', () => {
  it('is never used by a privileged process (the writer)', () => {
    expect(privateCompileCacheDir({ privileged: true })).toBeNull();
  });
  it.skipIf(!isRoot)('as root is a 0700 folder in root\'s own home, whatever $HOME and $XDG_CACHE_HOME say', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-cc-root-'));
    const other = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-cc-other-'));
    try {
      await chmod(home, 0o755);
      const dir = privateCompileCacheDir({ rootHome: home, env: { HOME: other, XDG_CACHE_HOME: other } });
      expect(dir).toBe(path.join(home, '.cache', 'cosiflash', 'node-compile-cache'));
      const info = await stat(dir!);
      expect([info.uid, info.mode & 0o777]).toEqual([0, 0o700]);
      expect(await readdir(other)).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
      await rm(other, { recursive: true, force: true });
    }
  });
  it.skipIf(!isRoot)('as root is refused when another user could write a folder on the way', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-cc-root-'));
    try {
      // A home writable by others (not sticky): they could swap .cache for their own folder.
      await chmod(home, 0o777);
      expect(privateCompileCacheDir({ rootHome: home })).toBeNull();
      expect(await readdir(home)).toEqual([]);
      // A folder above the home that others can write (not sticky).
      const outer = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-cc-outer-'));
      try {
        await chmod(outer, 0o777);
        await mkdir(path.join(outer, 'root'), { mode: 0o700 });
        expect(privateCompileCacheDir({ rootHome: path.join(outer, 'root') })).toBeNull();
        expect(await readdir(path.join(outer, 'root'))).toEqual([]);
      } finally {
        await rm(outer, { recursive: true, force: true });
      }
      // A .cache (or cosiflash folder) owned by another user.
      await chmod(home, 0o755);
      await mkdir(path.join(home, '.cache'), { mode: 0o755 });
      await chown(path.join(home, '.cache'), NOBODY, NOBODY);
      expect(privateCompileCacheDir({ rootHome: home })).toBeNull();
      expect(await readdir(path.join(home, '.cache'))).toEqual([]);
      await chown(path.join(home, '.cache'), 0, 0);
      await mkdir(path.join(home, '.cache', 'cosiflash'), { mode: 0o700 });
      await chown(path.join(home, '.cache', 'cosiflash'), NOBODY, NOBODY);
      expect(privateCompileCacheDir({ rootHome: home })).toBeNull();
      // A cache folder another user planted (theirs, or open to the group).
      await chown(path.join(home, '.cache', 'cosiflash'), 0, 0);
      await mkdir(path.join(home, '.cache', 'cosiflash', 'node-compile-cache'), { mode: 0o700 });
      await chown(path.join(home, '.cache', 'cosiflash', 'node-compile-cache'), NOBODY, NOBODY);
      expect(privateCompileCacheDir({ rootHome: home })).toBeNull();
      await chown(path.join(home, '.cache', 'cosiflash', 'node-compile-cache'), 0, 0);
      await chmod(path.join(home, '.cache', 'cosiflash', 'node-compile-cache'), 0o770);
      expect(privateCompileCacheDir({ rootHome: home })).toBeNull();
      // All root's and private again: used.
      await chmod(path.join(home, '.cache', 'cosiflash', 'node-compile-cache'), 0o700);
      expect(privateCompileCacheDir({ rootHome: home })).toBe(path.join(home, '.cache', 'cosiflash', 'node-compile-cache'));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
  it.skipIf(isRoot)('is a 0700 folder of this user in its own cache dir', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-cc-home-'));
    try {
      const dir = privateCompileCacheDir({ env: { HOME: home } });
      expect(dir).toBe(path.join(home, '.cache', 'cosiflash', 'node-compile-cache'));
      expect((await stat(dir!)).mode & 0o777).toBe(0o700);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!isRoot)('root runs and a planted compile cache folder (root)', () => {
  let tmp: string;
  let planted: string;
  let fixture: CosiFixture;
  const env = (): NodeJS.ProcessEnv => ({ TMPDIR: tmp, COSIFLASH_CONFIG_DIR: path.join(tmp, 'config') });

  beforeAll(async () => {
    fixture = await buildCosiFixture();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-cc-'));
    await chmod(tmp, 0o755);
    planted = path.join(tmp, 'node-compile-cache');
    await mkdir(planted);
    await chown(planted, NOBODY, NOBODY);
    await chmod(planted, 0o777);
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('inspect leaves it untouched', async () => {
    const result = await runCli(['inspect', fixture.cosiPath], { env: env() });
    expect(result.code).toBe(0);
    expect(await readdir(planted)).toEqual([]);
  });

  it('flash (CLI and its writer) leaves it untouched', async () => {
    const diskFile = path.join(tmp, 'disk.img');
    await (await open(diskFile, 'w')).close();
    await truncate(diskFile, fixture.diskSizeBytes);
    await withLoopDevice(diskFile, fixture.lbaSize, async (device) => {
      const result = await runCli(['flash', fixture.cosiPath, '--disk', device, '--allow-loop', '--only', device, '--yes'], { env: env() });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    });
    expect(await readdir(planted)).toEqual([]);
  }, 120_000);

  it('serve leaves it untouched', async () => {
    const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/node'), [path.join(PROJECT_ROOT, 'bin/cosiflash.js'), 'serve', '--static-dir', tmp], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Cosiflash web UI:')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
      });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(await readdir(planted)).toEqual([]);
  });
});

describe.skipIf(!isRoot)('enablePrivateCompileCache (root)', () => {
  it('says off when NODE_COMPILE_CACHE already put the cache elsewhere (sudo -E), and the CLI refuses to run as root then', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-cc-root-'));
    const planted = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-cc-planted-'));
    try {
      await chmod(home, 0o755);
      const node = path.join(PROJECT_ROOT, 'node_modules/.bin/node');
      const script = `import { enablePrivateCompileCache } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/util/enable-private-compile-cache.js'))};\nconsole.log(JSON.stringify(enablePrivateCompileCache({ rootHome: ${JSON.stringify(home)} })));`;
      const runNode = (args: string[], cache: string): Promise<{ code: number | null; out: string; err: string }> =>
        new Promise((resolve) => {
          const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_COMPILE_CACHE: cache } });
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
          child.on('close', (code) => resolve({ code, out, err }));
        });
      // Another folder in the environment: the function does not claim the private one.
      expect(JSON.parse((await runNode(['--input-type=module', '-e', script], planted)).out)).toBeNull();
      // Its own folder inherited from a parent is fine.
      const own = path.join(home, '.cache', 'cosiflash', 'node-compile-cache');
      expect(JSON.parse((await runNode(['--input-type=module', '-e', script], own)).out)).toBe(own);
      // The CLI as root stops before loading any of its TypeScript.
      const cli = await runNode([path.join(PROJECT_ROOT, 'bin', 'cosiflash.js'), 'disks', '--json'], planted);
      expect(cli.code).toBe(2);
      expect(cli.err).toMatch(/refusing to run as root with NODE_COMPILE_CACHE set/);
      expect(cli.out).toBe('');
    } finally {
      await rm(home, { recursive: true, force: true });
      await rm(planted, { recursive: true, force: true });
    }
  });

  it('turns the cache on in this process and in its worker threads, in the private folder', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-cc-root-'));
    try {
      await chmod(home, 0o755);
      const script = [
        "import { Worker } from 'node:worker_threads';",
        "import { getCompileCacheDir } from 'node:module';",
        `import { enablePrivateCompileCache } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/util/enable-private-compile-cache.js'))};`,
        `const dir = enablePrivateCompileCache({ rootHome: ${JSON.stringify(home)} });`,
        "const inWorker = await new Promise((resolve, reject) => { const w = new Worker(\"require('node:worker_threads').parentPort.postMessage(require('node:module').getCompileCacheDir() ?? null)\", { eval: true, execArgv: [] }); w.once('message', resolve); w.once('error', reject); });",
        'console.log(JSON.stringify({ dir, main: getCompileCacheDir() ?? null, inWorker }));',
      ].join('\n');
      const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/node'), ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_COMPILE_CACHE: '' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(err).toBe('');
      expect(code).toBe(0);
      const result = JSON.parse(out) as { dir: string; main: string | null; inWorker: string | null };
      const expected = path.join(home, '.cache', 'cosiflash', 'node-compile-cache');
      expect(result.dir).toBe(expected);
      expect(path.dirname(result.main ?? '')).toBe(expected);
      expect(path.dirname(result.inWorker ?? '')).toBe(expected);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
