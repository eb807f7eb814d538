/**
 * How the packaged Linux app elevates its writer (issue 7 §5): a polkit action, installed by
 * the .deb, names a root-owned launcher; pkexec runs that launcher with only the job token, and
 * the launcher runs Electron's binary as Node on the bundled writer. (Electron's binary cannot
 * run here: a shell stand-in records how it was called.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { elevatedLauncherPath } from '../../electron/writer-launch.ts';
import { planLaunch } from '../../src/writer/plan-writer-launch.ts';
import { PROJECT_ROOT } from '../support/cosi-fixtures.ts';

const POLICY = path.join(PROJECT_ROOT, 'packaging/linux/dev.cosiflash.writer.policy');
const LAUNCHER = path.join(PROJECT_ROOT, 'packaging/linux/cosiflash-writer');
const builderYaml = readFileSync(path.join(PROJECT_ROOT, 'electron-builder.yml'), 'utf8');
const productName = /^productName: (.+)$/m.exec(builderYaml)?.[1] ?? '';

const install = mkdtempSync(path.join(os.tmpdir(), 'cosiflash-install-'));
afterAll(() => rmSync(install, { recursive: true, force: true }));

describe('polkit action for the writer', () => {
  const policy = readFileSync(POLICY, 'utf8');

  it('names the launcher at its fixed root-owned path, asks for an administrator every time, and names Cosiflash', () => {
    expect(/<action id="([^"]+)">/.exec(policy)?.[1]).toBe('dev.cosiflash.writer');
    const execPath = /<annotate key="org\.freedesktop\.policykit\.exec\.path">([^<]+)<\/annotate>/.exec(policy)?.[1];
    expect(execPath).toBe(`/opt/${productName}/resources/cosiflash-writer`);
    for (const kind of ['allow_any', 'allow_inactive', 'allow_active']) expect(new RegExp(`<${kind}>auth_admin</${kind}>`).test(policy), kind).toBe(true);
    expect(/<message>([^<]+)<\/message>/.exec(policy)?.[1]).toMatch(/^Cosiflash .*administrator/);
  });

  it('is well-formed XML (xmllint when installed) and shipped by the .deb with the launcher', () => {
    const lint = spawnSync('xmllint', ['--noout', POLICY]);
    if (lint.error === undefined) expect(lint.status, String(lint.stderr)).toBe(0);
    expect(builderYaml).toContain('- packaging/linux/dev.cosiflash.writer.policy=/usr/share/polkit-1/actions/dev.cosiflash.writer.policy');
    expect(builderYaml).toMatch(/extraResources:\n\s+- from: packaging\/linux\/cosiflash-writer\n\s+to: cosiflash-writer/);
    expect(builderYaml).toMatch(/executableName: cosiflash\n/);
  });
});

describe('the writer launcher (resources/cosiflash-writer)', () => {
  const resources = path.join(install, 'resources');
  mkdirSync(path.join(resources, 'app.asar.unpacked', 'dist-electron'), { recursive: true });
  copyFileSync(LAUNCHER, path.join(resources, 'cosiflash-writer'));
  chmodSync(path.join(resources, 'cosiflash-writer'), 0o755);
  // Stand-in for Electron's binary: prints how it was started.
  writeFileSync(path.join(install, 'cosiflash'), '#!/bin/sh\necho "RUN_AS_NODE=$ELECTRON_RUN_AS_NODE"\nfor a in "$@"; do echo "ARG=$a"; done\n', { mode: 0o755 });

  it('runs the app binary as Node on the unpacked writer with the token, and nothing else', () => {
    const out = execFileSync(path.join(resources, 'cosiflash-writer'), ['--token', 'T0ken'], { encoding: 'utf8', env: {} });
    expect(out.trim().split('\n')).toEqual(['RUN_AS_NODE=1', `ARG=${path.join(resources, 'app.asar.unpacked', 'dist-electron', 'writer-main.mjs')}`, '--token', 'T0ken'].map((line, i) => (i >= 2 ? `ARG=${line}` : line)));
  });

  it('refuses any other arguments', () => {
    for (const args of [[], ['--token'], ['--token', 'a', 'b'], ['--inspect', 'x'], ['-e', 'code']]) {
      const run = spawnSync(path.join(resources, 'cosiflash-writer'), args, { encoding: 'utf8' });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
    }
  });

  it('is what Electron main hands to pkexec when the packaged app has one', () => {
    expect(elevatedLauncherPath(resources, 'linux')).toBe(path.join(resources, 'cosiflash-writer'));
    expect(elevatedLauncherPath(resources, 'win32')).toBeUndefined();
    expect(elevatedLauncherPath(install, 'linux')).toBeUndefined();
    expect(elevatedLauncherPath(undefined, 'linux')).toBeUndefined();
  });
});

describe('planLaunch with the launcher', () => {
  const request = { source: 'http://x/image.cosi', device: '/dev/sdz', verify: true, unmount: false, allowLoop: false };
  const system = path.join(install, 'sbin');
  mkdirSync(system, { mode: 0o755 });
  writeFileSync(path.join(system, 'pkexec'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const base = { execPath: '/usr/bin/true', execArgs: [], script: '/usr/bin/true', token: 'c'.repeat(64), elevate: true, request, env: {}, systemDirs: [system] };

  it.skipIf(process.getuid?.() !== 0)('runs pkexec on the root-owned launcher with only the token', () => {
    const launcher = path.join(install, 'resources', 'cosiflash-writer');
    expect(planLaunch({ ...base, elevatedLauncher: launcher })).toEqual({ command: path.join(system, 'pkexec'), args: [launcher, '--token', 'c'.repeat(64)], elevated: true });
  });

  it('refuses a launcher the user could modify', () => {
    const writable = path.join(install, 'writable');
    mkdirSync(writable, { mode: 0o777 });
    chmodSync(writable, 0o777);
    writeFileSync(path.join(writable, 'cosiflash-writer'), '#!/bin/sh\n', { mode: 0o755 });
    expect(() => planLaunch({ ...base, elevatedLauncher: path.join(writable, 'cosiflash-writer') })).toThrow(expect.objectContaining({ code: 'E_PERMISSION', message: expect.stringContaining('code you can modify') }));
  });
});
