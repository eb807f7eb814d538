/**
 * Node's compile cache (stripped TypeScript + V8 code) only in a folder nobody else can write.
 *
 * Why (issue 7 §1): `enableCompileCache()` with its default folder uses
 * `$TMPDIR/node-compile-cache`; sudo and pkexec clear TMPDIR, so a root run used
 * `/tmp/node-compile-cache`, whose owner is whoever created it first. Node checks neither owner
 * nor mode and trusts the entries (a CRC, no signature): any local user could plant code that
 * the root writer then ran. So the cache lives only in a private folder of the process's own
 * user, created 0700 and checked (a real directory, owned by this user, no group/other bits)
 * before Node is told about it:
 * - an ordinary user: `$XDG_CACHE_HOME` or `$HOME/.cache`, then `cosiflash/node-compile-cache`;
 * - root (sudo, pkexec, the elevated writer): root's own home from the password database,
 *   never `$HOME` or `$XDG_CACHE_HOME` (sudo may keep the invoking user's), and only when
 *   every folder from `/` down to the cache belongs to root and no other user can write it
 *   (a sticky folder such as /tmp is accepted on the way: others cannot replace root's entries).
 * Anything unexpected means "no cache", never an error.
 *
 * Plain JavaScript (types in the .d.ts next to it) on purpose: it runs before the cache is on,
 * and the first TypeScript file a process loads costs ≈70 ms to set up Node's type stripper;
 * the entries (bin/cosiflash.js, bin/cosiflash-writer.js) load this first, then only cached
 * TypeScript.
 *
 * Measured (issue 10, 2026-12-03, root, 32 MiB-disk image from nginx): the cache cut the time
 * from `flash` start to the first byte written from ≈1.7 s to ≈0.7 s; both processes (the CLI
 * and the writer) spend most of their start stripping and compiling TypeScript. In worker
 * threads (which take the folder from NODE_COMPILE_CACHE) two workers' start went from ≈350 to
 * ≈175 ms of CPU.
 */
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { constants, enableCompileCache } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * The folder the cache may use, or null when none is safe (privileged, unsafe folder).
 * @param {import('./enable-private-compile-cache.d.ts').PrivateCompileCacheOptions} [options]
 * @returns {string | null}
 */
export function privateCompileCacheDir(options = {}) {
  const uid = process.getuid?.();
  if (options.privileged === true || uid === undefined) return null;
  try {
    return uid === 0 ? rootCacheDir(options.rootHome ?? os.userInfo().homedir) : userCacheDir(uid, options.env ?? process.env);
  } catch {
    return null;
  }
}

/**
 * @param {number} uid
 * @param {NodeJS.ProcessEnv} env
 * @returns {string | null}
 */
function userCacheDir(uid, env) {
  const home = env.HOME ?? os.homedir();
  const base = env.XDG_CACHE_HOME !== undefined && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache');
  const dir = path.join(base, 'cosiflash', 'node-compile-cache');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const folder of [dir, path.dirname(dir)]) {
    const info = lstatSync(folder);
    if (info.isSymbolicLink() || !info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0) return null;
  }
  const parent = lstatSync(base);
  if (parent.uid !== uid && parent.uid !== 0) return null;
  if ((parent.mode & 0o022) !== 0 && (parent.mode & 0o1000) === 0) return null;
  return dir;
}

/**
 * Root's `<home>/.cache/cosiflash/node-compile-cache`: the home and every folder above it belong
 * to root and only root can write them (sticky folders pass); `.cache` is root's and not
 * writable by others; `cosiflash` and the cache folder are root's with no group/other bits.
 * Each folder is checked before anything is created inside it; missing ones are created 0700.
 * @param {string} home
 * @returns {string | null}
 */
function rootCacheDir(home) {
  if (!path.isAbsolute(home)) return null;
  for (let current = realpathSync(home); ; current = path.dirname(current)) {
    const info = lstatSync(current);
    if (info.uid !== 0 || ((info.mode & 0o022) !== 0 && (info.mode & 0o1000) === 0)) return null;
    if (current === path.dirname(current)) break;
  }
  let folder = home;
  for (const [name, forbidden] of /** @type {const} */ ([['.cache', 0o022], ['cosiflash', 0o077], ['node-compile-cache', 0o077]])) {
    folder = path.join(folder, name);
    try {
      mkdirSync(folder, { mode: 0o700 });
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') return null;
    }
    const info = lstatSync(folder);
    if (info.isSymbolicLink() || !info.isDirectory() || info.uid !== 0 || (info.mode & forbidden) !== 0) return null;
  }
  return folder;
}

/**
 * Enables Node's compile cache in {@link privateCompileCacheDir}, or not at all. Returns the folder used.
 * @param {import('./enable-private-compile-cache.d.ts').PrivateCompileCacheOptions} [options]
 * @returns {string | null}
 */
export function enablePrivateCompileCache(options = {}) {
  const dir = privateCompileCacheDir(options);
  if (dir === null) return null;
  try {
    const result = enableCompileCache(dir);
    // A NODE_COMPILE_CACHE in the environment (sudo -E, env_keep) turns the cache on before any
    // of our code runs, in that folder, and the call above then changes nothing: say "off"
    // rather than name a folder that is not the one in use (the entry refuses that as root).
    // (Already on in this very folder — inherited from a parent that chose it — is fine.)
    const { ENABLED, ALREADY_ENABLED } = constants.compileCacheStatus;
    const ours = (result.status === ENABLED && result.directory === dir) || (result.status === ALREADY_ENABLED && result.directory !== undefined && path.dirname(result.directory) === dir);
    if (!ours) return null;
    // Worker threads (the writer's decode and write workers, the inspect worker) read the
    // folder from the environment, not from the call above: ≈175 ms less CPU for the writer's
    // two workers. Child processes inherit it too; the writer is spawned without it
    // (spawn-writer.ts) and chooses its own, and a process of another user cannot write it.
    process.env.NODE_COMPILE_CACHE = dir;
    return dir;
  } catch {
    return null;
  }
}
