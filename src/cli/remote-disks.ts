/**
 * `cosiflash disks --remote ADDRESS [--for IMAGE]`: a Cosiflash station's disks with their
 * eligibility (cosiflash.v1.StationService/ListDisks), judged against IMAGE when given.
 */
import { terminalText } from '../common/terminal-text.ts';
import { CosiflashError } from '../errors.ts';
import { connectRemote, isUnimplemented } from '../grpc/grpc-client.ts';
import { formatBytes } from '../common/format-units.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { resolveRemote, type RemoteFlags } from './remote-option.ts';

type Message = Record<string, unknown>;

export async function runRemoteDisks(remote: RemoteFlags, options: { forImage: string | undefined; json: boolean }): Promise<number> {
  const station = await connectRemote(await resolveRemote(remote));
  try {
    let disks: Message[];
    try {
      disks = (await station.unary('station', 'ListDisks', options.forImage === undefined ? {} : { image_url: options.forImage })).disks as Message[];
    } catch (error) {
      if (isUnimplemented((error as { cause?: unknown }).cause)) throw new CosiflashError('E_REMOTE', `${station.target} has no cosiflash.v1.StationService (a plain Trident host?): it cannot list its disks.`);
      throw error;
    }
    const judged = options.forImage !== undefined;
    const rows = disks.map((disk) => ({
      device: String(disk.device),
      sizeBytes: Number(disk.size_bytes),
      model: String(disk.model ?? ''),
      serial: String(disk.serial ?? ''),
      bus: String(disk.bus ?? ''),
      logicalSectorBytes: Number(disk.logical_sector_bytes),
      removable: disk.removable === true,
      system: disk.system === true,
      eligible: disk.eligible === true,
      reasons: [...((disk.reasons as string[] | undefined) ?? [])],
      busy: disk.busy === true,
      ...(judged ? { selected: disk.selected === true } : {}),
    }));
    if (options.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT_CODES.ok;
    }
    const lines = [`Station: ${station.target}${station.tls ? ' (TLS)' : ''}`, ...(judged ? [`Image: ${options.forImage}`] : []), ''];
    if (rows.length === 0) lines.push('No disks offered.');
    for (const row of rows) {
      const mark = row.selected === true ? '=> ' : row.eligible ? 'ok ' : 'no ';
      const flags = [row.system && 'system', row.removable && 'removable', row.busy && 'BUSY'].filter((flag) => flag !== false);
      lines.push(`${mark}${row.device.padEnd(16)} ${formatBytes(row.sizeBytes).padStart(9)}  ${row.model || '(no model)'}${row.serial ? `  serial ${row.serial}` : ''}  [${row.bus || 'bus unknown'}, ${row.logicalSectorBytes} B sectors${flags.length > 0 ? `, ${flags.join(', ')}` : ''}]`);
      for (const reason of row.reasons) lines.push(`       - ${reason}`);
    }
    if (judged) {
      const selected = rows.find((row) => row.selected === true);
      lines.push('', selected === undefined ? 'No disk of the station can take this image.' : `The station would choose: ${selected.device}`);
    }
    process.stdout.write(`${lines.map(terminalText).join('\n')}\n`);
    return EXIT_CODES.ok;
  } finally {
    station.close();
  }
}
