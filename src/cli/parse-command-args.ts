/**
 * `node:util` parseArgs for one cosiflash command. A command line it cannot parse (an unknown
 * option, a missing value, a stray positional) becomes E_INPUT naming the command, which
 * main.ts reports and maps to the usage exit status. An unknown option is answered with the
 * nearest known one ("did you mean --hash?").
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CosiflashError } from '../errors.ts';

/** parseArgs(config), with its errors turned into `E_INPUT: <command>: <message>`. */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const unknown = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '(-{1,2}[^']+)'/.exec((error as Error).message)?.[1] : undefined;
    if (unknown !== undefined) {
      const nearest = nearestOption(unknown, Object.keys(config.options ?? {}));
      throw new CosiflashError('E_INPUT', `${command}: unknown option ${unknown}${nearest === null ? '' : ` — did you mean --${nearest}?`} (see cosiflash ${command} --help)`);
    }
    throw new CosiflashError('E_INPUT', `${command}: ${(error as Error).message}`);
  }
}

/** The known option closest to `given` (edit distance ≤ 1/3 of its length, at least 2), or null. */
export function nearestOption(given: string, known: readonly string[]): string | null {
  const name = given.replace(/^-+/, '').split('=')[0] ?? '';
  let best: { option: string; distance: number } | null = null;
  for (const option of known) {
    const distance = option.startsWith(name) && name.length >= 3 ? 0 : editDistance(name, option);
    if (best === null || distance < best.distance) best = { option, distance };
  }
  return best !== null && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.option : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** `--only a,b --only c` → ['a', 'b', 'c'] (a comma list or the option repeated, for every command). */
export function deviceList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values.flatMap((item) => item.split(',')).map((item) => item.trim()).filter((item) => item !== '');
}
