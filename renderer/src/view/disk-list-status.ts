/**
 * The one-line status above the Target screen's disk list: while looking, when empty
 * (an invitation to insert a drive — the list refreshes by itself on hotplug), or the
 * count of disks that can take the image.
 */
export interface DiskListStatusInput {
  loading: boolean;
  total: number;
  eligible: number;
}

export function diskListStatus({ loading, total, eligible }: DiskListStatusInput): string {
  if (total === 0) return loading ? 'Looking for disks…' : 'Insert a drive — this list updates by itself when one is plugged in.';
  return `${eligible} of ${total} disks can take this image`;
}
