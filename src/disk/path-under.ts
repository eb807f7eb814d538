/**
 * Whether a path lies inside a mount point, for POSIX paths and Windows drive roots. Pure
 * string logic: callers pass real (resolved) paths when they have them.
 */

/** True when `path` is `mountpoint` itself or inside it. */
export function isPathUnder(path: string, mountpoint: string): boolean {
  if (/^[A-Za-z]:[\\/]?$/.test(mountpoint)) return path.slice(0, 2).toLowerCase() === mountpoint.slice(0, 2).toLowerCase() && /^[A-Za-z]:([\\/]|$)/.test(path);
  if (!mountpoint.startsWith('/')) return false;
  if (mountpoint === '/') return path.startsWith('/');
  const base = mountpoint.endsWith('/') ? mountpoint.slice(0, -1) : mountpoint;
  return path === base || path.startsWith(`${base}/`);
}

/** The longest of `mountpoints` that contains `path`, or null. */
export function deepestMountpoint(path: string, mountpoints: readonly string[]): string | null {
  let best: string | null = null;
  for (const mountpoint of mountpoints) {
    if (isPathUnder(path, mountpoint) && (best === null || mountpoint.length > best.length)) best = mountpoint;
  }
  return best;
}
