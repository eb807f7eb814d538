/**
 * Whether the app and `serve` use the verified image cache, and with which cap: on by
 * default; `<config dir>/settings.json` may hold `{ "imageCache": false }` or
 * `{ "imageCacheMaxBytes": 10737418240 }` (serve's `--no-cache` / `--cache-max` win).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultCacheDir } from '../cache/cache-location.ts';
import type { FlashCacheRequest } from '../model/flash-request.ts';
import { invokingUser } from '../util/invoking-user.ts';

export const SETTINGS_FILE_NAME = 'settings.json';

/** The cache request of the app or `serve`; null when caching is turned off. */
export function cacheSetting(configDir: string, overrides: { enabled?: boolean; maxBytes?: number } = {}, env: NodeJS.ProcessEnv = process.env): FlashCacheRequest | null {
  let settings: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(readFileSync(path.join(configDir, SETTINGS_FILE_NAME), 'utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) settings = value as Record<string, unknown>;
  } catch {
    // No settings file (or an unreadable one): the defaults.
  }
  const enabled = overrides.enabled ?? settings.imageCache !== false;
  if (!enabled) return null;
  const fromFile = settings.imageCacheMaxBytes;
  const maxBytes = overrides.maxBytes ?? (Number.isSafeInteger(fromFile) && (fromFile as number) > 0 ? (fromFile as number) : null);
  return { dir: defaultCacheDir(env, invokingUser(env)), maxBytes };
}
