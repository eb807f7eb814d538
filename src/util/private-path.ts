/**
 * Files that Cosiflash keeps for a user (config, recent images, reports, the flash log, the
 * token file, the image cache) — written safely even when the process runs as root:
 * - folders are created 0700 and files 0600, and given to the invoking user under sudo/pkexec;
 * - a symlink is never followed (O_NOFOLLOW on the file, lstat on the folder);
 * - a folder or file that belongs to someone else, or a folder that someone else could replace
 *   (a folder above it writable by another user, unless sticky like /tmp), is refused: root must
 *   not write where another local user can redirect it.
 * Every failure is an `E_PERMISSION` CosiflashError that names the path and the reason.
 */
import { constants } from 'node:fs';
import { chown, lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { CosiflashError } from '../errors.ts';
import { invokingUser, type InvokingUser } from './invoking-user.ts';

export interface PrivatePathOptions {
  /** Who the files are for; default: the user behind sudo/pkexec, else the running user. */
  readonly owner?: InvokingUser | null;
}

interface Owner {
  readonly uid: number;
  readonly gid: number;
  /** Set when we run as root for someone else: new files are chowned to them. */
  readonly chownTo: boolean;
}

function ownerOf(options: PrivatePathOptions): Owner {
  const user = options.owner === undefined ? invokingUser() : options.owner;
  if (user !== null) return { uid: user.uid, gid: user.gid, chownTo: true };
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, chownTo: false };
}

function refuse(file: string, why: string): CosiflashError {
  return new CosiflashError('E_PERMISSION', `Cosiflash will not use ${file}: ${why}.`, { hint: 'Remove or fix that path (it must belong to you and not be writable by other users), or point Cosiflash elsewhere (COSIFLASH_CONFIG_DIR, XDG_CONFIG_HOME, XDG_CACHE_HOME, --log).' });
}

/** Why another user could replace `dir` or what is in it, or null when only its owner (or root) can. */
async function replaceableReason(dir: string, owner: Owner): Promise<string | null> {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const info = await lstat(current);
    if (info.isSymbolicLink()) return `${current} is a symbolic link`;
    const trusted = info.uid === 0 || info.uid === owner.uid;
    if (!trusted) return `${current} belongs to uid ${info.uid}`;
    const sticky = (info.mode & 0o1000) !== 0;
    if ((info.mode & 0o022) !== 0 && !sticky) return `${current} is writable by group or others`;
    if (current === path.dirname(current)) return null;
  }
}

/**
 * Creates `dir` (and missing parents) 0700 for the owner, or checks an existing one: a real
 * folder (not a symlink), the owner's or root's, writable by nobody else. An existing folder's
 * mode is left alone (it may be the user's own folder given with --log); the files are 0600.
 */
export async function ensurePrivateDir(dir: string, options: PrivatePathOptions = {}): Promise<string> {
  const owner = ownerOf(options);
  const absolute = path.resolve(dir);
  const first = await mkdir(absolute, { recursive: true, mode: 0o700 });
  if (first !== undefined && owner.chownTo) {
    for (let current = absolute; current.length >= first.length; current = path.dirname(current)) await chown(current, owner.uid, owner.gid);
  }
  const info = await lstat(absolute);
  if (info.isSymbolicLink() || !info.isDirectory()) throw refuse(absolute, 'it is not a folder (a symbolic link or a file is in its place)');
  if (info.uid !== owner.uid && info.uid !== 0) throw refuse(absolute, `it belongs to uid ${info.uid}, not ${owner.uid}`);
  if ((info.mode & 0o022) !== 0) throw refuse(absolute, 'it is writable by group or others');
  const why = await replaceableReason(absolute, owner);
  if (why !== null) throw refuse(absolute, why);
  return absolute;
}

async function checkOpened(handle: import('node:fs/promises').FileHandle, file: string, owner: Owner): Promise<void> {
  const info = await handle.stat();
  if (!info.isFile()) throw refuse(file, 'it is not a regular file');
  if (info.uid !== owner.uid) {
    if (!owner.chownTo || info.uid !== 0) throw refuse(file, `it belongs to uid ${info.uid}, not ${owner.uid}`);
    await handle.chown(owner.uid, owner.gid);
  }
  if ((info.mode & 0o077) !== 0) await handle.chmod(0o600);
}

/** Writes `data` to `file` atomically (a fresh 0600 temp file renamed over it) in a private folder. */
export async function writePrivateFile(file: string, data: string | Uint8Array, options: PrivatePathOptions = {}): Promise<void> {
  const owner = ownerOf(options);
  const absolute = path.resolve(file);
  await ensurePrivateDir(path.dirname(absolute), options);
  const temporary = `${absolute}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    if (owner.chownTo) await handle.chown(owner.uid, owner.gid);
    await handle.writeFile(data);
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temporary, absolute);
}

/** Appends `data` in one write (O_APPEND: concurrent appenders do not interleave lines). */
export async function appendPrivateFile(file: string, data: string, options: PrivatePathOptions = {}): Promise<void> {
  const owner = ownerOf(options);
  const absolute = path.resolve(file);
  await ensurePrivateDir(path.dirname(absolute), options);
  const handle = await openNoFollow(absolute, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  try {
    await checkOpened(handle, absolute, owner);
    await handle.write(data);
  } finally {
    await handle.close();
  }
}

/** The text of `file`, or null when it does not exist; refused when it is a symlink or someone else's. */
export async function readPrivateFile(file: string, options: PrivatePathOptions = {}): Promise<string | null> {
  const owner = ownerOf(options);
  const absolute = path.resolve(file);
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await openNoFollow(absolute, constants.O_RDONLY, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    await checkOpened(handle, absolute, owner);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

async function openNoFollow(file: string, flags: number, mode: number): Promise<import('node:fs/promises').FileHandle> {
  try {
    return await open(file, flags | constants.O_NOFOLLOW, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw refuse(file, 'it is a symbolic link');
    throw error;
  }
}
