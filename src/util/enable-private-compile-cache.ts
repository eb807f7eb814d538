/**
 * Node's compile cache (stripped TypeScript + V8 code) only in a folder nobody else can write.
 *
 * Why (issue 7 §1): `enableCompileCache()` with its default folder uses
 * `$TMPDIR/node-compile-cache`; sudo and pkexec clear TMPDIR, so a root run used
 * `/tmp/node-compile-cache`, whose owner is whoever created it first. Node checks neither owner
 * nor mode and trusts the entries (a CRC, no signature): any local user could plant code that
 * the root writer then ran. So: as root, and in the writer always, no compile cache at all
 * (≈0.1 s slower start); for an ordinary user, a private folder in the user's own cache dir,
 * created 0700 and checked (a real directory, owned by this user, no group/other bits) before
 * Node is told about it. Anything unexpected means "no cache", never an error.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface PrivateCompileCacheOptions {
  /** The process may be elevated or writes disks (the writer): never use a cache. */
  readonly privileged?: boolean;
  /** Environment to read XDG_CACHE_HOME/HOME from (tests). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The folder the cache may use, or null when none is safe (root, privileged, unsafe folder). */
export function privateCompileCacheDir(options: PrivateCompileCacheOptions = {}): string | null {
  const uid = process.getuid?.();
  if (options.privileged === true || uid === undefined || uid === 0) return null;
  const env = options.env ?? process.env;
  const home = env.HOME ?? os.homedir();
  const base = env.XDG_CACHE_HOME !== undefined && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache');
  const dir = path.join(base, 'cosiflash', 'node-compile-cache');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const folder of [dir, path.dirname(dir)]) {
      const info = lstatSync(folder);
      if (info.isSymbolicLink() || !info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0) return null;
    }
    const parent = lstatSync(base);
    if (parent.uid !== uid && parent.uid !== 0) return null;
    if ((parent.mode & 0o022) !== 0 && (parent.mode & 0o1000) === 0) return null;
    return dir;
  } catch {
    return null;
  }
}

/** Enables Node's compile cache in {@link privateCompileCacheDir}, or not at all. Returns the folder used. */
export function enablePrivateCompileCache(options: PrivateCompileCacheOptions = {}): string | null {
  const dir = privateCompileCacheDir(options);
  if (dir !== null) enableCompileCache(dir);
  return dir;
}
