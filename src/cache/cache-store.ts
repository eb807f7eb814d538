import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { CosiflashError } from '../errors.ts';
import type { Validator } from '../source/http-validator.ts';
import { CacheEntry } from './cache-entry.ts';
import { parseJournal, type JournalLine } from './cache-journal.ts';
import { asCacheOwner, type CacheOwner } from './cache-owner.ts';

/** The default cap: the smaller of 20 GiB and a quarter of the free space (plus what the cache holds). */
export const DEFAULT_CACHE_MAX_BYTES = 20 * 1024 ** 3;

export interface CacheStoreSettings {
  /** The cache folder (created 0700 when missing). */
  readonly dir: string;
  /** Size cap in bytes; null → {@link defaultCacheMaxBytes}. */
  readonly maxBytes: number | null;
  /** Run elevated: the invoking user, who owns the cache. */
  readonly owner: CacheOwner | null;
}

/** What the cache knows about the image at one location. */
export interface CacheKey {
  readonly location: string;
  readonly validator: Validator;
  readonly sizeBytes: number;
}

export interface CacheEntryInfo extends CacheKey {
  readonly id: string;
  /** Bytes of the image present in the data file (each re-hashed before use). */
  readonly cachedBytes: number;
  /** Bytes inside regions that passed their SHA-384 check when they were cached. */
  readonly verifiedBytes: number;
  readonly complete: boolean;
  /** `sha384:<hex>` of metadata.json, once a flash or fetch has read it; else null. */
  readonly imageHash: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  /** A live process reads or fills it now (it is never evicted or removed then). */
  readonly inUse: boolean;
}

export interface AcquiredEntry {
  readonly entry: CacheEntry;
  /** Why the entry only serves what it has (and caches nothing new), if it does. */
  readonly warnings: readonly string[];
}

const ENTRY_NAME = /^[0-9a-f]{32}$/;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
let inUseCounter = 0;

/**
 * The cache folder: one sub-folder per image (location + validator + size), holding
 * `meta.json` (written once, atomically), the sparse `data` file and the append-only
 * `journal`. Every path operation runs as the cache's owner (src/cache/cache-owner.ts), never
 * follows a symlink (O_NOFOLLOW on files, lstat on folders) and keeps folders 0700, files 0600.
 */
export class CacheStore {
  readonly dir: string;
  readonly #settings: CacheStoreSettings;

  constructor(settings: CacheStoreSettings) {
    this.#settings = settings;
    this.dir = settings.dir;
  }

  /** Creates the cache folder when missing and checks it is a real folder of its owner. */
  ensureRoot(): void {
    this.#owned(() => {
      mkdirSync(path.dirname(this.dir), { recursive: true, mode: 0o700 });
      ensurePrivateDir(this.dir);
    });
  }

  /** The cap in bytes for this cache. */
  maxBytes(): number {
    if (this.#settings.maxBytes !== null) return this.#settings.maxBytes;
    const held = this.list().reduce((sum, e) => sum + e.cachedBytes, 0);
    let free = Number.POSITIVE_INFINITY;
    try {
      const stats = this.#owned(() => statfsSync(this.dir));
      free = stats.bavail * stats.bsize;
    } catch {
      // Unknown free space: the fixed cap applies.
    }
    return Math.min(DEFAULT_CACHE_MAX_BYTES, Math.floor((free + held) / 4));
  }

  /** Every entry, most recently used first. A missing cache folder is an empty cache. */
  list(): CacheEntryInfo[] {
    return this.#owned(() => {
      let names: string[];
      try {
        names = readdirSync(this.dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw cacheError(`The cache folder ${this.dir} cannot be read`, error);
      }
      const infos: CacheEntryInfo[] = [];
      for (const name of names) {
        if (!ENTRY_NAME.test(name)) continue;
        const info = readEntryInfo(path.join(this.dir, name), name);
        if (info !== null) infos.push(info);
      }
      return infos.sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
    });
  }

  /**
   * Removes the entries `which` names: an entry id, a location (URL) or an image hash
   * (`sha384:<hex>` or the hex). E_CACHE_NOT_FOUND when none matches, E_CACHE_IN_USE when
   * every match is in use. Returns the removed entries.
   */
  remove(which: string): CacheEntryInfo[] {
    const wanted = which.trim();
    const hash = wanted.toLowerCase().replace(/^sha384:/, '');
    const matches = this.list().filter((e) => e.id === wanted || e.location === wanted || (e.imageHash !== null && e.imageHash === `sha384:${hash}`));
    if (matches.length === 0) throw new CosiflashError('E_CACHE_NOT_FOUND', `Nothing in the cache (${this.dir}) matches "${which}".`);
    const free = matches.filter((e) => !e.inUse);
    if (free.length === 0) throw new CosiflashError('E_CACHE_IN_USE', `The cached image ${matches[0]?.location ?? which} is being used right now.`);
    for (const entry of free) this.#removeEntry(entry.id);
    return free;
  }

  /** Removes every entry not in use; returns what was removed. */
  clear(): CacheEntryInfo[] {
    const free = this.list().filter((e) => !e.inUse);
    for (const entry of free) this.#removeEntry(entry.id);
    return free;
  }

  /**
   * Opens (or creates) the entry for `key`, marked in use until the entry is closed. Entries of
   * the same location with another validator or size (the file changed) are discarded. The
   * entry caches new bytes only when it holds the write lock and the image fits under the cap
   * (least-recently-used entries not in use are evicted to make room).
   */
  acquire(key: CacheKey): AcquiredEntry {
    this.ensureRoot();
    const id = entryId(key);
    const warnings: string[] = [];
    const others = this.list();
    for (const stale of others.filter((e) => e.location === key.location && e.id !== id && !e.inUse)) this.#removeEntry(stale.id);
    const cap = this.maxBytes();
    const opened = this.#owned(() => openEntryFiles(path.join(this.dir, id), id, key));
    let writable = opened.lockFd !== null;
    if (!writable) warnings.push('another Cosiflash process is filling this cache entry; this one only reads it');
    if (writable && key.sizeBytes > cap) {
      writable = false;
      warnings.push(`the image (${key.sizeBytes} bytes) is larger than the cache cap (${cap} bytes; --cache-max), so it is not cached`);
    }
    if (writable) {
      const rest = this.list().filter((e) => e.id !== id);
      let used = rest.reduce((sum, e) => sum + e.cachedBytes, 0);
      for (const victim of [...rest].reverse()) {
        if (used + key.sizeBytes <= cap) break;
        if (victim.inUse) continue;
        this.#removeEntry(victim.id);
        used -= victim.cachedBytes;
      }
      if (used + key.sizeBytes > cap) {
        writable = false;
        warnings.push(`the cache is full of images in use (cap ${cap} bytes), so this image is not cached`);
      }
    }
    if (!writable && opened.lockFd !== null) {
      this.#owned(() => {
        closeSync(opened.lockFd as number);
        unlinkQuiet(path.join(this.dir, id, 'writer.lock'));
      });
      opened.lockFd = null;
    }
    if (!writable && opened.journalFd !== null) {
      closeSync(opened.journalFd);
      opened.journalFd = null;
    }
    const dir = path.join(this.dir, id);
    const entry = new CacheEntry({
      id,
      sizeBytes: key.sizeBytes,
      dataFd: opened.dataFd,
      journalFd: opened.journalFd,
      lines: opened.lines,
      onClose: () =>
        this.#owned(() => {
          if (opened.lockFd !== null) {
            closeSync(opened.lockFd);
            unlinkQuiet(path.join(dir, 'writer.lock'));
          }
          unlinkQuiet(path.join(dir, opened.inUseName));
        }),
    });
    return { entry, warnings };
  }

  #removeEntry(id: string): void {
    this.#owned(() => rmSync(path.join(this.dir, id), { recursive: true, force: true }));
  }

  #owned<T>(work: () => T): T {
    return asCacheOwner(this.#settings.owner, work);
  }
}

/** The entry folder name for a key. */
export function entryId(key: CacheKey): string {
  return createHash('sha256').update(JSON.stringify([key.location, key.validator.kind, key.validator.value, key.sizeBytes])).digest('hex').slice(0, 32);
}

function cacheError(what: string, cause: unknown): CosiflashError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CosiflashError('E_CACHE', `${what}: ${reason}`, { cause });
}

/** mkdir 0700 when missing; then it must be a real folder (not a link) of this user, and is made 0700. */
function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cacheError(`Cannot create the cache folder ${dir}`, error);
  }
  const info = lstatSync(dir);
  if (info.isSymbolicLink() || !info.isDirectory()) throw new CosiflashError('E_CACHE', `${dir} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; the cache only uses a real folder.`);
  const uid = process.geteuid?.();
  if (uid !== undefined && info.uid !== uid) throw new CosiflashError('E_CACHE', `${dir} belongs to uid ${info.uid}, not to uid ${uid}.`);
  if ((info.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

function openNoFollow(file: string, flags: number, mode = 0o600): number {
  const fd = openSync(file, flags | O_NOFOLLOW, mode);
  const info = fstatSync(fd);
  if (!info.isFile()) {
    closeSync(fd);
    throw new CosiflashError('E_CACHE', `${file} is not a regular file.`);
  }
  return fd;
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface EntryMeta extends CacheKey {
  readonly version: 1;
  readonly createdAt: string;
}

function readMeta(dir: string): EntryMeta | null {
  try {
    const fd = openNoFollow(path.join(dir, 'meta.json'), constants.O_RDONLY);
    try {
      const value = JSON.parse(readFileSync(fd, 'utf8')) as Partial<EntryMeta>;
      const validator = value.validator;
      if (value.version !== 1 || typeof value.location !== 'string' || !Number.isSafeInteger(value.sizeBytes) || typeof value.createdAt !== 'string') return null;
      if (validator === undefined || (validator.kind !== 'etag' && validator.kind !== 'last-modified') || typeof validator.value !== 'string') return null;
      return value as EntryMeta;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

function readJournal(dir: string, sizeBytes: number): JournalLine[] {
  try {
    const fd = openNoFollow(path.join(dir, 'journal'), constants.O_RDONLY);
    try {
      return parseJournal(readFileSync(fd, 'utf8'), sizeBytes);
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
}

/** True when a live process holds the entry (an in-use marker or the writer lock of a live pid); stale markers are removed. */
function entryInUse(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  let inUse = false;
  for (const name of names) {
    const match = /^in-use\.(\d+)\.\d+$/.exec(name);
    if (match !== null) {
      if (pidAlive(Number(match[1]))) inUse = true;
      else unlinkQuiet(path.join(dir, name));
    } else if (name === 'writer.lock') {
      const pid = lockPid(path.join(dir, name));
      if (pid !== null && pidAlive(pid)) inUse = true;
    }
  }
  return inUse;
}

function lockPid(file: string): number | null {
  try {
    const fd = openNoFollow(file, constants.O_RDONLY);
    try {
      const text = readFileSync(fd, 'utf8').trim();
      return /^\d+$/.test(text) ? Number(text) : null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

function readEntryInfo(dir: string, id: string): CacheEntryInfo | null {
  try {
    const info = lstatSync(dir);
    if (!info.isDirectory() || info.isSymbolicLink()) return null;
  } catch {
    return null;
  }
  const meta = readMeta(dir);
  if (meta === null) return null;
  const entry = new CacheEntry({ id, sizeBytes: meta.sizeBytes, dataFd: -1, journalFd: null, lines: readJournal(dir, meta.sizeBytes), onClose: () => undefined });
  let lastUsedAt = meta.createdAt;
  try {
    lastUsedAt = lstatSync(path.join(dir, 'meta.json')).mtime.toISOString();
  } catch {
    // Keep the creation time.
  }
  return {
    id,
    location: meta.location,
    validator: meta.validator,
    sizeBytes: meta.sizeBytes,
    cachedBytes: entry.cachedBytes,
    verifiedBytes: entry.verifiedBytes,
    complete: entry.cachedBytes === meta.sizeBytes,
    imageHash: entry.imageHash === null ? null : `sha384:${entry.imageHash}`,
    createdAt: meta.createdAt,
    lastUsedAt,
    inUse: entryInUse(dir),
  };
}

interface OpenedEntryFiles {
  dataFd: number;
  journalFd: number | null;
  lockFd: number | null;
  readonly inUseName: string;
  readonly lines: JournalLine[];
}

/** Opens the entry folder's files, creating the entry when missing or not matching `key`. Runs as the owner. */
function openEntryFiles(dir: string, id: string, key: CacheKey): OpenedEntryFiles {
  const existing = readMeta(dir);
  const matches = existing !== null && existing.location === key.location && existing.sizeBytes === key.sizeBytes && existing.validator.kind === key.validator.kind && existing.validator.value === key.validator.value;
  if (!matches) {
    if (entryInUse(dir)) throw new CosiflashError('E_CACHE_IN_USE', `The cache entry ${id} is in use and does not match this image.`);
    rmSync(dir, { recursive: true, force: true });
    ensurePrivateDir(dir);
    const data = openNoFollow(path.join(dir, 'data'), constants.O_RDWR | constants.O_CREAT | constants.O_EXCL);
    try {
      ftruncateSync(data, key.sizeBytes);
    } finally {
      closeSync(data);
    }
    closeSync(openNoFollow(path.join(dir, 'journal'), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL));
    const meta: EntryMeta = { version: 1, location: key.location, validator: key.validator, sizeBytes: key.sizeBytes, createdAt: new Date().toISOString() };
    const temporary = path.join(dir, 'meta.json.tmp');
    unlinkQuiet(temporary);
    const fd = openNoFollow(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    try {
      writeSync(fd, JSON.stringify(meta));
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path.join(dir, 'meta.json'));
  } else {
    ensurePrivateDir(dir);
  }
  inUseCounter += 1;
  const inUseName = `in-use.${process.pid}.${inUseCounter}`;
  closeSync(openNoFollow(path.join(dir, inUseName), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC));
  const now = new Date();
  lutimesSync(path.join(dir, 'meta.json'), now, now);
  let lockFd: number | null = null;
  const lockFile = path.join(dir, 'writer.lock');
  for (let attempt = 0; attempt < 2 && lockFd === null; attempt++) {
    try {
      lockFd = openNoFollow(lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
      writeSync(lockFd, String(process.pid));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = lockPid(lockFile);
      if (pid !== null && pidAlive(pid)) break;
      unlinkQuiet(lockFile);
    }
  }
  const dataFd = openNoFollow(path.join(dir, 'data'), lockFd === null ? constants.O_RDONLY : constants.O_RDWR);
  const journalFd = lockFd === null ? null : openNoFollow(path.join(dir, 'journal'), constants.O_WRONLY | constants.O_APPEND);
  return { dataFd, journalFd, lockFd, inUseName, lines: readJournal(dir, key.sizeBytes) };
}
