/**
 * `node:util` parseArgs for one cosiflash command. A command line it cannot parse (an unknown
 * option, a missing value, a stray positional) becomes E_INPUT naming the command, which
 * main.ts reports and maps to the usage exit status.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CosiflashError } from '../errors.ts';

/** parseArgs(config), with its errors turned into `E_INPUT: <command>: <message>`. */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new CosiflashError('E_INPUT', `${command}: ${(error as Error).message}`);
  }
}
