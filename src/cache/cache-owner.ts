import type { InvokingUser } from '../util/invoking-user.ts';

/**
 * Who the cache belongs to. Run elevated (root with SUDO_UID, or pkexec's PKEXEC_UID), the
 * cache is the invoking user's: every path operation on it runs with that user's effective
 * uid/gid (see {@link asCacheOwner}), so the kernel, not a check, keeps root from following a
 * link the user planted, and every file created belongs to the user.
 */
export type CacheOwner = InvokingUser;

/**
 * Runs `work` (synchronous: no other JavaScript runs meanwhile) with the effective uid/gid of
 * `owner`, then restores root. Without an owner (or where seteuid does not exist) it simply runs `work`.
 */
export function asCacheOwner<T>(owner: CacheOwner | null, work: () => T): T {
  if (owner === null || process.setegid === undefined || process.seteuid === undefined || process.geteuid?.() !== 0) return work();
  process.setegid(owner.gid);
  process.seteuid(owner.uid);
  try {
    return work();
  } finally {
    process.seteuid(0);
    process.setegid(0);
  }
}
