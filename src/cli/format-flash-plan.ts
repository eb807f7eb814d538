import { terminalText } from '../common/terminal-text.ts';
import { diskName } from '../common/disk-name.ts';
import { allMountpoints, mountpointList } from '../common/mount-points.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import type { Layout } from '../model/layout.ts';
import { formatBytes } from '../common/format-units.ts';

/**
 * The plan `cosiflash flash` shows before asking for confirmation: the target disk (or every
 * target disk of a multi-disk flash: device, model, serial, size) and, for every region, what
 * is written where. Plain text, one region per line.
 */
export function formatFlashPlan(layout: Layout, targets: DiskInfo | readonly DiskInfo[], options: { verify: boolean; unmount: boolean }): string {
  const disks: readonly DiskInfo[] = Array.isArray(targets) ? targets : [targets as DiskInfo];
  const lines = [`Image   ${layout.imageHash}`, `OS      ${layout.os.prettyName ?? layout.os.id ?? 'unknown'} (${layout.osArch})`];
  const [only] = disks;
  if (disks.length === 1 && only !== undefined) {
    lines.push(`Target  ${diskLine(only)}`, `        EVERYTHING ON ${only.device} WILL BE ERASED.`);
    lines.push(...mountLines(only, options.unmount));
  } else {
    lines.push(`Targets ${disks.length} disks, written at once — EVERYTHING ON EACH OF THEM WILL BE ERASED:`);
    for (const disk of disks) lines.push(`        ${diskLine(disk)}`, ...mountLines(disk, options.unmount).map((line) => `  ${line}`));
  }
  lines.push('', '  slot  name                     write          at offset (LBA)');
  for (const p of layout.partitions) {
    const offset = p.startLba * layout.disk.lbaSize;
    lines.push(`  ${String(p.number).padStart(4)}  ${terminalText(p.name).slice(0, 24).padEnd(24)} ${formatBytes(p.image.uncompressedSize).padStart(10)}     ${offset} (${p.startLba})${p.shrunk ? '  filesystem smaller than its partition' : ''}`);
  }
  lines.push(`     -  partition table (GPT)    ${formatBytes(layout.primaryGpt.uncompressedSize).padStart(10)}     0 and the end of the disk, written last`);
  const each = disks.length > 1 ? ' to each disk' : '';
  lines.push('', `Download ${formatBytes(layout.downloadBytes)}, write ${formatBytes(layout.writeBytes)}${each}${options.verify ? ', then read back and verify' : ' (no read-back verification)'}.`);
  // The plan is what the user confirms: nothing from the image or the disk may rewrite a line of it.
  return lines.map(terminalText).join('\n');
}

/** "/dev/sdb  SanDisk Ultra  serial 123  14.9 GiB (… bytes), 512-byte sectors" */
function diskLine(disk: DiskInfo): string {
  return `${disk.device}  ${diskName(disk)}${disk.serial ? `  serial ${disk.serial}` : ''}  ${formatBytes(disk.sizeBytes)} (${disk.sizeBytes} bytes), ${disk.logicalSectorBytes}-byte sectors`;
}

function mountLines(disk: DiskInfo, unmount: boolean): string[] {
  const mounted = allMountpoints(disk);
  return mounted.length === 0 ? [] : [`        Mounted now: ${mountpointList(mounted)}${unmount ? ' (will be unmounted)' : ''}`];
}
