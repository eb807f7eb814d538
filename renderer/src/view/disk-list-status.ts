/**
 * The one-line status above the Target screen's disk list: while looking, when empty
 * (an invitation to insert a drive — the list refreshes by itself on hotplug), or the
 * count of disks that can take the image; either way it says how many virtual disks are
 * hidden (the "show virtual disks" switch brings them in).
 */
export interface DiskListStatusInput {
  loading: boolean;
  total: number;
  eligible: number;
  /** Virtual disks that exist but are not listed (absent: none). */
  hiddenVirtual?: number;
}

export function diskListStatus({ loading, total, eligible, hiddenVirtual = 0 }: DiskListStatusInput): string {
  const hidden = hiddenVirtual > 0 ? ` (${hiddenVirtual} virtual ${hiddenVirtual === 1 ? 'disk' : 'disks'} hidden)` : '';
  if (total === 0) return loading ? 'Looking for disks…' : `Insert a drive — this list updates by itself when one is plugged in.${hidden}`;
  return `${eligible} of ${total} disks can take this image${hidden}`;
}
