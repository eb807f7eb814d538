/**
 * System tools by absolute path from a fixed list of system folders, never from PATH.
 *
 * Why (issue 7 §5): the side of Cosiflash that may run as root calls lsblk, umount, partx,
 * udevadm, blockdev, pkexec…; looked up on the caller's PATH (npx puts node_modules/.bin
 * first, a user can put anything first), any of them could be a planted program run as root.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The only folders tools are taken from, in this order. */
export const SYSTEM_TOOL_DIRS: readonly string[] = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of `name` in the system folders, or null when it is not installed there. */
export function findSystemTool(name: string, dirs: readonly string[] = SYSTEM_TOOL_DIRS): string | null {
  if (name.includes('/')) return null;
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}
