/**
 * Issue 7 §1: a root run of inspect, flash or serve never reads or writes a compile cache in a
 * folder another user can write — here a nobody-owned, world-writable $TMPDIR/node-compile-cache,
 * which is where Node's default compile cache would go.
 */
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateCompileCacheDir } from '../../src/util/enable-private-compile-cache.ts';
import { runCli } from '../cli/run-cli.ts';
import { buildCosiFixture, PROJECT_ROOT, type CosiFixture } from '../support/cosi-fixtures.ts';
import { withLoopDevice } from '../support/cosi-fixture-tools.ts';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe('privateCompileCacheDir', () => {
  it('is never used by a privileged process (the writer)', () => {
    expect(privateCompileCacheDir({ privileged: true })).toBeNull();
  });
  it.skipIf(!isRoot)('is never used as root', () => {
    expect(privateCompileCacheDir()).toBeNull();
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
