/**
 * The recently opened images, newest first, persisted as JSON in the config dir.
 *
 * The file is small and rewritten whole through a temporary file + rename, so a crash never
 * leaves half a list. A missing or unreadable file is an empty list (it is a convenience,
 * not data worth failing over).
 */
import path from 'node:path';
import type { RecentAddRequest, RecentImage } from '../ipc/contract.ts';
import { readPrivateFile, writePrivateFile } from '../util/private-path.ts';

const MAX_ENTRIES = 12;
const FILE_NAME = 'recent-images.json';

export class RecentImages {
  readonly #file: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: { dir: string }) {
    this.#file = path.join(options.dir, FILE_NAME);
  }

  get file(): string {
    return this.#file;
  }

  async list(): Promise<RecentImage[]> {
    try {
      const parsed: unknown = JSON.parse((await readPrivateFile(this.#file)) ?? '[]');
      const entries = Array.isArray(parsed) ? parsed : [];
      return entries.filter(isRecentImage).slice(0, MAX_ENTRIES);
    } catch {
      return [];
    }
  }

  add(request: RecentAddRequest, now: Date = new Date()): Promise<RecentImage[]> {
    return this.#update((list) => {
      const entry: RecentImage = {
        location: request.location,
        expectedHash: request.expectedHash ?? null,
        label: request.label ?? null,
        lastUsedAt: now.toISOString(),
      };
      return [entry, ...list.filter((item) => item.location !== request.location)];
    });
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

function isRecentImage(value: unknown): value is RecentImage {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return (
    typeof item['location'] === 'string' &&
    (item['expectedHash'] === null || typeof item['expectedHash'] === 'string') &&
    (item['label'] === null || typeof item['label'] === 'string') &&
    typeof item['lastUsedAt'] === 'string'
  );
}
