import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { CosiflashError } from '../errors.ts';
import type { FlashRequest } from './flash-request.ts';

export interface LaunchPlan {
  readonly command: string;
  readonly args: readonly string[];
  readonly elevated: boolean;
}

/** Finds an executable in PATH (null when absent). */
export function findInPath(name: string, searchPath: string = process.env.PATH ?? ''): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

/**
 * Whether the writer needs administrator rights: on Linux when we are not root and the
 * target device is not writable by this user (or not chosen yet: auto-selection opens disks).
 */
export function needsElevation(request: FlashRequest): boolean {
  if (process.platform !== 'linux' || process.getuid?.() === 0) return false;
  if (request.device === undefined) return true;
  try {
    accessSync(request.device, constants.R_OK | constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/** The exact command a user can run instead when pkexec is not available. */
export function sudoHint(request: FlashRequest): string {
  const parts = ['sudo', 'npx', 'cosiflash', 'flash', quote(request.source)];
  if (request.device !== undefined) parts.push('--disk', quote(request.device));
  if (request.expectedHash !== undefined) parts.push('--hash', quote(request.expectedHash));
  if (request.unmount) parts.push('--unmount');
  if (!request.verify) parts.push('--no-verify');
  if (request.allowLoop) parts.push('--allow-loop');
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
export function planLaunch(options: { execPath: string; execArgs: readonly string[]; script: string; token: string; elevate: boolean; request: FlashRequest; env: NodeJS.ProcessEnv }): LaunchPlan {
  const writerArgs = [...options.execArgs, options.script, '--token', options.token];
  if (!options.elevate) return { command: options.execPath, args: writerArgs, elevated: false };
  const pkexec = findInPath('pkexec', options.env.PATH ?? process.env.PATH ?? '');
  if (pkexec === null) throw new CosiflashError('E_PERMISSION', 'Not running as root, the disk is not writable by this user, and pkexec is not available.', { hint: sudoHint(options.request) });
  const passed = ['ELECTRON_RUN_AS_NODE'].flatMap((name) => (options.env[name] === undefined ? [] : [`${name}=${options.env[name]}`]));
  return { command: pkexec, args: ['/usr/bin/env', ...passed, options.execPath, ...writerArgs], elevated: true };
}
