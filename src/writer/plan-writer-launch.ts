import { accessSync, constants, existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { CosiflashError } from '../errors.ts';
import { findSystemTool } from '../util/system-tool.ts';
import type { FlashRequest } from '../model/flash-request.ts';

export interface LaunchPlan {
  readonly command: string;
  readonly args: readonly string[];
  readonly elevated: boolean;
}

/**
 * Whether the writer needs administrator rights: on Linux when we are not root and some
 * target device (any of a multi-disk job) is not writable by this user (or not chosen yet:
 * auto-selection opens disks).
 */
export function needsElevation(request: FlashRequest): boolean {
  if (process.platform !== 'linux' || process.getuid?.() === 0) return false;
  if (request.device === undefined) return true;
  const devices = [request.device, ...(request.moreTargets ?? []).map((t) => t.device)];
  return devices.some((device) => {
    try {
      accessSync(device, constants.R_OK | constants.W_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/** The exact command a user can run instead when pkexec is not available. */
export function sudoHint(request: FlashRequest): string {
  const parts = ['sudo', 'npx', 'cosiflash', 'flash', quote(request.source)];
  if (request.device !== undefined) parts.push('--disk', quote(request.device));
  for (const target of request.moreTargets ?? []) parts.push('--disk', quote(target.device));
  if (request.expectedHash !== undefined) parts.push('--hash', quote(request.expectedHash));
  if (request.unmount) parts.push('--unmount');
  if (!request.verify) parts.push('--no-verify');
  if (request.allowLoop) parts.push('--allow-loop');
  if (request.plainHttp === true) parts.push('--plain-http');
  for (const device of request.onlyDevices ?? []) parts.push('--only', quote(device));
  return `Writing a disk needs administrator rights and pkexec is not installed. Run: ${parts.join(' ')}`;
}

function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * How to start the writer: directly, or through pkexec (which clears the environment, so
 * the variables the writer needs, e.g. ELECTRON_RUN_AS_NODE, are passed through `env`).
 */
export function planLaunch(options: { execPath: string; execArgs: readonly string[]; script: string; token: string; elevate: boolean; request: FlashRequest; env: NodeJS.ProcessEnv; systemDirs?: readonly string[]; elevatedLauncher?: string }): LaunchPlan {
  const writerArgs = [...options.execArgs, options.script, '--token', options.token];
  if (!options.elevate) return { command: options.execPath, args: writerArgs, elevated: false };
  // pkexec from the system folders only, never from PATH (npx puts node_modules/.bin first).
  const pkexec = findSystemTool('pkexec', options.systemDirs);
  if (pkexec === null) throw new CosiflashError('E_PERMISSION', 'Not running as root, the disk is not writable by this user, and pkexec is not available.', { hint: sudoHint(options.request) });
  // Elevate only code the invoking user cannot change: a root-owned install (the packaged app),
  // never a checkout or an npx cache, where the user could edit what root would run.
  if (options.elevatedLauncher !== undefined) {
    // The packaged app: pkexec runs the launcher its polkit action names, with only the token.
    const why = userWritableReason(options.elevatedLauncher);
    if (why !== null) throw new CosiflashError('E_PERMISSION', `Cosiflash will not ask for administrator rights to run code you can modify (${why}).`, { hint: sudoHint(options.request).replace('pkexec is not installed', 'this copy of Cosiflash is not a root-owned installation') });
    return { command: pkexec, args: [options.elevatedLauncher, '--token', options.token], elevated: true };
  }
  // The script loads the package's own code (src/, node_modules/): all of it must be root's too.
  const packageRoot = path.dirname(path.dirname(options.script));
  const inPackage = existsSync(path.join(packageRoot, 'package.json'));
  const trees = inPackage ? ['src', 'node_modules'].map((name) => path.join(packageRoot, name)).filter((dir) => existsSync(dir)) : [];
  for (const file of [options.execPath, options.script, ...trees]) {
    const why = userWritableReason(file) ?? (trees.includes(file) ? userWritableTreeReason(file) : null);
    if (why !== null) throw new CosiflashError('E_PERMISSION', `Cosiflash will not ask for administrator rights to run code you can modify (${why}).`, { hint: sudoHint(options.request).replace('pkexec is not installed', 'this copy of Cosiflash is not a root-owned installation') });
  }
  // env(1) would read a command containing '=' as an assignment: refuse such a path outright.
  if (options.execPath.includes('=') || options.execPath.startsWith('-')) throw new CosiflashError('E_PERMISSION', `The program path ${options.execPath} cannot be passed safely to pkexec.`, { hint: sudoHint(options.request) });
  const passed = ['ELECTRON_RUN_AS_NODE'].flatMap((name) => (options.env[name] === undefined ? [] : [`${name}=${options.env[name]}`]));
  return { command: pkexec, args: ['/usr/bin/env', ...passed, options.execPath, ...writerArgs], elevated: true };
}

/**
 * Why a non-root user could change `file` (or the folders above it), or null when only root can:
 * every element of its real path must belong to root and not be writable by group or others
 * (a sticky world-writable folder such as /tmp is accepted: others cannot replace root's entries).
 */
/** Like {@link userWritableReason} for everything under `dir` (every folder and file, symlinks not followed). */
export function userWritableTreeReason(dir: string): string | null {
  const pending = [dir];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const info = lstatSync(full);
      if (info.uid !== 0) return `${full} belongs to uid ${info.uid}`;
      if ((info.mode & 0o022) !== 0 && !info.isSymbolicLink() && !(info.isDirectory() && (info.mode & 0o1000) !== 0)) return `${full} is writable by group or others`;
      if (entry.isDirectory()) pending.push(full);
    }
  }
  return null;
}

export function userWritableReason(file: string): string | null {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return `${file} does not exist`;
  }
  for (let current = real; ; current = path.dirname(current)) {
    const info = lstatSync(current);
    const sticky = (info.mode & 0o1000) !== 0;
    if (info.uid !== 0) return `${current} belongs to uid ${info.uid}`;
    if ((info.mode & 0o022) !== 0 && !(info.isDirectory() && sticky)) return `${current} is writable by group or others`;
    if (current === path.dirname(current)) return null;
  }
}
