import { terminalText } from '../common/terminal-text.ts';
import { diskName } from '../common/disk-name.ts';
import { allMountpoints, mountpointList } from '../common/mount-points.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import type { Layout } from '../model/layout.ts';
import { formatBytes } from '../common/format-units.ts';

/**
 * The plan `cosiflash flash` shows before asking for confirmation: the target disk and,
 * for every region, what is written where. Plain text, one region per line.
 */
export function formatFlashPlan(layout: Layout, disk: DiskInfo, options: { verify: boolean; unmount: boolean }): string {
  const identity = diskName(disk);
  const lines = [
    `Image   ${layout.imageHash}`,
    `OS      ${layout.os.prettyName ?? layout.os.id ?? 'unknown'} (${layout.osArch})`,
    `Target  ${disk.device}  ${identity}${disk.serial ? `  serial ${disk.serial}` : ''}  ${formatBytes(disk.sizeBytes)} (${disk.sizeBytes} bytes), ${disk.logicalSectorBytes}-byte sectors`,
    `        EVERYTHING ON ${disk.device} WILL BE ERASED.`,
  ];
  const mounted = allMountpoints(disk);
  if (mounted.length > 0) lines.push(`        Mounted now: ${mountpointList(mounted)}${options.unmount ? ' (will be unmounted)' : ''}`);
  lines.push('', '  slot  name                     write          at offset (LBA)');
  for (const p of layout.partitions) {
    const offset = p.startLba * layout.disk.lbaSize;
    lines.push(`  ${String(p.number).padStart(4)}  ${terminalText(p.name).slice(0, 24).padEnd(24)} ${formatBytes(p.image.uncompressedSize).padStart(10)}     ${offset} (${p.startLba})${p.shrunk ? '  filesystem smaller than its partition' : ''}`);
  }
  lines.push(`     -  partition table (GPT)    ${formatBytes(layout.primaryGpt.uncompressedSize).padStart(10)}     0 and the end of the disk, written last`);
  lines.push('', `Download ${formatBytes(layout.downloadBytes)}, write ${formatBytes(layout.writeBytes)}${options.verify ? ', then read back and verify' : ' (no read-back verification)'}.`);
  // The plan is what the user confirms: nothing from the image or the disk may rewrite a line of it.
  return lines.map(terminalText).join('\n');
}
