/**
 * The image-cache options shared by `flash`, `serve` and `cache`: where the cache is (the
 * invoking user's `$XDG_CACHE_HOME/cosiflash`) and its cap (`--cache-max SIZE`).
 */
import { defaultCacheDir } from '../cache/cache-location.ts';
import { invokingUser } from '../util/invoking-user.ts';
import { parseSizeBytes } from '../cache/parse-size.ts';
import type { FlashCacheRequest } from '../model/flash-request.ts';

export const CACHE_MAX_HELP = `  --cache-max SIZE Cap of the image cache, e.g. 20G or 500M (default: the smaller of
                   20 GiB and a quarter of the free space); least recently used go first`;

export const CACHE_MAX_OPTION = { 'cache-max': { type: 'string' } } as const;

/** The cache folder of the user running this command (the invoking user's under sudo). */
export function cliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return defaultCacheDir(env, invokingUser(env));
}

/** The `cache` part of a flash request. */
export function cacheRequest(command: string, cacheMax: string | undefined): FlashCacheRequest {
  return { dir: cliCacheDir(), maxBytes: cacheMax === undefined ? null : parseSizeBytes(cacheMax, `${command}: --cache-max`) };
}
