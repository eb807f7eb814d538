/**
 * The recently opened images, newest first, persisted as JSON in the config dir.
 *
 * Each entry remembers the image hash seen on the first successful inspect of its location,
 * so a location that later serves a different image is noticed (the UI's Review screen and
 * the CLI warn), the OS and version to tell entries apart, and whether a flash of the image
 * failed verification (a corrupt region: never kept as a good image). The remembered hash is
 * kept until the entry is removed ("forget"), like a known host key.
 *
 * The file is small and rewritten whole through a temporary file + rename (writePrivateFile),
 * so a crash never leaves half a list. A missing or unreadable file is an empty list (it is a
 * convenience, not data worth failing over).
 */
import path from 'node:path';
import type { RecentAddRequest, RecentImage, RecentImageCheck } from '../ipc/contract.ts';
import type { Layout } from '../model/layout.ts';
import { readPrivateFile, writePrivateFile } from '../util/private-path.ts';

const MAX_ENTRIES = 12;
export const RECENT_IMAGES_FILE_NAME = 'recent-images.json';

/** Error codes that mean the image itself is corrupt (found while flashing or verifying). */
export const IMAGE_CORRUPT_CODES: ReadonlySet<string> = new Set(['E_IMAGE_HASH', 'E_IMAGE_SIZE', 'E_DECODE', 'E_TAR_INVALID']);

export class RecentImages {
  readonly #file: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: { dir: string }) {
    this.#file = path.join(options.dir, RECENT_IMAGES_FILE_NAME);
  }

  get file(): string {
    return this.#file;
  }

  async list(): Promise<RecentImage[]> {
    try {
      const parsed: unknown = JSON.parse((await readPrivateFile(this.#file)) ?? '[]');
      const entries = Array.isArray(parsed) ? parsed : [];
      return entries.filter(isRecentImage).map(normalized).slice(0, MAX_ENTRIES);
    } catch {
      return [];
    }
  }

  /** What the list knows about `location` serving `imageHash` (read only). */
  async check(location: string, imageHash: string): Promise<RecentImageCheck> {
    return checkAgainst((await this.list()).find((item) => item.location === location), imageHash);
  }

  /**
   * Records a successful inspect: a new entry remembers this hash; a known one keeps its first
   * hash and gets the OS and version refreshed. Returns what was known before.
   */
  async observe(location: string, layout: Pick<Layout, 'imageHash' | 'os'>, now: Date = new Date()): Promise<RecentImageCheck> {
    let check: RecentImageCheck = { status: 'new', rememberedHash: null, firstSeenAt: null, failed: null };
    await this.#update((list) => {
      const known = list.find((item) => item.location === location);
      check = checkAgainst(known, layout.imageHash);
      const entry: RecentImage = {
        location,
        expectedHash: known?.expectedHash ?? null,
        label: layout.os.prettyName ?? known?.label ?? null,
        lastUsedAt: now.toISOString(),
        imageHash: known?.imageHash ?? layout.imageHash,
        firstSeenAt: known?.firstSeenAt ?? now.toISOString(),
        os: layout.os.prettyName ?? layout.os.id ?? null,
        osVersion: layout.os.versionId ?? null,
        failed: known?.failed ?? null,
      };
      return [entry, ...list.filter((item) => item.location !== location)];
    });
    return check;
  }

  add(request: RecentAddRequest, now: Date = new Date()): Promise<RecentImage[]> {
    return this.#update((list) => {
      const known = list.find((item) => item.location === request.location);
      const entry: RecentImage = {
        ...(known ?? { imageHash: null, firstSeenAt: null, os: null, osVersion: null, failed: null }),
        location: request.location,
        expectedHash: request.expectedHash ?? null,
        label: request.label ?? known?.label ?? null,
        lastUsedAt: now.toISOString(),
      };
      return [entry, ...list.filter((item) => item.location !== request.location)];
    });
  }

  /**
   * After a flash: an image that failed verification (a corrupt region) is marked, so it is not
   * offered as a good one; a verified flash of the same image clears the mark.
   */
  recordFlash(location: string, imageHash: string, outcome: { readonly verified: boolean; readonly errorCode: string | null }, now: Date = new Date()): Promise<RecentImage[]> {
    return this.#update((list) =>
      list.map((item) => {
        if (item.location !== location) return item;
        if (outcome.errorCode !== null && IMAGE_CORRUPT_CODES.has(outcome.errorCode)) return { ...item, failed: { imageHash, code: outcome.errorCode, at: now.toISOString() } };
        if (outcome.verified && item.failed?.imageHash === imageHash) return { ...item, failed: null };
        return item;
      }),
    );
  }

  remove(location: string): Promise<RecentImage[]> {
    return this.#update((list) => list.filter((item) => item.location !== location));
  }

  /** Serialises read-modify-write cycles so concurrent adds do not lose entries. */
  #update(change: (list: RecentImage[]) => RecentImage[]): Promise<RecentImage[]> {
    const next = this.#queue.then(async () => {
      const list = change(await this.list()).slice(0, MAX_ENTRIES);
      await writePrivateFile(this.#file, `${JSON.stringify(list, null, 2)}\n`);
      return list;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

/** The one-line warning front ends show when a known location serves another image, or a failed one. */
export function recentImageWarning(location: string, imageHash: string, check: RecentImageCheck): string | null {
  const lines: string[] = [];
  if (check.status === 'changed' && check.rememberedHash !== null) {
    lines.push(`${location} served a different image when first opened${check.firstSeenAt === null ? '' : ` (${check.firstSeenAt.slice(0, 10)})`}: ${check.rememberedHash}; it now serves ${imageHash}. Make sure this is the image you mean to write.`);
  }
  if (check.failed !== null) lines.push(`A flash of this image failed verification before (${check.failed.code}, ${check.failed.at.slice(0, 10)}): it may be corrupt.`);
  return lines.length === 0 ? null : lines.join(' ');
}

function checkAgainst(known: RecentImage | undefined, imageHash: string): RecentImageCheck {
  if (known === undefined) return { status: 'new', rememberedHash: null, firstSeenAt: null, failed: null };
  const remembered = known.imageHash ?? null;
  const failed = known.failed !== null && known.failed !== undefined && known.failed.imageHash === imageHash ? { code: known.failed.code, at: known.failed.at } : null;
  return { status: remembered === null || remembered === imageHash ? 'same' : 'changed', rememberedHash: remembered, firstSeenAt: known.firstSeenAt ?? null, failed };
}

/** Entries written before hashes were remembered read as "nothing recorded". */
function normalized(item: RecentImage): RecentImage {
  return { ...item, imageHash: item.imageHash ?? null, firstSeenAt: item.firstSeenAt ?? null, os: item.os ?? null, osVersion: item.osVersion ?? null, failed: item.failed ?? null };
}

function isRecentImage(value: unknown): value is RecentImage {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  const optionalText = (x: unknown): boolean => x === undefined || x === null || typeof x === 'string';
  const failed = item['failed'];
  return (
    typeof item['location'] === 'string' &&
    (item['expectedHash'] === null || typeof item['expectedHash'] === 'string') &&
    (item['label'] === null || typeof item['label'] === 'string') &&
    typeof item['lastUsedAt'] === 'string' &&
    optionalText(item['imageHash']) &&
    optionalText(item['firstSeenAt']) &&
    optionalText(item['os']) &&
    optionalText(item['osVersion']) &&
    (failed === undefined || failed === null || (typeof failed === 'object' && typeof (failed as Record<string, unknown>)['imageHash'] === 'string' && typeof (failed as Record<string, unknown>)['code'] === 'string' && typeof (failed as Record<string, unknown>)['at'] === 'string'))
  );
}
