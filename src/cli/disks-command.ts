/**
 * `cosiflash disks [--for <image>]`: every disk with what matters for choosing a target, and
 * with --for whether each one can take that image, why not, and which one `flash` would pick
 * on its own (docs/behavior.md §4). Reads the image's metadata only; writes nothing.
 */
import { terminalText } from '../common/terminal-text.ts';
import { evaluateDisks } from '../disk/evaluate-disks.ts';
import { diskName } from '../common/disk-name.ts';
import { allMountpoints, mountpointList } from '../common/mount-points.ts';
import { eligibilityContextFor } from '../disk/eligibility-context-for.ts';
import { listDisks } from '../disk/list-disks.ts';
import type { DiskCandidate, DiskInfo } from '../model/disk-info.ts';
import type { Layout } from '../model/layout.ts';
import { formatBytes } from '../common/format-units.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { deviceList, parseCommandArgs } from './parse-command-args.ts';
import { REMOTE_HELP, REMOTE_OPTIONS, remoteFlags, type RemoteFlags } from './remote-option.ts';
import { CosiflashError } from '../errors.ts';
import { PLAIN_HTTP_HELP, PLAIN_HTTP_OPTION } from './plain-http-option.ts';

export const DISKS_HELP = `Usage: cosiflash disks [options]

Lists every disk: device, size, model, bus, sector sizes, flags and mount points.
With --for, also reads the image's metadata and shows, for each disk, whether it can
take the image and why not; the disk \`cosiflash flash\` would pick is marked with "=>".

Options:
  --for IMAGE    Check every disk against IMAGE (path, http(s)/file URL or oci:// reference)
  --count N      With --for: mark the N disks \`cosiflash flash --count N\` would pick
  --unmount      With --for: count mounted disks as usable (as \`flash --unmount\` does)
  --allow-loop   Include loop devices (for testing)
  --only DEV     Consider only DEV (repeatable, or a comma list: --only a,b)
  --json         Print JSON: DiskInfo[] without --for, DiskCandidate[] with it
${PLAIN_HTTP_HELP}
                 (with --remote: the station's disks, see the README)
${REMOTE_HELP}
  -h, --help     Show this help

Exit status: 0 listed (whether or not a disk fits), 2 bad usage, 3 invalid or
unreachable image.`;

export interface DisksArgs {
  readonly forImage: string | undefined;
  /** --count N with --for: mark the N disks `flash --count N` would pick. */
  readonly count: number | undefined;
  readonly unmount: boolean;
  readonly allowLoop: boolean;
  readonly only: readonly string[] | undefined;
  readonly json: boolean;
  readonly plainHttp: boolean;
  readonly remote: RemoteFlags | undefined;
  readonly help: boolean;
}

/** Parses the `disks` command line; E_INPUT on anything unknown. */
export function parseDisksArgs(args: readonly string[]): DisksArgs {
  const { values } = parseCommandArgs('disks', {
    args: [...args],
    options: {
      for: { type: 'string' },
      count: { type: 'string' },
      unmount: { type: 'boolean' },
      'allow-loop': { type: 'boolean' },
      only: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      ...PLAIN_HTTP_OPTION,
      ...REMOTE_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  });
  const help = values.help ?? false;
  const count = values.count === undefined ? undefined : /^\d+$/.test(values.count.trim()) ? Number(values.count.trim()) : Number.NaN;
  if (!help && count !== undefined && !(Number.isInteger(count) && count >= 1 && count <= 16)) throw new CosiflashError('E_INPUT', `disks: --count needs a whole number of disks from 1 to 16 (got "${values.count}").`);
  if (!help && count !== undefined && values.for === undefined) throw new CosiflashError('E_INPUT', 'disks: --count only applies with --for IMAGE.');
  return {
    forImage: values.for,
    count,
    unmount: values.unmount ?? false,
    allowLoop: values['allow-loop'] ?? false,
    only: deviceList(values.only),
    json: values.json ?? false,
    plainHttp: values['plain-http'] ?? false,
    remote: remoteFlags('disks', values),
    help,
  };
}

export async function runDisks(args: readonly string[]): Promise<number> {
  const options = parseDisksArgs(args);
  if (options.help) {
    process.stdout.write(`${DISKS_HELP}\n`);
    return EXIT_CODES.ok;
  }
  if (options.remote !== undefined) {
    if (options.allowLoop || options.only !== undefined || options.unmount || options.count !== undefined) throw new CosiflashError('E_INPUT', "disks --remote: --allow-loop, --only, --unmount and --count apply to local disks; the station's own policy applies.");
    return (await import('./remote-disks.ts')).runRemoteDisks(options.remote, { forImage: options.forImage, json: options.json });
  }
  const disks = await listDisks({ allowLoop: options.allowLoop, ...(options.only === undefined ? {} : { onlyDevices: options.only }) });
  if (options.forImage === undefined) {
    process.stdout.write(options.json ? `${JSON.stringify(disks, null, 2)}\n` : `${disksText(disks)}\n`);
    return EXIT_CODES.ok;
  }
  const { layout, location, sourcePath } = await readLayout(options.forImage, options.plainHttp);
  const context = await eligibilityContextFor(layout.disk, { sourcePath, unmountConsent: options.unmount, allowVirtual: options.allowLoop });
  const candidates = evaluateDisks(disks, context, options.count ?? 1);
  process.stdout.write(options.json ? `${JSON.stringify(candidates, null, 2)}\n` : `${candidatesText(candidates, layout, location, options.count)}\n`);
  return EXIT_CODES.ok;
}

async function readLayout(location: string, plainHttp: boolean): Promise<{ layout: Layout; location: string; sourcePath: string | null }> {
  // Loaded only with --for: listing disks needs none of the image code.
  const [{ withCliSource }, { inspectCosi }] = await Promise.all([import('./with-cli-source.ts'), import('../cosi/inspect-cosi.ts')]);
  return withCliSource(location, async (source, signal) => {
    const { layout } = await inspectCosi(source, { signal });
    return { layout, location: source.location, sourcePath: source.localPath };
  }, { plainHttp });
}

/** The plain list: one line per disk, then its own mount points and its partitions. */
export function disksText(disks: readonly DiskInfo[]): string {
  if (disks.length === 0) return 'No disks found.';
  return disks.flatMap((disk) => diskLines(disk, '')).map(terminalText).join('\n');
}

/** The list checked against an image: a verdict per disk, its reasons, and the auto-selection. */
export function candidatesText(candidates: readonly DiskCandidate[], layout: Layout, location: string, count?: number): string {
  const lines = [`Image: ${location}`, `Needs: ${formatBytes(layout.disk.sizeBytes)} (${layout.disk.sizeBytes} bytes), ${layout.disk.lbaSize}-byte sectors`, ''];
  if (candidates.length === 0) lines.push('No disks found.');
  for (const candidate of candidates) {
    const mark = candidate.selected ? '=> ' : candidate.eligible ? 'ok ' : 'no ';
    lines.push(...diskLines(candidate.disk, mark));
    for (const reason of candidate.reasons) lines.push(`       - ${reason.detail}`);
  }
  const chosen = candidates.filter((candidate) => candidate.selected);
  const [selected] = chosen;
  if (count !== undefined && count > 1) {
    const list = chosen.map((candidate) => candidate.disk.device).join(', ');
    lines.push('', chosen.length === count ? `\`cosiflash flash --count ${count}\` would write: ${list}.` : `Only ${chosen.length} of the ${count} disks asked for can take this image${chosen.length === 0 ? '' : ` (${list})`}: \`cosiflash flash --count ${count}\` would refuse.`);
  } else {
    lines.push('', selected === undefined ? 'No disk can take this image.' : `Auto-selection: ${selected.disk.device} (use --disk to choose another eligible disk with \`cosiflash flash\`).`);
  }
  return lines.map(terminalText).join('\n');
}

function diskLines(disk: DiskInfo, mark: string): string[] {
  const name = diskName(disk);
  const sectors = disk.physicalSectorBytes === disk.logicalSectorBytes ? `${disk.logicalSectorBytes} B sectors` : `${disk.logicalSectorBytes}/${disk.physicalSectorBytes} B sectors`;
  const flags = [disk.system && 'system', disk.removable && 'removable', disk.readOnly && 'read-only', disk.virtual && 'virtual', !disk.isWholeDisk && 'partition'].filter((flag) => flag !== false);
  const head = `${mark.padEnd(3)}${disk.device.padEnd(16)} ${formatBytes(disk.sizeBytes).padStart(9)}  ${name}  [${disk.bus ?? 'bus unknown'}, ${sectors}${flags.length > 0 ? `, ${flags.join(', ')}` : ''}]`;
  const inPartitions = new Set(disk.partitions.flatMap((partition) => partition.mountpoints));
  const own = allMountpoints(disk).filter((mountpoint) => !inPartitions.has(mountpoint));
  const lines = [head];
  if (own.length > 0) lines.push(`       mounted at ${mountpointList(own)}`);
  for (const partition of disk.partitions) {
    const mounted = partition.mountpoints.length > 0 ? `  mounted at ${mountpointList(partition.mountpoints)}` : '';
    lines.push(`       ${partition.device.padEnd(16)} ${formatBytes(partition.sizeBytes).padStart(9)}${mounted}`);
  }
  return lines;
}
