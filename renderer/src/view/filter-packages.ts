/**
 * Package search on the Review screen: case-insensitive match on name or version, or an
 * exact architecture ("noarch").
 */
import type { OsPackageInfo } from '../../../src/model/layout.ts';

export function filterPackages(packages: readonly OsPackageInfo[], query: string): OsPackageInfo[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return [...packages];
  return packages.filter((pkg) => pkg.name.toLowerCase().includes(needle) || pkg.version.toLowerCase().includes(needle) || pkg.arch.toLowerCase() === needle);
}
