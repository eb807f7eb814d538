/** Types of enable-private-compile-cache.js (plain JavaScript: it runs before the compile cache is on). */
export interface PrivateCompileCacheOptions {
  /** Never use a cache (a caller that cannot vouch for its environment). */
  readonly privileged?: boolean;
  /** Environment to read XDG_CACHE_HOME/HOME from (tests; ignored as root). */
  readonly env?: NodeJS.ProcessEnv;
  /** Root's home folder (tests; default: the password database's entry for uid 0). */
  readonly rootHome?: string;
}

/** The folder the cache may use, or null when none is safe (privileged, unsafe folder). */
export function privateCompileCacheDir(options?: PrivateCompileCacheOptions): string | null;

/** Enables Node's compile cache in {@link privateCompileCacheDir}, or not at all; also for worker threads. Returns the folder used. */
export function enablePrivateCompileCache(options?: PrivateCompileCacheOptions): string | null;
