import os from 'node:os';
import path from 'node:path';
import type { CacheOwner } from './cache-owner.ts';

/**
 * The cache folder: `$XDG_CACHE_HOME/cosiflash`, else `~/.cache/cosiflash` (the invoking
 * user's home when run elevated); `%LOCALAPPDATA%\cosiflash\cache` on Windows and
 * `~/Library/Caches/cosiflash` on macOS.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv, owner: CacheOwner | null): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'cosiflash');
  const home = owner?.home ?? os.homedir();
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'cosiflash', 'cache');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'cosiflash');
  return path.join(home, '.cache', 'cosiflash');
}
