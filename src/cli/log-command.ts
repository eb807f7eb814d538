/**
 * `cosiflash log`: lists the flash log (one line per flash, src/service/flash-log.ts) as a
 * table, as JSON or as CSV, optionally only flashes started since a date. Reads only.
 */
import { CosiflashError } from '../errors.ts';
import type { FlashLogEntry } from '../model/flash-log-entry.ts';
import { defaultFlashLogFile, flashLogCsv, readFlashLog } from '../service/flash-log.ts';
import { formatBytes } from '../common/format-units.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { parseCommandArgs } from './parse-command-args.ts';

export const LOG_HELP = `Usage: cosiflash log [options]

Lists every flash recorded in the flash log (passed, failed, cancelled and refused), oldest
first. Each flash of the CLI, the app and web mode appends one JSON line to
<config dir>/flash-log.jsonl (~/.config/cosiflash on Linux).

Options:
  --since DATE  Only flashes started at or after DATE (2026-12-01 or an ISO 8601 time)
  --json        One JSON array of log entries
  --csv         CSV with a header row (for spreadsheets)
  --log FILE    Read FILE instead of the default log
  -h, --help    Show this help`;

export async function runLog(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('log', {
    args: [...args],
    options: {
      since: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      log: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${LOG_HELP}\n`);
    return EXIT_CODES.ok;
  }
  if (positionals.length > 0) throw new CosiflashError('E_INPUT', `log: takes no arguments (got "${positionals.join(' ')}"); see cosiflash log --help`);
  if (values.json && values.csv) throw new CosiflashError('E_INPUT', 'log: give --json or --csv, not both');
  let since: Date | undefined;
  if (values.since !== undefined) {
    since = new Date(values.since);
    if (Number.isNaN(since.getTime())) throw new CosiflashError('E_INPUT', `log: --since "${values.since}" is not a date; use 2026-12-01 or an ISO 8601 time`);
  }
  const file = values.log ?? defaultFlashLogFile();
  const entries = await readFlashLog(file, since === undefined ? {} : { since });
  if (values.json) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
  else if (values.csv) process.stdout.write(flashLogCsv(entries));
  else process.stdout.write(`${formatLogTable(entries, file)}\n`);
  return EXIT_CODES.ok;
}

/** The human table: one row per flash. */
export function formatLogTable(entries: readonly FlashLogEntry[], file: string): string {
  if (entries.length === 0) return `No flashes logged yet (${file}).`;
  const rows = entries.map((e) => [
    e.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    e.result.toUpperCase() + (e.errorCode === null || e.result === 'cancelled' ? '' : ` ${e.errorCode}`),
    e.device.path || '-',
    [e.device.model, e.device.serial].filter(Boolean).join(' ') || '-',
    (e.image.os !== null && e.image.osVersion !== null && e.image.os.includes(e.image.osVersion) ? e.image.os : [e.image.os, e.image.osVersion].filter(Boolean).join(' ')) || e.image.location,
    formatBytes(e.bytesWritten),
    [e.station, e.operator].filter(Boolean).join(' / '),
  ]);
  const header = ['Started', 'Result', 'Device', 'Model / serial', 'Image', 'Written', 'Station / operator'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const counts = ['verified', 'written', 'failed', 'cancelled', 'refused'].map((r) => [r, entries.filter((e) => e.result === r).length] as const).filter(([, n]) => n > 0);
  return [line(header), ...rows.map(line), '', `${entries.length} flash${entries.length === 1 ? '' : 'es'}: ${counts.map(([r, n]) => `${n} ${r}`).join(', ')} (${file})`].join('\n');
}
