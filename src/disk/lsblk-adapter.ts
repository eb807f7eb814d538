/**
 * Linux block devices from `lsblk --json --bytes`: the tree of disks, loop devices, partitions
 * and whatever sits on them (LVM, crypt), with logical sector size, serial and mount points —
 * details drivelist does not give (and drivelist hides loop devices altogether).
 */
import { runTool, ToolError } from './run-tool.ts';

export interface LsblkDevice {
  readonly name: string;
  /** Device node, /dev/<kname> for disks and partitions. */
  readonly path: string;
  readonly kname: string;
  /** disk, loop, part, rom, lvm, crypt, raid1, … */
  readonly type: string;
  readonly sizeBytes: number;
  readonly logicalSectorBytes: number;
  readonly physicalSectorBytes: number;
  readonly readOnly: boolean;
  readonly removable: boolean;
  readonly model: string | null;
  readonly vendor: string | null;
  readonly serial: string | null;
  /** Transport: usb, sata, nvme, mmc, … (null for virtio and loop). */
  readonly tran: string | null;
  /** Mount points of this device itself ("[SWAP]" for active swap). */
  readonly mountpoints: readonly string[];
  readonly fstype: string | null;
  readonly children: readonly LsblkDevice[];
}

const COLUMNS = 'NAME,PATH,KNAME,TYPE,SIZE,LOG-SEC,PHY-SEC,RO,RM,MODEL,VENDOR,SERIAL,TRAN,MOUNTPOINTS,PKNAME,FSTYPE';

/** Runs lsblk for every block device (or only `devices`) and parses its JSON. */
export async function readLsblk(devices: readonly string[] = []): Promise<LsblkDevice[]> {
  let stdout: string;
  try {
    stdout = await runTool('lsblk', ['--json', '--bytes', '-o', COLUMNS, ...devices]);
  } catch (error) {
    // util-linux before 2.37 has MOUNTPOINT only.
    if (!(error instanceof ToolError) || error.missing || !/MOUNTPOINTS/i.test(error.stderr)) throw error;
    stdout = await runTool('lsblk', ['--json', '--bytes', '-o', COLUMNS.replace('MOUNTPOINTS', 'MOUNTPOINT'), ...devices]);
  }
  return parseLsblkOutput(stdout);
}

/**
 * lsblk's whole answer: it prints nothing at all (not even `{"blockdevices":[]}`) when no
 * device is left to list — e.g. the devices asked about vanished while it ran — which is an
 * empty list, not a crash.
 */
export function parseLsblkOutput(stdout: string): LsblkDevice[] {
  const text = stdout.trim();
  return text === '' ? [] : parseLsblk(JSON.parse(text) as unknown);
}

/** Parses `lsblk --json --bytes` output (numbers or numeric strings, either mount point column). */
export function parseLsblk(json: unknown): LsblkDevice[] {
  const list = (json as { blockdevices?: unknown } | null)?.blockdevices;
  if (!Array.isArray(list)) throw new Error('lsblk --json: no "blockdevices" array');
  return list.map((entry) => parseDevice(entry));
}

function parseDevice(entry: unknown): LsblkDevice {
  const raw = (entry ?? {}) as Record<string, unknown>;
  const name = text(raw.name) ?? '';
  const kname = text(raw.kname) ?? name;
  const children = Array.isArray(raw.children) ? raw.children.map((child) => parseDevice(child)) : [];
  return {
    name,
    kname,
    path: text(raw.path) ?? `/dev/${kname}`,
    type: text(raw.type) ?? 'unknown',
    sizeBytes: int(raw.size) ?? 0,
    logicalSectorBytes: int(raw['log-sec']) ?? 512,
    physicalSectorBytes: int(raw['phy-sec']) ?? int(raw['log-sec']) ?? 512,
    readOnly: flag(raw.ro),
    removable: flag(raw.rm),
    model: text(raw.model),
    vendor: text(raw.vendor),
    serial: text(raw.serial),
    tran: text(raw.tran),
    mountpoints: mountpointsOf(raw),
    fstype: text(raw.fstype),
    children,
  };
}

function mountpointsOf(raw: Record<string, unknown>): string[] {
  const values = Array.isArray(raw.mountpoints) ? raw.mountpoints : [raw.mountpoint];
  return values.map((value) => text(value)).filter((value): value is string => value !== null);
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function int(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isSafeInteger(number) ? number : null;
}

function flag(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

/** Every device below `device` (children, grandchildren, …), depth first. */
export function descendantsOf(device: LsblkDevice): LsblkDevice[] {
  return device.children.flatMap((child) => [child, ...descendantsOf(child)]);
}
